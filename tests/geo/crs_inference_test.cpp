#include "geo/crs_inference.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include "tests/support/test_support.hpp"

using leerstand::geo::Extent;
using leerstand::geo::infer_crs_from_extent;

namespace {

/// The extent GDAL reports for a file's first layer (the oracle's own reading).
Extent extent_of(const std::filesystem::path& path) {
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    OGREnvelope e;
    EXPECT_EQ(ds->GetLayer(0)->GetExtent(&e, TRUE), OGRERR_NONE);
    return {e.MinX, e.MinY, e.MaxX, e.MaxY};
}

}  // namespace

TEST(CrsInference, LonLatIsWgs84) {
    // Angermünde, and San Francisco (pyshp's block groups): any lon/lat range is 4326.
    EXPECT_EQ(infer_crs_from_extent({13.9, 52.9, 14.1, 53.1}).epsg, 4326);
    EXPECT_EQ(infer_crs_from_extent({-122.52, 37.66, -122.35, 37.82}).epsg, 4326);
}

TEST(CrsInference, EastingsBeyondZone33MeanUtm32) {
    // The Wunsiedel extent from SOURCES.md: x 699,439–734,354 cannot be Germany in zone 33
    // (Germany ends at 503 km there).
    const auto guess = infer_crs_from_extent({699439, 5539431, 734354, 5568584});
    ASSERT_TRUE(guess.epsg.has_value()) << guess.message;
    EXPECT_EQ(*guess.epsg, 25832);
    EXPECT_EQ(guess.candidates, std::vector<int>{25832});
}

TEST(CrsInference, EastingsWestOfZone32GermanyMeanUtm33) {
    // Below 260 km, zone 32 would lie west of Aachen (Germany starts at 280 km there).
    EXPECT_EQ(infer_crs_from_extent({150000, 5900000, 200000, 5950000}).epsg, 25833);
}

TEST(CrsInference, OverlapOfZone32And33AsksForSrs) {
    const auto guess = infer_crs_from_extent({380000, 5810000, 395000, 5830000});
    EXPECT_FALSE(guess.epsg.has_value());
    EXPECT_EQ(guess.candidates, (std::vector<int>{25833, 25832}));
    EXPECT_EQ(guess.message,
              "cannot tell the coordinate system from the coordinates (x 380000\u2013395000, "
              "y 5810000\u20135830000): it may be EPSG:25833 (ETRS89/UTM 33N, e.g. Brandenburg, "
              "Sachsen) or EPSG:25832 (UTM 32N); name the file's coordinate system (EPSG code)");
}

TEST(CrsInference, ZonePrefixedEastingsAreUtm) {
    EXPECT_EQ(infer_crs_from_extent({32690000, 5540000, 32700000, 5550000}).epsg, 4647);
    EXPECT_EQ(infer_crs_from_extent({33430000, 5870000, 33440000, 5880000}).epsg, 5650);
}

TEST(CrsInference, GaussKruegerZoneIsTheFirstDigitOfTheEasting) {
    EXPECT_EQ(infer_crs_from_extent({2550000, 5650000, 2560000, 5660000}).epsg, 31466);
    EXPECT_EQ(infer_crs_from_extent({3550000, 5650000, 3560000, 5660000}).epsg, 31467);
    EXPECT_EQ(infer_crs_from_extent({4550000, 5600000, 4560000, 5610000}).epsg, 31468);
    EXPECT_EQ(infer_crs_from_extent({5400000, 5800000, 5410000, 5810000}).epsg, 31469);
}

TEST(CrsInference, NonsenseRangesAskForSrs) {
    const std::vector<Extent> nonsense = {
        {0, 0, 1000, 800},                     // local drawing coordinates
        {400000, 1000000, 410000, 1010000},    // northing far south of Germany
        {3900000, 5600000, 4100000, 5700000},  // eastings across two GK zones
        {6500000, 5600000, 6600000, 5700000},  // 7 digits starting with 6
        {5, 5, 4, 4},                          // inverted (empty) extent
    };
    for (const Extent& e : nonsense) {
        const auto guess = infer_crs_from_extent(e);
        EXPECT_FALSE(guess.epsg.has_value()) << guess.message;
        EXPECT_TRUE(guess.candidates.empty()) << guess.message;
        EXPECT_TRUE(guess.message.ends_with("name the file's coordinate system (EPSG code)"))
            << guess.message;
    }
}

// Real files whose declared CRS is the oracle: inference must agree with it or, where the
// ranges are ambiguous, offer it.
TEST(CrsInference, AgreesWithDeclaredCrsOfRealFiles) {
    const auto gem = leerstand::test::shared_data("kommunen/vg5000_2021/VG5000_GEM.shp");
    const auto gk4 = leerstand::test::shared_data(
        "shapefiles-wild/vg5000_erzgebirgskreis_latin1_gk4/vg5000_erzgebirgskreis_latin1_gk4.shp");
    const auto utm33 = leerstand::test::shared_data(
        "shapefiles-wild/vg5000_bb_sn_landkreise_cp1252_utm33/"
        "vg5000_bb_sn_landkreise_cp1252_utm33.shp");
    const auto utm32 = leerstand::test::shared_data(
        "buildings/osm_bayreuth_nord_2014_buildings_utm32/"
        "osm_bayreuth_nord_2014_buildings_utm32.shp");
    LEERSTAND_REQUIRE_SHARED(gem);
    EXPECT_EQ(infer_crs_from_extent(extent_of(gem)).epsg, 31467);  // all of Germany in GK3
    EXPECT_EQ(infer_crs_from_extent(extent_of(gk4)).epsg, 31468);
    EXPECT_EQ(infer_crs_from_extent(extent_of(utm32)).epsg, 25832);
    // Uckermark to Erzgebirge in zone 33 spans x 3xx–4xx km: zone 32 would fit too.
    const auto guess = infer_crs_from_extent(extent_of(utm33));
    EXPECT_FALSE(guess.epsg.has_value());
    EXPECT_EQ(guess.candidates, (std::vector<int>{25833, 25832}));
}
