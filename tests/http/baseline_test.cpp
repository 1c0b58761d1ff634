// The official baseline over real HTTP and the real CLI: the Zensus 2022 figures in the
// summaries, the kommunen items and tiles (checked against the shipped CSV read by awk), the
// import report of Gemeinden without a census row, and the Zensus 2011 grid imported from a
// slice of the real file and served as tiles.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/cli/cli_support.hpp"
#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

std::filesystem::path zensus_csv() {
    return std::filesystem::path(LEERSTAND_SOURCE_DIR) / "baseline/zensus" /
           "zensus2022_gemeinden_leerstand.csv";
}

/// The dwelling-weighted share (a fraction, "%.4f") and dwellings of the Gemeinden with a
/// figure whose AGS matches the awk condition `match` (on $1), read by awk from the shipped CSV.
std::string awk_baseline(const std::string& match) {
    const auto result = run_command(
        {"sh", "-c",
         "tr -d '\\r' < '" + zensus_csv().string() + "' | awk -F, 'NR > 1 && $NF != \"\" && (" +
             match +
             ") { v += $(NF-1) * $NF / 100; d += $(NF-1) } END { printf \"%.4f %d\", v / d, d }'"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
}

std::string baseline_text(const json& baseline) {
    char text[64];
    std::snprintf(text, sizeof text, "%.4f %lld", baseline.at("vacancy_rate").get<double>(),
                  baseline.at("dwellings").get<long long>());
    return text;
}

class BaselineApiTest : public AtlasServerTest {};

TEST_F(BaselineApiTest, HerzbergsSummaryCarriesTheZensusFigure) {
    for (Who who : {Who::Anonymous, Who::Planner}) {
        SCOPED_TRACE(who_name(who));
        const json s = parse_json(call(who, "GET", "/api/kommunen/12062224/summary"));
        const json& baseline = s.at("baseline");
        EXPECT_EQ(baseline.at("source"), "Zensus 2022");
        EXPECT_EQ(baseline.at("year"), 2022);
        EXPECT_EQ(baseline.at("vacancy_rate"), 0.113);
        EXPECT_EQ(baseline_text(baseline), awk_baseline("$1 == \"12062224\""));
        EXPECT_EQ(baseline.at("license"),
                  json({{"name", "dl-de/by-2-0"}, {"url", "https://www.govdata.de/dl-de/by-2-0"}}));
        EXPECT_NE(baseline.at("attribution")
                      .get<std::string>()
                      .find("Statistische Ämter des Bundes und der Länder, Zensus 2022"),
                  std::string::npos);
        EXPECT_EQ(baseline.size(), 6u) << baseline.dump();
    }
}

TEST_F(BaselineApiTest, AKreisIsWeightedByTheDwellingsOfItsGemeinden) {
    const json s = parse_json(call(Who::Anonymous, "GET", "/api/kommunen/09479/summary"));
    EXPECT_EQ(baseline_text(s.at("baseline")), awk_baseline("substr($1, 1, 5) == \"09479\""));
    // Not the plain mean of the Gemeinden's shares, nor a single Gemeinde's.
    EXPECT_NE(s.at("baseline").at("vacancy_rate"),
              parse_json(call(Who::Anonymous, "GET", "/api/kommunen/09479169/summary"))
                  .at("baseline")
                  .at("vacancy_rate"));
}

TEST_F(BaselineApiTest, TheNetworksFigureIsThatOfItsKommunen) {
    // The demo's Kommunen: three Gemeinden and Landkreis Wunsiedel with three of its Gemeinden.
    const std::string keys = spatial_sql(db(), "SELECT group_concat(ags, ' ') FROM kommunen");
    std::string match = "0";
    std::istringstream list(keys);
    for (std::string ags; list >> ags;)
        match += " || substr($1, 1, " + std::to_string(ags.size()) + ") == \"" + ags + "\"";
    const json s = parse_json(call(Who::Anonymous, "GET", "/api/summary"));
    EXPECT_EQ(baseline_text(s.at("baseline")), awk_baseline(match));
}

TEST_F(BaselineApiTest, AKommuneWithoutACensusRowHasNullAndTheItemsCarryTheShare) {
    // A Gemeinde the census does not know (merged since): no figure, not a made-up one.
    spatial_sql(db(),
                "INSERT INTO kommunen (ags, name, bez, parent_ags) VALUES "
                "('12062999', 'Altgemeinde', 'Gemeinde', '12062')");
    EXPECT_TRUE(parse_json(call(Who::Anonymous, "GET", "/api/kommunen/12062999/summary"))
                    .at("baseline")
                    .is_null());

    const json items = parse_json(
        call(Who::Anonymous, "GET", "/collections/kommunen/items?skipGeometry=true&limit=100"));
    std::map<std::string, json> by_ags;
    for (const json& feature : items.at("features"))
        by_ags[feature.at("properties").at("ags")] = feature.at("properties");
    const auto share = run_command(
        {"sh", "-c",
         "tr -d '\\r' < '" + zensus_csv().string() +
             "' | awk -F, '$1 == \"12062224\" || $1 == \"12073008\" { print $1, $NF, $(NF-1) }'"});
    std::istringstream rows(share.out);
    int checked = 0;
    for (std::string ags, quote, dwellings; rows >> ags >> quote >> dwellings; ++checked) {
        EXPECT_EQ(by_ags.at(ags).at("zensus2022_leerstandsquote"), std::stod(quote)) << ags;
        EXPECT_EQ(by_ags.at(ags).at("zensus2022_wohnungen"), std::stoll(dwellings)) << ags;
    }
    EXPECT_EQ(checked, 2);
    EXPECT_TRUE(by_ags.at("12062999").at("zensus2022_leerstandsquote").is_null());
    EXPECT_TRUE(by_ags.at("09479").at("zensus2022_leerstandsquote").is_null()) << "a Kreis' row";
}

TEST_F(BaselineApiTest, KommunenTilesCarryTheShareOfEachGemeinde) {
    const TileXyz t = tile_of(building_point(k_other_ags), 8);
    const HttpResponse r = call(Who::Anonymous, "GET",
                                "/tiles/kommunen/" + std::to_string(t.z) + "/" +
                                    std::to_string(t.x) + "/" + std::to_string(t.y) + ".geojson");
    ASSERT_EQ(r.status, 200) << r.body;
    bool found = false;
    const json tile = parse_json(r);
    for (const json& feature : tile.at("features")) {
        if (feature.at("properties").at("ags") != k_other_ags) continue;
        found = true;
        EXPECT_EQ(feature.at("properties").at("zensus2022_leerstandsquote"), 11.3);
    }
    EXPECT_TRUE(found) << r.body.substr(0, 2000);
    // The TileJSON names the source and its licence.
    const json tilejson = parse_json(call(Who::Anonymous, "GET", "/tiles/kommunen.json"));
    EXPECT_NE(tilejson.at("attribution").get<std::string>().find("Zensus 2022"), std::string::npos);
    EXPECT_TRUE(
        tilejson.at("vector_layers").at(0).at("fields").contains("zensus2022_leerstandsquote"));
}

// ---------------------------------------------------------------------------------------------
// The Zensus 2011 grid

const char* const k_grid = "zensus/zensus2011_1km_leerstandsquote_epsg3035.csv";

TEST_F(BaselineApiTest, TheGridImportsFromTheRealFileAndIsServedAsTiles) {
    const auto source = shared_data(k_grid);
    LEERSTAND_REQUIRE_SHARED(source);
    const std::filesystem::path slice = m_dir.path() / "grid-2000.csv";
    ASSERT_EQ(run_command(
                  {"sh", "-c", "head -n 2001 '" + source.string() + "' > '" + slice.string() + "'"})
                  .exit_code,
              0);
    const auto imported =
        run_leerstand({"import-zensus-grid", slice.string(), "--db", db().string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    EXPECT_NE(imported.out.find("2000 cells"), std::string::npos) << imported.out;
    EXPECT_EQ(spatial_sql(db(), "SELECT count(*) FROM zensus2011_grid"), "2000");
    EXPECT_EQ(spatial_sql(db(), "SELECT CheckSpatialIndex('zensus2011_grid', 'cell')"), "1");

    // Cell 1000 of the file: its centre projected by GDAL's own tool, the tile over it, and the
    // cell's share in the tile's feature there.
    const auto row = run_command(
        {"sh", "-c",
         "tr -d '\\r' < '" + slice.string() + "' | awk -F, 'NR == 1001 { print $1, $2, $3 }'"});
    std::istringstream fields(row.out);
    std::string x, y, quote;
    fields >> x >> y >> quote;
    const auto lonlat =
        run_command({"gdaltransform", "-s_srs", "EPSG:3035", "-t_srs", "EPSG:4326", "-output_xy"},
                    x + " " + y + "\n");
    ASSERT_EQ(lonlat.exit_code, 0) << lonlat.err;
    double lon = 0, lat = 0;
    std::istringstream(lonlat.out) >> lon >> lat;
    const double cell_area =
        std::stod(spatial_sql(db(),
                              "SELECT Area(Transform(cell, 3035)) FROM zensus2011_grid WHERE "
                              "ST_Contains(cell, MakePoint(" +
                                  std::to_string(lon) + ", " + std::to_string(lat) + ", 4326))"));
    EXPECT_NEAR(cell_area, 1e6, 1e3) << "a 1 km² cell";
    for (int z : {10, 14}) {
        const TileXyz t = tile_of({lon, lat}, z);
        const std::string path = "/tiles/zensus2011_grid/" + std::to_string(t.z) + "/" +
                                 std::to_string(t.x) + "/" + std::to_string(t.y);
        const HttpResponse r = call(Who::Anonymous, "GET", path + ".geojson");
        ASSERT_EQ(r.status, 200) << path << " " << r.body;
        const json tile = parse_json(r);
        ASSERT_FALSE(tile.at("features").empty());
        bool seen = false;
        for (const json& feature : tile.at("features"))
            seen = seen || feature.at("properties").at("leerstandsquote") == std::stod(quote);
        EXPECT_TRUE(seen) << path;
        EXPECT_EQ(call(Who::Anonymous, "GET", path + ".mvt").status, 200);
    }
    // Below zoom 8 the cells are under a pixel: empty.
    const TileXyz low = tile_of({lon, lat}, 6);
    EXPECT_EQ(call(Who::Anonymous, "GET",
                   "/tiles/zensus2011_grid/6/" + std::to_string(low.x) + "/" +
                       std::to_string(low.y) + ".geojson")
                  .status,
              204);
}

TEST_F(BaselineApiTest, ABadGridRowIsNamedByLineAndNothingIsStored) {
    const std::filesystem::path good = m_dir.path() / "good.csv";
    const std::filesystem::path bad = m_dir.path() / "bad.csv";
    std::ofstream(good) << "x_mp_1km,y_mp_1km,leerstandsquote\n4340500,2691500,3.5\n";
    std::ofstream(bad) << "x_mp_1km,y_mp_1km,leerstandsquote\n4341500,2691500,1\n"
                          "4342500,2691500,1\n4343500,2691500,-2\n";
    ASSERT_EQ(run_leerstand({"import-zensus-grid", good.string(), "--db", db().string()}).exit_code,
              0);
    const auto result = run_leerstand({"import-zensus-grid", bad.string(), "--db", db().string()});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.err,
              "leerstand: bad.csv: line 4: leerstandsquote must be a percentage from 0 to 100, "
              "not '-2'\n");
    // The earlier grid is still there, whole.
    EXPECT_EQ(spatial_sql(db(), "SELECT group_concat(leerstandsquote) FROM zensus2011_grid"),
              "3.5");
}

TEST_F(BaselineApiTest, AKommunenUploadReportsGemeindenWithoutACensusRow) {
    // The form names a Kommune; boundaries carry their own AGS, so it is ignored.
    const MultipartBody form =
        multipart({{"layer", "kommunen"}, {"kommune", k_other_ags}}, "ags_not_in_zensus.geojson",
                  file_bytes(fixture("baseline/ags_not_in_zensus.geojson")));
    const HttpResponse accepted = post_upload(Who::Admin, form);
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const json status = wait_for_upload(Who::Admin, accepted.header("Location"));
    ASSERT_EQ(status.value("state", ""), "done") << status.dump();
    EXPECT_EQ(status.at("report").at("without_zensus2022").at("count"), 1) << status.dump();
    EXPECT_EQ(status.at("report").at("without_zensus2022").at("first").at(0).at("ags"), "12062999");
    EXPECT_EQ(spatial_sql(db(), "SELECT name FROM kommunen WHERE ags = '12062999'"),
              "Altgemeinde (vor dem Zensus)");
}

// ---------------------------------------------------------------------------------------------
// Import report

TEST(BaselineImport, TheKommunenReportNamesGemeindenWithoutACensusRow) {
    TempDir dir;
    const auto db = dir / "k.sqlite";
    const std::string file = fixture("baseline/ags_not_in_zensus.geojson").string();
    int exit_code = -1;
    const json report = import_json({"import-kommunen", file, "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0);
    EXPECT_EQ(report.at("stored"), 2) << "reported, never dropped";
    EXPECT_EQ(
        report.at("without_zensus2022"),
        json({{"count", 1},
              {"first",
               json::array({{{"ags", "12062999"}, {"name", "Altgemeinde (vor dem Zensus)"}}})}}));
    const auto text = run_leerstand({"import-kommunen", file, "--db", db.string()});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("without a Zensus 2022 row (AGS changed since the census?): 1 "
                            "Gemeinden, e.g. 12062999 Altgemeinde (vor dem Zensus)"),
              std::string::npos)
        << text.out;
}

}  // namespace
}  // namespace leerstand::test
