#include "geo/footprint.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "common/error.hpp"
#include "geo/utm_area.hpp"
#include "tests/geo/geo_oracle.hpp"
#include "tests/support/test_support.hpp"

using namespace leerstand;
using leerstand::geo::footprint_from_wkt;

namespace {

std::uint32_t u32_at(const std::vector<unsigned char>& wkb, std::size_t at) {
    std::uint32_t v = 0;
    std::memcpy(&v, wkb.data() + at, 4);
    return v;
}

double f64_at(const std::vector<unsigned char>& wkb, std::size_t at) {
    double v = 0;
    std::memcpy(&v, wkb.data() + at, 8);
    return v;
}

std::string rejection_of(const std::string& wkt) {
    try {
        footprint_from_wkt(wkt);
    } catch (const InvalidGeometry& e) {
        return e.what();
    }
    return "accepted";
}

void expect_within_permille(double actual, double expected) {
    EXPECT_NEAR(actual, expected, expected * 0.001)
        << "actual " << actual << " expected " << expected;
}

// A rectangle of 20 m × 10 m in EPSG:25833 near Angermünde.
const std::string k_rect25833 =
    "POLYGON ((430000 5875000,430020 5875000,430020 5875010,430000 5875010,430000 5875000))";

}  // namespace

TEST(Footprint, WritesLittleEndianMultiPolygonWkbInLonLat) {
    const auto fp = footprint_from_wkt(
        "POLYGON ((13.99 53.01,13.991 53.01,13.991 53.011,13.99 53.011,13.99 53.01))");
    ASSERT_GE(fp.wkb.size(), 9u + 9u + 4u + 5 * 16u);
    EXPECT_EQ(fp.wkb[0], 1);           // little endian
    EXPECT_EQ(u32_at(fp.wkb, 1), 6u);  // MultiPolygon (ISO, 2D)
    EXPECT_EQ(u32_at(fp.wkb, 5), 1u);  // one polygon
    EXPECT_EQ(fp.wkb[9], 1);
    EXPECT_EQ(u32_at(fp.wkb, 10), 3u);            // Polygon
    EXPECT_EQ(u32_at(fp.wkb, 14), 1u);            // one ring
    EXPECT_EQ(u32_at(fp.wkb, 18), 5u);            // five points
    EXPECT_DOUBLE_EQ(f64_at(fp.wkb, 22), 13.99);  // x = lon first
    EXPECT_DOUBLE_EQ(f64_at(fp.wkb, 30), 53.01);
    EXPECT_FALSE(fp.repaired);
    EXPECT_TRUE(test::oracle_covers(fp.wkb, fp.anchor_lon, fp.anchor_lat));
}

TEST(Footprint, AreaMatchesGeosInUtm33WithinPermille) {
    // Oracle: GEOS area of the rectangle in its own CRS (200 m²); ours goes through lon/lat.
    const double expected = test::oracle_planar_area(k_rect25833);
    ASSERT_DOUBLE_EQ(expected, 200.0);
    const auto fp = footprint_from_wkt(test::oracle_to_lonlat_wkt(k_rect25833, 25833));
    expect_within_permille(fp.area_m2, expected);
    expect_within_permille(geo::area_m2(fp.wkb), expected);
}

TEST(Footprint, BowtieBecomesTwoTrianglesOfHalfTheBox) {
    // A 10 m × 10 m bowtie in EPSG:25833: MakeValid gives two triangles, 25 m² each.
    const std::string bowtie =
        "POLYGON ((430000 5875000,430010 5875010,430010 5875000,430000 5875010,430000 5875000))";
    const auto fp = footprint_from_wkt(test::oracle_to_lonlat_wkt(bowtie, 25833));
    EXPECT_TRUE(fp.repaired);
    EXPECT_EQ(u32_at(fp.wkb, 5), 2u);  // two polygons
    expect_within_permille(fp.area_m2, 50.0);
    EXPECT_TRUE(test::oracle_covers(fp.wkb, fp.anchor_lon, fp.anchor_lat));
}

TEST(Footprint, AnchorLiesInsideAConcavePolygon) {
    // A U shape whose centroid lies in the gap between its arms.
    const auto fp = footprint_from_wkt("POLYGON ((0 0,3 0,3 3,2 3,2 1,1 1,1 3,0 3,0 0))");
    EXPECT_TRUE(test::oracle_covers(fp.wkb, fp.anchor_lon, fp.anchor_lat));
    EXPECT_FALSE(std::fabs(fp.anchor_lon - 1.5) < 0.5 && fp.anchor_lat > 1.0);
}

TEST(Footprint, DropsShortRingsAndKeepsTheRest) {
    // A hole of 3 points is dropped; the shell stays, unrepaired.
    const auto with_hole = footprint_from_wkt(
        "POLYGON ((13.99 53.01,13.991 53.01,13.991 53.011,13.99 53.011,13.99 53.01),"
        "(13.9901 53.0101,13.9902 53.0101,13.9901 53.0101))");
    EXPECT_EQ(u32_at(with_hole.wkb, 14), 1u);
    // A MultiPolygon part with a 3-point shell goes, the other part stays.
    const auto multi = footprint_from_wkt(
        "MULTIPOLYGON (((13.98 53.01,13.981 53.01,13.98 53.01)),"
        "((13.99 53.01,13.991 53.01,13.991 53.011,13.99 53.011,13.99 53.01)))");
    EXPECT_EQ(u32_at(multi.wkb, 5), 1u);
    EXPECT_DOUBLE_EQ(f64_at(multi.wkb, 22), 13.99);
}

TEST(Footprint, UnclosedRingIsClosed) {
    const auto fp = footprint_from_wkt("POLYGON ((13.99 53.01,13.991 53.01,13.991 53.011))");
    EXPECT_EQ(u32_at(fp.wkb, 18), 4u);
    EXPECT_GT(fp.area_m2, 0.0);
}

TEST(Footprint, RejectsWhatHasNoArea) {
    EXPECT_NE(rejection_of("POLYGON ((13.99 53.01,13.991 53.01,13.99 53.01))")
                  .find("degenerate polygon (no area)"),
              std::string::npos);
    EXPECT_NE(rejection_of("POLYGON ((0 0,1 1,2 2,0 0))").find("degenerate polygon (no area)"),
              std::string::npos);
    EXPECT_NE(rejection_of("POLYGON ((0 0,1 0,1 0,0 0))").find("degenerate polygon (no area)"),
              std::string::npos);
    EXPECT_NE(rejection_of("POLYGON EMPTY").find("no geometry"), std::string::npos);
    EXPECT_NE(rejection_of("POINT (13.99 53.01)").find("not a polygon (Point)"), std::string::npos);
    EXPECT_NE(rejection_of("LINESTRING (0 0,1 1)").find("not a polygon (LineString)"),
              std::string::npos);
    EXPECT_NE(rejection_of("GEOMETRYCOLLECTION (POINT (0 0))").find("not a polygon"),
              std::string::npos);
    EXPECT_NE(rejection_of("POLYGON ((13 95,14 95,14 96,13 95))").find("invalid coordinates"),
              std::string::npos);
    EXPECT_NE(rejection_of("POLYGON ((0 0,1 0,nan 1,0 0))"), "accepted");
    EXPECT_NE(rejection_of("this is not wkt").find("not valid WKT"), std::string::npos);
}

TEST(Footprint, ARingRunningRoundOneSquareIsTooComplexToRepairUnderTheVertexLimit) {
    // 8,001 vertices, 2,000 times round the same square: within the vertex limit of a
    // building, but GEOS would need far longer than the work budget to repair it (4,000
    // vertices took it 5 s; the budget here is 0.13 s). Kommune boundaries, which have no
    // vertex limit, rely on the budget alone.
    constexpr int k_vertices = 8001;
    ASSERT_LT(static_cast<std::size_t>(k_vertices), geo::k_max_footprint_vertices);
    const char* const corners[] = {"13.99 53.01", "13.991 53.01", "13.991 53.011", "13.99 53.011"};
    std::string wkt = "POLYGON ((";
    for (int i = 0; i < k_vertices; ++i) {
        if (i > 0) wkt += ',';
        wkt += corners[i % 4];
    }
    EXPECT_NE(rejection_of(wkt + "))").find("invalid polygon too complex to repair"),
              std::string::npos);
}

TEST(Footprint, DropsZAndLinearisesCurves) {
    const auto z = footprint_from_wkt(
        "POLYGON Z ((13.99 53.01 100,13.991 53.01 101,13.991 53.011 102,13.99 53.01 100))");
    EXPECT_EQ(u32_at(z.wkb, 1), 6u);  // 2D MultiPolygon, not 1006
    const auto curve =
        footprint_from_wkt("CURVEPOLYGON (CIRCULARSTRING (13.99 53.01,14.0 53.02,13.99 53.01))");
    EXPECT_GT(u32_at(curve.wkb, 18), 10u);  // the circle became many segments
    EXPECT_GT(curve.area_m2, 0.0);
}

TEST(Footprint, TheAnchorDecidesTheUtmZone) {
    EXPECT_EQ(geo::detail::utm_epsg_for(13.99, 53.01), 25833);
    EXPECT_EQ(geo::detail::utm_epsg_for(11.5, 50.0), 25832);
    EXPECT_EQ(geo::detail::utm_epsg_for(6.95, 50.94), 25832);
    EXPECT_EQ(geo::detail::utm_epsg_for(-122.4, 37.8), 32610);  // outside Europe: WGS 84
    EXPECT_EQ(geo::detail::utm_epsg_for(137.2, -35.8), 32753);  // southern hemisphere
}

// Real buildings: our area of the lon/lat GeoJSON (projected into the anchor's zone 32) against
// GEOS on the same buildings in the EPSG:25832 shapefile made from it by ogr2ogr (same order).
TEST(Footprint, RealBuildingAreasMatchGeosIn25832WithinPermille) {
    const auto geojson = test::shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    const auto utm32 = test::shared_data(
        "buildings/osm_bayreuth_nord_2014_buildings_utm32/"
        "osm_bayreuth_nord_2014_buildings_utm32.shp");
    LEERSTAND_REQUIRE_SHARED(geojson);
    const std::vector<double> expected = test::oracle_areas_of_file(utm32);
    const auto summary = test::read_all(geojson);
    ASSERT_EQ(summary.features.size(), expected.size());
    int checked = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        ASSERT_TRUE(summary.features[i].footprint) << i;
        const auto& fp = *summary.features[i].footprint;
        if (std::fabs(fp.area_m2 - expected[i]) > expected[i] * 0.001) {
            ADD_FAILURE() << "building " << i << ": " << fp.area_m2 << " m² vs GEOS "
                          << expected[i];
        }
        ++checked;
    }
    EXPECT_EQ(checked, 4267);
}

// A large polygon: the Kommune Angermünde (VG5000, GK3) against GEOS in EPSG:25833, and
// Röslau (zone 32) against GEOS in EPSG:25832.
TEST(Footprint, KommuneBoundaryAreaMatchesGeosWithinPermille) {
    const auto gem = test::shared_data("kommunen/vg5000_2021/VG5000_GEM.shp");
    LEERSTAND_REQUIRE_SHARED(gem);
    const auto summary = test::read_all(gem);
    int found = 0;
    for (const auto& f : summary.features) {
        const std::string ags = test::attribute(f, "AGS");
        if (ags != "12073008" && ags != "09479145") continue;
        ASSERT_TRUE(f.footprint);
        const int epsg = ags == "12073008" ? 25833 : 25832;
        expect_within_permille(f.footprint->area_m2,
                               test::oracle_area_in_epsg(f.footprint->wkb, epsg));
        expect_within_permille(geo::area_m2(f.footprint->wkb), f.footprint->area_m2);
        ++found;
    }
    EXPECT_EQ(found, 2);
}
