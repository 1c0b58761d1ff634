// FeatureReader in GeometryKind::Points mode: the reader behind the bulk import of vacancy
// reports (CSV / GeoJSON / Shapefile). Reprojection is checked against PROJ's cs2cs CLI.

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/geometry.hpp"
#include "geo/feature_reader.hpp"
#include "tests/geo/geo_oracle.hpp"
#include "tests/support/test_support.hpp"

using namespace leerstand;
using geo::FeatureReader;
using geo::GeometryKind;
using geo::ReadOptions;
using geo::SourceFeature;
using test::attribute;

namespace fs = std::filesystem;

namespace {

ReadOptions points_options() {
    ReadOptions options;
    options.geometry = GeometryKind::Points;
    return options;
}

struct PointRead {
    geo::SourceInfo info;
    std::vector<SourceFeature> features;
    long long points = 0;
    std::map<std::string, long long> rejections;  // reason → count
};

PointRead read_points(const fs::path& path, ReadOptions options = points_options()) {
    options.geometry = GeometryKind::Points;
    FeatureReader reader = FeatureReader::open(path, options);
    PointRead read;
    read.info = reader.info();
    SourceFeature feature;
    while (reader.next(feature)) {
        // Invariants of every point feature: never a footprint; a point xor a rejection.
        EXPECT_FALSE(feature.footprint) << feature.index;
        EXPECT_NE(feature.point.has_value(), !feature.rejection.empty()) << feature.index;
        if (feature.point) ++read.points;
        if (!feature.rejection.empty()) ++read.rejections[feature.rejection];
        read.features.push_back(feature);
    }
    return read;
}

/// Outcome per value of `key`: "ok" or the rejection reason.
std::map<std::string, std::string> outcomes(const PointRead& read, const std::string& key) {
    std::map<std::string, std::string> out;
    for (const auto& f : read.features) out[attribute(f, key)] = f.point ? "ok" : f.rejection;
    return out;
}

void write_file(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
}

enum class SourceAxes { EastingFirst, NorthingFirst };

/// Oracle: PROJ's cs2cs CLI reprojects easting/northing pairs from EPSG:`epsg` to EPSG:4326.
/// cs2cs keeps the official axis order of both CRSs: it reads northing first where the EPSG
/// definition says so (Gauss-Krüger) and prints "lat lon z" for EPSG:4326; swapped here.
std::vector<LonLat> cs2cs_to_lonlat(int epsg, const std::vector<std::pair<double, double>>& xy,
                                    SourceAxes axes = SourceAxes::EastingFirst) {
    std::ostringstream input;
    input.precision(17);
    for (const auto& [x, y] : xy) {
        if (axes == SourceAxes::EastingFirst) {
            input << x << ' ' << y << '\n';
        } else {
            input << y << ' ' << x << '\n';
        }
    }
    const test::CommandResult result = test::run_command(
        {"cs2cs", "-f", "%.12f", "EPSG:" + std::to_string(epsg), "EPSG:4326"}, input.str());
    EXPECT_EQ(result.exit_code, 0) << "cs2cs (proj-bin) failed: " << result.err;
    std::vector<LonLat> out;
    std::istringstream lines(result.out);
    double lat = 0, lon = 0, z = 0;
    while (lines >> lat >> lon >> z) out.push_back({lon, lat});
    EXPECT_EQ(out.size(), xy.size()) << result.out;
    return out;
}

/// The message of the Error `open` throws, with its type checked.
template <typename ErrorType>
std::string open_error(const fs::path& path, const ReadOptions& options) {
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

}  // namespace

TEST(PointReader, LonLatColumnsOfACsvArePointsAndTheRestAttributes) {
    const auto s = read_points(test::fixture("geo/vacancy_points_lonlat.csv"));
    EXPECT_EQ(s.info.format, "CSV");
    EXPECT_EQ(s.info.crs, "EPSG:4326");
    EXPECT_EQ(s.info.crs_source, "inferred");
    EXPECT_EQ(s.info.encoding, "UTF-8");
    ASSERT_EQ(s.features.size(), 3u);
    EXPECT_EQ(s.points, 2);
    EXPECT_EQ(s.rejections, (std::map<std::string, long long>{{"no geometry", 1}}));
    ASSERT_TRUE(s.features[0].point);
    EXPECT_DOUBLE_EQ(s.features[0].point->lon, 13.99321);
    EXPECT_DOUBLE_EQ(s.features[0].point->lat, 53.01544);
    EXPECT_DOUBLE_EQ(s.features[1].point->lon, 13.99875);
    EXPECT_DOUBLE_EQ(s.features[1].point->lat, 53.01802);
    // The other columns stay attributes, UTF-8 intact (ä, ö, ü, ß).
    EXPECT_EQ(attribute(s.features[1], "status"), "teilweise leer");
    EXPECT_EQ(attribute(s.features[1], "nutzung"), "Wohnen");
    EXPECT_EQ(attribute(s.features[0], "adresse"),
              "B\xC3\xA4"
              "ckerstra\xC3\x9F"
              "e 4");
    EXPECT_EQ(attribute(s.features[1], "adresse"), "\xC3\x96lm\xC3\xBChlenweg 7");
    EXPECT_EQ(attribute(s.features[2], "adresse"),
              "Fu\xC3\x9Fg\xC3\xA4ngerzone 2");  // kept although its point is missing
    EXPECT_EQ(attribute(s.features[2], "id"), "3");
}

TEST(PointReader, CommonCoordinateColumnNamesAreRecognisedForPointsOnly) {
    test::TempDir dir;
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"lng", "lat"}, {"x", "y"}, {"laenge", "breite"}, {"L\xC3\xA4nge", "Breite"}};
    for (std::size_t i = 0; i < headers.size(); ++i) {
        const auto& [x_name, y_name] = headers[i];
        SCOPED_TRACE(x_name);
        const fs::path csv = dir / ("columns_" + std::to_string(i) + ".csv");
        write_file(csv, "status;" + x_name + ";" + y_name + "\nleer;13.9937;53.0156\n");
        const auto s = read_points(csv);
        ASSERT_EQ(s.points, 1);
        EXPECT_DOUBLE_EQ(s.features[0].point->lon, 13.9937);
        EXPECT_DOUBLE_EQ(s.features[0].point->lat, 53.0156);
        EXPECT_EQ(attribute(s.features[0], "status"), "leer");
    }
    // The German names are for points only: a building CSV with them still has no geometry.
    const std::string message = open_error<InvalidInput>(dir / "columns_2.csv", ReadOptions{});
    EXPECT_NE(message.find("has no geometry"), std::string::npos) << message;
}

TEST(PointReader, AWktColumnGivesPointsAndRejectsOtherGeometries) {
    const auto s = read_points(test::fixture("geo/vacancy_points_wkt.csv"));
    EXPECT_EQ(s.info.crs, "EPSG:4326");
    EXPECT_EQ(s.info.crs_source, "inferred");
    ASSERT_EQ(s.features.size(), 8u);
    const auto by_id = outcomes(s, "id");
    EXPECT_EQ(by_id.at("1"), "ok");
    EXPECT_EQ(by_id.at("2"), "ok");  // MultiPoint of one point
    EXPECT_EQ(by_id.at("3"), "ok");  // Z dropped
    EXPECT_EQ(by_id.at("4"), "not a point (MultiPoint)");
    EXPECT_EQ(by_id.at("5"), "not a point (Polygon)");
    EXPECT_EQ(by_id.at("6"), "not a point (LineString)");
    EXPECT_EQ(by_id.at("7"), "no geometry");  // empty WKT cell
    EXPECT_EQ(by_id.at("8"), "no geometry");  // POINT EMPTY
    EXPECT_DOUBLE_EQ(s.features[1].point->lon, 13.9987);
    EXPECT_DOUBLE_EQ(s.features[1].point->lat, 53.018);
    EXPECT_DOUBLE_EQ(s.features[2].point->lon, 13.995);
    EXPECT_DOUBLE_EQ(s.features[2].point->lat, 53.016);
    EXPECT_EQ(attribute(s.features[0], "status"), "leer");
    EXPECT_EQ(attribute(s.features[0], "WKT"), "");  // the geometry column is not an attribute
}

TEST(PointReader, GeoJsonPointsAreKeptAndOtherGeometriesRejectedWithAReason) {
    const auto s = read_points(test::fixture("geo/vacancy_points.geojson"));
    EXPECT_EQ(s.info.format, "GeoJSON");
    EXPECT_EQ(s.info.crs, "EPSG:4326");
    ASSERT_EQ(s.features.size(), 10u);
    const auto by_case = outcomes(s, "case");
    EXPECT_EQ(by_case.at("point"), "ok");
    EXPECT_EQ(by_case.at("point with z"), "ok");
    EXPECT_EQ(by_case.at("multipoint with one point"), "ok");
    EXPECT_EQ(by_case.at("multipoint with two points"), "not a point (MultiPoint)");
    EXPECT_EQ(by_case.at("polygon"), "not a point (Polygon)");
    EXPECT_EQ(by_case.at("line"), "not a point (LineString)");
    EXPECT_EQ(by_case.at("null geometry"), "no geometry");
    EXPECT_EQ(by_case.at("empty multipoint"), "no geometry");
    EXPECT_EQ(by_case.at("latitude 95"), "invalid coordinates");
    EXPECT_EQ(by_case.at("longitude infinite"), "invalid coordinates");  // 1e999
    EXPECT_EQ(s.points, 3);
    EXPECT_DOUBLE_EQ(s.features[0].point->lon, 13.9932);
    EXPECT_DOUBLE_EQ(s.features[0].point->lat, 53.0154);
    EXPECT_DOUBLE_EQ(s.features[1].point->lon, 13.995);
    EXPECT_DOUBLE_EQ(s.features[1].point->lat, 53.016);
}

/// A 2D point as little-endian WKB: OGR takes NaN from WKB as it is (OGRPoint's constructor
/// would turn a point with a NaN coordinate into an empty one).
std::unique_ptr<OGRGeometry> wkb_point(double x, double y) {
    unsigned char wkb[21] = {1, 1, 0, 0, 0};
    std::memcpy(wkb + 5, &x, sizeof x);
    std::memcpy(wkb + 13, &y, sizeof y);
    OGRGeometry* geometry = nullptr;
    EXPECT_EQ(OGRGeometryFactory::createFromWkb(wkb, nullptr, &geometry, sizeof wkb), OGRERR_NONE);
    return std::unique_ptr<OGRGeometry>(geometry);
}

// NaN cannot be written in GeoJSON, WKT or CSV cells (GDAL reads those as no geometry), but a
// GeoPackage stores it as it is. NaN for both x and y is how WKB writes POINT EMPTY.
TEST(PointReader, NanCoordinatesAreInvalid) {
    geo::ensure_gdal_registered();
    test::TempDir dir;
    const fs::path gpkg = dir / "nan_points.gpkg";
    {
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
        ASSERT_NE(driver, nullptr);
        GDALDatasetUniquePtr dataset(
            driver->Create(gpkg.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        ASSERT_TRUE(dataset);
        OGRSpatialReference wgs84;
        wgs84.importFromEPSG(4326);
        OGRLayer* layer = dataset->CreateLayer("meldungen", &wgs84, wkbPoint, nullptr);
        ASSERT_NE(layer, nullptr);
        OGRFieldDefn field("fall", OFTString);
        ASSERT_EQ(layer->CreateField(&field), OGRERR_NONE);
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const std::vector<std::tuple<std::string, double, double>> rows = {{"lon NaN", nan, 53.01},
                                                                           {"lat NaN", 13.99, nan},
                                                                           {"both NaN", nan, nan},
                                                                           {"ok", 13.99, 53.01}};
        for (const auto& [name, x, y] : rows) {
            OGRFeature feature(layer->GetLayerDefn());
            feature.SetField("fall", name.c_str());
            feature.SetGeometryDirectly(wkb_point(x, y).release());
            ASSERT_EQ(layer->CreateFeature(&feature), OGRERR_NONE);
        }
    }
    const auto s = read_points(gpkg);
    EXPECT_EQ(s.info.format, "GPKG");
    const auto by_case = outcomes(s, "fall");
    EXPECT_EQ(by_case.at("lon NaN"), "invalid coordinates");
    EXPECT_EQ(by_case.at("lat NaN"), "invalid coordinates");
    EXPECT_EQ(by_case.at("both NaN"), "no geometry");
    EXPECT_EQ(by_case.at("ok"), "ok");
}

// The source coordinates of the fixture (tests/data/README.md), reprojected by cs2cs.
TEST(PointReader, ShapefileInUtm33MatchesCs2cs) {
    const auto s = read_points(test::fixture("geo/vacancy_points_utm33.zip"));
    EXPECT_EQ(s.info.format, "ESRI Shapefile");
    EXPECT_EQ(s.info.layer, "meldungen");
    EXPECT_EQ(s.info.crs, "EPSG:25833");
    EXPECT_EQ(s.info.crs_source, "file");
    EXPECT_EQ(s.info.encoding, "CP1252");
    EXPECT_EQ(s.info.encoding_source, "cpg");
    ASSERT_EQ(s.points, 3);  // PointZ: Z dropped
    const auto expected = cs2cs_to_lonlat(
        25833, {{433512.25, 5876234.75}, {433800.5, 5876010.0}, {434120.875, 5875822.125}});
    ASSERT_EQ(expected.size(), 3u);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_NEAR(s.features[i].point->lon, expected[i].lon, 1e-7);
        EXPECT_NEAR(s.features[i].point->lat, expected[i].lat, 1e-7);
        EXPECT_NEAR(s.features[i].point->lon, 14.0, 0.1);  // Angermünde: a swap would fail
        EXPECT_NEAR(s.features[i].point->lat, 53.0, 0.1);
    }
    EXPECT_EQ(attribute(s.features[0], "adresse"),
              "M\xC3\xBChlenstra\xC3\x9F"
              "e 1");
    EXPECT_EQ(attribute(s.features[1], "adresse"),
              "Kirchg\xC3\xA4\xC3\x9F"
              "chen 3");
    EXPECT_EQ(attribute(s.features[2], "adresse"), "\xC3\x96lm\xC3\xBChle");
    EXPECT_EQ(attribute(s.features[2], "status"), "teilweise leer");
}

TEST(PointReader, CrsIsInferredFromThePointsOrForced) {
    test::TempDir dir;
    // 7-digit eastings starting with 4: only Gauss-Krüger zone 4 fits (a single point, so the
    // extent is a point too).
    const fs::path gk4 = dir / "gk4.csv";
    write_file(gk4, "rechtswert,hochwert,status\n4567890.5,5612345.25,leer\n");
    const auto g = read_points(gk4);
    EXPECT_EQ(g.info.crs, "EPSG:31468");
    EXPECT_EQ(g.info.crs_source, "inferred");
    ASSERT_EQ(g.points, 1);
    const auto gk_expected =
        cs2cs_to_lonlat(31468, {{4567890.5, 5612345.25}}, SourceAxes::NorthingFirst);
    ASSERT_EQ(gk_expected.size(), 1u);
    EXPECT_NEAR(g.features[0].point->lon, gk_expected[0].lon, 1e-7);
    EXPECT_NEAR(g.features[0].point->lat, gk_expected[0].lat, 1e-7);
    EXPECT_NEAR(g.features[0].point->lon, 12.96, 0.01);  // near Chemnitz, not swapped
    EXPECT_NEAR(g.features[0].point->lat, 50.64, 0.01);

    // 6-digit eastings in the overlap of UTM 32 and 33: the user must say which.
    const fs::path utm = dir / "utm.csv";
    write_file(utm, "x,y,status\n390000,5820000,leer\n390100,5820050,leer\n");
    const std::string message = open_error<InvalidGeometry>(utm, points_options());
    EXPECT_NE(message.find("EPSG:25833"), std::string::npos) << message;
    ReadOptions forced = points_options();
    forced.forced_epsg = 25833;
    const auto u = read_points(utm, forced);
    EXPECT_EQ(u.info.crs, "EPSG:25833");
    EXPECT_EQ(u.info.crs_source, "option");
    ASSERT_EQ(u.points, 2);
    const auto utm_expected = cs2cs_to_lonlat(25833, {{390000, 5820000}, {390100, 5820050}});
    ASSERT_EQ(utm_expected.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_NEAR(u.features[i].point->lon, utm_expected[i].lon, 1e-7);
        EXPECT_NEAR(u.features[i].point->lat, utm_expected[i].lat, 1e-7);
    }
}

TEST(PointReader, UnprojectablePointIsRejected) {
    test::TempDir dir;
    const fs::path csv = dir / "far.csv";
    // An easting of 100,000 km: PROJ's inverse transverse Mercator gives up.
    write_file(csv, "x,y,status\n390000,5820000,leer\n100000000,5820000,weit\n");
    ReadOptions forced = points_options();
    forced.forced_epsg = 25833;
    const auto s = read_points(csv, forced);
    ASSERT_EQ(s.features.size(), 2u);
    EXPECT_TRUE(s.features[0].point);
    EXPECT_EQ(s.features[1].rejection, "cannot reproject");
    EXPECT_EQ(attribute(s.features[1], "status"), "weit");
}

TEST(PointReader, ExcelCsvInCp1252IsDecoded) {
    test::TempDir dir;
    write_file(dir / "excel.csv",
               "adresse;status;lon;lat\nGro\xDF"
               "e M\xFChle;leer;13.99;53.01\n");
    const auto s = read_points(dir / "excel.csv");
    EXPECT_EQ(s.info.encoding, "CP1252");
    EXPECT_EQ(s.info.encoding_source, "guessed");
    ASSERT_EQ(s.points, 1);
    EXPECT_EQ(attribute(s.features[0], "adresse"),
              "Gro\xC3\x9F"
              "e M\xC3\xBChle");
}

// Polygons stay the default: the same point files are rejected as before, and a feature
// object reused from a point reader loses its point.
TEST(PointReader, PolygonModeIsUnchanged) {
    const fs::path csv = test::fixture("geo/vacancy_points_lonlat.csv");
    FeatureReader points = FeatureReader::open(csv, points_options());
    SourceFeature feature;
    ASSERT_TRUE(points.next(feature));
    ASSERT_TRUE(feature.point);
    FeatureReader polygons = FeatureReader::open(csv, ReadOptions{});
    ASSERT_TRUE(polygons.next(feature));
    EXPECT_FALSE(feature.point);
    EXPECT_FALSE(feature.footprint);
    EXPECT_EQ(feature.rejection, "not a polygon (Point)");
    const auto s = test::read_all(csv);
    EXPECT_EQ(s.footprints, 0);
    EXPECT_EQ(s.rejections,
              (std::map<std::string, long long>{{"not a polygon (Point)", 2}, {"no geometry", 1}}));
}
