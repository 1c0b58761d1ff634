#include "geo/feature_reader.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "common/error.hpp"
#include "tests/geo/geo_oracle.hpp"
#include "tests/support/test_support.hpp"

using namespace leerstand;
using geo::FeatureReader;
using geo::ReadOptions;
using test::attribute;
using test::read_all;
using test::ReadSummary;

namespace fs = std::filesystem;

namespace {

const std::string k_wild = "shapefiles-wild/";

fs::path wild(const std::string& relative) {
    return test::shared_data(k_wild + relative);
}

/// The message of the Error `open` throws, with its type checked; "" when it does not throw.
template <typename ErrorType>
std::string open_error(const fs::path& path, const ReadOptions& options = {}) {
    try {
        FeatureReader::open(path, options);
    } catch (const ErrorType& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
        return e.what();
    }
    ADD_FAILURE() << "opened " << path << " without an error";
    return {};
}

std::set<std::string> values_of(const ReadSummary& s, const std::string& field) {
    std::set<std::string> values;
    for (const auto& f : s.features) values.insert(attribute(f, field));
    return values;
}

bool has_value(const ReadSummary& s, const std::string& field, const std::string& value) {
    return values_of(s, field).count(value) == 1;
}

/// Every footprint's anchor inside the lon/lat box.
void expect_anchors_in(const ReadSummary& s, double west, double south, double east, double north) {
    for (const auto& f : s.features) {
        if (!f.footprint) continue;
        EXPECT_TRUE(f.footprint->anchor_lon >= west && f.footprint->anchor_lon <= east &&
                    f.footprint->anchor_lat >= south && f.footprint->anchor_lat <= north)
            << "feature " << f.index << " anchor " << f.footprint->anchor_lon << ", "
            << f.footprint->anchor_lat;
    }
}

std::map<std::string, long long> reasons(
    std::initializer_list<std::pair<const std::string, long long>> list) {
    return std::map<std::string, long long>(list);
}

void write_file(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
}

/// A closed ring of `points` points (the last repeats the first) on an ellipse of `radius`
/// degrees of longitude and 0.6 of it in latitude.
std::string ellipse_ring(double lon, double lat, double radius, std::size_t points) {
    return test::ellipse_ring_geojson(lon, lat, radius, 0.6 * radius, points - 1);
}

/// A GeoJSON Feature whose property `case` names it.
std::string named_feature(const std::string& name, const std::string& type,
                          const std::string& coordinates) {
    return R"({"type":"Feature","properties":{"case":")" + name + R"("},"geometry":{"type":")" +
           type + R"(","coordinates":)" + coordinates + "}}";
}

/// Points of the first ring of a footprint's WKB (after the MultiPolygon's, the Polygon's
/// and the ring count's headers).
std::uint32_t first_ring_points(const geo::Footprint& footprint) {
    std::uint32_t points = 0;
    std::memcpy(&points, footprint.wkb.data() + 18, 4);
    return points;
}

}  // namespace

// ---------------------------------------------------------------- our own fixtures

TEST(FeatureReader, FootprintsOverTheVertexLimitAreRejectedBoundariesAreNot) {
    const std::size_t limit = geo::k_max_footprint_vertices;
    const std::size_t quarter = limit / 4 + 1;
    // Two shells with a hole each, every ring under the limit, together over it.
    const std::string two_parts = "[[" + ellipse_ring(13.99, 53.015, 0.001, quarter) + "," +
                                  ellipse_ring(13.99, 53.015, 0.0005, quarter) + "],[" +
                                  ellipse_ring(13.995, 53.015, 0.001, quarter) + "," +
                                  ellipse_ring(13.995, 53.015, 0.0005, quarter) + "]]";
    test::TempDir dir;
    const fs::path file = dir.path() / "footprints.geojson";
    write_file(file, R"({"type":"FeatureCollection","features":[)" +
                         named_feature("at the limit", "Polygon",
                                       "[" + ellipse_ring(13.99, 53.02, 0.001, limit) + "]") +
                         "," +
                         named_feature("one over", "Polygon",
                                       "[" + ellipse_ring(13.99, 53.02, 0.001, limit + 1) + "]") +
                         "," + named_feature("over in parts", "MultiPolygon", two_parts) + "," +
                         named_feature("small", "Polygon",
                                       "[" + ellipse_ring(13.98, 53.02, 0.0001, 5) + "]") +
                         "]}");

    ReadOptions buildings;
    buildings.max_vertices = limit;
    const auto limited = read_all(file, buildings);
    ASSERT_EQ(limited.read, 4);
    std::map<std::string, std::string> outcome;  // case → "ok" or the rejection
    for (const auto& f : limited.features)
        outcome[attribute(f, "case")] = f.footprint ? "ok" : f.rejection;
    const std::string reason = "more than " + std::to_string(limit) + " vertices";
    EXPECT_EQ(outcome["at the limit"], "ok");
    EXPECT_EQ(outcome["one over"], reason);
    EXPECT_EQ(outcome["over in parts"], reason);
    EXPECT_EQ(outcome["small"], "ok");
    EXPECT_EQ(first_ring_points(*limited.features[0].footprint), limit);

    // Without a limit (Kommune boundaries) every one of them is read whole.
    const auto unlimited = read_all(file);
    EXPECT_EQ(unlimited.footprints, 4) << ::testing::PrintToString(unlimited.rejections);
    ASSERT_TRUE(unlimited.features[1].footprint);
    EXPECT_EQ(first_ring_points(*unlimited.features[1].footprint), limit + 1);
}

TEST(FeatureReader, ArcsAreCountedAsTheSegmentsTheyBecome) {
    // 300 half circles on a strip: 605 points as read, about 45 segments each once linearised
    // (GDAL's step of 4 degrees), so over the limit only then.
    std::string arcs;
    char point[64];
    const double step = 0.00001;
    for (int i = 0; i <= 600; ++i) {
        std::snprintf(point, sizeof point, "%s%.9f %.9f", i == 0 ? "" : ",", 13.99 + step * i,
                      53.02 + (i % 2 == 1 ? step : 0.0));
        arcs += point;
    }
    std::snprintf(point, sizeof point, "%.9f %.9f", 13.99 + step * 600, 53.02 - step);
    const std::string wkt = "CURVEPOLYGON(COMPOUNDCURVE(CIRCULARSTRING(" + arcs + "),(" +
                            arcs.substr(arcs.rfind(',') + 1) + "," + point + ",13.99 " +
                            std::to_string(53.02 - step) + ",13.99 53.02)))";
    test::TempDir dir;
    const fs::path file = dir.path() / "arcs.csv";
    write_file(file, "name,WKT\nbogen,\"" + wkt + "\"\n");

    const auto unlimited = read_all(file);
    ASSERT_EQ(unlimited.footprints, 1) << ::testing::PrintToString(unlimited.rejections);
    ASSERT_GT(first_ring_points(*unlimited.features[0].footprint), geo::k_max_footprint_vertices);
    ReadOptions buildings;
    buildings.max_vertices = geo::k_max_footprint_vertices;
    const auto limited = read_all(file, buildings);
    EXPECT_EQ(
        limited.rejections,
        reasons({{"more than " + std::to_string(geo::k_max_footprint_vertices) + " vertices", 1}}));
}

TEST(FeatureReader, CsvWithAWktColumnGivesFootprintsButNoWktAttribute) {
    const auto s = read_all(test::fixture("geo/wkt_buildings.csv"));
    EXPECT_EQ(s.info.format, "CSV");
    EXPECT_EQ(s.info.crs, "EPSG:4326");
    EXPECT_EQ(s.info.crs_source, "inferred");
    EXPECT_EQ(s.info.encoding, "UTF-8");
    EXPECT_EQ(s.info.encoding_source, "format");
    ASSERT_EQ(s.read, 3);
    EXPECT_EQ(s.footprints, 2);
    EXPECT_EQ(s.repaired, 1);  // the bowtie
    EXPECT_EQ(s.rejections, reasons({{"not a polygon (Point)", 1}}));
    EXPECT_EQ(attribute(s.features[0], "name"), "Rathaus Angerm\xC3\xBCnde");
    EXPECT_EQ(attribute(s.features[0], "WKT"), "");  // the geometry column is not an attribute
    EXPECT_EQ(s.features[0].attributes.size(), 2u);
    EXPECT_TRUE(s.features[1].footprint->repaired);
}

TEST(FeatureReader, LonLatColumnsOfACsvArePointsNotFootprints) {
    const auto s = read_all(test::fixture("geo/lonlat_points.csv"));
    EXPECT_EQ(s.info.crs, "EPSG:4326");
    EXPECT_EQ(s.read, 2);
    EXPECT_EQ(s.rejections, reasons({{"not a polygon (Point)", 2}}));
    EXPECT_EQ(attribute(s.features[1], "name"), "Kirche");
    EXPECT_EQ(attribute(s.features[1], "lon"), "");
}

TEST(FeatureReader, BrokenGeoJsonGeometriesAreRepairedOrRejectedWithAReason) {
    const auto s = read_all(test::fixture("geo/broken_buildings.geojson"));
    EXPECT_EQ(s.info.format, "GeoJSON");
    EXPECT_EQ(s.info.crs, "EPSG:4326");
    ASSERT_EQ(s.read, 9);
    std::map<std::string, std::string> outcome;  // case → "ok", "repaired" or the rejection
    for (const auto& f : s.features) {
        outcome[attribute(f, "case")] =
            f.footprint ? (f.footprint->repaired ? "repaired" : "ok") : f.rejection;
    }
    EXPECT_EQ(outcome["valid square with a hole"], "ok");
    EXPECT_EQ(outcome["bowtie"], "repaired");
    EXPECT_EQ(outcome["3-point ring"], "degenerate polygon (no area)");
    EXPECT_EQ(outcome["multipolygon with one 3-point part"], "ok");
    EXPECT_EQ(outcome["hole with 3 points"], "ok");
    EXPECT_EQ(outcome["all points on a line"], "degenerate polygon (no area)");
    EXPECT_EQ(outcome["null geometry"], "no geometry");
    EXPECT_EQ(outcome["line"], "not a polygon (LineString)");
    EXPECT_EQ(outcome["latitude out of range"], "invalid coordinates");
    // The hole is kept: area = shell minus hole, by GEOS in UTM 33 as oracle.
    const auto& holed = *s.features[0].footprint;
    EXPECT_NEAR(holed.area_m2, test::oracle_area_in_epsg(holed.wkb, 25833), holed.area_m2 * 0.001);
}

TEST(FeatureReader, AShapefileInASubfolderOfAZipIsFoundAndDecoded) {
    const auto s = read_all(test::fixture("geo/shapefile_in_subfolder.zip"));
    EXPECT_EQ(s.info.format, "ESRI Shapefile");
    EXPECT_EQ(s.info.layer, "gebaeude");
    EXPECT_EQ(s.info.crs, "EPSG:25833");
    EXPECT_EQ(s.info.crs_source, "file");
    EXPECT_EQ(s.info.encoding, "CP1252");  // LDID 0x03, no .cpg
    EXPECT_EQ(s.info.encoding_source, "dbf-header");
    ASSERT_EQ(s.footprints, 2);
    EXPECT_EQ(attribute(s.features[0], "name"),
              "M\xC3\xBChlenstra\xC3\x9F"
              "e 1");
    EXPECT_EQ(attribute(s.features[1], "name"),
              "Kirchg\xC3\xA4\xC3\x9F"
              "chen 3");
    EXPECT_EQ(attribute(s.features[0], "geschosse"), "2");
    // 20 m × 10 m and 12 m × 15 m in EPSG:25833.
    EXPECT_NEAR(s.features[0].footprint->area_m2, 200.0, 0.2);
    EXPECT_NEAR(s.features[1].footprint->area_m2, 180.0, 0.18);
    expect_anchors_in(s, 13.9, 53.0, 14.0, 53.1);
}

TEST(FeatureReader, BadUploadsAreInvalidInput) {
    EXPECT_NE(open_error<InvalidInput>(test::fixture("geo/missing_shx.zip")).find("gebaeude.shx"),
              std::string::npos);
    EXPECT_NE(open_error<InvalidInput>(test::fixture("geo/no_layer.zip"))
                  .find("no vector layer in no_layer.zip"),
              std::string::npos);
    EXPECT_NE(open_error<InvalidInput>(test::fixture("geo/not_geodata.shp"))
                  .find("not_geodata.shp is not a geodata file GDAL can read"),
              std::string::npos);
    EXPECT_NE(open_error<InvalidInput>(test::fixture("geo/README-does-not-exist.shp"))
                  .find("does not exist"),
              std::string::npos);
    ReadOptions bad_encoding;
    bad_encoding.forced_encoding = "no-such-encoding";
    EXPECT_NE(
        open_error<InvalidInput>(test::fixture("geo/shapefile_in_subfolder.zip"), bad_encoding)
            .find("no-such-encoding"),
        std::string::npos);
}

namespace {

/// The code and members of the Error `open` throws, for the client's own sentence.
std::pair<std::string, nlohmann::json> open_failure(const fs::path& path) {
    try {
        FeatureReader::open(path, {});
    } catch (const Error& e) {
        return {e.stable_code(), e.extensions()};
    }
    ADD_FAILURE() << "opened " << path << " without an error";
    return {};
}

}  // namespace

TEST(FeatureReader, BadUploadsNameTheirCodeAndFile) {
    using nlohmann::json;
    EXPECT_EQ(open_failure(test::fixture("geo/missing_shx.zip")),
              std::pair(std::string("incomplete_shapefile"), json{{"missing", {".shx"}}}));
    EXPECT_EQ(open_failure(test::fixture("geo/no_layer.zip")),
              std::pair(std::string("not_geodata"), json{{"file", "no_layer.zip"}}));
    EXPECT_EQ(open_failure(test::fixture("geo/not_geodata.shp")),
              std::pair(std::string("not_geodata"), json{{"file", "not_geodata.shp"}}));
    test::TempDir dir;
    write_file(dir / "ohne.csv", "name,strasse\nMühle,Markt 1\n");
    EXPECT_EQ(open_failure(dir / "ohne.csv"),
              std::pair(std::string("no_geometry"), json{{"file", "ohne.csv"}}));
    write_file(dir / "utm.csv",
               "id,WKT\n1,\"POLYGON ((390000 5820000,390020 5820000,390020 5820010,390000 "
               "5820000))\"\n");
    EXPECT_EQ(open_failure(dir / "utm.csv"),
              std::pair(std::string("unknown_crs"), json{{"file", "utm.csv"}}));
}

TEST(FeatureReader, TextFileWithGeodataExtensionIsNotGeodata) {
    test::TempDir dir;
    write_file(dir / "gebaeude.geojson", "Gebäude, bitte per Mail nachreichen.\n");
    EXPECT_NE(open_error<InvalidInput>(dir / "gebaeude.geojson").find("not a geodata file"),
              std::string::npos);
}

TEST(FeatureReader, UndecidableCoordinatesAskForSrs) {
    test::TempDir dir;
    write_file(dir / "utm.csv",
               "id,WKT\n1,\"POLYGON ((390000 5820000,390020 5820000,390020 5820010,390000 "
               "5820000))\"\n");
    const std::string message = open_error<InvalidGeometry>(dir / "utm.csv");
    EXPECT_NE(message.find("EPSG:25833"), std::string::npos) << message;
    EXPECT_NE(message.find("EPSG:25832"), std::string::npos) << message;
    ReadOptions forced;
    forced.forced_epsg = 25833;
    const auto s = read_all(dir / "utm.csv", forced);
    EXPECT_EQ(s.info.crs, "EPSG:25833");
    EXPECT_EQ(s.info.crs_source, "option");
    ASSERT_EQ(s.footprints, 1);
    EXPECT_NEAR(s.features[0].footprint->area_m2, 100.0, 0.1);
    expect_anchors_in(s, 13.3, 52.4, 13.5, 52.6);  // Berlin
}

TEST(FeatureReader, ExcelCsvInCp1252IsDecoded) {
    test::TempDir dir;
    write_file(dir / "excel.csv",
               "name;WKT\nM\xFChle;\"POLYGON ((13.99 53.01,13.991 53.01,"
               "13.991 53.011,13.99 53.01))\"\n");
    const auto s = read_all(dir / "excel.csv");
    ASSERT_EQ(s.read, 1);
    EXPECT_EQ(attribute(s.features[0], "name"), "M\xC3\xBChle");
    EXPECT_EQ(s.info.encoding, "CP1252");
    EXPECT_EQ(s.info.encoding_source, "guessed");
    ReadOptions forced;
    forced.forced_encoding = "ISO-8859-15";
    const auto f = read_all(dir / "excel.csv", forced);
    EXPECT_EQ(f.info.encoding, "ISO-8859-15");
    EXPECT_EQ(f.info.encoding_source, "option");
    EXPECT_EQ(attribute(f.features[0], "name"), "M\xC3\xBChle");
}

TEST(FeatureReader, PicksLayerOfMultiLayerSource) {
    // KML: each Folder is a layer, in document order; the first one is empty.
    test::TempDir dir;
    const fs::path kml = dir / "two_layers.kml";
    write_file(kml,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>\n"
               "<Folder><name>leer</name></Folder>\n"
               "<Folder><name>gebaeude</name><Placemark><name>Scheune</name><Polygon>"
               "<outerBoundaryIs><LinearRing><coordinates>13.99,53.01 13.991,53.01 "
               "13.991,53.011 13.99,53.01</coordinates></LinearRing></outerBoundaryIs>"
               "</Polygon></Placemark></Folder>\n</Document></kml>\n");
    const auto first = read_all(kml);
    EXPECT_EQ(first.info.layer, "gebaeude");  // the first layer with features
    ASSERT_EQ(first.footprints, 1);
    EXPECT_EQ(attribute(first.features[0], "Name"), "Scheune");
    ReadOptions named;
    named.layer_name = "leer";
    const auto empty = read_all(kml, named);
    EXPECT_EQ(empty.info.layer, "leer");
    EXPECT_EQ(empty.read, 0);
    named.layer_name = "nope";
    const std::string message = open_error<InvalidInput>(kml, named);
    EXPECT_NE(message.find("leer, gebaeude"), std::string::npos) << message;
}

// ---------------------------------------------------------------- shapefiles-wild

TEST(RealData, KoelnsCustomUtmIsUsedAsItIsAndItsLdidMeansCp1252) {
    const auto dir = wild("koeln_2013_cp1252_ldid57_utm32_fe2500000");
    LEERSTAND_REQUIRE_SHARED(dir);
    // Counts and invalid polygons from SOURCES.md (GEOS ST_IsValid through GDAL's SQLite
    // dialect): Stadtteil 86 (1 invalid), Stadtbezirk 9, Stadtviertel 371 (2 invalid).
    const std::vector<std::tuple<std::string, long long, long long, std::string>> layers = {
        {"Stadtteil", 86, 1, "STT_NAME"},
        {"Stadtbezirk", 9, 0, "STB_NAME"},
        {"Stadtviertel", 371, 2, "STV_NAME"}};
    for (const auto& [layer, count, invalid, name_field] : layers) {
        SCOPED_TRACE(layer);
        const auto s = read_all(dir / (layer + ".shp"));
        // A UTM 32N with a false easting of 2,500,000 and a VERTCS: no EPSG code fits, yet it
        // is used as it is and lands on Köln.
        EXPECT_EQ(s.info.crs.rfind("custom: ", 0), 0u) << s.info.crs;
        EXPECT_EQ(s.info.crs_source, "file");
        EXPECT_EQ(s.info.encoding, "CP1252");
        EXPECT_EQ(s.info.encoding_source, "dbf-header");
        EXPECT_EQ(s.read, count);
        EXPECT_EQ(s.footprints, count);
        EXPECT_EQ(s.repaired, invalid);
        expect_anchors_in(s, 6.75, 50.8, 7.2, 51.1);
        // SHAPE_AREA is the city's own area in its UTM 32 coordinates: within 0.1 %.
        for (const auto& f : s.features) {
            if (!f.footprint || f.footprint->repaired) continue;
            const double shape_area = std::stod(attribute(f, "SHAPE_AREA"));
            EXPECT_NEAR(f.footprint->area_m2, shape_area, shape_area * 0.001) << f.index;
        }
        if (layer == "Stadtbezirk") {
            EXPECT_TRUE(has_value(s, name_field, "M\xC3\xBClheim"));
            EXPECT_TRUE(has_value(s, name_field, "Ehrenfeld"));
        }
        if (layer == "Stadtteil") {
            EXPECT_TRUE(has_value(s, name_field, "M\xC3\xBClheim"));
        }
    }
}

TEST(RealData, Vg5000InUtm33WithACp1252CpgIsReadAsDeclared) {
    const auto shp =
        wild("vg5000_bb_sn_landkreise_cp1252_utm33/vg5000_bb_sn_landkreise_cp1252_utm33.shp");
    LEERSTAND_REQUIRE_SHARED(shp);
    const auto s = read_all(shp);
    EXPECT_EQ(s.info.crs, "EPSG:25833");
    EXPECT_EQ(s.info.crs_source, "file");
    EXPECT_EQ(s.info.encoding, "CP1252");
    EXPECT_EQ(s.info.encoding_source, "cpg");
    EXPECT_EQ(s.read, 125);
    EXPECT_EQ(s.footprints, 125);
    EXPECT_TRUE(has_value(s, "GEN", "Angerm\xC3\xBCnde"));
    EXPECT_TRUE(has_value(s, "GEN", "Herzberg (Elster)"));
    EXPECT_TRUE(has_value(s, "GEN", "Neukirchen/Erzgeb."));
    expect_anchors_in(s, 11.5, 50.2, 14.5, 53.6);
}

TEST(RealData, Vg5000WunsiedelDeclaringNothingIsInferredAndOptionsWin) {
    const auto shp = wild(
        "vg5000_wunsiedel_cp1252_undeclared_noprj/vg5000_wunsiedel_cp1252_undeclared_noprj.shp");
    LEERSTAND_REQUIRE_SHARED(shp);
    const auto s = read_all(shp);
    EXPECT_EQ(s.info.crs, "EPSG:25832");
    EXPECT_EQ(s.info.crs_source, "inferred");
    EXPECT_EQ(s.info.encoding, "CP1252");
    EXPECT_EQ(s.info.encoding_source, "guessed");
    EXPECT_EQ(s.footprints, 26);
    EXPECT_TRUE(has_value(s, "GEN", "R\xC3\xB6slau"));
    EXPECT_TRUE(has_value(s, "GEN",
                          "Wei\xC3\x9F"
                          "enstadt"));
    EXPECT_TRUE(has_value(s, "GEN", "Tr\xC3\xB6stau"));
    expect_anchors_in(s, 11.7, 49.9, 12.3, 50.3);  // Landkreis Wunsiedel i. Fichtelgebirge

    // Options win over everything the file says or does not say.
    ReadOptions forced;
    forced.forced_encoding = "CP850";
    forced.forced_epsg = 25832;
    const auto f = read_all(shp, forced);
    EXPECT_EQ(f.info.encoding, "CP850");
    EXPECT_EQ(f.info.encoding_source, "option");
    EXPECT_EQ(f.info.crs_source, "option");
    EXPECT_TRUE(has_value(f, "GEN", "R\xC3\xB7slau"));  // 0xF6 is '÷' in CP850
}

TEST(RealData, Vg5000InGaussKrueger4WithALatin1CpgIsReadAsDeclared) {
    const auto shp =
        wild("vg5000_erzgebirgskreis_latin1_gk4/vg5000_erzgebirgskreis_latin1_gk4.shp");
    LEERSTAND_REQUIRE_SHARED(shp);
    const auto s = read_all(shp);
    EXPECT_EQ(s.info.crs, "EPSG:31468");
    EXPECT_EQ(s.info.encoding, "ISO-8859-1");
    EXPECT_EQ(s.info.encoding_source, "cpg");
    EXPECT_EQ(s.footprints, 59);
    EXPECT_TRUE(has_value(s, "GEN", "Neukirchen/Erzgeb."));
    EXPECT_TRUE(has_value(s, "GEN", "Gr\xC3\xBCnhainichen"));
    expect_anchors_in(s, 12.4, 50.3, 13.6, 50.9);
}

TEST(RealData, PyshpFilesAreReadDespiteNoPrjStrayBytesAndZ) {
    const auto blockgroups = wild("pyshp_blockgroups_noprj/blockgroups.shp");
    LEERSTAND_REQUIRE_SHARED(blockgroups);
    const auto bg = read_all(blockgroups);
    EXPECT_EQ(bg.info.crs, "EPSG:4326");  // no .prj; lon/lat ranges
    EXPECT_EQ(bg.info.crs_source, "inferred");
    EXPECT_EQ(bg.info.encoding, "CP1252");  // LDID 0x57
    EXPECT_EQ(bg.info.encoding_source, "dbf-header");
    EXPECT_EQ(bg.footprints, 663);
    expect_anchors_in(bg, -122.6, 37.6, -122.3, 37.9);  // San Francisco

    const auto merge = read_all(wild("pyshp_merge_large_dbf/merge.shp"));
    EXPECT_EQ(merge.footprints, 6630);
    EXPECT_EQ(merge.info.encoding, "UTF-8");  // no declaration, all ASCII
    EXPECT_EQ(merge.info.encoding_source, "guessed");
    EXPECT_EQ(merge.features[0].attributes.size(), 43u);

    // 10 LineStrings; the 5 stray bytes after the declared records are ignored (GDAL reads
    // the record count from the header, as ogrinfo shows).
    const auto corrupt = read_all(wild("pyshp_corrupt_dbf_too_long/corrupt_too_long.shp"));
    EXPECT_EQ(corrupt.read, 10);
    EXPECT_EQ(corrupt.rejections, reasons({{"not a polygon (LineString)", 10}}));
    EXPECT_EQ(attribute(corrupt.features[9], "test"), "value");

    const auto rel = read_all(wild("pyshp_rel_polygonz_mgi_austria/releaseArea20090407.shp"));
    EXPECT_EQ(rel.info.crs, "EPSG:31287");
    EXPECT_EQ(rel.info.encoding_source, "cpg");
    ASSERT_EQ(rel.footprints, 1);
    const auto& wkb = rel.features[0].footprint->wkb;
    std::uint32_t type = 0;
    std::memcpy(&type, wkb.data() + 1, 4);
    EXPECT_EQ(type, 6u);                            // 2D MultiPolygon: Z dropped
    expect_anchors_in(rel, 9.5, 46.3, 17.2, 49.1);  // Austria
}

TEST(RealData, PyshpLatin1IsGuessedAndAMissingShxIsRefused) {
    const auto dir = wild("pyshp_latin1_no_shx");
    LEERSTAND_REQUIRE_SHARED(dir);
    // SOURCES.md says this shapefile has no .shx; the copy in shared/data has one (108 bytes,
    // one record), so it reads. Without it our rule applies: see the copy below.
    if (fs::exists(dir / "latin1.shx")) {
        const auto s = read_all(dir / "latin1.shp");
        EXPECT_EQ(s.info.encoding, "CP1252");  // no .cpg, LDID 0: the bytes decide
        EXPECT_EQ(s.info.encoding_source, "guessed");
        ASSERT_EQ(s.read, 1);
        EXPECT_EQ(attribute(s.features[0], "Name"),
                  "\xC3\x91"
                  "and\xC3\xBA");  // Ñandú
    }
    test::TempDir copy;
    fs::copy_file(dir / "latin1.shp", copy / "latin1.shp");
    fs::copy_file(dir / "latin1.dbf", copy / "latin1.dbf");
    EXPECT_NE(open_error<InvalidInput>(copy / "latin1.shp").find("latin1.shx"), std::string::npos);
    ReadOptions options;
    options.forced_epsg = 4326;  // missing parts are not forgiven by options
    EXPECT_NE(open_error<InvalidInput>(copy / "latin1.shp", options).find(".shx"),
              std::string::npos);
}

TEST(RealData, ShapefileJsSidecarsAreHonouredIgnoredOrRefused) {
    const auto html = wild("sjs_html_in_cpg_and_prj/htmlprj.shp");
    LEERSTAND_REQUIRE_SHARED(html);
    const std::string message = open_error<InvalidInput>(html);
    EXPECT_NE(message.find("htmlprj.prj"), std::string::npos) << message;
    EXPECT_NE(message.find("HTML"), std::string::npos) << message;
    EXPECT_NE(message.find("name the file's coordinate system"), std::string::npos) << message;
    ReadOptions forced;
    forced.forced_epsg = 4326;
    EXPECT_EQ(read_all(html, forced).read, 2);

    const auto cpg = read_all(wild("sjs_html_in_cpg_and_prj/htmlcpg.shp"));
    EXPECT_EQ(cpg.info.encoding, "UTF-8");
    EXPECT_EQ(cpg.info.encoding_source, "guessed (ignored bad .cpg)");
    EXPECT_TRUE(has_value(cpg, "field", "Hn\xC4\x9Bvo\xC5\xA1ick\xC3\xBD h\xC3\xA1j"));

    const auto utf = read_all(wild("sjs_utf8_emoji/utf.shp"));
    EXPECT_EQ(utf.info.encoding, "UTF-8");
    EXPECT_EQ(utf.info.encoding_source, "cpg");
    EXPECT_TRUE(has_value(utf, "field", "\xF0\x9F\x92\xA9"));
    EXPECT_TRUE(has_value(utf, "field", "Hn\xC4\x9Bvo\xC5\xA1ick\xC3\xBD h\xC3\xA1j"));
    EXPECT_EQ(utf.rejections, reasons({{"not a polygon (Point)", 2}}));

    const auto cp1250 = read_all(wild("sjs_codepage_ansi1250/codepage.shp"));
    EXPECT_EQ(cp1250.info.encoding, "CP1250");
    EXPECT_EQ(cp1250.info.encoding_source, "cpg");
    EXPECT_TRUE(has_value(cp1250, "field", "Hn\xC4\x9Bvo\xC5\xA1ick\xC3\xBD h\xC3\xA1j"));
    EXPECT_TRUE(has_value(cp1250, "field", "??"));  // the emoji, lost when it was written

    const std::string no_dbf = open_error<InvalidInput>(wild("sjs_no_dbf_no_shx/no-dbf.shp"));
    EXPECT_NE(no_dbf.find("no-dbf.dbf"), std::string::npos) << no_dbf;

    // 13 records, 12 with NULL shapes (SOURCES.md).
    const auto lga = read_all(wild("sjs_lga2013_null_shapes/LGA_2013_AUST.shp"));
    EXPECT_EQ(lga.info.crs, "EPSG:4283");
    EXPECT_EQ(lga.read, 13);
    EXPECT_EQ(lga.footprints, 1);
    EXPECT_EQ(lga.rejections, reasons({{"no geometry", 12}}));
    expect_anchors_in(lga, 129, -38, 141, -26);  // South Australia

    const auto lines = read_all(wild("sjs_polylinez_multipointz/export_polylinez.shp"));
    const auto points = read_all(wild("sjs_polylinez_multipointz/export_multipointz.shp"));
    EXPECT_EQ(lines.read, 1);
    EXPECT_EQ(lines.features[0].rejection.rfind("not a polygon (", 0), 0u);
    EXPECT_EQ(points.rejections, reasons({{"not a polygon (MultiPoint)", 1}}));
}

TEST(RealData, ZippedShapefilesAreReadAndTheirLinesRejected) {
    const auto zero = wild("zipped/zero-len-line.zip");
    LEERSTAND_REQUIRE_SHARED(zero);
    // 3 lines; GDAL returns the zero-length 2nd one as NULL geometry (SOURCES.md).
    const auto z = read_all(zero);
    EXPECT_EQ(z.info.layer, "zero-len-line");
    EXPECT_EQ(z.read, 3);
    EXPECT_EQ(z.rejections, reasons({{"no geometry", 1}, {"not a polygon (LineString)", 2}}));
    EXPECT_EQ(z.features[1].rejection, "no geometry");

    const auto sub = read_all(wild("zipped/T8Th4_6n.zip"));  // export/POLYLINE.*
    EXPECT_EQ(sub.info.layer, "POLYLINE");
    EXPECT_EQ(sub.info.crs, "EPSG:4326");
    EXPECT_EQ(sub.rejections, reasons({{"not a polygon (LineString)", 1}}));
}

TEST(RealData, GeoPackageCurvesAreLinearisedAndNullColumnsLeftOut) {
    const auto curve = wild("gpkg_edge_cases/curvepolygon.gpkg");
    LEERSTAND_REQUIRE_SHARED(curve);
    for (const std::string name : {"curvepolygon", "multisurface"}) {
        SCOPED_TRACE(name);
        const auto s = read_all(wild("gpkg_edge_cases/" + name + ".gpkg"));
        EXPECT_EQ(s.info.format, "GPKG");
        EXPECT_EQ(s.info.encoding_source, "format");
        ASSERT_EQ(s.footprints, 1);  // linearised
        const auto& fp = *s.features[0].footprint;
        const int zone = static_cast<int>(std::floor((fp.anchor_lon + 180) / 6)) + 1;
        EXPECT_NEAR(fp.area_m2, test::oracle_area_in_epsg(fp.wkb, 32600 + zone),
                    fp.area_m2 * 0.001);
    }
    const auto nulls = read_all(wild("gpkg_edge_cases/test_gpkg_nulls.gpkg"));
    EXPECT_EQ(nulls.rejections, reasons({{"not a polygon (Point)", 4}}));
    ASSERT_EQ(nulls.read, 4);
    EXPECT_EQ(nulls.features[0].attributes.size(), 11u);
    EXPECT_EQ(attribute(nulls.features[0], "col_float32"), "1.5");
    EXPECT_EQ(attribute(nulls.features[2], "col_int64"), "3");
    EXPECT_TRUE(nulls.features[3].attributes.empty());  // every column NULL: no entries
}

// ---------------------------------------------------------------- buildings

TEST(RealData, BayreuthNordBuildingsAreTheSameInGeoJsonAndUtm32Shapefile) {
    const auto geojson = test::shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(geojson);
    const auto g = read_all(geojson);
    EXPECT_EQ(g.info.crs, "EPSG:4326");
    EXPECT_EQ(g.read, 4267);  // SOURCES.md: 4,267 Polygons, all valid
    EXPECT_EQ(g.footprints, 4267);
    EXPECT_EQ(g.repaired, 0);
    expect_anchors_in(g, 11.48, 49.97, 11.61, 50.05);  // the extract's bbox

    const auto s =
        read_all(test::shared_data("buildings/osm_bayreuth_nord_2014_buildings_utm32/"
                                   "osm_bayreuth_nord_2014_buildings_utm32.shp"));
    EXPECT_EQ(s.info.crs, "EPSG:25832");  // ESRI WKT without a code, identified
    EXPECT_EQ(s.info.crs_source, "file");
    EXPECT_EQ(s.info.encoding, "UTF-8");
    EXPECT_EQ(s.info.encoding_source, "cpg");
    ASSERT_EQ(s.footprints, 4267);
    // Same buildings, same order: street names (with umlauts) and anchors agree.
    int streets = 0;
    for (std::size_t i = 0; i < g.features.size(); ++i) {
        EXPECT_EQ(attribute(s.features[i], "addr_stree"), attribute(g.features[i], "addr_street"));
        if (!attribute(g.features[i], "addr_street").empty()) ++streets;
        EXPECT_NEAR(s.features[i].footprint->anchor_lon, g.features[i].footprint->anchor_lon, 1e-4);
        EXPECT_NEAR(s.features[i].footprint->anchor_lat, g.features[i].footprint->anchor_lat, 1e-4);
    }
    EXPECT_EQ(streets, 781);  // SOURCES.md: 781 features have addr_street
    int with_umlaut = 0;
    for (const std::string& street : values_of(s, "addr_stree"))
        if (street.find('\xC3') != std::string::npos) ++with_umlaut;
    EXPECT_GT(with_umlaut, 0);  // "UTF-8 text with umlauts in street names"
}

// Lauf: SOURCES.md counts 27 invalid geometries (GEOS ST_IsValid via GDAL's SQLite dialect),
// 21 of them single rings with fewer than 4 points (OSM ways cut at the extract border; a
// count of the GeoJSON's rings confirms 21 features, each with just that one ring). Those 21
// have no area: rejected. The other 6 are self-intersections: repaired.
TEST(RealData, LaufBuildingsAreRejectedOrRepairedAlikeInGeoJsonAndGeoPackage) {
    const auto geojson = test::shared_data("buildings/osm_lauf_pegnitz_2020_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(geojson);
    for (const auto& path :
         {geojson, test::shared_data("buildings/osm_lauf_pegnitz_2020_buildings_utm32.gpkg")}) {
        SCOPED_TRACE(path.filename().string());
        const auto s = read_all(path);
        EXPECT_EQ(s.info.layer, "osm_lauf_pegnitz_2020_buildings");
        EXPECT_EQ(s.read, 6531);
        EXPECT_EQ(s.footprints, 6510);
        EXPECT_EQ(s.repaired, 6);
        EXPECT_EQ(s.rejections, reasons({{"degenerate polygon (no area)", 21}}));
        expect_anchors_in(s, 11.2, 49.45, 11.35, 49.55);
        if (s.info.format == "GPKG") {
            EXPECT_EQ(s.info.crs, "EPSG:25832");
        }
    }
}

// Harsdorf: 15 invalid per GEOS (SOURCES.md): 12 rings with fewer than 4 points (rejected) and
// 3 self-intersections (repaired).
TEST(RealData, HarsdorfBrokenBuildingsAreRejectedOrRepaired) {
    const auto geojson = test::shared_data("buildings/osm_harsdorf_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(geojson);
    const auto s = read_all(geojson);
    EXPECT_EQ(s.read, 628);
    EXPECT_EQ(s.footprints, 616);
    EXPECT_EQ(s.repaired, 3);
    EXPECT_EQ(s.rejections, reasons({{"degenerate polygon (no area)", 12}}));
    for (const auto& f : s.features) {
        if (f.footprint && f.footprint->repaired) {
            EXPECT_TRUE(test::oracle_covers(f.footprint->wkb, f.footprint->anchor_lon,
                                            f.footprint->anchor_lat));
        }
    }
}

// ---------------------------------------------------------------- Kommune boundaries

TEST(RealData, Vg5000GemeindenAreAllReadAndThreeRepaired) {
    const auto gem = test::shared_data("kommunen/vg5000_2021/VG5000_GEM.shp");
    LEERSTAND_REQUIRE_SHARED(gem);
    const auto s = read_all(gem);
    EXPECT_EQ(s.info.crs, "EPSG:31467");
    EXPECT_EQ(s.info.encoding, "UTF-8");
    EXPECT_EQ(s.read, 10997);
    EXPECT_EQ(s.footprints, 10997);
    EXPECT_EQ(s.repaired, 3);  // Burgjoß, Bad Sulza, Langenwetzendorf (SOURCES.md)
    std::set<std::string> repaired;
    for (const auto& f : s.features)
        if (f.footprint->repaired) repaired.insert(attribute(f, "AGS"));
    EXPECT_EQ(repaired, (std::set<std::string>{"09677452", "16071004", "16076039"}));
    EXPECT_TRUE(has_value(s, "GEN", "Angerm\xC3\xBCnde"));
    EXPECT_EQ(attribute(s.features[0], "WSK").size(), 10u);  // a Date as YYYY-MM-DD
    expect_anchors_in(s, 5.8, 47.2, 15.1, 55.1);             // Germany

    const auto founding =
        read_all(test::shared_data("kommunen/founding_kommunen_and_neighbours_vg5000.geojson"));
    EXPECT_EQ(founding.footprints, 73);
    const auto heinersreuth =
        read_all(test::shared_data("kommunen/osm_heinersreuth_boundary_2014.geojson"));
    EXPECT_EQ(heinersreuth.footprints, 1);
}

// The reference-count CSVs beside the buildings are tables without geometry.
TEST(RealData, CountTablesHaveNoGeometry) {
    const auto csv =
        test::shared_data("buildings/osm_bayreuth_nord_2014_buildings_counts_by_vg5000_gem.csv");
    LEERSTAND_REQUIRE_SHARED(csv);
    EXPECT_NE(open_error<InvalidInput>(csv).find("has no geometry"), std::string::npos);
}

// The import opens a reader on one thread and reads it on another, while other threads read
// other files: GEOS and PROJ contexts are per thread, the reader moves with its work.
TEST(RealData, ReadersOnSeveralThreadsGiveTheSameAreas) {
    const auto shp = test::shared_data(
        "buildings/osm_bayreuth_nord_2014_buildings_utm32/"
        "osm_bayreuth_nord_2014_buildings_utm32.shp");
    LEERSTAND_REQUIRE_SHARED(shp);
    const auto reference = read_all(shp);
    std::vector<FeatureReader> readers;
    for (int i = 0; i < 3; ++i) readers.push_back(FeatureReader::open(shp, {}));
    std::vector<std::vector<double>> areas(readers.size());
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < readers.size(); ++t) {
        threads.emplace_back([&, t] {
            geo::SourceFeature f;
            while (readers[t].next(f)) areas[t].push_back(f.footprint ? f.footprint->area_m2 : -1);
        });
    }
    for (auto& thread : threads) thread.join();
    for (const auto& per_thread : areas) {
        ASSERT_EQ(per_thread.size(), reference.features.size());
        for (std::size_t i = 0; i < per_thread.size(); ++i)
            EXPECT_EQ(per_thread[i], reference.features[i].footprint->area_m2) << i;
    }
}
