// The demo generator (`leerstand demo`): what it makes, that it is deterministic, that every
// footprint lies inside its Kommune (checked with the GEOS-backed KommuneLocator), and that it
// sits at the real places.
#include "demo/dataset.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "geo/footprint.hpp"
#include "geo/kommune_locator.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::demo {
namespace {

using Point = std::pair<double, double>;  // lon, lat
using Polygon = std::vector<Point>;       // closed: last == first

/// The outer ring of a one-polygon MULTIPOLYGON WKT, as the generator writes it.
Polygon outer_ring(const std::string& wkt) {
    const std::string head = "MULTIPOLYGON(((";
    EXPECT_EQ(wkt.rfind(head, 0), 0U) << wkt;
    EXPECT_EQ(wkt.find('(', head.size()), std::string::npos) << "one ring expected: " << wkt;
    Polygon ring;
    const char* p = wkt.c_str() + head.size();
    while (*p != ')' && *p != '\0') {
        char* end = nullptr;
        const double lon = std::strtod(p, &end);
        const double lat = std::strtod(end, &end);
        ring.emplace_back(lon, lat);
        p = end;
        if (*p == ',') ++p;
    }
    return ring;
}

const std::set<std::string> gemeinden = {"12073008", "12062224", "14521410",
                                         "09479136", "09479152", "09479169"};

class DemoDatasetTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { s_dataset = std::make_unique<Dataset>(make_dataset(Options{})); }
    static void TearDownTestSuite() { s_dataset.reset(); }
    static const Dataset& dataset() { return *s_dataset; }

    static geo::KommuneLocator locator_of(const Dataset& ds) {
        geo::KommuneLocator locator;
        for (const Kommune& k : ds.kommunen) locator.add(k.record.ags, k.record.boundary);
        return locator;
    }

  private:
    static inline std::unique_ptr<Dataset> s_dataset;
};

TEST_F(DemoDatasetTest, HasTheFourFoundingMembersAndThreeLandkreisTowns) {
    std::map<std::string, const data::KommuneRecord*> by_ags;
    for (const Kommune& k : dataset().kommunen) by_ags[k.record.ags] = &k.record;
    ASSERT_EQ(by_ags.size(), 7U);
    // Names and keys as in BKG VG5000 (shared/data/SOURCES.md lists these AGS).
    EXPECT_EQ(by_ags.at("12073008")->name, "Angerm\xC3\xBCnde");
    EXPECT_EQ(by_ags.at("12073008")->bez, "Stadt");
    EXPECT_EQ(by_ags.at("12062224")->name, "Herzberg (Elster)");
    EXPECT_EQ(by_ags.at("14521410")->name, "Neukirchen/Erzgeb.");
    EXPECT_EQ(by_ags.at("14521410")->bez, "Gemeinde");
    EXPECT_EQ(by_ags.at("09479")->bez, "Landkreis");
    EXPECT_EQ(by_ags.at("09479")->parent_ags, "");
    for (const std::string& ags : gemeinden) {
        ASSERT_TRUE(by_ags.count(ags)) << ags;
        EXPECT_EQ(by_ags.at(ags)->parent_ags, ags.substr(0, 5)) << ags;
    }
    EXPECT_EQ(by_ags.at("09479152")->name, "Selb");
    for (const Kommune& k : dataset().kommunen) {
        EXPECT_FALSE(k.record.boundary.empty()) << k.record.ags;
        EXPECT_GT(k.record.area_m2, 1e7) << k.record.ags;  // every one is over 10 km² in VG5000
    }
}

TEST_F(DemoDatasetTest, MakesAFewThousandBuildingsSpreadOverTheGemeinden) {
    std::map<std::string, int> per_kommune;
    for (const Building& b : dataset().buildings) ++per_kommune[b.record.kommune_ags];
    const auto total = dataset().buildings.size();
    EXPECT_GE(total, 2000U);  // "a few thousand footprints" (the issue)
    EXPECT_LE(total, 8000U);
    EXPECT_EQ(per_kommune.count("09479"), 0U) << "buildings belong to Gemeinden, not the Kreis";
    for (const std::string& ags : gemeinden) EXPECT_GE(per_kommune[ags], 300) << ags;
    // Angermünde is the largest place of the four, so it gets the most buildings.
    for (const auto& [ags, n] : per_kommune) EXPECT_LE(n, per_kommune["12073008"]) << ags;
}

TEST_F(DemoDatasetTest, EveryFootprintLiesInsideItsKommune) {
    const geo::KommuneLocator locator = locator_of(dataset());
    for (const Building& b : dataset().buildings) {
        const std::string& ags = b.record.kommune_ags;
        ASSERT_TRUE(gemeinden.count(ags)) << b.record.source_ref;
        EXPECT_EQ(locator.locate(b.anchor_lon, b.anchor_lat), ags) << b.record.source_ref;
        for (const auto& [lon, lat] : outer_ring(b.wkt)) {
            // Most specific Kommune wins, so this also proves the towns do not overlap.
            ASSERT_EQ(locator.locate(lon, lat), ags) << b.record.source_ref << " " << b.wkt;
            if (ags.rfind("09479", 0) == 0) {
                ASSERT_TRUE(locator.contains("09479", lon, lat)) << b.record.source_ref;
            }
        }
    }
}

// Each town's boundary vertices lie inside the Landkreis; with simple rings that means the
// whole town does unless a Landkreis edge cuts through it, which the footprint test would see.
TEST_F(DemoDatasetTest, LandkreisTownsNestInsideTheLandkreis) {
    const geo::KommuneLocator locator = locator_of(dataset());
    double kreis_area = 0.0;
    for (const Kommune& k : dataset().kommunen) {
        if (k.record.ags == "09479") kreis_area = k.record.area_m2;
    }
    int towns = 0;
    double town_area = 0.0;
    for (const Kommune& k : dataset().kommunen) {
        if (k.record.parent_ags != "09479") continue;
        ++towns;
        town_area += k.record.area_m2;
        for (const auto& [lon, lat] : outer_ring(k.wkt)) {
            EXPECT_TRUE(locator.contains("09479", lon, lat))
                << k.record.ags << " " << lon << " " << lat;
        }
    }
    EXPECT_EQ(towns, 3);
    EXPECT_LT(town_area, kreis_area);
}

TEST_F(DemoDatasetTest, FootprintsAreBuildingSized) {
    const std::set<std::string> functions = {"Wohnhaus",
                                             "Wohn- und Geschäftshaus",
                                             "Öffentliches Gebäude",
                                             "Gewerbe",
                                             "Landwirtschaftliches Betriebsgebäude",
                                             "Scheune",
                                             "Stall",
                                             "Garage",
                                             "Schuppen"};
    std::set<std::string> refs;
    int l_shapes = 0;
    for (const Building& b : dataset().buildings) {
        const data::BuildingRecord& r = b.record;
        // Sides 5–25 m (the brief: rectangles and L-shapes 8–25 m; garages down to 5 m deep).
        EXPECT_GE(r.area_m2, 8.0 * 5.0 * 0.95) << r.source_ref;
        EXPECT_LE(r.area_m2, 25.0 * 25.0) << r.source_ref;
        const std::size_t vertices = outer_ring(b.wkt).size();
        EXPECT_TRUE(vertices == 5 || vertices == 7) << b.wkt;
        l_shapes += vertices == 7;
        EXPECT_TRUE(functions.count(r.function)) << r.function;
        ASSERT_TRUE(r.floors.has_value());
        EXPECT_GE(*r.floors, 1);
        EXPECT_LE(*r.floors, 4);
        EXPECT_FALSE(r.street.empty());
        EXPECT_FALSE(r.housenumber.empty());
        EXPECT_EQ(r.housenumber.find_first_not_of("0123456789"), std::string::npos);
        EXPECT_EQ(r.postcode.size(), 5U);
        EXPECT_FALSE(r.city.empty());
        EXPECT_TRUE(refs.insert(r.source_ref).second) << "duplicate " << r.source_ref;
        EXPECT_EQ(r.source_ref.rfind("demo:", 0), 0U);
    }
    EXPECT_GT(l_shapes, 100);
}

/// True when segments ab and cd cross or touch.
bool segments_meet(Point a, Point b, Point c, Point d) {
    const auto orient = [](Point p, Point q, Point r) {
        const double v = (q.first - p.first) * (r.second - p.second) -
                         (q.second - p.second) * (r.first - p.first);
        return (v > 0) - (v < 0);
    };
    const int o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a),
              o4 = orient(c, d, b);
    return o1 != o2 && o3 != o4;
}

bool point_in(const Polygon& ring, Point p) {
    bool in = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const Point a = ring[i], b = ring[j];
        if ((a.second > p.second) != (b.second > p.second) &&
            p.first < (b.first - a.first) * (p.second - a.second) / (b.second - a.second) + a.first)
            in = !in;
    }
    return in;
}

bool polygons_meet(const Polygon& a, const Polygon& b) {
    for (std::size_t i = 0; i + 1 < a.size(); ++i) {
        for (std::size_t j = 0; j + 1 < b.size(); ++j) {
            if (segments_meet(a[i], a[i + 1], b[j], b[j + 1])) return true;
        }
    }
    return point_in(b, a.front()) || point_in(a, b.front());
}

// Segment intersection is invariant under the lon/lat ↔ metre map, so lon/lat is fine here.
TEST_F(DemoDatasetTest, FootprintsNeitherOverlapNorTouch) {
    struct Item {
        Polygon ring;
        double x0, y0, x1, y1;
    };
    std::vector<Item> items;
    for (const Building& b : dataset().buildings) {
        Item item{outer_ring(b.wkt), 1e9, 1e9, -1e9, -1e9};
        for (const auto& [x, y] : item.ring) {
            item.x0 = std::min(item.x0, x), item.y0 = std::min(item.y0, y);
            item.x1 = std::max(item.x1, x), item.y1 = std::max(item.y1, y);
        }
        items.push_back(std::move(item));
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.x0 < b.x0; });
    int close_pairs = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        for (std::size_t j = i + 1; j < items.size() && items[j].x0 <= items[i].x1; ++j) {
            if (items[j].y0 > items[i].y1 || items[j].y1 < items[i].y0) continue;
            ++close_pairs;
            ASSERT_FALSE(polygons_meet(items[i].ring, items[j].ring)) << i << " and " << j;
        }
    }
    RecordProperty("bbox_overlapping_pairs", close_pairs);
}

TEST_F(DemoDatasetTest, SameSeedGivesIdenticalDataAndAnotherSeedDoesNot) {
    const Dataset again = make_dataset(Options{});
    ASSERT_EQ(again.kommunen.size(), dataset().kommunen.size());
    ASSERT_EQ(again.buildings.size(), dataset().buildings.size());
    for (std::size_t i = 0; i < again.kommunen.size(); ++i) {
        EXPECT_EQ(again.kommunen[i].wkt, dataset().kommunen[i].wkt);
        EXPECT_EQ(again.kommunen[i].record.boundary, dataset().kommunen[i].record.boundary);
    }
    for (std::size_t i = 0; i < again.buildings.size(); ++i) {
        const Building& a = again.buildings[i];
        const Building& b = dataset().buildings[i];
        ASSERT_EQ(a.wkt, b.wkt) << i;
        EXPECT_EQ(a.record.footprint, b.record.footprint);
        EXPECT_EQ(a.record.kommune_ags, b.record.kommune_ags);
        EXPECT_EQ(a.record.function, b.record.function);
        EXPECT_EQ(a.record.floors, b.record.floors);
        EXPECT_EQ(a.record.street, b.record.street);
        EXPECT_EQ(a.record.housenumber, b.record.housenumber);
        EXPECT_EQ(a.record.source_ref, b.record.source_ref);
        EXPECT_EQ(a.record.attributes_json, b.record.attributes_json);
    }

    Options other;
    other.seed = 2;
    const Dataset different = make_dataset(other);
    EXPECT_NE(different.kommunen[0].wkt, dataset().kommunen[0].wkt);
    std::set<std::string> first;
    for (const Building& b : dataset().buildings) first.insert(b.wkt);
    int shared = 0;
    for (const Building& b : different.buildings) shared += static_cast<int>(first.count(b.wkt));
    EXPECT_EQ(shared, 0);
}

TEST_F(DemoDatasetTest, CoordinatesHaveSevenDecimals) {
    for (const Building& b : dataset().buildings) {
        std::istringstream in(b.wkt.substr(std::string("MULTIPOLYGON(((").size()));
        std::string token;
        while (std::getline(in, token, ',')) {
            std::istringstream pair(token);
            std::string lon, lat;
            pair >> lon >> lat;
            for (const std::string& number : {lon, lat}) {
                const std::string digits = number.substr(0, number.find(')'));
                ASSERT_EQ(digits.size() - digits.find('.') - 1, 7U) << b.wkt;
            }
        }
    }
}

TEST_F(DemoDatasetTest, StreetNamesAreUtf8WithUmlauts) {
    int with_umlaut = 0;
    std::set<std::string> streets;
    for (const Building& b : dataset().buildings) {
        const std::string& s = b.record.street;
        streets.insert(s);
        // UTF-8 ä ö ü ß are C3 A4, C3 B6, C3 BC, C3 9F; Latin-1 would be a lone E4/F6/FC/DF.
        with_umlaut +=
            s.find("\xC3\xA4") != std::string::npos || s.find("\xC3\xB6") != std::string::npos ||
            s.find("\xC3\xBC") != std::string::npos || s.find("\xC3\x9F") != std::string::npos;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c < 0x80) continue;
            ASSERT_EQ(c, 0xC3) << s;  // only Latin-1 letters as two-byte UTF-8
            ++i;
        }
    }
    EXPECT_GT(with_umlaut, 0);
    EXPECT_TRUE(
        streets.count("Hauptstra\xC3\x9F"
                      "e"));
    EXPECT_GT(streets.size(), 40U);
}

TEST(DemoOptionsTest, BuildingsPerKommuneIsHonouredAndChecked) {
    Options options;
    options.buildings_per_kommune = 40;
    const Dataset small = make_dataset(options);
    std::map<std::string, int> per_kommune;
    for (const Building& b : small.buildings) ++per_kommune[b.record.kommune_ags];
    EXPECT_EQ(per_kommune.size(), gemeinden.size());
    for (const std::string& ags : gemeinden) EXPECT_EQ(per_kommune[ags], 40) << ags;

    options.buildings_per_kommune = -1;
    EXPECT_THROW(make_dataset(options), InvalidInput);
    options.buildings_per_kommune = k_max_buildings_per_kommune + 1;
    EXPECT_THROW(make_dataset(options), InvalidInput);
}

TEST(DemoOptionsTest, TheLargestSettingStillFitsEveryKommune) {
    Options options;
    options.buildings_per_kommune = k_max_buildings_per_kommune;
    const Dataset big = make_dataset(options);
    std::map<std::string, int> per_kommune;
    for (const Building& b : big.buildings) ++per_kommune[b.record.kommune_ags];
    for (const std::string& ags : gemeinden) {
        EXPECT_EQ(per_kommune[ags], k_max_buildings_per_kommune) << ags;
    }
    // Crowded Kommunen push settlements to the boundary: still all inside.
    geo::KommuneLocator locator;
    for (const Kommune& k : big.kommunen) locator.add(k.record.ags, k.record.boundary);
    for (const Building& b : big.buildings) {
        for (const auto& [lon, lat] : outer_ring(b.wkt)) {
            ASSERT_EQ(locator.locate(lon, lat), b.record.kommune_ags) << b.record.source_ref;
        }
    }
}

// ------------------------------------------------------------------- against the real places

/// AGS → (real area in m², real boundary WKT) for the founding places in the shared VG5000
/// extract, read with ogr2ogr's SQLite dialect (SpatiaLite computes the area in EPSG:25833).
std::map<std::string, std::pair<double, std::string>> real_places(const std::string& geojson) {
    const auto result = test::run_command(
        {"ogr2ogr", "-f", "CSV", "/vsistdout/", geojson, "-dialect", "sqlite", "-sql",
         "SELECT AGS, ST_Area(ST_Transform(geometry, 25833)) AS area, AsText(geometry) AS wkt "
         "FROM founding_kommunen_and_neighbours WHERE founding = 1"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::map<std::string, std::pair<double, std::string>> places;
    std::istringstream lines(result.out);
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
        const auto first = line.find(',');
        const auto second = line.find(',', first + 1);
        if (second == std::string::npos) continue;
        const auto unquote = [](std::string text) {
            if (text.size() >= 2 && text.front() == '"') text = text.substr(1, text.size() - 2);
            return text;
        };
        places[unquote(line.substr(0, first))] = {
            std::stod(line.substr(first + 1, second - first - 1)),
            unquote(line.substr(second + 1))};
    }
    return places;
}

TEST_F(DemoDatasetTest, SitsAtTheRealPlacesWithTheirRealSize) {
    const auto path = test::shared_data("kommunen/founding_kommunen_and_neighbours_vg5000.geojson");
    LEERSTAND_REQUIRE_SHARED(path);
    const auto real = real_places(path.string());
    ASSERT_EQ(real.size(), 29U);  // SOURCES.md: founding = 1 for 29 features

    geo::KommuneLocator real_locator;
    double kreis_area = 0.0;
    for (const auto& [ags, place] : real) {
        real_locator.add(ags, geo::footprint_from_wkt(place.second).wkb);
        if (ags.rfind("09479", 0) == 0) kreis_area += place.first;
    }
    for (const Kommune& k : dataset().kommunen) {
        const double real_area = k.record.ags == "09479" ? kreis_area : real.at(k.record.ags).first;
        // A plausible boundary: the size of the real Kommune, give or take a third.
        EXPECT_NEAR(k.record.area_m2 / real_area, 1.0, 0.35) << k.record.ags;
    }
    std::map<std::string, std::pair<int, int>> inside_of;  // ags → (inside real, total)
    for (const Building& b : dataset().buildings) {
        const auto found = real_locator.locate(b.anchor_lon, b.anchor_lat);
        auto& [in, total] = inside_of[b.record.kommune_ags];
        in += found == b.record.kommune_ags;
        ++total;
    }
    for (const auto& [ags, counts] : inside_of) {
        // "At the real locations": most footprints fall inside the real Gemeinde, even though
        // the demo boundary is made up.
        EXPECT_GE(counts.first, counts.second * 6 / 10) << ags;
        RecordProperty("inside_real_" + ags,
                       std::to_string(counts.first) + "/" + std::to_string(counts.second));
    }
}

}  // namespace
}  // namespace leerstand::demo
