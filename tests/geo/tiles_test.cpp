// The tiler against references: geojson-vt's own fixtures and expected tiles, real footprints
// cut into z16 tiles and put back together, and the edge cases (poles, antimeridian, a polygon
// larger than the tile, empty and invalid input). GEOS is the independent measure.

#include <geos_c.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "geo/tile_builder.hpp"
#include "geo/tile_encoders.hpp"
#include "geo/tile_math.hpp"
#include "geo/tile_repair.hpp"
#include "tests/support/test_support.hpp"

using namespace leerstand;
using nlohmann::json;

namespace {

// --- GEOS oracle -----------------------------------------------------------------------------

GEOSContextHandle_t geos() {
    static const struct Context {
        GEOSContextHandle_t handle = GEOS_init_r();
        ~Context() { GEOS_finish_r(handle); }
    } context;
    return context.handle;
}

struct GeomFree {
    void operator()(GEOSGeometry* g) const noexcept {
        if (g != nullptr) GEOSGeom_destroy_r(geos(), g);
    }
};
using Geom = std::unique_ptr<GEOSGeometry, GeomFree>;

Geom wkt(const std::string& text) {
    GEOSWKTReader* reader = GEOSWKTReader_create_r(geos());
    Geom g(GEOSWKTReader_read_r(geos(), reader, text.c_str()));
    GEOSWKTReader_destroy_r(geos(), reader);
    return g;
}

std::string point_text(double x, double y) {
    return std::to_string(x) + " " + std::to_string(y);
}

/// Rings as a MULTILINESTRING (each closed), points as a MULTIPOINT: what Hausdorff compares.
template <typename Rings>
Geom outline(const Rings& rings, bool points, double dx = 0, double dy = 0) {
    std::string text = points ? "MULTIPOINT (" : "MULTILINESTRING (";
    bool first_ring = true;
    for (const auto& ring : rings) {
        if (points) {
            for (const auto& p : ring) {
                text += (first_ring ? "" : ", ") + point_text(p[0] + dx, p[1] + dy);
                first_ring = false;
            }
            continue;
        }
        text += first_ring ? "(" : ", (";
        first_ring = false;
        for (std::size_t i = 0; i <= ring.size(); ++i) {
            const auto& p = ring[i % ring.size()];
            text += (i ? ", " : "") + point_text(p[0] + dx, p[1] + dy);
        }
        text += ")";
    }
    return wkt(text + ")");
}

using XY = std::array<double, 2>;
std::vector<std::vector<XY>> as_xy(const std::vector<geo::TileRing>& rings) {
    std::vector<std::vector<XY>> out;
    for (const geo::TileRing& ring : rings) {
        out.emplace_back();
        for (const geo::TilePoint& p : ring) out.back().push_back({double(p.x), double(p.y)});
    }
    return out;
}

/// The largest distance from a vertex of `from` inside the tile (0..4096 both ways) to `to`.
double visible_distance(const std::vector<std::vector<XY>>& from, const GEOSGeometry* to) {
    const GEOSPreparedGeometry* prepared = GEOSPrepare_r(geos(), to);
    double worst = 0;
    for (const auto& ring : from)
        for (const XY& p : ring) {
            if (p[0] < 0 || p[0] > 4096 || p[1] < 0 || p[1] > 4096) continue;
            const Geom point = wkt("POINT (" + point_text(p[0], p[1]) + ")");
            double d = 0;
            GEOSPreparedDistance_r(geos(), prepared, point.get(), &d);
            worst = std::max(worst, d);
        }
    GEOSPreparedGeom_destroy_r(geos(), prepared);
    return worst;
}

/// How far apart two outlines are where a map shows them: inside the tile. (In the buffer
/// geojson-vt's simplify-then-clip and our clip-then-simplify leave different slivers of
/// features that lie mostly beyond it.) Both directions, vertex by vertex.
double distance_in_tile(const std::vector<std::vector<XY>>& ours,
                        const std::vector<std::vector<XY>>& theirs, bool points) {
    // geojson-vt keeps rings that simplifying and rounding collapsed to a line (no area), where
    // the tiler drops them as invalid. They still mark where a part lies, so our vertices may
    // match them, but their own vertices need no counterpart.
    std::vector<std::vector<XY>> with_area;
    for (const auto& r : theirs) {
        double twice_area = 0;
        for (std::size_t i = 0; i < r.size(); ++i)
            twice_area += r[i][0] * r[(i + 1) % r.size()][1] - r[(i + 1) % r.size()][0] * r[i][1];
        if (points || twice_area != 0) with_area.push_back(r);
    }
    return std::max(visible_distance(ours, outline(theirs, points).get()),
                    visible_distance(with_area, outline(ours, points).get()));
}

// --- GeoJSON fixtures as map features --------------------------------------------------------

LonLatRing ring_of(const json& coordinates) {
    LonLatRing ring;
    for (const json& p : coordinates) ring.push_back({p[0].get<double>(), p[1].get<double>()});
    return ring;
}

LonLatPolygon polygon_of(const json& coordinates) {
    LonLatPolygon polygon;
    for (const json& ring : coordinates) polygon.push_back(ring_of(ring));
    return polygon;
}

/// Polygon, MultiPolygon, Point (and each member of a GeometryCollection) become features, as
/// geojson-vt makes them; lines are left out (no layer of the atlas has lines).
void add_geometry(const json& geometry, const json& properties, std::vector<MapFeature>& out) {
    if (!geometry.is_object()) return;
    const std::string type = geometry.value("type", "");
    MapFeature feature;
    feature.id = static_cast<std::int64_t>(out.size()) + 1;
    if (properties.is_object())
        for (const auto& [key, value] : properties.items())
            if (value.is_string()) feature.properties.push_back({key, value.get<std::string>()});
    const json& c = geometry.contains("coordinates") ? geometry["coordinates"] : json();
    if (type == "Polygon" && !c.empty()) {
        feature.polygons.push_back(polygon_of(c));
    } else if (type == "MultiPolygon") {
        for (const json& polygon : c) feature.polygons.push_back(polygon_of(polygon));
    } else if (type == "Point") {
        feature.point = LonLat{c[0].get<double>(), c[1].get<double>()};
    } else if (type == "GeometryCollection") {
        for (const json& member : geometry["geometries"]) add_geometry(member, properties, out);
        return;
    } else {
        return;
    }
    out.push_back(std::move(feature));
}

std::vector<MapFeature> features_of(const json& doc) {
    std::vector<MapFeature> out;
    const std::string type = doc.value("type", "");
    if (type == "FeatureCollection") {
        for (const json& f : doc["features"]) add_geometry(f["geometry"], f["properties"], out);
    } else if (type == "Feature") {
        add_geometry(doc["geometry"], doc["properties"], out);
    } else {
        add_geometry(doc, json(), out);
    }
    return out;
}

json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    return json::parse(in);
}

geo::TileLayer cut(const std::vector<MapFeature>& features, const geo::TileId& id,
                   const geo::TileOptions& options) {
    geo::TileBuilder builder("layer", id, options);
    for (const MapFeature& f : features) builder.add(f);
    return builder.take();
}

/// geojson-vt's settings for its fixtures: extent 4096, buffer 64, tolerance 3.
const geo::TileOptions geojson_vt_options{4096, 64, 3};
// A pixel of a 256-pixel tile, in units of the 4096 extent.
constexpr double k_pixel = 4096.0 / 256;

std::string name_of(const geo::TileFeature& feature) {
    for (const FeatureProperty& p : feature.properties)
        if (p.key == "name") return std::get<std::string>(p.value);
    return "";
}

/// Compares one of our tiles with geojson-vt's expected features (polygons and points; lines
/// skipped): the same number of features, each expected one matched to the nearest of ours
/// of the same type whose outline lies within a pixel inside the tile (distance_in_tile), with
/// the same name when the fixture has names. Returns the largest distance found.
double compare_with_geojson_vt(const geo::TileLayer& ours, const json& expected,
                               const std::string& tile) {
    std::vector<const json*> wanted;
    for (const json& f : expected)
        if (f["type"] != 2) wanted.push_back(&f);
    EXPECT_EQ(ours.features.size(), wanted.size()) << tile;
    std::set<std::size_t> used;
    double worst = 0;
    for (const json* f : wanted) {
        const bool points = (*f)["type"] == 1;
        std::vector<std::vector<XY>> rings;
        for (const json& ring : (*f)["geometry"]) {
            rings.emplace_back();
            if (points) {
                rings.back().push_back({ring[0].get<double>(), ring[1].get<double>()});
                continue;
            }
            for (const json& p : ring)
                rings.back().push_back({p[0].get<double>(), p[1].get<double>()});
            // geojson-vt closes its rings; outline() closes them again.
            if (rings.back().size() > 1) rings.back().pop_back();
        }
        if (points && !rings.empty()) {  // one list of points for a (Multi)Point
            std::vector<XY> all;
            for (const auto& r : rings) all.insert(all.end(), r.begin(), r.end());
            rings = {all};
        }
        const std::string name = (*f).contains("tags") && (*f)["tags"].contains("name")
                                     ? (*f)["tags"]["name"].get<std::string>()
                                     : "";
        double best = 1e18;
        std::size_t best_index = ours.features.size();
        for (std::size_t i = 0; i < ours.features.size(); ++i) {
            const geo::TileFeature& candidate = ours.features[i];
            if ((candidate.type == geo::TileGeometryType::Point) != points) continue;
            if (!name.empty() && name_of(candidate) != name) continue;
            const double d = distance_in_tile(as_xy(candidate.rings), rings, points);
            if (d < best) {
                best = d;
                best_index = i;
            }
        }
        EXPECT_LE(best, k_pixel) << tile << " feature '" << name << "' has no match within a pixel";

        if (best_index < ours.features.size()) used.insert(best_index);
        worst = std::max(worst, best);
    }
    // And the other way: each of ours is the match of an expected feature (the counts agree,
    // so nothing of ours is extra).
    EXPECT_EQ(used.size(), ours.features.size()) << tile << ": some of our features match none";
    return worst;
}

std::filesystem::path geojson_vt(const std::string& name) {
    return test::shared_data("geojson-fixtures/geojson-vt/" + name);
}

// --- tests -----------------------------------------------------------------------------------

TEST(TileMath, ParsesOnlyTilesThatExist) {
    EXPECT_EQ(geo::TileId::parse("14", "8828", "5335"), (geo::TileId{14, 8828, 5335}));
    EXPECT_EQ(geo::TileId::parse("0", "0", "0"), (geo::TileId{0, 0, 0}));
    for (const auto& [z, x, y] :
         std::vector<std::array<const char*, 3>>{{"1", "2", "0"},
                                                 {"25", "0", "0"},
                                                 {"-1", "0", "0"},
                                                 {"3", "-1", "0"},
                                                 {"3", "1.5", "0"},
                                                 {"3", "+1", "0"},
                                                 {"", "0", "0"},
                                                 {"3", "0x1", "0"},
                                                 {"99999999999999", "0", "0"},
                                                 {"14", "16384", "0"}})
        EXPECT_FALSE(geo::TileId::parse(z, x, y)) << z << "/" << x << "/" << y;
}

TEST(TileMath, TileZeroReachesTheMercatorLimitsAndProjectionRoundTrips) {
    const geo::LonLatBox world = geo::tile_bounds({0, 0, 0});
    EXPECT_DOUBLE_EQ(world.min_lon, -180);
    EXPECT_DOUBLE_EQ(world.max_lon, 180);
    EXPECT_NEAR(world.max_lat, geo::k_max_mercator_lat, 1e-9);
    EXPECT_NEAR(world.min_lat, -geo::k_max_mercator_lat, 1e-9);
    // Beyond the limit (the poles) latitudes are clamped onto the edge of the world.
    EXPECT_NEAR(geo::lat_to_world_y(90), 0, 1e-12);
    EXPECT_NEAR(geo::lat_to_world_y(-90), 1, 1e-12);
    for (const double lat : {-85.0, -52.5, 0.0, 13.25, 53.0157, 84.9})
        EXPECT_NEAR(geo::world_y_to_lat(geo::lat_to_world_y(lat)), lat, 1e-9);
    // Angermünde's centre lies in z14 tile 8828/5335 (as the shared benchmarks compute it).
    const geo::TileRange range = geo::tiles_touching(14, {13.9939, 53.0157, 13.9939, 53.0157});
    EXPECT_EQ(range.min_x, 8828u);
    EXPECT_EQ(range.min_y, 5335u);
}

TEST(TileMath, TheMercatorSeriesOfATileIsWithinAThousandthOfAUnitOfTheExactFormula) {
    // Tiles from z0 to z24 at latitudes from the equator to the Mercator limit, the way
    // TileBuilder makes the series: around the tile's middle, reaching as far again as the
    // buffered tile is high. Every latitude from 3 tile heights south to 3 north is checked,
    // so both the series and the exact formula beyond its reach are.
    int used = 0, checked = 0;
    for (int z = 0; z <= 24; z += 2) {
        const double tiles = std::ldexp(1.0, z);
        const double scale = tiles * 4096;
        for (const double lat : {0.0, 13.25, -33.9, 47.5, 53.0157, 66.6, -78.0, 84.9, 85.05}) {
            const double world_y = geo::lat_to_world_y(lat);
            const auto row = static_cast<std::uint32_t>(std::min(tiles - 1, world_y * tiles));
            const geo::TileId tile{z, 0, row};
            const geo::LonLatBox area = geo::tile_bounds(tile, 64, 4096);
            const double middle = geo::world_y_to_lat((row + 0.5) / tiles);
            const double height = area.max_lat - area.min_lat;
            const geo::MercatorSeries series(middle, height, scale, 1e-3);
            if (series.reach() > 0) ++used;
            for (int step = -60; step <= 60; ++step) {
                const double at = middle + height * step / 20.0;
                if (std::abs(at) > 89) continue;
                EXPECT_NEAR(series.scaled_world_y(at), geo::lat_to_world_y(at) * scale, 1e-3)
                    << "z" << z << " around " << middle << " at " << at;
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 10000);
    EXPECT_GT(used, 80);  // the series serves most tiles; near the limit it yields to the formula
    // Near the limit no reach meets the bound at z0: the exact formula throughout.
    EXPECT_EQ(geo::MercatorSeries(80, 10, 4096, 1e-3).reach(), 0);
}

TEST(TileBuilder, AgreesWithGeojsonVtOnEveryExpectedUsStatesTile) {
    const auto input = geojson_vt("us-states.json");
    LEERSTAND_REQUIRE_SHARED(input);
    const std::vector<MapFeature> states = features_of(read_json(input));
    ASSERT_EQ(states.size(), 52u);
    const json expected = read_json(geojson_vt("us-states-tiles.json"));
    ASSERT_GT(expected.size(), 100u);
    double worst = 0;
    for (const auto& [key, features] : expected.items()) {
        int z = 0;
        unsigned x = 0, y = 0;
        ASSERT_EQ(std::sscanf(key.c_str(), "z%d-%u-%u", &z, &x, &y), 3) << key;
        const geo::TileLayer ours = cut(states, geo::TileId{z, x, y}, geojson_vt_options);
        worst = std::max(worst, compare_with_geojson_vt(ours, features, key));
    }
    RecordProperty("worst_hausdorff_units", std::to_string(worst));
    std::cout << "us-states: " << expected.size() << " tiles, largest distance " << worst
              << " units (a pixel is " << k_pixel << ")\n";
}

TEST(TileBuilder, AgreesWithGeojsonVtOnTheSingleTileFixtures) {
    // collection.json holds only a MultiPoint and a line, kinds no layer of the atlas has.
    for (const std::string name : {"dateline", "feature", "single-geom"}) {
        const auto input = geojson_vt(name + ".json");
        LEERSTAND_REQUIRE_SHARED(input);
        const json expected = read_json(geojson_vt(name + "-tiles.json"));
        const geo::TileLayer ours =
            cut(features_of(read_json(input)), geo::TileId{0, 0, 0}, geojson_vt_options);
        compare_with_geojson_vt(ours, expected["z0-0-0"], name);
    }
}

TEST(TileBuilder, EmptyAndNullInputsGiveNoFeatures) {
    for (const std::string name : {"empty", "empty-coords", "feature-null-geometry"}) {
        const auto input = geojson_vt(name + ".json");
        LEERSTAND_REQUIRE_SHARED(input);
        for (const geo::TileId id : {geo::TileId{0, 0, 0}, geo::TileId{3, 4, 2}})
            EXPECT_TRUE(cut(features_of(read_json(input)), id, {}).features.empty()) << name;
    }
    // A tile far from every feature is empty too.
    MapFeature square;
    square.id = 1;
    square.polygons = {
        {{{13.99, 53.01}, {14.0, 53.01}, {14.0, 53.02}, {13.99, 53.02}, {13.99, 53.01}}}};
    EXPECT_TRUE(cut({square}, {14, 0, 0}, {}).features.empty());
    EXPECT_EQ(cut({square}, {14, 8828, 5335}, {}).features.size(), 1u);
}

TEST(TileBuilder, APolygonLargerThanTheTileBecomesTheBufferedSquare) {
    MapFeature huge;
    huge.id = 7;
    huge.polygons = {{{{5, 47}, {15, 47}, {15, 55}, {5, 55}, {5, 47}}}};
    const geo::TileLayer layer = cut({huge}, {14, 8828, 5335}, {});
    ASSERT_EQ(layer.features.size(), 1u);
    const std::vector<geo::TileRing>& rings = layer.features.front().rings;
    ASSERT_EQ(rings.size(), 1u);
    std::set<std::pair<int, int>> corners;
    for (const geo::TilePoint& p : rings.front()) corners.insert({p.x, p.y});
    EXPECT_EQ(corners,
              (std::set<std::pair<int, int>>{{-64, -64}, {4160, -64}, {4160, 4160}, {-64, 4160}}));
    EXPECT_GT(geo::doubled_signed_area(rings.front()), 0) << "exteriors are clockwise on screen";

    // At z0 the whole world, cut at the Mercator limit, fills the tile as well; the copies of
    // its edges from across the antimeridian lie in the buffer only.
    MapFeature world;
    world.id = 8;
    world.polygons = {{{{-180, -89.9}, {180, -89.9}, {180, 89.9}, {-180, 89.9}, {-180, -89.9}}}};
    const geo::TileLayer z0 = cut({world}, {0, 0, 0}, {});
    std::size_t full = 0;
    for (const geo::TileFeature& f : z0.features) {
        std::set<std::pair<int, int>> points;
        for (const geo::TilePoint& p : f.rings.front()) points.insert({p.x, p.y});
        if (points == std::set<std::pair<int, int>>{{0, 0}, {4096, 0}, {4096, 4096}, {0, 4096}})
            ++full;
        else
            for (const auto& [x, y] : points) EXPECT_TRUE(x <= 0 || x >= 4096) << x << "," << y;
    }
    EXPECT_EQ(full, 1u);
}

TEST(TileBuilder, APolarCapIsClampedToTheTopOfTileZero) {
    // Greenland's north reaches past the Mercator limit: at z0 the part beyond it lies on the
    // tile's top edge (y = 0) instead of leaving the tile or becoming infinite.
    MapFeature cap;
    cap.id = 7;
    cap.polygons = {{{{-60, 80}, {-20, 80}, {-20, 89.9}, {-60, 89.9}, {-60, 80}}}};
    const geo::TileLayer layer = cut({cap}, {0, 0, 0}, {});
    ASSERT_EQ(layer.features.size(), 1u);
    const geo::TileRing& ring = layer.features.front().rings.front();
    int top = 4096;
    for (const geo::TilePoint& p : ring) top = std::min(top, p.y);
    EXPECT_EQ(top, 0);
    EXPECT_TRUE(geo::tile_polygons_are_valid(layer.features.front().rings));
    EXPECT_GT(geo::doubled_signed_area(ring), 0);
}

TEST(TileBuilder, AcrossTheAntimeridianTheOtherSideShowsInTheBuffer) {
    // A point just east of -180° shows in the buffer of the easternmost tile, and a polygon
    // reaching past +180° shows on the western edge as well (as geojson-vt wraps it).
    MapFeature east;
    east.id = 1;
    east.point = LonLat{-179.99, 10};
    const geo::TileLayer rightmost = cut({east}, {4, 15, 7}, {});
    ASSERT_EQ(rightmost.features.size(), 1u);
    EXPECT_GT(rightmost.features.front().rings.front().front().x, 4096);
    MapFeature across;
    across.id = 2;
    across.polygons = {{{{170, -10}, {190, -10}, {190, 10}, {170, 10}, {170, -10}}}};
    const geo::TileLayer z0 = cut({across}, {0, 0, 0}, {});
    EXPECT_EQ(z0.features.size(), 2u) << "the main part and its wrapped copy";
}

TEST(TileBuilder, InvalidInputComesOutValidWithItsArea) {
    // A bow-tie (self-intersecting), a ring with a spike, and a polygon whose hole crosses the
    // tile border: each comes out valid by GEOS, with its area kept.
    const double lon0 = 13.99, lat0 = 53.018, d = 0.002;
    MapFeature bow;
    bow.id = 1;
    // Lobes of different size (a bow-tie of equal lobes has no area and is dropped as unseen).
    bow.polygons = {{{{lon0, lat0},
                      {lon0 + 2 * d, lat0 + 2 * d},
                      {lon0 + 2 * d, lat0},
                      {lon0, lat0 + d},
                      {lon0, lat0}}}};
    MapFeature spike;
    spike.id = 2;
    spike.polygons = {{{{lon0, lat0},
                        {lon0 + d, lat0},
                        {lon0 + 2 * d, lat0},
                        {lon0 + d, lat0},
                        {lon0 + d, lat0 + d},
                        {lon0, lat0 + d},
                        {lon0, lat0}}}};
    const geo::LonLatBox tile = geo::tile_bounds({14, 8828, 5335});
    MapFeature holed;
    holed.id = 3;
    const double w = tile.max_lon;
    holed.polygons = {{{{w - 0.01, 53.0},
                        {w + 0.01, 53.0},
                        {w + 0.01, 53.02},
                        {w - 0.01, 53.02},
                        {w - 0.01, 53.0}},
                       {{w - 0.005, 53.005},
                        {w - 0.005, 53.015},
                        {w + 0.005, 53.015},
                        {w + 0.005, 53.005},
                        {w - 0.005, 53.005}}}};
    const geo::TileLayer layer = cut({bow, spike, holed}, {14, 8828, 5335}, {});
    ASSERT_EQ(layer.features.size(), 3u);
    // The bow-tie becomes its two triangles, both exteriors; the spike is gone.
    ASSERT_EQ(layer.features[0].rings.size(), 2u);
    for (const geo::TileRing& ring : layer.features[0].rings)
        EXPECT_GT(geo::doubled_signed_area(ring), 0);
    EXPECT_EQ(layer.features[1].rings.size(), 1u);
    EXPECT_EQ(layer.features[1].rings[0].size(), 4u) << "the spike's extra vertices stay";
    EXPECT_EQ(layer.features[2].rings.size(), 1u)
        << "a hole cut open at the border joins the outside";
    for (const geo::TileFeature& f : layer.features) {
        EXPECT_TRUE(geo::tile_polygons_are_valid(f.rings)) << "feature " << f.id;
        for (std::size_t i = 0; i < f.rings.size(); ++i)
            EXPECT_NE(geo::doubled_signed_area(f.rings[i]), 0) << f.id;
    }
}

/// Real footprints: every polygon of every tile that touches them, z13 to z16, is valid and
/// correctly oriented, and the pieces of each building in the z16 tiles reassemble to it.
class RealFootprintTiles : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto path = test::shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
        LEERSTAND_REQUIRE_SHARED(path);
        m_buildings = features_of(read_json(path));
        ASSERT_GT(m_buildings.size(), 4000u);
    }

    std::map<std::pair<std::uint32_t, std::uint32_t>, geo::TileLayer> tiles_at(
        int z, const geo::TileOptions& options = {}) const {
        std::map<std::pair<std::uint32_t, std::uint32_t>, geo::TileLayer> tiles;
        std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<const MapFeature*>> members;
        for (const MapFeature& b : m_buildings) {
            const geo::TileRange range = geo::tiles_touching(z, box_of(b), 64, 4096);
            for (std::uint32_t x = range.min_x; x <= range.max_x; ++x)
                for (std::uint32_t y = range.min_y; y <= range.max_y; ++y)
                    members[{x, y}].push_back(&b);
        }
        for (const auto& [xy, features] : members) {
            geo::TileBuilder builder("buildings", {z, xy.first, xy.second}, options);
            for (const MapFeature* f : features) builder.add(*f);
            tiles.emplace(xy, builder.take());
        }
        return tiles;
    }

    static geo::LonLatBox box_of(const MapFeature& f) {
        geo::LonLatBox box{1e9, 1e9, -1e9, -1e9};
        for (const LonLatPolygon& p : f.polygons)
            for (const LonLat& q : p.front())
                box = {std::min(box.min_lon, q.lon), std::min(box.min_lat, q.lat),
                       std::max(box.max_lon, q.lon), std::max(box.max_lat, q.lat)};
        return box;
    }

    std::vector<MapFeature> m_buildings;
};

TEST_F(RealFootprintTiles, EveryPolygonIsValidAndOrientedAfterRounding) {
    std::size_t polygons = 0;
    for (int z = 13; z <= 16; ++z) {
        for (const auto& [xy, layer] : tiles_at(z)) {
            for (const geo::TileFeature& f : layer.features) {
                ++polygons;
                ASSERT_TRUE(geo::tile_polygons_are_valid(f.rings))
                    << "building " << f.id << " in " << z << "/" << xy.first << "/" << xy.second;
                EXPECT_GT(geo::doubled_signed_area(f.rings.front()), 0);
            }
        }
    }
    EXPECT_GT(polygons, 4000u * 4);
}

/// How one building's z16 pieces compare with the building itself, in world units at z16.
struct Reassembly {
    double difference_area = 0;  // of the symmetric difference
    double perimeter = 0;        // of the original
    int parts = 0, original_parts = 0;
    std::size_t tiles = 0;
};

/// Cuts each building's pieces back to their own tile (without the buffer), joins them and
/// compares the result with the original footprint rounded to the z16 grid. Every tile's grid
/// is a window of that grid, so rounding alone changes nothing between the two; comparing
/// with the unrounded footprint would measure the rounding (about a quarter unit times the
/// perimeter), not the seams.
std::map<std::int64_t, Reassembly> reassemble(
    const std::map<std::pair<std::uint32_t, std::uint32_t>, geo::TileLayer>& tiles,
    const std::vector<MapFeature>& buildings, int z) {
    std::map<std::int64_t, std::vector<Geom>> pieces;
    for (const auto& [xy, layer] : tiles) {
        const double ox = xy.first * 4096.0, oy = xy.second * 4096.0;
        const Geom own = wkt("POLYGON ((" + point_text(ox, oy) + ", " + point_text(ox + 4096, oy) +
                             ", " + point_text(ox + 4096, oy + 4096) + ", " +
                             point_text(ox, oy + 4096) + ", " + point_text(ox, oy) + "))");
        for (const geo::TileFeature& f : layer.features) {
            std::string text = "MULTIPOLYGON (";
            for (std::size_t r = 0; r < f.rings.size(); ++r) {
                const bool exterior = geo::doubled_signed_area(f.rings[r]) > 0;
                text += exterior ? (r ? ")), ((" : "((") : "), (";
                for (std::size_t i = 0; i <= f.rings[r].size(); ++i) {
                    const geo::TilePoint& p = f.rings[r][i % f.rings[r].size()];
                    text += (i ? ", " : "") + point_text(ox + p.x, oy + p.y);
                }
            }
            const Geom piece = wkt(text + ")))");
            EXPECT_TRUE(piece) << text;
            if (piece)
                pieces[f.id].emplace_back(GEOSIntersection_r(geos(), piece.get(), own.get()));
        }
    }
    const double scale = std::ldexp(1.0, z) * 4096;
    std::map<std::int64_t, Reassembly> result;
    for (const MapFeature& b : buildings) {
        const auto found = pieces.find(b.id);
        if (found == pieces.end()) continue;
        std::vector<GEOSGeometry*> parts;
        for (Geom& g : found->second) parts.push_back(GEOSGeom_clone_r(geos(), g.get()));
        const Geom together(GEOSUnaryUnion_r(
            geos(), Geom(GEOSGeom_createCollection_r(geos(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                                     static_cast<unsigned>(parts.size())))
                        .get()));
        std::string text = "POLYGON (";
        for (std::size_t r = 0; r < b.polygons.front().size(); ++r) {
            text += r ? ", (" : "(";
            const LonLatRing& ring = b.polygons.front()[r];
            for (std::size_t i = 0; i < ring.size(); ++i)
                text += (i ? ", " : "") +
                        point_text(std::round(geo::lon_to_world_x(ring[i].lon) * scale),
                                   std::round(geo::lat_to_world_y(ring[i].lat) * scale));
            text += ")";
        }
        const Geom original(GEOSMakeValid_r(geos(), wkt(text + ")").get()));
        const Geom difference(GEOSSymDifference_r(geos(), together.get(), original.get()));
        Reassembly& r = result[b.id];
        GEOSArea_r(geos(), difference.get(), &r.difference_area);
        GEOSLength_r(geos(), original.get(), &r.perimeter);
        r.parts = GEOSGetNumGeometries_r(geos(), together.get());
        r.original_parts = GEOSGetNumGeometries_r(geos(), original.get());
        r.tiles = found->second.size();
    }
    return result;
}

TEST_F(RealFootprintTiles, PiecesInTheZ16TilesReassembleToEachBuildingWithinAPixel) {
    // Without simplification only the clipping at the tile borders can change a building: a
    // gap or a sliver along a border would show as missing or extra area.
    constexpr int z = 16;
    const auto joined = reassemble(tiles_at(z, geo::TileOptions{4096, 64, 0}), m_buildings, z);
    std::size_t cut_buildings = 0;
    double worst_pixels = 0;
    for (const MapFeature& b : m_buildings) {
        const auto found = joined.find(b.id);
        ASSERT_NE(found, joined.end()) << "building " << b.id << " is in no tile";
        const Reassembly& r = found->second;
        if (r.tiles > 1) ++cut_buildings;
        worst_pixels = std::max(worst_pixels, r.difference_area / (k_pixel * k_pixel));
        EXPECT_LE(r.difference_area, k_pixel * k_pixel)
            << "building " << b.id << ": " << r.difference_area << " units² in " << r.tiles
            << " tiles, perimeter " << r.perimeter;
        EXPECT_EQ(r.parts, r.original_parts) << "building " << b.id;
    }
    EXPECT_GT(cut_buildings, 50u) << "the set must include buildings on tile borders";
    std::cout << cut_buildings << " of " << m_buildings.size()
              << " buildings span several z16 tiles; largest difference " << worst_pixels
              << " pixel areas\n";
}

TEST_F(RealFootprintTiles, SimplifiedPiecesStayWithinTheToleranceOfEachBuilding) {
    // With the default simplification (half a pixel) every vertex may move by the tolerance:
    // the area that changes is bounded by the tolerance times the perimeter, and the pieces
    // still join into as many polygons as the building has (no gap splits it at a border).
    constexpr int z = 16;
    const geo::TileOptions options;
    const auto joined = reassemble(tiles_at(z, options), m_buildings, z);
    for (const MapFeature& b : m_buildings) {
        const auto found = joined.find(b.id);
        ASSERT_NE(found, joined.end()) << "building " << b.id << " is in no tile";
        const Reassembly& r = found->second;
        EXPECT_LE(r.difference_area, options.tolerance * r.perimeter) << "building " << b.id;
        if (r.tiles > 1) {
            EXPECT_EQ(r.parts, r.original_parts) << "building " << b.id;
        }
    }
}

TEST(TileEncoders, GeoJsonDecimalsFollowTheZoom) {
    EXPECT_EQ(geo::geojson_decimals({0, 0, 0}), 2);  // a pixel is 1.4° of longitude there
    EXPECT_EQ(geo::geojson_decimals({14, 8828, 5335}), 5);
    EXPECT_EQ(geo::geojson_decimals({16, 35312, 21341}), 6);
    EXPECT_LT(geo::geojson_decimals({8, 137, 83}), geo::geojson_decimals({14, 8828, 5335}));
}

std::string decimal(double value, int decimals) {
    std::string out;
    geo::append_decimal(out, value, decimals);
    return out;
}

TEST(TileEncoders, DecimalsAreTheRoundedValueWithoutTrailingZeros) {
    EXPECT_EQ(decimal(13.5, 5), "13.5");
    EXPECT_EQ(decimal(13.0, 5), "13");
    EXPECT_EQ(decimal(-7.25, 2), "-7.25");
    EXPECT_EQ(decimal(-0.0, 3), "0");
    EXPECT_EQ(decimal(-0.00001, 3), "0");
    EXPECT_EQ(decimal(0.000123, 6), "0.000123");
    EXPECT_EQ(decimal(-179.999999, 5), "-180");
    EXPECT_EQ(decimal(52.123456789, 0), "52");
    EXPECT_EQ(decimal(1e300, 5).substr(0, 4), "1000");  // too large for integers: fallback
    EXPECT_EQ(decimal(std::nan(""), 5), "null");
    // Against printf's correctly rounded %.*f over many coordinates: the same digits, or (for
    // values within a rounding error of a tie) a neighbour one unit of the last decimal away.
    std::mt19937_64 random(7);
    std::uniform_real_distribution<double> coordinate(-180.0, 180.0);
    int differing = 0;
    for (int i = 0; i < 200000; ++i) {
        const double value = coordinate(random);
        const int decimals = i % 10;
        char reference[64];
        std::snprintf(reference, sizeof reference, "%.*f", decimals, value);
        const std::string ours = decimal(value, decimals);
        const double difference = std::fabs(std::stod(ours) - std::stod(reference));
        ASSERT_LE(difference, std::pow(10.0, -decimals) * 1.000001) << value << " " << decimals;
        if (difference > 0) ++differing;
        ASSERT_EQ(ours.find_last_of('.') != std::string::npos && ours.back() == '0', false) << ours;
    }
    EXPECT_LT(differing, 20) << "more than rare ties differ from printf";
}

TEST(TileEncoders, GeoJsonTilesAreCounterClockwiseLonLatWithTheSameFeaturesAsTheLayer) {
    MapFeature square;
    square.id = 42;
    square.properties = {{"kommune_ags", std::string("12073008")}, {"floors", std::int64_t{3}}};
    square.polygons = {
        {{{13.98, 53.01}, {13.98, 53.02}, {13.99, 53.02}, {13.99, 53.01}, {13.98, 53.01}}}};
    const geo::TileLayer layer = cut({square}, {14, 8828, 5335}, {});
    const json tile = json::parse(geo::encode_geojson_tile(layer));
    ASSERT_EQ(tile["features"].size(), 1u);
    const json& f = tile["features"][0];
    EXPECT_EQ(f["id"], 42);
    EXPECT_EQ(f["properties"], (json{{"kommune_ags", "12073008"}, {"floors", 3}}));
    const json ring = f["geometry"]["coordinates"][0];
    EXPECT_EQ(ring.front(), ring.back());
    double twice_area = 0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i)
        twice_area += ring[i][0].get<double>() * ring[i + 1][1].get<double>() -
                      ring[i + 1][0].get<double>() * ring[i][1].get<double>();
    EXPECT_GT(twice_area, 0) << "RFC 7946: exterior rings counter-clockwise";
    for (const json& p : ring) {
        EXPECT_NEAR(p[0].get<double>(), p[0].get<double>() < 13.985 ? 13.98 : 13.99, 1e-4);
        const std::string text = p[0].dump();
        EXPECT_LE(text.size() - text.find('.') - 1, 5u) << text;
    }
}

}  // namespace
