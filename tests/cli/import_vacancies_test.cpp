// `leerstand import FILE --layer vacancies`: vacancy reports (points) from CSV, GeoJSON and a
// zipped UTM Shapefile into the demo atlas, read back with the sqlite3 client. The files are
// written here from building positions of the database just made, so they always lie in
// real footprints; SpatiaLite's ST_Contains is the oracle for the building each one matches.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/cli/cli_support.hpp"

namespace leerstand::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* k_angermuende = "12073008";
constexpr const char* k_herzberg = "12062224";

// The columns the tests compare, in this order, one row per vacancy.
constexpr const char* k_stored_columns =
    "status, use, degree, vacant_since, floor_area_m2, owner_type, owner_contact, "
    "internal_notes, consent_publish, public_description, kommune_ags, author, version";

long lines(const std::string& text) {
    return std::count(text.begin(), text.end(), '\n');
}

/// sqlite3 with SpatiaLite loaded, for the geometry oracles.
std::string spatial_sql(const fs::path& db, const std::string& query) {
    auto result =
        run_command({"sqlite3", "-batch", "-cmd", ".load mod_spatialite", db.string(), query});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::string out = result.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, separator)) parts.push_back(part);
    return parts;
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.good()) << path;
}

/// The demo atlas (deterministic for the default seed) with Kommunen and buildings only (the
/// tests count the reports they import), made once per test process and copied for each
/// caller as `into/name`.
fs::path demo_database(const TempDir& into, const std::string& name = "atlas.sqlite") {
    static std::unique_ptr<TempDir> cache_dir;
    static fs::path cached;
    if (cached.empty()) {
        cache_dir = std::make_unique<TempDir>();
        cached = cache_dir->path() / "demo.sqlite";
        auto result = run_leerstand({"demo", "--buildings-only", "--db", cached.string()});
        EXPECT_EQ(result.exit_code, 0) << result.err;
    }
    auto copy = into / name;
    fs::copy_file(cached, copy, fs::copy_options::overwrite_existing);
    return copy;
}

/// A point inside a building footprint (its point on surface, 7 decimals as stored).
struct BuildingPoint {
    long long id = 0;
    std::string lon, lat;
    /// The coordinates written with a decimal comma, as a German spreadsheet exports them.
    std::string lon_comma() const { return with_comma(lon); }
    std::string lat_comma() const { return with_comma(lat); }

  private:
    static std::string with_comma(std::string text) {
        std::replace(text.begin(), text.end(), '.', ',');
        return text;
    }
};

std::vector<BuildingPoint> building_points(const fs::path& db, const std::string& ags, int count) {
    const std::string rows = spatial_sql(
        db,
        "SELECT id || '|' || printf('%.7f', X(PointOnSurface(footprint))) || '|' || "
        "printf('%.7f', Y(PointOnSurface(footprint))) FROM buildings WHERE kommune_ags = '" +
            ags + "' ORDER BY id LIMIT " + std::to_string(count));
    std::vector<BuildingPoint> points;
    for (const std::string& row : split(rows, '\n')) {
        auto fields = split(row, '|');
        if (fields.size() == 3) points.push_back({std::stoll(fields[0]), fields[1], fields[2]});
    }
    EXPECT_EQ(points.size(), static_cast<std::size_t>(count)) << "buildings of " << ags;
    return points;
}

long long max_vacancy_id(const fs::path& db) {
    return sql_count(db, "SELECT COALESCE(MAX(id), 0) FROM vacancies");
}

/// The compared columns of the vacancies after `after_id`, oldest first.
std::string stored_rows(const fs::path& db, long long after_id) {
    return sql(db, std::string("SELECT ") + k_stored_columns + " FROM vacancies WHERE id > " +
                       std::to_string(after_id) + " ORDER BY id");
}

/// Vacancies after `after_id` whose building_id is not the smallest footprint containing the
/// point (none when it lies in no footprint), by SpatiaLite.
long long building_mismatches(const fs::path& db, long long after_id) {
    return std::stoll(spatial_sql(
        db, "SELECT COUNT(*) FROM vacancies v WHERE v.id > " + std::to_string(after_id) +
                " AND v.building_id IS NOT (SELECT b.id FROM buildings b "
                "WHERE ST_Contains(b.footprint, v.geom) ORDER BY ST_Area(b.footprint), b.id "
                "LIMIT 1)"));
}

struct Counts {
    long long vacancies = 0, history = 0, uploads = 0;
    bool operator==(const Counts&) const = default;
};

void PrintTo(const Counts& c, std::ostream* os) {
    *os << c.vacancies << " vacancies, " << c.history << " history rows, " << c.uploads
        << " uploads";
}

Counts counts(const fs::path& db) {
    return {sql_count(db, "SELECT COUNT(*) FROM vacancies"),
            sql_count(db, "SELECT COUNT(*) FROM vacancy_history"),
            sql_count(db, "SELECT COUNT(*) FROM uploads")};
}

// Column names as typed by hand: one capitalised, one with a trailing blank.
const std::string k_csv_header =
    "Länge;Breite;Status;use;degree;vacant_since;floor_area_m2;owner_type ;owner_contact;"
    "internal_notes;consent_publish;public_description;Bemerkung\n";

/// One `;` row of k_csv_header's columns after the coordinates.
std::string csv_row(const std::string& lon, const std::string& lat, const std::string& rest) {
    return lon + ";" + lat + ";" + rest + "\n";
}

// -- 1. CSV from a German office ------------------------------------------------------------

TEST(ImportVacancies, GermanCsvStoresTheValidRowsTypedAndMatchedToTheirBuildings) {
    TempDir dir;
    const fs::path db = demo_database(dir);
    const auto angermuende = building_points(db, k_angermuende, 4);
    const auto herzberg = building_points(db, k_herzberg, 1);
    ASSERT_EQ(angermuende.size(), 4u);
    ASSERT_EQ(herzberg.size(), 1u);
    const long long before_id = max_vacancy_id(db);
    const Counts before = counts(db);

    // Decimal commas (also in the coordinates), a thousands separator, ja/nein/Ja, blanks
    // around values, empty cells, a column of its own.
    const auto& a = angermuende;
    const std::string csv =
        k_csv_header +
        csv_row(a[0].lon_comma(), a[0].lat_comma(),
                "gemeldet;wohnen;vollstaendig;2021-03-01;120,5;privat;Frau Müller, Tel. 03331 "
                "1234;Dach undicht;ja;Altbau mit Ladenfläche;Begehung 2023") +
        csv_row(a[1].lon_comma(), a[1].lat_comma(),
                "bestaetigt ; laden;teilweise;;85;gewerblich;;;nein;  ;") +
        csv_row(herzberg[0].lon_comma(), herzberg[0].lat_comma(),
                "gemeldet;gewerbe;vollstaendig;2019-11-30;1.450,75;oeffentlich;Stadtverwaltung;;"
                " Ja ;Ehemalige Schule;") +
        // Rejected: an unknown status, a date to come, a point in no Kommune, no point at all.
        csv_row(a[2].lon_comma(), a[2].lat_comma(), "leer;wohnen;;;;;;;;;") +
        csv_row(a[3].lon_comma(), a[3].lat_comma(), "gemeldet;wohnen;;2099-01-01;;;;;;;") +
        csv_row("8,0", "48,0", "gemeldet;laden;;;;;;;;;") +
        csv_row("", "", "gemeldet;laden;;;;;;;;;Adresse fehlt");
    const fs::path file = dir / "leerstandsmeldungen.csv";
    write_text(file, csv);

    int exit_code = -1;
    const json report = import_json(
        {"import", file.string(), "--layer", "vacancies", "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0) << report.dump(2);
    EXPECT_EQ(report["target"], "vacancies");
    EXPECT_EQ(report["format"], "CSV");
    EXPECT_EQ(report["read"], 7);
    EXPECT_EQ(report["stored"], 3);
    EXPECT_EQ(report["rejected"], 4);
    EXPECT_EQ(report["rejected_by_reason"],
              json({{"invalid status", 1},
                    {"invalid vacant_since", 1},
                    {"the point lies outside every Kommune of the atlas", 1},
                    {"no geometry", 1}}))
        << report.dump(2);
    EXPECT_EQ(report["stored_by_kommune"], json({{k_angermuende, 2}, {k_herzberg, 1}}));
    // The report names its Kommunen as a building import's does (the dialog shows names).
    const json named =
        json::array({{{"ags", k_herzberg}, {"name", "Herzberg (Elster)"}, {"count", 1}},
                     {{"ags", k_angermuende}, {"name", "Angermünde"}, {"count", 2}}});
    EXPECT_EQ(report["stored_in"], named) << report.dump(2);
    // Each rejection names its row (0-based) and says what is wrong in words.
    ASSERT_EQ(report["errors"].size(), 4u) << report.dump(2);
    EXPECT_EQ(report["errors"][0]["feature"], 3);
    EXPECT_NE(report["errors"][0]["reason"].get<std::string>().find("unknown status 'leer'"),
              std::string::npos)
        << report["errors"][0];
    EXPECT_EQ(report["errors"][1]["feature"], 4);
    EXPECT_NE(report["errors"][1]["reason"].get<std::string>().find("2099-01-01"),
              std::string::npos)
        << report["errors"][1];
    EXPECT_EQ(report["errors"][2]["feature"], 5);
    EXPECT_EQ(report["errors"][3]["feature"], 6);

    // Typed values: numbers with decimal commas, ja/Ja/nein booleans, blanks trimmed, empty
    // cells as NULL (so the defaults apply), the extra column ignored.
    EXPECT_EQ(stored_rows(db, before_id),
              "gemeldet|wohnen|vollstaendig|2021-03-01|120.5|privat|Frau Müller, Tel. 03331 "
              "1234|Dach undicht|1|Altbau mit Ladenfläche|12073008|cli|1\n"
              "bestaetigt|laden|teilweise||85.0|gewerblich|||0||12073008|cli|1\n"
              "gemeldet|gewerbe|vollstaendig|2019-11-30|1450.75|oeffentlich|Stadtverwaltung||1|"
              "Ehemalige Schule|12062224|cli|1");
    EXPECT_EQ(sql(db,
                  "SELECT typeof(floor_area_m2) || typeof(consent_publish) FROM vacancies "
                  "WHERE id > " +
                      std::to_string(before_id) + " ORDER BY id LIMIT 1"),
              "realinteger");
    // consent_date is set where consent is given: the day of the import.
    EXPECT_EQ(sql(db,
                  "SELECT group_concat(consent_date IS NOT NULL AND consent_date = "
                  "substr(created_at, 1, 10), ',') FROM (SELECT * FROM vacancies WHERE id > " +
                      std::to_string(before_id) + " ORDER BY id)"),
              "1,0,1");

    // Where they are: the file's coordinates, in the building whose footprint holds them.
    const std::string places =
        spatial_sql(db,
                    "SELECT building_id || '|' || printf('%.7f', X(geom)) || '|' || printf('%.7f', "
                    "Y(geom)) FROM vacancies WHERE id > " +
                        std::to_string(before_id) + " ORDER BY id");
    EXPECT_EQ(places, std::to_string(a[0].id) + "|" + a[0].lon + "|" + a[0].lat + "\n" +
                          std::to_string(a[1].id) + "|" + a[1].lon + "|" + a[1].lat + "\n" +
                          std::to_string(herzberg[0].id) + "|" + herzberg[0].lon + "|" +
                          herzberg[0].lat);
    EXPECT_EQ(building_mismatches(db, before_id), 0);

    // One 'create' history row each, by the CLI user, nothing else.
    const Counts after = counts(db);
    EXPECT_EQ(after.vacancies, before.vacancies + 3);
    EXPECT_EQ(after.history, before.history + 3);
    EXPECT_EQ(sql_count(db,
                        "SELECT COUNT(*) FROM vacancy_history h JOIN vacancies v ON "
                        "v.id = h.vacancy_id WHERE v.id > " +
                            std::to_string(before_id) +
                            " AND h.action = 'create' AND h.changed_by = 'cli' AND "
                            "h.kommune_ags = v.kommune_ags AND h.old_values IS NULL"),
              3);
    EXPECT_EQ(sql(db,
                  "SELECT json_extract(new_values, '$.floor_area_m2') || '|' || "
                  "json_extract(new_values, '$.status') FROM vacancy_history WHERE "
                  "vacancy_id = " +
                      std::to_string(before_id + 1)),
              "120.5|gemeldet");

    // The uploads row records the report.
    EXPECT_EQ(sql(db,
                  "SELECT layer || '|' || state || '|' || user || '|' || features_read || "
                  "'|' || stored || '|' || rejected || '|' || file_name FROM uploads "
                  "WHERE id = " +
                      std::to_string(report["upload_id"].get<long long>())),
              "vacancies|done|cli|7|3|4|leerstandsmeldungen.csv");
    EXPECT_EQ(after.uploads, before.uploads + 1);
}

// -- 2. GeoJSON, and the same reports as a zipped Shapefile in UTM ---------------------------

TEST(ImportVacancies, GeoJsonAndZippedUtmShapefileStoreTheSameVacancies) {
    TempDir dir;
    const fs::path geojson_db = demo_database(dir, "from-geojson.sqlite");
    const fs::path shapefile_db = demo_database(dir, "from-shapefile.sqlite");
    const auto angermuende = building_points(geojson_db, k_angermuende, 2);
    const auto herzberg = building_points(geojson_db, k_herzberg, 1);
    ASSERT_EQ(angermuende.size() + herzberg.size(), 3u);
    const std::vector<BuildingPoint> places = {angermuende[0], angermuende[1], herzberg[0]};

    // Typed GeoJSON values: numbers, booleans, dates (GDAL reads them as Date fields), nulls.
    const std::vector<json> properties = {{{"status", "gemeldet"},
                                           {"use", "wohnen"},
                                           {"degree", "vollstaendig"},
                                           {"vacant_since", "2021-03-01"},
                                           {"floor_area_m2", 120.5},
                                           {"owner_type", "privat"},
                                           {"owner_contact", "Frau Müller"},
                                           {"internal_notes", "Schlüssel bei Nachbarin"},
                                           {"consent_publish", true},
                                           {"public_description", "Altbau mit Ladenfläche"},
                                           {"melder", "Ortsbegehung"}},
                                          {{"status", "bestaetigt"},
                                           {"use", "laden"},
                                           {"degree", "teilweise"},
                                           {"vacant_since", nullptr},
                                           {"floor_area_m2", nullptr},
                                           {"owner_type", "gewerblich"},
                                           {"owner_contact", nullptr},
                                           {"internal_notes", nullptr},
                                           {"consent_publish", false},
                                           {"public_description", nullptr},
                                           {"melder", nullptr}},
                                          {{"status", "gemeldet"},
                                           {"use", "gewerbe"},
                                           {"degree", "vollstaendig"},
                                           {"vacant_since", "2019-11-30"},
                                           {"floor_area_m2", 1450.75},
                                           {"owner_type", "oeffentlich"},
                                           {"owner_contact", "Stadtverwaltung"},
                                           {"internal_notes", nullptr},
                                           {"consent_publish", true},
                                           {"public_description", "Ehemalige Schule"},
                                           {"melder", "Bauamt"}}};
    json collection = {{"type", "FeatureCollection"}, {"features", json::array()}};
    for (std::size_t i = 0; i < places.size(); ++i) {
        collection["features"].push_back(
            {{"type", "Feature"},
             {"properties", properties[i]},
             {"geometry",
              {{"type", "Point"},
               {"coordinates", {std::stod(places[i].lon), std::stod(places[i].lat)}}}}});
    }
    const fs::path geojson = dir / "meldungen.geojson";
    write_text(geojson, collection.dump());

    // ogr2ogr cuts the names to 10 characters (floor_area, vacant_sin, consent_pu,
    // public_des, ...) and writes the points as UTM zone 33 metres.
    fs::create_directories(dir / "shp");
    const fs::path shp = dir / "shp" / "meldungen.shp";
    auto converted = run_command({"ogr2ogr", "-f", "ESRI Shapefile", "-t_srs", "EPSG:25833",
                                  shp.string(), geojson.string()});
    ASSERT_EQ(converted.exit_code, 0) << converted.err;
    const std::string dbf_fields = run_command({"ogrinfo", "-ro", "-so", "-al", shp.string()}).out;
    for (const char* truncated :
         {"floor_area:", "vacant_sin:", "consent_pu:", "public_des:", "owner_cont:", "internal_n:"})
        EXPECT_NE(dbf_fields.find(truncated), std::string::npos) << truncated << "\n" << dbf_fields;
    const fs::path zip = dir / "meldungen.zip";
    std::vector<std::string> zip_args = {"zip", "-j", "-X", "-q", zip.string()};
    for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg"}) {
        fs::path part = shp;
        part.replace_extension(ext);
        if (fs::exists(part)) zip_args.push_back(part.string());
    }
    auto zipped = run_command(zip_args);
    ASSERT_EQ(zipped.exit_code, 0) << zipped.err;

    const long long before_id = max_vacancy_id(geojson_db);
    ASSERT_EQ(max_vacancy_id(shapefile_db), before_id);
    int exit_code = -1;
    const json from_geojson = import_json(
        {"import", geojson.string(), "--layer", "vacancies", "--db", geojson_db.string()},
        exit_code);
    ASSERT_EQ(exit_code, 0) << from_geojson.dump(2);
    const json from_zip = import_json(
        {"import", zip.string(), "--layer", "vacancies", "--db", shapefile_db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0) << from_zip.dump(2);
    for (const json* report : {&from_geojson, &from_zip}) {
        EXPECT_EQ((*report)["read"], 3) << report->dump(2);
        EXPECT_EQ((*report)["stored"], 3) << report->dump(2);
        EXPECT_EQ((*report)["rejected"], 0) << report->dump(2);
    }
    EXPECT_EQ(from_geojson["crs"], "EPSG:4326");
    EXPECT_EQ(from_zip["crs"], "EPSG:25833");
    EXPECT_EQ(from_zip["format"], "ESRI Shapefile");

    const std::string expected =
        "gemeldet|wohnen|vollstaendig|2021-03-01|120.5|privat|Frau Müller|Schlüssel bei "
        "Nachbarin|1|Altbau mit Ladenfläche|12073008|cli|1\n"
        "bestaetigt|laden|teilweise|||gewerblich|||0||12073008|cli|1\n"
        "gemeldet|gewerbe|vollstaendig|2019-11-30|1450.75|oeffentlich|Stadtverwaltung||1|"
        "Ehemalige Schule|12062224|cli|1";
    EXPECT_EQ(stored_rows(geojson_db, before_id), expected);
    EXPECT_EQ(stored_rows(shapefile_db, before_id), expected);

    // Back from UTM within 1e-6 degrees (about 10 cm), and in the same buildings.
    for (const fs::path* db : {&geojson_db, &shapefile_db}) {
        const auto stored =
            split(spatial_sql(*db,
                              "SELECT building_id || '|' || printf('%.9f', X(geom)) || '|' || "
                              "printf('%.9f', Y(geom)) FROM vacancies WHERE id > " +
                                  std::to_string(before_id) + " ORDER BY id"),
                  '\n');
        ASSERT_EQ(stored.size(), places.size()) << *db;
        for (std::size_t i = 0; i < places.size(); ++i) {
            const auto fields = split(stored[i], '|');
            ASSERT_EQ(fields.size(), 3u) << stored[i];
            EXPECT_EQ(fields[0], std::to_string(places[i].id)) << *db << " row " << i;
            EXPECT_NEAR(std::stod(fields[1]), std::stod(places[i].lon), 1e-6) << *db;
            EXPECT_NEAR(std::stod(fields[2]), std::stod(places[i].lat), 1e-6) << *db;
        }
        EXPECT_EQ(building_mismatches(*db, before_id), 0) << *db;
        EXPECT_EQ(sql_count(*db, "SELECT COUNT(*) FROM vacancy_history WHERE vacancy_id > " +
                                     std::to_string(before_id) + " AND action = 'create'"),
                  3)
            << *db;
    }
}

/// Turns the DBF field `name` (a one-character text field) into a dBASE Logical field, as
/// ArcGIS and QGIS write booleans; ogr2ogr cannot write those itself.
void make_logical_field(const fs::path& dbf, const std::string& name) {
    std::fstream file(dbf, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(file.good()) << dbf;
    // Field descriptors: 32 bytes each from offset 32 until 0x0D; name (11 bytes, NUL-padded),
    // type at 11, length at 16.
    for (std::streamoff at = 32;; at += 32) {
        char descriptor[32];
        file.seekg(at);
        ASSERT_TRUE(file.read(descriptor, sizeof descriptor)) << "no field " << name;
        ASSERT_NE(descriptor[0], '\x0d') << "no field " << name;
        if (std::string(descriptor, strnlen(descriptor, 11)) != name) continue;
        ASSERT_EQ(descriptor[16], 1) << "field " << name << " is wider than one character";
        file.seekp(at + 11);
        file.put('L');
        return;
    }
}

TEST(ImportVacancies, ShapefileLogicalFieldGivesConsent) {
    TempDir dir;
    const fs::path db = demo_database(dir);
    const auto points = building_points(db, k_angermuende, 3);
    ASSERT_EQ(points.size(), 3u);
    const long long before_id = max_vacancy_id(db);
    // A CSV with a .csvt, so the consent column becomes a one-character DBF field.
    const fs::path csv = dir / "punkte.csv";
    std::string text = "lon,lat,consent_publish,status\n";
    const char* flags[] = {"T", "F", "?"};
    for (std::size_t i = 0; i < points.size(); ++i)
        text += points[i].lon + "," + points[i].lat + "," + flags[i] + ",gemeldet\n";
    write_text(csv, text);
    write_text(dir / "punkte.csvt", "Real,Real,String(1),String(20)\n");
    fs::create_directories(dir / "shp");
    const fs::path shp = dir / "shp" / "punkte.shp";
    auto converted = run_command({"ogr2ogr", "-f", "ESRI Shapefile", "-a_srs", "EPSG:4326", "-oo",
                                  "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat",
                                  shp.string(), csv.string()});
    ASSERT_EQ(converted.exit_code, 0) << converted.err;
    fs::path dbf = shp;
    dbf.replace_extension(".dbf");
    make_logical_field(dbf, "consent_pu");
    if (HasFatalFailure()) return;
    const std::string fields = run_command({"ogrinfo", "-ro", "-al", shp.string()}).out;
    ASSERT_NE(fields.find("consent_pu (String) = T"), std::string::npos) << fields;

    int exit_code = -1;
    const json report = import_json(
        {"import", shp.string(), "--layer", "vacancies", "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0) << report.dump(2);
    EXPECT_EQ(report["stored"], 3) << report.dump(2);
    EXPECT_EQ(sql(db,
                  "SELECT group_concat(consent_publish, ',') FROM (SELECT consent_publish "
                  "FROM vacancies WHERE id > " +
                      std::to_string(before_id) + " ORDER BY id)"),
              "1,0,0");
}

// -- 3. --kommune bounds the import -----------------------------------------------------------

TEST(ImportVacancies, KommuneOptionRejectsPointsElsewhere) {
    TempDir dir;
    const fs::path db = demo_database(dir);
    const auto angermuende = building_points(db, k_angermuende, 1);
    const auto herzberg = building_points(db, k_herzberg, 1);
    ASSERT_EQ(angermuende.size() + herzberg.size(), 2u);
    const long long before_id = max_vacancy_id(db);
    const fs::path file = dir / "angermuende.csv";
    write_text(file, "lon,lat,status,use\n" + angermuende[0].lon + "," + angermuende[0].lat +
                         ",gemeldet,wohnen\n" + herzberg[0].lon + "," + herzberg[0].lat +
                         ",gemeldet,laden\n");

    int exit_code = -1;
    const json report = import_json({"import", file.string(), "--layer", "vacancies", "--db",
                                     db.string(), "--kommune", k_angermuende},
                                    exit_code);
    ASSERT_EQ(exit_code, 0) << report.dump(2);
    EXPECT_EQ(report["kommune"], k_angermuende);
    EXPECT_EQ(report["stored"], 1);
    EXPECT_EQ(report["rejected"], 1);
    EXPECT_EQ(report["rejected_by_reason"], json({{"the point lies outside Kommune 12073008", 1}}))
        << report.dump(2);
    ASSERT_EQ(report["errors"].size(), 1u);
    EXPECT_EQ(report["errors"][0]["feature"], 1);
    EXPECT_EQ(sql(db,
                  "SELECT kommune_ags || '|' || use || '|' || building_id FROM vacancies "
                  "WHERE id > " +
                      std::to_string(before_id)),
              std::string(k_angermuende) + "|wohnen|" + std::to_string(angermuende[0].id));
    EXPECT_EQ(sql(db, "SELECT kommune_ags || '|' || state FROM uploads WHERE id = " +
                          std::to_string(report["upload_id"].get<long long>())),
              std::string(k_angermuende) + "|done");
}

// -- 4. Nothing valid: nothing stored -----------------------------------------------------------

TEST(ImportVacancies, FileWithoutAValidRowStoresNothingAndExitsThree) {
    TempDir dir;
    const fs::path db = demo_database(dir);
    const auto points = building_points(db, k_angermuende, 3);
    ASSERT_EQ(points.size(), 3u);
    // Something stored before, so "unchanged" is not just "still empty".
    const fs::path good = dir / "good.csv";
    write_text(good, "lon,lat,status\n" + points[0].lon + "," + points[0].lat + ",gemeldet\n");
    ASSERT_EQ(run_leerstand({"import", good.string(), "--layer", "vacancies", "--db", db.string()})
                  .exit_code,
              0);
    const Counts before = counts(db);
    ASSERT_GT(before.vacancies, 0);

    const fs::path file = dir / "alles-falsch.csv";
    write_text(file, k_csv_header +
                         csv_row(points[1].lon_comma(), points[1].lat_comma(),
                                 "gemeldet;Wohnen;;;;;;;;;") +  // not the API's spelling
                         csv_row(points[2].lon_comma(), points[2].lat_comma(),
                                 "gemeldet;wohnen;;;-5;;;;;;") +
                         csv_row("8,0", "48,0", "gemeldet;wohnen;;;;;;;;;"));
    int exit_code = -1;
    const json report = import_json(
        {"import", file.string(), "--layer", "vacancies", "--db", db.string()}, exit_code);
    EXPECT_EQ(exit_code, 3) << report.dump(2);
    EXPECT_EQ(report["read"], 3);
    EXPECT_EQ(report["stored"], 0);
    EXPECT_EQ(report["rejected"], 3);
    EXPECT_EQ(report["rejected_by_reason"],
              json({{"invalid use", 1},
                    {"invalid floor_area_m2", 1},
                    {"the point lies outside every Kommune of the atlas", 1}}))
        << report.dump(2);

    const Counts after = counts(db);
    EXPECT_EQ(after.vacancies, before.vacancies);
    EXPECT_EQ(after.history, before.history);
    EXPECT_EQ(after.uploads, before.uploads + 1);
    EXPECT_EQ(sql(db,
                  "SELECT layer || '|' || state || '|' || stored || '|' || rejected || '|' "
                  "|| json_array_length(errors) FROM uploads WHERE id = " +
                      std::to_string(report["upload_id"].get<long long>())),
              "vacancies|failed|0|3|3");

    // A file without features stores nothing either.
    const fs::path empty = dir / "leer.geojson";
    write_text(empty, R"({"type": "FeatureCollection", "features": []})");
    auto result =
        run_leerstand({"import", empty.string(), "--layer", "vacancies", "--db", db.string()});
    EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
    EXPECT_NE(result.err.find("nothing was stored"), std::string::npos) << result.err;
    EXPECT_EQ(counts(db).vacancies, before.vacancies);
}

// -- 5. Atomicity -----------------------------------------------------------------------------

/// A sqlite3 process holding the write lock (BEGIN IMMEDIATE) of a database until release().
class WriteLockHolder {
  public:
    WriteLockHolder(const fs::path& db, const fs::path& marker) {
        int in[2];
        if (pipe(in) != 0) return;
        m_pid = fork();
        if (m_pid == 0) {
            dup2(in[0], 0);
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 1);
            dup2(devnull, 2);
            close(in[0]);
            close(in[1]);
            execlp("sqlite3", "sqlite3", "-batch", db.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        close(in[0]);
        m_stdin = in[1];
        // The marker file appears once BEGIN IMMEDIATE has succeeded.
        send("BEGIN IMMEDIATE;\nCREATE TEMP TABLE held (x);\n.shell touch " + marker.string() +
             "\n");
        for (int i = 0; i < 3000 && !fs::exists(marker) && running(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        m_locked = fs::exists(marker);
    }
    ~WriteLockHolder() { release(); }
    WriteLockHolder(const WriteLockHolder&) = delete;
    WriteLockHolder& operator=(const WriteLockHolder&) = delete;

    bool locked() const { return m_locked; }

    /// Rolls back and waits for the process to end.
    void release() {
        if (m_stdin >= 0) {
            send("ROLLBACK;\n");
            close(m_stdin);
            m_stdin = -1;
        }
        if (m_pid > 0) {
            int status = 0;
            waitpid(m_pid, &status, 0);
            m_pid = -1;
        }
    }

  private:
    void send(const std::string& text) {
        if (m_stdin >= 0 && write(m_stdin, text.data(), text.size()) < 0) {
            close(m_stdin);
            m_stdin = -1;
        }
    }
    bool running() {
        int status = 0;
        return m_pid > 0 && waitpid(m_pid, &status, WNOHANG) == 0;
    }

    pid_t m_pid = -1;
    int m_stdin = -1;
    bool m_locked = false;
};

TEST(ImportVacancies, LockedDatabaseFailsTheImportWithoutAnyChange) {
    TempDir dir;
    const fs::path db = demo_database(dir);
    const auto points = building_points(db, k_angermuende, 3);
    ASSERT_EQ(points.size(), 3u);
    const fs::path file = dir / "meldungen.csv";
    std::string csv = "lon,lat,status,use\n";
    for (const auto& point : points) csv += point.lon + "," + point.lat + ",gemeldet,wohnen\n";
    write_text(file, csv);
    const Counts before = counts(db);

    {
        WriteLockHolder holder(db, dir / "locked");
        ASSERT_TRUE(holder.locked()) << "sqlite3 could not take the write lock";
        // Waits for the busy timeout, then gives up: an error, not a half import.
        auto result =
            run_leerstand({"import", file.string(), "--layer", "vacancies", "--db", db.string()});
        EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
        EXPECT_EQ(lines(result.err), 1) << result.err;
        EXPECT_NE(result.err.find("busy"), std::string::npos) << result.err;
    }
    EXPECT_EQ(counts(db), before);
    EXPECT_EQ(sql(db, "PRAGMA integrity_check"), "ok");

    // Once the lock is gone the same file imports completely.
    int exit_code = -1;
    const json report = import_json(
        {"import", file.string(), "--layer", "vacancies", "--db", db.string()}, exit_code);
    EXPECT_EQ(exit_code, 0) << report.dump(2);
    EXPECT_EQ(report["stored"], 3);
    EXPECT_EQ(counts(db).vacancies, before.vacancies + 3);
}

TEST(ImportVacancies, KilledImportLeavesNoVacancyBehind) {
    TempDir dir;
    const fs::path db = demo_database(dir);
    // Every Angermünde building reported several times: long enough to be caught mid-way.
    const auto points = building_points(
        db, k_angermuende,
        static_cast<int>(sql_count(db, "SELECT COUNT(*) FROM buildings WHERE kommune_ags = '" +
                                           std::string(k_angermuende) + "'")));
    ASSERT_FALSE(points.empty());
    json collection = {{"type", "FeatureCollection"}, {"features", json::array()}};
    while (collection["features"].size() < 10000) {
        for (const auto& point : points)
            collection["features"].push_back(
                {{"type", "Feature"},
                 {"properties", {{"status", "gemeldet"}, {"floor_area_m2", 80}}},
                 {"geometry",
                  {{"type", "Point"},
                   {"coordinates", {std::stod(point.lon), std::stod(point.lat)}}}}});
    }
    const fs::path file = dir / "viele.geojson";
    write_text(file, collection.dump());
    const Counts before = counts(db);

    const long long done = interrupt_import_early(
        {"import", file.string(), "--layer", "vacancies", "--db", db.string(), "--progress"},
        SIGKILL, 50);  // not at the first line: it comes before the first vacancy is written
    if (done < 0) GTEST_SKIP() << "the import finished before it could be killed";
    EXPECT_EQ(sql(db, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(counts(db), before) << "killed after " << done << " features";
    EXPECT_EQ(spatial_sql(db, "SELECT rtreecheck('idx_vacancies_geom')"), "ok");
}

// -- 6. Usage ---------------------------------------------------------------------------------

TEST(ImportVacancies, UnknownLayerIsAUsageError) {
    TempDir dir;
    const fs::path file = dir / "meldungen.csv";
    write_text(file, "lon,lat,status\n14.0,53.0,gemeldet\n");
    const fs::path db = dir / "atlas.sqlite";
    auto result =
        run_leerstand({"import", file.string(), "--layer", "parcels", "--db", db.string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(lines(result.err), 1) << result.err;
    EXPECT_EQ(result.err.rfind("leerstand: ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find("--layer must be buildings or vacancies, not 'parcels'"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_FALSE(fs::exists(db)) << "a usage error must not create the database";

    // --layer is an option of `import` only.
    result = run_leerstand(
        {"import-kommunen", file.string(), "--layer", "vacancies", "--db", db.string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(lines(result.err), 1) << result.err;
}

}  // namespace
}  // namespace leerstand::test
