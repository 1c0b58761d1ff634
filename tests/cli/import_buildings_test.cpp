// `leerstand import` of real OSM building footprints, assigned to VG5000 Gemeinden without
// --kommune, compared with the per-Gemeinde counts of an independent GDAL/GEOS oracle
// (the *_counts_by_vg5000_gem.csv files next to the data; method in shared/data/SOURCES.md).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "tests/cli/cli_support.hpp"

namespace leerstand::test {
namespace {

struct BuildingCase {
    const char* file;
    const char* reference_csv;
    long long features;
    const char* crs;
    // Features whose rings have fewer than 4 points (OSM ways cut at the extract border;
    // counts from SOURCES.md). We reject them as degenerate; the reference oracle counted them
    // anyway, placed by centroid or bbox centre. They are the only allowed difference.
    long long degenerate;
};

void PrintTo(const BuildingCase& c, std::ostream* os) {
    *os << c.file;
}

class BuildingsMatchReference : public ::testing::TestWithParam<BuildingCase> {};

TEST_P(BuildingsMatchReference, PerGemeindeCountsWithinOnePercent) {
    const auto& c = GetParam();
    auto source = shared_data(std::string("buildings/") + c.file);
    auto csv = shared_data(std::string("buildings/") + c.reference_csv);
    LEERSTAND_REQUIRE_SHARED(source);
    LEERSTAND_REQUIRE_SHARED(shared_data("kommunen/vg5000_2021/VG5000_GEM.shp"));
    TempDir dir;
    auto db = vg5000_database(dir);
    int exit_code = -1;
    auto report = import_json({"import", source.string(), "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0);
    EXPECT_EQ(report["read"], c.features);
    EXPECT_EQ(report["crs"], c.crs);

    EXPECT_EQ(report["rejected"], c.degenerate);
    if (c.degenerate > 0) {
        EXPECT_EQ(report["rejected_by_reason"]["degenerate polygon (no area)"], c.degenerate);
    }

    auto expected = reference_counts(csv);
    long long expected_total = 0;
    for (const auto& [ags, count] : expected) {
        expected_total += count;
        long long stored =
            sql_count(db, "SELECT COUNT(*) FROM buildings WHERE kommune_ags='" + ags + "'");
        // Within 1 % (exact where 1 % is less than one building), after allowing for the
        // degenerate features the oracle kept and we reject.
        auto tolerance = static_cast<long long>(std::floor(0.01 * static_cast<double>(count)));
        EXPECT_LE(stored, count + tolerance) << "Gemeinde " << ags;
        EXPECT_GE(stored, count - tolerance - c.degenerate)
            << "Gemeinde " << ags << ": stored " << stored << ", reference " << count;
    }
    EXPECT_EQ(sql_count(
                  db, "SELECT COUNT(*) FROM buildings WHERE kommune_ags NOT IN (" +
                          [&] {
                              std::string list;
                              for (const auto& [ags, count] : expected)
                                  list += (list.empty() ? "'" : ",'") + ags + "'";
                              return list;
                          }() +
                          ")"),
              0);
    EXPECT_EQ(report["stored"].get<long long>() + report["rejected"].get<long long>(), c.features);
    EXPECT_EQ(report["stored"].get<long long>() + c.degenerate, expected_total);
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM buildings"), report["stored"].get<long long>());
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM buildings WHERE NOT (area_m2 > 0)"), 0);
    EXPECT_EQ(sql(db, "SELECT state || '|' || stored FROM uploads WHERE layer='buildings'"),
              "done|" + std::to_string(report["stored"].get<long long>()));
}

INSTANTIATE_TEST_SUITE_P(
    RealOsmBuildings, BuildingsMatchReference,
    ::testing::Values(
        BuildingCase{"osm_bayreuth_nord_2014_buildings.geojson",
                     "osm_bayreuth_nord_2014_buildings_counts_by_vg5000_gem.csv", 4267, "EPSG:4326",
                     0},
        BuildingCase{
            "osm_bayreuth_nord_2014_buildings_utm32/osm_bayreuth_nord_2014_buildings_utm32.shp",
            "osm_bayreuth_nord_2014_buildings_counts_by_vg5000_gem.csv", 4267, "EPSG:25832", 0},
        BuildingCase{"osm_lauf_pegnitz_2020_buildings.geojson",
                     "osm_lauf_pegnitz_2020_buildings_counts_by_vg5000_gem.csv", 6531, "EPSG:4326",
                     21},
        BuildingCase{"osm_lauf_pegnitz_2020_buildings_utm32.gpkg",
                     "osm_lauf_pegnitz_2020_buildings_counts_by_vg5000_gem.csv", 6531, "EPSG:25832",
                     21},
        BuildingCase{"osm_harsdorf_2014_buildings.geojson",
                     "osm_harsdorf_2014_buildings_counts_by_vg5000_gem.csv", 628, "EPSG:4326",
                     12}));

TEST(ImportBuildings, SameBuildingsInTwoCrsGiveTheSameAreasAndAttributes) {
    auto geojson = shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    auto shp = shared_data(
        "buildings/osm_bayreuth_nord_2014_buildings_utm32/"
        "osm_bayreuth_nord_2014_buildings_utm32.shp");
    LEERSTAND_REQUIRE_SHARED(geojson);
    LEERSTAND_REQUIRE_SHARED(shp);
    TempDir dir;
    auto db = vg5000_database(dir);
    int exit_code = -1;
    import_json({"import", geojson.string(), "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0);
    import_json({"import", shp.string(), "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0);
    // Pair the two copies of each building by OSM way id: areas agree within 0.1 %.
    std::string pairs =
        "FROM buildings a JOIN buildings b ON a.source_ref = b.source_ref AND a.upload_id < "
        "b.upload_id ";
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) " + pairs), 4267);
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) " + pairs +
                                "WHERE abs(a.area_m2 - b.area_m2) > 0.001 * a.area_m2"),
              0);
    // Attributes came through both readers alike, umlauts included (shapefile names truncated).
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) " + pairs +
                                "WHERE a.street <> b.street OR a.housenumber <> b.housenumber"),
              0);
    EXPECT_GT(
        sql_count(db,
                  "SELECT COUNT(*) FROM buildings WHERE street LIKE '%ß%' OR street LIKE '%ü%'"),
        0);
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM buildings WHERE source_ref LIKE 'osm:way/%'"),
              2 * 4267);
}

/// Mean distance in metres from each building's centre to the next one's, in `order`.
double mean_step_m(const std::filesystem::path& db, const std::string& order) {
    const std::string query =
        "WITH c AS (SELECT ST_X(ST_Centroid(footprint)) AS x, ST_Y(ST_Centroid(footprint)) AS y, "
        "row_number() OVER (ORDER BY " +
        order +
        ") AS n FROM buildings) "
        "SELECT avg(sqrt(((a.x - b.x) * 67000) * ((a.x - b.x) * 67000) + "
        "((a.y - b.y) * 111000) * ((a.y - b.y) * 111000))) FROM c a JOIN c b ON b.n = a.n + 1";
    const CommandResult result =
        run_command({"sqlite3", "-batch", "-cmd", ".load mod_spatialite", db.string(), query});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out.empty() ? -1 : std::stod(result.out);
}

TEST(ImportBuildings, BuildingsAreStoredNextToTheirNeighbours) {
    // Rows in id order share pages, so storing neighbours under neighbouring ids lets a tile
    // read a few pages instead of one per building. The file is in OSM id order, which is
    // the order of mapping, not of place.
    auto source = shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(source);
    TempDir dir;
    auto db = vg5000_database(dir);
    int exit_code = -1;
    import_json({"import", source.string(), "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0);
    ASSERT_GT(sql_count(db, "SELECT COUNT(*) FROM buildings"), 4000);
    const double file_order = mean_step_m(db, "CAST(substr(source_ref, 9) AS INTEGER)");
    const double stored_order = mean_step_m(db, "id");
    EXPECT_GT(file_order, 200) << "the file is more ordered than it was";
    EXPECT_LT(stored_order, file_order / 4) << "file order " << file_order << " m";
}

TEST(ImportBuildings, KommuneOptionKeepsOnlyThatKommune) {
    auto source = shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(source);
    TempDir dir;
    auto db = vg5000_database(dir);
    int exit_code = -1;
    auto report = import_json(
        {"import", source.string(), "--db", db.string(), "--kommune", "09472119"}, exit_code);
    ASSERT_EQ(exit_code, 0);
    auto bindlach = reference_counts(shared_data(
        "buildings/osm_bayreuth_nord_2014_buildings_counts_by_vg5000_gem.csv"))["09472119"];
    EXPECT_EQ(report["stored"], bindlach);
    EXPECT_EQ(report["rejected_by_reason"]["outside Kommune 09472119"], 4267 - bindlach);
    EXPECT_EQ(sql_count(db, "SELECT COUNT(DISTINCT kommune_ags) FROM buildings"), 1);
}

TEST(ImportBuildings, ReplaceModeReplacesOnlyThatKommune) {
    auto source = shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(source);
    TempDir dir;
    auto db = vg5000_database(dir);
    int exit_code = -1;
    import_json({"import", source.string(), "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0);
    const long long all = sql_count(db, "SELECT COUNT(*) FROM buildings");
    const std::string bindlach = "SELECT COUNT(*) FROM buildings WHERE kommune_ags='09472119'";
    const long long in_bindlach = sql_count(db, bindlach);

    import_json({"import", source.string(), "--db", db.string(), "--kommune", "09472119"},
                exit_code);
    ASSERT_EQ(exit_code, 0);
    EXPECT_EQ(sql_count(db, bindlach), 2 * in_bindlach);  // append adds

    import_json({"import", source.string(), "--db", db.string(), "--kommune", "09472119", "--mode",
                 "replace"},
                exit_code);
    ASSERT_EQ(exit_code, 0);
    EXPECT_EQ(sql_count(db, bindlach), in_bindlach);  // replace swaps them, atomically
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM buildings"), all);
    EXPECT_EQ(
        sql_count(db,
                  "SELECT COUNT(DISTINCT upload_id) FROM buildings WHERE kommune_ags='09472119'"),
        1);
}

TEST(ImportBuildings, NothingStoredLeavesDatabaseUnchangedAndExitsNonZero) {
    auto source = shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(source);
    TempDir dir;
    auto db = vg5000_database(dir);
    int exit_code = -1;
    import_json({"import", source.string(), "--db", db.string(), "--kommune", "09472119"},
                exit_code);
    ASSERT_EQ(exit_code, 0);
    // Angermünde is 300 km away: nothing fits, and replace must not delete what is there.
    auto report = import_json({"import", source.string(), "--db", db.string(), "--kommune",
                               "12073008", "--mode", "replace"},
                              exit_code);
    EXPECT_EQ(exit_code, 3);
    EXPECT_EQ(report["stored"], 0);
    EXPECT_GT(sql_count(db, "SELECT COUNT(*) FROM buildings"), 0);
    EXPECT_EQ(
        sql_count(db, "SELECT COUNT(*) FROM uploads WHERE layer='buildings' AND state='failed'"),
        1);
}

/// A GeoJSON Feature with `properties` and a polygon of `vertices` vertices on an ellipse of
/// about 1.3 km × 1.3 km near Angermünde.
std::string ellipse_feature(const std::string& properties, std::size_t vertices) {
    return R"({"type":"Feature","properties":)" + properties +
           R"(,"geometry":{"type":"Polygon","coordinates":[)" +
           ellipse_ring_geojson(13.99, 53.015, 0.01, 0.006, vertices) + "]}}";
}

TEST(ImportBuildings, AFootprintOverTheVertexLimitIsRejectedABoundaryOfAsManyIsNot) {
    constexpr std::size_t k_vertices = 20'000;  // twice the limit for a footprint
    TempDir dir;
    const auto db = dir / "atlas.sqlite";
    const auto boundary = dir / "gemeinde.geojson";
    std::ofstream(boundary) << R"({"type":"FeatureCollection","features":[)"
                            << ellipse_feature(
                                   R"({"AGS":"12073008","GEN":"Angerm\u00fcnde","BEZ":"Stadt"})",
                                   k_vertices)
                            << "]}";
    int exit_code = -1;
    auto report =
        import_json({"import-kommunen", boundary.string(), "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0);
    EXPECT_EQ(report["stored"], 1) << report.dump();
    // All of it: 16 bytes a vertex in SpatiaLite's geometry blob.
    EXPECT_EQ(sql_count(db, "SELECT length(boundary) > 16 * 20000 FROM kommunen"), 1);

    // The same polygon as a building, beside a small one.
    const auto buildings = dir / "gebaeude.geojson";
    std::ofstream(buildings)
        << R"({"type":"FeatureCollection","features":[)" << ellipse_feature("{}", k_vertices)
        << R"(,{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":)"
        << R"([[[13.99,53.015],[13.9901,53.015],[13.9901,53.0151],[13.99,53.0151],[13.99,53.015]]]}}]})";
    report = import_json({"import", buildings.string(), "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0);
    EXPECT_EQ(report["stored"], 1) << report.dump();
    EXPECT_EQ(report["rejected_by_reason"], nlohmann::json({{"more than 10000 vertices", 1}}));
    EXPECT_EQ(report["errors"][0]["feature"], 0);
    EXPECT_EQ(sql_count(db, "SELECT count(*) FROM buildings WHERE area_m2 < 100"), 1);
    EXPECT_EQ(sql_count(db, "SELECT count(*) FROM buildings"), 1);
}

}  // namespace
}  // namespace leerstand::test
