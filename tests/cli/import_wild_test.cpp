// `leerstand import` of every file in ../shared/data/shapefiles-wild: real-world files with
// awkward encodings, CRSs, geometry types and broken parts. Each has an asserted outcome; the
// expected values come from shared/data/SOURCES.md and from what the files are (a map of
// San Francisco has no building in a German Kommune), not from our own output.
#include <gtest/gtest.h>

#include "tests/cli/cli_support.hpp"

namespace leerstand::test {
namespace {

struct WildCase {
    const char* file;  // below shapefiles-wild/
    long long read;
    long long stored;
    const char* crs;
    const char* crs_source;
    const char* encoding;  // "" = not checked
    std::map<std::string, long long> rejected_by_reason;
};

void PrintTo(const WildCase& c, std::ostream* os) {
    *os << c.file;
}

class WildFiles : public ::testing::TestWithParam<WildCase> {};

TEST_P(WildFiles, EachWildFileImportsOrFailsAsItsCaseSays) {
    const auto& c = GetParam();
    auto source = shared_data(std::string("shapefiles-wild/") + c.file);
    LEERSTAND_REQUIRE_SHARED(source);
    LEERSTAND_REQUIRE_SHARED(shared_data("kommunen/vg5000_2021/VG5000_GEM.shp"));
    TempDir dir;
    auto db = vg5000_database(dir);
    int exit_code = -1;
    auto report = import_json({"import", source.string(), "--db", db.string()}, exit_code);
    EXPECT_EQ(exit_code, c.stored > 0 ? 0 : 3);
    EXPECT_EQ(report["read"], c.read);
    EXPECT_EQ(report["stored"], c.stored);
    EXPECT_EQ(report["crs"], c.crs);
    EXPECT_EQ(report["crs_source"], c.crs_source);
    if (*c.encoding) {
        EXPECT_EQ(report["encoding"], c.encoding);
    }
    std::map<std::string, long long> reasons = report["rejected_by_reason"];
    EXPECT_EQ(reasons, c.rejected_by_reason);
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM buildings"), c.stored);
}

using Reasons = std::map<std::string, long long>;
const Reasons k_none{};

INSTANTIATE_TEST_SUITE_P(
    SharedData, WildFiles,
    ::testing::Values(
        // Curves are linearised; pyogrio's synthetic shapes lie outside Germany.
        WildCase{"gpkg_edge_cases/curvepolygon.gpkg",
                 1,
                 0,
                 "EPSG:4326",
                 "file",
                 "UTF-8",
                 {{"outside every known Kommune", 1}}},
        WildCase{"gpkg_edge_cases/multisurface.gpkg",
                 1,
                 0,
                 "EPSG:4326",
                 "file",
                 "UTF-8",
                 {{"outside every known Kommune", 1}}},
        WildCase{"gpkg_edge_cases/test_gpkg_nulls.gpkg",
                 4,
                 0,
                 "EPSG:4326",
                 "file",
                 "UTF-8",
                 {{"not a polygon (Point)", 4}}},
        // San Francisco census blocks without .prj: lon/lat ranges → EPSG:4326, not in Germany.
        WildCase{"pyshp_blockgroups_noprj/blockgroups.shp",
                 663,
                 0,
                 "EPSG:4326",
                 "inferred",
                 "",
                 {{"outside every known Kommune", 663}}},
        WildCase{"pyshp_merge_large_dbf/merge.shp",
                 6630,
                 0,
                 "EPSG:4326",
                 "inferred",
                 "",
                 {{"outside every known Kommune", 6630}}},
        // A DBF longer than its header says: GDAL reads the 10 declared records.
        WildCase{"pyshp_corrupt_dbf_too_long/corrupt_too_long.shp",
                 10,
                 0,
                 "EPSG:4326",
                 "inferred",
                 "",
                 {{"not a polygon (LineString)", 10}}},
        // Latin-1 text without any declaration: guessed as CP1252 (a superset for letters).
        WildCase{"pyshp_latin1_no_shx/latin1.shp",
                 1,
                 0,
                 "EPSG:4326",
                 "inferred",
                 "CP1252",
                 {{"outside every known Kommune", 1}}},
        // A 3D avalanche release area in Austria (MGI / Austria Lambert).
        WildCase{"pyshp_rel_polygonz_mgi_austria/releaseArea20090407.shp",
                 1,
                 0,
                 "EPSG:31287",
                 "file",
                 "UTF-8",
                 {{"outside every known Kommune", 1}}},
        WildCase{"sjs_codepage_ansi1250/codepage.shp",
                 2,
                 0,
                 "EPSG:4326",
                 "file",
                 "CP1250",
                 {{"not a polygon (Point)", 2}}},
        WildCase{"sjs_utf8_emoji/utf.shp",
                 2,
                 0,
                 "EPSG:4326",
                 "file",
                 "UTF-8",
                 {{"not a polygon (Point)", 2}}},
        // An HTML page as .cpg is ignored; the points are still read.
        WildCase{"sjs_html_in_cpg_and_prj/htmlcpg.shp",
                 2,
                 0,
                 "EPSG:4326",
                 "file",
                 "",
                 {{"not a polygon (Point)", 2}}},
        // 12 of 13 Australian LGA rows have no geometry (SOURCES.md); the 13th, an area of
        // 13,574 vertices, is no building.
        WildCase{"sjs_lga2013_null_shapes/LGA_2013_AUST.shp",
                 13,
                 0,
                 "EPSG:4283",
                 "file",
                 "UTF-8",
                 {{"no geometry", 12}, {"more than 10000 vertices", 1}}},
        WildCase{"sjs_polylinez_multipointz/export_multipointz.shp",
                 1,
                 0,
                 "EPSG:4326",
                 "file",
                 "",
                 {{"not a polygon (MultiPoint)", 1}}},
        WildCase{"sjs_polylinez_multipointz/export_polylinez.shp",
                 1,
                 0,
                 "EPSG:4326",
                 "file",
                 "",
                 {{"not a polygon (MultiLineString)", 1}}},
        // Zipped, with the shapefile in a subfolder.
        WildCase{"zipped/T8Th4_6n.zip",
                 1,
                 0,
                 "EPSG:4326",
                 "file",
                 "",
                 {{"not a polygon (LineString)", 1}}},
        // The zero-length 2nd line comes back from GDAL as no geometry.
        WildCase{"zipped/zero-len-line.zip",
                 3,
                 0,
                 "EPSG:4326",
                 "file",
                 "UTF-8",
                 {{"no geometry", 1}, {"not a polygon (LineString)", 2}}}),
    [](const auto& test_info) {
        std::string name = test_info.param.file;
        for (char& ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        return name;
    });

// Köln: CP1252 declared only by the DBF language driver byte, and a hand-made UTM 32N with a
// 2,500,000 m false easting plus a vertical CRS. Every Stadtteil must land in Köln (05315000)
// with its name decoded.
TEST(WildFilesKoeln, CustomCrsAndLdidEncodingLandInKoeln) {
    const std::map<std::string, long long> layers{
        {"Stadtbezirk", 9}, {"Stadtteil", 86}, {"Stadtviertel", 371}};  // SOURCES.md counts
    for (const auto& [layer, count] : layers) {
        auto source = shared_data("shapefiles-wild/koeln_2013_cp1252_ldid57_utm32_fe2500000/" +
                                  layer + ".shp");
        LEERSTAND_REQUIRE_SHARED(source);
        TempDir dir;
        auto db = vg5000_database(dir);
        int exit_code = -1;
        auto report = import_json({"import", source.string(), "--db", db.string()}, exit_code);
        ASSERT_EQ(exit_code, 0) << layer;
        EXPECT_EQ(report["stored"], count) << layer;
        EXPECT_EQ(report["crs_source"], "file");
        EXPECT_EQ(report["encoding"], "CP1252");
        EXPECT_EQ(report["encoding_source"], "dbf-header");
        EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM buildings WHERE kommune_ags='05315000'"),
                  count);
        EXPECT_GT(sql_count(db, "SELECT COUNT(*) FROM buildings WHERE attributes LIKE '%Mülheim%'"),
                  0)
            << layer;
    }
}

// VG5000 Gemeinden re-packaged in awkward ways, imported as if they were footprints: each
// polygon must be assigned to the Gemeinde of its own AGS.
TEST(WildFilesVg5000, EachPolygonLandsInItsOwnGemeinde) {
    struct Case {
        const char* folder;
        long long count;
        const char* crs;
    };
    for (const Case& c : {Case{"vg5000_bb_sn_landkreise_cp1252_utm33", 125, "EPSG:25833"},
                          Case{"vg5000_erzgebirgskreis_latin1_gk4", 59, "EPSG:31468"},
                          Case{"vg5000_wunsiedel_cp1252_undeclared_noprj", 26, "EPSG:25832"}}) {
        auto source =
            shared_data(std::string("shapefiles-wild/") + c.folder + "/" + c.folder + ".shp");
        LEERSTAND_REQUIRE_SHARED(source);
        TempDir dir;
        auto db = vg5000_database(dir);
        int exit_code = -1;
        auto report = import_json({"import", source.string(), "--db", db.string()}, exit_code);
        ASSERT_EQ(exit_code, 0) << c.folder;
        EXPECT_EQ(report["stored"], c.count) << c.folder;
        EXPECT_EQ(report["crs"], c.crs) << c.folder;
        EXPECT_EQ(sql_count(db,
                            "SELECT COUNT(*) FROM buildings WHERE kommune_ags = "
                            "json_extract(attributes, '$.AGS')"),
                  c.count)
            << c.folder;
    }
}

}  // namespace
}  // namespace leerstand::test
