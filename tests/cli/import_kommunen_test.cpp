// `leerstand import-kommunen` on the official BKG VG5000 boundaries and on the awkward
// re-packagings of them (other CRSs, CP1252 / Latin-1 attribute tables, no .prj).
#include <gtest/gtest.h>

#include <fstream>

#include "tests/cli/cli_support.hpp"

namespace leerstand::test {
namespace {

const char* const k_gemeinden = "kommunen/vg5000_2021/VG5000_GEM.shp";

TEST(ImportKommunen, LoadsEveryVg5000GemeindeWithNamesAndParents) {
    auto source = shared_data(k_gemeinden);
    LEERSTAND_REQUIRE_SHARED(source);
    TempDir dir;
    auto db = dir / "k.sqlite";
    int exit_code = -1;
    auto report = import_json({"import-kommunen", source.string(), "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0);
    // SOURCES.md: 10,997 Gemeinden, all distinct AGS, GK zone 3 with an EPSG code in the .prj.
    EXPECT_EQ(report["read"], 10997);
    EXPECT_EQ(report["stored"], 10997);
    EXPECT_EQ(report["crs"], "EPSG:31467");
    EXPECT_EQ(report["crs_source"], "file");
    EXPECT_EQ(report["encoding"], "UTF-8");
    // Three official polygons self-intersect (Burgjoß, Bad Sulza, Langenwetzendorf).
    EXPECT_GE(report["repaired"].get<int>(), 3);

    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM kommunen"), 10997);
    EXPECT_EQ(
        sql(db,
            "SELECT name || '|' || bez || '|' || parent_ags FROM kommunen WHERE ags='12073008'"),
        "Angermünde|Stadt|12073");
    EXPECT_EQ(sql(db, "SELECT name FROM kommunen WHERE ags='12062224'"), "Herzberg (Elster)");
    EXPECT_EQ(sql(db, "SELECT name FROM kommunen WHERE ags='14521410'"), "Neukirchen/Erzgeb.");
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM kommunen WHERE ags LIKE '09479%'"), 26);
    EXPECT_EQ(sql(db, "SELECT bez FROM kommunen WHERE ags='09479453'"), "Gemeindefreies Gebiet");
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM uploads WHERE layer='kommunen' AND state='done'"),
              1);
    // Every boundary has a plausible area (the smallest Gemeinden are well under 1 km²).
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM kommunen WHERE NOT (area_m2 > 1e4)"), 0);

    // The file is a normal SpatiaLite database for GDAL.
    auto info = run_command({"ogrinfo", "-ro", "-so", db.string(), "kommunen"});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_NE(info.out.find("Feature Count: 10997"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("Multi Polygon"), std::string::npos) << info.out;
}

TEST(ImportKommunen, LoadsKreiseWithFiveDigitKeys) {
    auto source = shared_data("kommunen/vg5000_2021/VG5000_KRS.shp");
    LEERSTAND_REQUIRE_SHARED(source);
    TempDir dir;
    auto db = dir / "k.sqlite";
    int exit_code = -1;
    auto report = import_json({"import-kommunen", source.string(), "--db", db.string()}, exit_code);
    ASSERT_EQ(exit_code, 0);
    EXPECT_EQ(report["stored"], 401);
    EXPECT_EQ(sql(db, "SELECT name || '|' || bez FROM kommunen WHERE ags='09479'"),
              "Wunsiedel i. Fichtelgebirge|Landkreis");
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM kommunen WHERE length(ags) <> 5"), 0);
}

TEST(ImportKommunen, ReimportUpdatesInsteadOfDuplicating) {
    auto source = shared_data("kommunen/founding_kommunen_and_neighbours_vg5000.geojson");
    LEERSTAND_REQUIRE_SHARED(source);
    TempDir dir;
    auto db = dir / "k.sqlite";
    for (int round = 0; round < 2; ++round) {
        int exit_code = -1;
        auto report =
            import_json({"import-kommunen", source.string(), "--db", db.string()}, exit_code);
        ASSERT_EQ(exit_code, 0);
        EXPECT_EQ(report["stored"], 73);  // SOURCES.md: 73 features, mixed Polygon/MultiPolygon
        EXPECT_EQ(report["crs"], "EPSG:4326");
    }
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM kommunen"), 73);
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM uploads WHERE layer='kommunen'"), 2);
}

struct RepackagedCase {
    const char* folder;
    long long count;
    const char* crs;
    const char* crs_source;
    const char* encoding;
};

class RepackagedVg5000 : public ::testing::TestWithParam<RepackagedCase> {};

// Each re-packaging must give the same names as the UTF-8 original, Gemeinde by Gemeinde, and
// boundaries in the same place (area within 1 % of the original's).
TEST_P(RepackagedVg5000, NamesAndAreasMatchTheOriginal) {
    const auto& c = GetParam();
    auto original = shared_data(k_gemeinden);
    auto folder = shared_data(std::string("shapefiles-wild/") + c.folder);
    LEERSTAND_REQUIRE_SHARED(original);
    LEERSTAND_REQUIRE_SHARED(folder);
    TempDir dir;
    auto reference_db = vg5000_database(dir);
    auto db = dir / "variant.sqlite";
    int exit_code = -1;
    auto report =
        import_json({"import-kommunen", (folder / (std::string(c.folder) + ".shp")).string(),
                     "--db", db.string()},
                    exit_code);
    ASSERT_EQ(exit_code, 0);
    EXPECT_EQ(report["stored"], c.count);
    EXPECT_EQ(report["crs"], c.crs);
    EXPECT_EQ(report["crs_source"], c.crs_source);
    EXPECT_EQ(report["encoding"], c.encoding);

    std::string join = "ATTACH '" + reference_db.string() +
                       "' AS ref; SELECT COUNT(*) FROM kommunen k JOIN ref.kommunen o USING (ags) ";
    EXPECT_EQ(sql_count(db, join), c.count);
    EXPECT_EQ(sql_count(db, join + "WHERE k.name <> o.name"), 0)
        << sql(db, "ATTACH '" + reference_db.string() +
                       "' AS ref; SELECT k.name || ' <> ' || o.name FROM kommunen k JOIN "
                       "ref.kommunen o USING (ags) WHERE k.name <> o.name LIMIT 5");
    EXPECT_EQ(sql_count(db, join + "WHERE abs(k.area_m2 - o.area_m2) > 0.01 * o.area_m2"), 0);
}

INSTANTIATE_TEST_SUITE_P(
    WildShapefiles, RepackagedVg5000,
    ::testing::Values(
        // .cpg says "1252" (ArcGIS style) and the DBF header says CP1252 too.
        RepackagedCase{"vg5000_bb_sn_landkreise_cp1252_utm33", 125, "EPSG:25833", "file", "CP1252"},
        // No .cpg, LDID 0, no .prj: the encoding is guessed and the CRS inferred (UTM 32N).
        RepackagedCase{"vg5000_wunsiedel_cp1252_undeclared_noprj", 26, "EPSG:25832", "inferred",
                       "CP1252"},
        // Gauss-Krüger zone 4, Latin-1 declared in the .cpg.
        RepackagedCase{"vg5000_erzgebirgskreis_latin1_gk4", 59, "EPSG:31468", "file",
                       "ISO-8859-1"}));

}  // namespace
}  // namespace leerstand::test

namespace leerstand::test {
namespace {

// --srs and --encoding override what the file says (here: nothing at all).
TEST(ImportKommunen, SrsAndEncodingOptionsOverrideTheFile) {
    const std::string folder = "vg5000_wunsiedel_cp1252_undeclared_noprj";
    auto source = shared_data("shapefiles-wild/" + folder + "/" + folder + ".shp");
    LEERSTAND_REQUIRE_SHARED(source);
    TempDir dir;
    auto db = dir / "k.sqlite";
    int exit_code = -1;
    auto report = import_json({"import-kommunen", source.string(), "--db", db.string(), "--srs",
                               "EPSG:25832", "--encoding", "windows-1252"},
                              exit_code);
    ASSERT_EQ(exit_code, 0);
    EXPECT_EQ(report["crs"], "EPSG:25832");
    EXPECT_EQ(report["crs_source"], "option");
    EXPECT_EQ(report["encoding"], "CP1252");
    EXPECT_EQ(report["encoding_source"], "option");
    EXPECT_EQ(sql(db, "SELECT name FROM kommunen WHERE ags='09479145'"), "Röslau");

    // A wrong --srs is obeyed, not second-guessed: the same coordinates read as UTM 33N land
    // about 400 km further east, so the boundary no longer contains Röslau's real position.
    auto wrong = dir / "wrong.sqlite";
    import_json({"import-kommunen", source.string(), "--db", wrong.string(), "--srs", "EPSG:25833"},
                exit_code);
    ASSERT_EQ(exit_code, 0);
    EXPECT_EQ(run_command({"spatialite", "-silent", wrong.string(),
                           "SELECT ST_Contains(boundary, MakePoint(11.9824, 50.0817, 4326)) FROM "
                           "kommunen WHERE ags='09479145'"})
                  .out,
              "0\n");
    EXPECT_EQ(run_command({"spatialite", "-silent", db.string(),
                           "SELECT ST_Contains(boundary, MakePoint(11.9824, 50.0817, 4326)) FROM "
                           "kommunen WHERE ags='09479145'"})
                  .out,
              "1\n");
}

// geo asks for the file's coordinate system without saying how; the command line names its
// option.
TEST(ImportKommunen, CoordinatesOfTwoPossibleZonesAskForTheSrsOption) {
    TempDir dir;
    const auto source = dir / "utm.csv";
    std::ofstream(source) << "AGS,GEN,WKT\n09479145,R\u00f6slau,\"POLYGON ((390000 5820000,390020 "
                             "5820000,390020 5820010,390000 5820000))\"\n";
    const CommandResult result =
        run_leerstand({"import-kommunen", source.string(), "--db", (dir / "k.sqlite").string()});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.err.find("EPSG:25833"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("name the file's coordinate system (EPSG code) with --srs EPSG:N"),
              std::string::npos)
        << result.err;
}

}  // namespace
}  // namespace leerstand::test
