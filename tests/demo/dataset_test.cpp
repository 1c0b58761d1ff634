// The demo generator (`leerstand demo`): what it makes, that it is deterministic, that its
// outlines are the shipped VG5000 ones (areas measured by GDAL on the shipped file), that every
// footprint lies inside its Kommune (checked with the GEOS-backed KommuneLocator), and the
// reports, history, profiles and Zukunftsorte it makes up.
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
#include "common/iso_date.hpp"
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

/// The Gemeinden the demo puts buildings in.
const std::set<std::string> gemeinden = {"12073008", "12062224", "14521410",
                                         "09479136", "09479152", "09479169"};

/// A fixed reference day, so the tests see the same history on any day they run.
Options fixed_day(const std::string& day = "2026-12-07") {
    Options options;
    options.as_of = IsoDate::parse(day);
    return options;
}

class DemoDatasetTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        s_dataset = std::make_unique<Dataset>(make_dataset(fixed_day()));
    }
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

TEST_F(DemoDatasetTest, HasTheFoundingMembersAndEveryKommuneOfTheLandkreis) {
    std::map<std::string, const data::KommuneRecord*> by_ags;
    for (const Kommune& k : dataset().kommunen) by_ags[k.record.ags] = &k.record;
    // 3 Gemeinden, the Landkreis and its 17 Gemeinden and 9 gemeindefreie Gebiete (VG5000).
    ASSERT_EQ(by_ags.size(), 30U);
    EXPECT_EQ(dataset().kommunen.front().record.ags, "09479") << "parents before children";
    // Names and kinds as in BKG VG5000 (shared/data/SOURCES.md lists these AGS).
    EXPECT_EQ(by_ags.at("12073008")->name, "Angerm\xC3\xBCnde");
    EXPECT_EQ(by_ags.at("12073008")->bez, "Stadt");
    EXPECT_EQ(by_ags.at("12062224")->name, "Herzberg (Elster)");
    EXPECT_EQ(by_ags.at("14521410")->name, "Neukirchen/Erzgeb.");
    EXPECT_EQ(by_ags.at("14521410")->bez, "Gemeinde");
    EXPECT_EQ(by_ags.at("09479")->bez, "Landkreis");
    EXPECT_EQ(by_ags.at("09479")->parent_ags, "");
    EXPECT_EQ(by_ags.at("09479145")->name, "R\xC3\xB6slau");
    EXPECT_EQ(by_ags.at("09479453")->bez, "Gemeindefreies Gebiet");
    for (const auto& [ags, record] : by_ags) {
        if (ags.size() == 8) {
            EXPECT_EQ(record->parent_ags, ags.substr(0, 5)) << ags;
        }
    }
    EXPECT_EQ(by_ags.at("09479152")->name, "Selb");
    for (const Kommune& k : dataset().kommunen) {
        EXPECT_FALSE(k.record.boundary.empty()) << k.record.ags;
        EXPECT_GT(k.record.area_m2, 1e5) << k.record.ags;
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

// VG5000 tiles the Landkreis with its Gemeinden and gemeindefreie Gebiete: their areas add up
// to the Kreis's.
TEST_F(DemoDatasetTest, TheLandkreisIsTiledByItsKommunen) {
    double kreis_area = 0.0;
    double parts_area = 0.0;
    int parts = 0;
    for (const Kommune& k : dataset().kommunen) {
        if (k.record.ags == "09479") kreis_area = k.record.area_m2;
        if (k.record.parent_ags == "09479") {
            ++parts;
            parts_area += k.record.area_m2;
        }
    }
    EXPECT_EQ(parts, 26);
    EXPECT_NEAR(parts_area / kreis_area, 1.0, 0.01);
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
    const Dataset again = make_dataset(fixed_day());
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

    Options other = fixed_day();
    other.seed = 2;
    const Dataset different = make_dataset(other);
    EXPECT_EQ(different.kommunen[0].wkt, dataset().kommunen[0].wkt) << "the real outlines";
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
    Options options = fixed_day();
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
    Options options = fixed_day();
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

/// AGS → area in m² of the features of a file, as GDAL measures them (ogr2ogr's SQLite
/// dialect: SpatiaLite's ST_Area in ETRS89 / UTM 33N), for the rows `where` selects.
std::map<std::string, double> areas_by_gdal(const std::string& file, const std::string& layer,
                                            const std::string& where) {
    const auto result = test::run_command(
        {"ogr2ogr", "-f", "CSV", "/vsistdout/", file, "-dialect", "sqlite", "-sql",
         "SELECT AGS, ST_Area(ST_Transform(geometry, 25833)) AS area FROM " + layer + " WHERE " +
             where});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::map<std::string, double> areas;
    std::istringstream lines(result.out);
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
        const auto comma = line.find(',');
        if (comma == std::string::npos) continue;
        std::string ags = line.substr(0, comma);
        if (ags.size() >= 2 && ags.front() == '"') ags = ags.substr(1, ags.size() - 2);
        areas[ags] = std::stod(line.substr(comma + 1));
    }
    return areas;
}

const std::string k_shipped_outlines =
    std::string(LEERSTAND_SOURCE_DIR) + "/demo/data/vg5000_2021_demo_kommunen.geojson";

TEST_F(DemoDatasetTest, OutlinesAreTheShippedVg5000Ones) {
    const auto shipped = areas_by_gdal(k_shipped_outlines, "vg5000_2021_demo_kommunen", "1");
    ASSERT_EQ(shipped.size(), dataset().kommunen.size());
    for (const Kommune& k : dataset().kommunen) {
        ASSERT_TRUE(shipped.count(k.record.ags)) << k.record.ags;
        EXPECT_NEAR(k.record.area_m2 / shipped.at(k.record.ags), 1.0, 0.01) << k.record.ags;
    }
}

// The shipped file against the VG5000 it was made from (when ../shared/data is there).
TEST(DemoOutlinesTest, TheShippedFileHoldsTheVg5000Outlines) {
    const auto founding =
        test::shared_data("kommunen/founding_kommunen_and_neighbours_vg5000.geojson");
    const auto kreise = test::shared_data("kommunen/vg5000_2021/VG5000_KRS.shp");
    LEERSTAND_REQUIRE_SHARED(founding);
    LEERSTAND_REQUIRE_SHARED(kreise);
    auto real =
        areas_by_gdal(founding.string(), "founding_kommunen_and_neighbours", "founding = 1");
    ASSERT_EQ(real.size(), 29U);  // SOURCES.md: founding = 1 for 29 features
    real.merge(areas_by_gdal(kreise.string(), "VG5000_KRS", "AGS = '09479'"));
    const auto shipped = areas_by_gdal(k_shipped_outlines, "vg5000_2021_demo_kommunen", "1");
    ASSERT_EQ(shipped.size(), real.size());
    for (const auto& [ags, area] : real) {
        ASSERT_TRUE(shipped.count(ags)) << ags;
        EXPECT_NEAR(shipped.at(ags) / area, 1.0, 0.01) << ags;
    }
}

// -------------------------------------------------------------------------------- reports

/// The state a report ends in.
const data::VacancyRecord& final_state(const Vacancy& v) {
    return v.steps.back().state;
}

TEST_F(DemoDatasetTest, ReportsCoverEveryStatusAndUse) {
    const auto& vacancies = dataset().vacancies;
    EXPECT_GE(vacancies.size(), 40U);
    EXPECT_LE(vacancies.size(), 80U);
    std::map<std::string, int> by_status;
    std::map<std::string, int> by_use;
    std::set<std::size_t> buildings;
    for (const Vacancy& v : vacancies) {
        ++by_status[final_state(v).status];
        ++by_use[final_state(v).use];
        EXPECT_TRUE(buildings.insert(v.building).second) << "one report per building";
        const Building& b = dataset().buildings.at(v.building);
        for (const VacancyStep& step : v.steps) {
            EXPECT_EQ(step.state.kommune_ags, b.record.kommune_ags);
            EXPECT_EQ(step.state.lon, b.anchor_lon);
            EXPECT_EQ(step.state.lat, b.anchor_lat);
        }
    }
    for (const std::string_view status : data::k_vacancy_statuses)
        EXPECT_GE(by_status[std::string(status)], 3) << status;
    for (const std::string_view use : data::k_vacancy_uses)
        EXPECT_GE(by_use[std::string(use)], 3) << use;
    std::set<std::string> kommunen;
    for (const Vacancy& v : vacancies) kommunen.insert(final_state(v).kommune_ags);
    EXPECT_EQ(kommunen, gemeinden);
}

TEST_F(DemoDatasetTest, HistorySpreadsOverTheLast24MonthsInLifecycleOrder) {
    // as_of 2026-12-07: the months 2024-12 .. 2026-11; December 2026 has not begun its figures.
    const std::string first = "2024-12-01T00:00:00Z";
    const std::string end = "2026-12-01T00:00:00Z";
    const std::map<std::string, std::set<std::string>> next = {
        {"gemeldet", {"bestaetigt", "kein_leerstand"}},
        {"bestaetigt", {"in_aktivierung", "abgerissen"}},
        {"in_aktivierung", {"aktiviert"}}};
    std::set<std::string> months;
    for (const Vacancy& v : dataset().vacancies) {
        ASSERT_FALSE(v.steps.empty());
        EXPECT_EQ(v.steps.front().state.status, "gemeldet");
        for (std::size_t k = 0; k < v.steps.size(); ++k) {
            const VacancyStep& step = v.steps[k];
            EXPECT_GE(step.at, first);
            EXPECT_LT(step.at, end);
            ASSERT_TRUE(IsoDate::parse(step.at.substr(0, 10))) << step.at;
            months.insert(step.at.substr(0, 7));
            if (k == 0) continue;
            const VacancyStep& before = v.steps[k - 1];
            EXPECT_LT(before.at, step.at);
            ASSERT_TRUE(next.count(before.state.status)) << before.state.status;
            EXPECT_TRUE(next.at(before.state.status).count(step.state.status))
                << before.state.status << " -> " << step.state.status;
        }
        ASSERT_TRUE(final_state(v).vacant_since);
        EXPECT_LT(*final_state(v).vacant_since, v.steps.front().at.substr(0, 10));
    }
    EXPECT_GE(months.size(), 12U) << "a trend needs reports spread over the months";
}

// docs/privacy.md, rule 1: a count shows when it and its unpublished part are 0 or at least 3.
bool safe(int count) {
    return count == 0 || count >= 3;
}

TEST_F(DemoDatasetTest, APublishedShareThatThePublicFiguresCanShow) {
    int published = 0;
    // (Kommune, status or use) → (all, unpublished)
    std::map<std::pair<std::string, std::string>, std::pair<int, int>> cells;
    for (const Vacancy& v : dataset().vacancies) {
        const data::VacancyRecord& last = final_state(v);
        published += last.consent_publish;
        if (last.consent_publish) {
            ASSERT_TRUE(last.public_description);
            EXPECT_GT(last.public_description->size(), 40U);
        }
        EXPECT_TRUE(last.owner_contact) << "staff know the owner";
        for (const std::string& key :
             std::vector<std::string>{"status " + last.status, "use " + last.use, "all"}) {
            auto& [all, hidden] = cells[{last.kommune_ags, key}];
            ++all;
            hidden += !last.consent_publish;
        }
        // Once given, consent stays.
        bool consented = false;
        for (const VacancyStep& step : v.steps) {
            EXPECT_TRUE(step.state.consent_publish || !consented);
            consented = step.state.consent_publish;
        }
    }
    const int total = static_cast<int>(dataset().vacancies.size());
    EXPECT_GE(published, total / 3);
    EXPECT_LE(published, total * 3 / 4) << "the rest stays private";
    for (const auto& [cell, counts] : cells) {
        EXPECT_TRUE(safe(counts.first) && safe(counts.second))
            << cell.first << " " << cell.second << ": " << counts.first << " reports, "
            << counts.second << " unpublished";
    }
}

TEST_F(DemoDatasetTest, ZukunftsorteComeFromActivatedReports) {
    const auto& places = dataset().zukunftsorte;
    EXPECT_GE(places.size(), 6U);
    EXPECT_LE(places.size(), 10U);
    std::set<std::string> names;
    int linked = 0;
    for (const Zukunftsort& place : places) {
        const data::ZukunftsortRecord& r = place.record;
        EXPECT_TRUE(names.insert(r.name).second) << r.name;
        ASSERT_TRUE(r.kind && r.description && r.opened && r.kommune_ags) << r.name;
        EXPECT_EQ(*r.opened, place.at.substr(0, 10));
        EXPECT_LE(*r.opened, dataset().as_of);
        const Building& b = dataset().buildings.at(place.building);
        EXPECT_EQ(*r.kommune_ags, b.record.kommune_ags);
        EXPECT_EQ(r.lon, b.anchor_lon);
        if (!place.vacancy) continue;
        ++linked;
        const Vacancy& from = dataset().vacancies.at(*place.vacancy);
        EXPECT_EQ(final_state(from).status, "aktiviert") << r.name;
        EXPECT_EQ(from.building, place.building);
        EXPECT_GT(place.at, from.steps.back().at) << r.name << " opens after the activation";
    }
    EXPECT_GE(linked, static_cast<int>(places.size()) / 2);
}

/// Sentences in `text`: stops (., ! or ?) at its end or before a space.
int sentences_in(const std::string& text) {
    int count = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool stop = text[i] == '.' || text[i] == '!' || text[i] == '?';
        if (stop && (i + 1 == text.size() || text[i + 1] == ' ')) ++count;
    }
    return count;
}

TEST_F(DemoDatasetTest, EveryZukunftsortTellsItsStoryWithPictures) {
    std::set<std::string> ids;
    for (const Picture& p : dataset().pictures) ids.insert(p.id);
    for (const Zukunftsort& place : dataset().zukunftsorte) {
        const data::ZukunftsortRecord& r = place.record;
        ASSERT_TRUE(r.story) << r.name;
        // The story's own sentences, then "(Demodaten)": clearly a demo.
        EXPECT_GE(sentences_in(*r.story), 3) << r.name << ": " << *r.story;
        EXPECT_LE(sentences_in(*r.story), 6) << r.name << ": " << *r.story;
        EXPECT_NE(r.story->find("(Demodaten)"), std::string::npos) << r.name;
        EXPECT_GE(r.images.size(), 1U) << r.name;
        EXPECT_LE(r.images.size(), 2U) << r.name;
        ASSERT_EQ(place.pictures.size(), r.images.size()) << r.name;
        for (std::size_t i = 0; i < r.images.size(); ++i) {
            const Picture& picture = place.pictures[i];
            EXPECT_EQ(picture.id, r.images[i]) << r.name;
            EXPECT_EQ(picture.kommune_ags, *r.kommune_ags) << r.name;
            EXPECT_EQ(picture.id.size(), 32U);
            EXPECT_EQ(picture.id.find_first_not_of("0123456789abcdef"), std::string::npos);
            EXPECT_TRUE(ids.insert(picture.id).second) << "one id, one picture: " << picture.id;
        }
    }
}

TEST_F(DemoDatasetTest, ProfilesOfTheFourFoundingMembers) {
    std::set<std::string> members;
    for (const data::KommuneProfileRecord& p : dataset().profiles) {
        members.insert(p.ags);
        ASSERT_TRUE(p.text && p.website && p.contact && p.member_since) << p.ags;
        EXPECT_GE(std::count(p.text->begin(), p.text->end(), '.'), 3) << p.ags;
        EXPECT_NE(p.text->find("Demodaten"), std::string::npos) << "clearly a demo";
        EXPECT_EQ(p.website->rfind("https://", 0), 0U) << *p.website;
        EXPECT_NE(p.contact->find(".example.org"), std::string::npos) << *p.contact;
        EXPECT_TRUE(IsoDate::parse(*p.member_since));
        EXPECT_LT(*p.member_since, dataset().vacancies.front().steps.front().at);
        EXPECT_TRUE(p.founding_member);
        ASSERT_TRUE(p.image_id) << p.ags;
        const auto picture =
            std::find_if(dataset().pictures.begin(), dataset().pictures.end(),
                         [&](const Picture& candidate) { return candidate.id == *p.image_id; });
        ASSERT_NE(picture, dataset().pictures.end()) << p.ags;
        EXPECT_EQ(picture->kommune_ags, p.ags);
        EXPECT_EQ(p.image_id->size(), 32U);
        EXPECT_EQ(p.image_id->find_first_not_of("0123456789abcdef"), std::string::npos);
    }
    EXPECT_EQ(members, (std::set<std::string>{"12073008", "12062224", "14521410", "09479"}));
}

TEST_F(DemoDatasetTest, TheReferenceDayMovesTheHistoryAndNothingElse) {
    const Dataset earlier = make_dataset(fixed_day("2025-03-20"));
    ASSERT_EQ(earlier.vacancies.size(), dataset().vacancies.size());
    ASSERT_EQ(earlier.buildings.size(), dataset().buildings.size());
    for (std::size_t i = 0; i < earlier.vacancies.size(); ++i) {
        EXPECT_EQ(earlier.vacancies[i].building, dataset().vacancies[i].building);
        EXPECT_LT(earlier.vacancies[i].steps.back().at, "2025-03-01");
    }
    const Dataset again = make_dataset(fixed_day());
    ASSERT_EQ(again.vacancies.size(), dataset().vacancies.size());
    for (std::size_t i = 0; i < again.vacancies.size(); ++i) {
        ASSERT_EQ(again.vacancies[i].steps.size(), dataset().vacancies[i].steps.size());
        for (std::size_t k = 0; k < again.vacancies[i].steps.size(); ++k) {
            EXPECT_EQ(again.vacancies[i].steps[k].at, dataset().vacancies[i].steps[k].at);
            EXPECT_EQ(again.vacancies[i].steps[k].state.internal_notes,
                      dataset().vacancies[i].steps[k].state.internal_notes);
        }
    }
    for (std::size_t i = 0; i < again.zukunftsorte.size(); ++i)
        EXPECT_EQ(again.zukunftsorte[i].at, dataset().zukunftsorte[i].at);
}

TEST(DemoOptionsTest, BuildingsOnlyMakesNoReportsProfilesOrPlaces) {
    Options options = fixed_day();
    options.buildings_only = true;
    const Dataset bare = make_dataset(options);
    EXPECT_EQ(bare.kommunen.size(), 30U);
    EXPECT_GE(bare.buildings.size(), 2000U);
    EXPECT_TRUE(bare.vacancies.empty());
    EXPECT_TRUE(bare.profiles.empty());
    EXPECT_TRUE(bare.zukunftsorte.empty());
}

}  // namespace
}  // namespace leerstand::demo
