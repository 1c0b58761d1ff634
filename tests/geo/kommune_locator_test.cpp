#include "geo/kommune_locator.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "common/error.hpp"
#include "geo/footprint.hpp"
#include "tests/geo/geo_oracle.hpp"
#include "tests/support/test_support.hpp"

using namespace leerstand;
using leerstand::geo::KommuneLocator;

namespace {

std::vector<unsigned char> square(double x0, double y0, double x1, double y1) {
    std::ostringstream wkt;
    wkt << "POLYGON ((" << x0 << ' ' << y0 << ',' << x1 << ' ' << y0 << ',' << x1 << ' ' << y1
        << ',' << x0 << ' ' << y1 << ',' << x0 << ' ' << y0 << "))";
    return geo::footprint_from_wkt(wkt.str()).wkb;
}

/// Landkreis 12073 (0..10) holding Gemeinde 12073008 (2..4) and Gemeinde 12073009 (6..9),
/// inside which the smaller Gemeinde 12073010 (7..8) lies.
KommuneLocator synthetic() {
    KommuneLocator locator;
    locator.add("12073", square(0, 0, 10, 10));
    locator.add("12073008", square(2, 2, 4, 4));
    locator.add("12073009", square(6, 6, 9, 9));
    locator.add("12073010", square(7, 7, 8, 8));
    return locator;
}

}  // namespace

TEST(KommuneLocator, MostSpecificKommuneWins) {
    const KommuneLocator locator = synthetic();
    EXPECT_EQ(locator.size(), 4u);
    EXPECT_EQ(locator.locate(3, 3), "12073008");  // Gemeinde beats its Landkreis (longer AGS)
    EXPECT_EQ(locator.locate(5, 5), "12073");     // only the Landkreis
    EXPECT_EQ(locator.locate(6.5, 6.5), "12073009");
    EXPECT_EQ(locator.locate(7.5, 7.5), "12073010");  // same AGS length: the smaller wins
    EXPECT_EQ(locator.locate(20, 20), std::nullopt);
    EXPECT_EQ(locator.locate(-0.5, 5), std::nullopt);
}

TEST(KommuneLocator, ContainsChecksOneKommune) {
    const KommuneLocator locator = synthetic();
    EXPECT_TRUE(locator.contains("12073", 3, 3));
    EXPECT_TRUE(locator.contains("12073008", 3, 3));
    EXPECT_FALSE(locator.contains("12073009", 3, 3));
    EXPECT_FALSE(locator.contains("99999999", 3, 3));  // unknown AGS
    EXPECT_TRUE(locator.contains("12073008", 2, 3));   // on the boundary counts as inside
}

TEST(KommuneLocator, AddWorksAfterLocateAndReplacesTheSameAgs) {
    KommuneLocator locator = synthetic();
    EXPECT_EQ(locator.locate(15, 15), std::nullopt);
    locator.add("12074", square(10, 10, 20, 20));  // after a query: the index is rebuilt
    EXPECT_EQ(locator.locate(15, 15), "12074");
    locator.add("12073008", square(30, 30, 31, 31));  // same AGS: replaces the boundary
    EXPECT_EQ(locator.size(), 5u);
    EXPECT_EQ(locator.locate(3, 3), "12073");
    EXPECT_EQ(locator.locate(30.5, 30.5), "12073008");
}

TEST(KommuneLocator, AnEmptyLocatorFindsNothingAndAMovedOneStillWorks) {
    KommuneLocator empty;
    EXPECT_EQ(empty.locate(1, 1), std::nullopt);
    KommuneLocator moved = synthetic();
    KommuneLocator target = std::move(moved);
    EXPECT_EQ(target.locate(3, 3), "12073008");
}

TEST(KommuneLocator, RejectsWhatIsNoBoundary) {
    KommuneLocator locator;
    EXPECT_THROW(locator.add("1", {0x01, 0x02}), InvalidGeometry);
    // WKB of POINT (1 2)
    std::vector<unsigned char> point = {0x01, 0x01, 0, 0, 0};
    for (double v : {1.0, 2.0}) {
        unsigned char bytes[8];
        std::memcpy(bytes, &v, 8);
        point.insert(point.end(), bytes, bytes + 8);
    }
    EXPECT_THROW(locator.add("1", point), InvalidGeometry);
    EXPECT_EQ(locator.size(), 0u);
}

// Real boundaries: every Gemeinde and Kreis of VG5000; the Bayreuth-Nord buildings counted
// per Gemeinde must match the reference counts in SOURCES.md (computed with GEOS
// PointOnSurface + Contains on the same VG5000 polygons, by an independent script).
TEST(KommuneLocator, RealVg5000MatchesReferenceCounts) {
    const auto gem = test::shared_data("kommunen/vg5000_2021/VG5000_GEM.shp");
    const auto krs = test::shared_data("kommunen/vg5000_2021/VG5000_KRS.shp");
    const auto buildings = test::shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    const auto counts_csv =
        test::shared_data("buildings/osm_bayreuth_nord_2014_buildings_counts_by_vg5000_gem.csv");
    LEERSTAND_REQUIRE_SHARED(gem);
    KommuneLocator locator;
    for (const auto& path : {gem, krs}) {
        auto reader = geo::FeatureReader::open(path, {});
        geo::SourceFeature f;
        while (reader.next(f)) {
            ASSERT_TRUE(f.footprint) << test::attribute(f, "AGS");
            locator.add(test::attribute(f, "AGS"), f.footprint->wkb);
        }
    }
    EXPECT_EQ(locator.size(), 10997u + 401u);

    std::map<std::string, long long> expected;
    std::ifstream csv(counts_csv);
    std::string line;
    std::getline(csv, line);  // header
    while (std::getline(csv, line)) {
        const auto first = line.find(',');
        const auto last = line.rfind(',');
        expected[line.substr(0, first)] = std::stoll(line.substr(last + 1));
    }
    ASSERT_EQ(expected.size(), 8u);

    std::map<std::string, long long> counted;
    auto reader = geo::FeatureReader::open(buildings, {});
    geo::SourceFeature f;
    while (reader.next(f)) {
        ASSERT_TRUE(f.footprint);
        const auto ags = locator.locate(f.footprint->anchor_lon, f.footprint->anchor_lat);
        ASSERT_TRUE(ags.has_value()) << f.index;
        EXPECT_EQ(ags->size(), 8u);  // a Gemeinde, never just its Kreis
        ++counted[*ags];
    }
    EXPECT_EQ(counted, expected);

    // The founding places, by a point in their centre.
    EXPECT_EQ(locator.locate(13.9939, 53.0157), "12073008");   // Angermünde
    EXPECT_EQ(locator.locate(12.0010, 50.0890), "09479145");   // Röslau
    EXPECT_TRUE(locator.contains("12073", 13.9939, 53.0157));  // Landkreis Uckermark
    EXPECT_EQ(locator.locate(2.35, 48.85), std::nullopt);      // Paris
}
