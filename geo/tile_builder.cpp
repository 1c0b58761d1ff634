#include "geo/tile_builder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "geo/ring_area.hpp"
#include "geo/tile_repair.hpp"

namespace leerstand::geo {

namespace {

struct Box2 {
    double min_x = std::numeric_limits<double>::infinity();
    double min_y = std::numeric_limits<double>::infinity();
    double max_x = -std::numeric_limits<double>::infinity();
    double max_y = -std::numeric_limits<double>::infinity();
};

template <typename Ring>
Box2 box_of(const Ring& ring) {
    Box2 box;
    for (const auto& p : ring) {
        box.min_x = std::min(box.min_x, p.x);
        box.min_y = std::min(box.min_y, p.y);
        box.max_x = std::max(box.max_x, p.x);
        box.max_y = std::max(box.max_y, p.y);
    }
    return box;
}

/// One Sutherland–Hodgman pass: keeps the part of the open ring `in` where the coordinate
/// `axis` (0 = x, 1 = y) is >= limit (keep_above) or <= limit. Pieces of a concave ring that
/// leave and come back are joined along the border, as geojson-vt does; every polygon is
/// checked for validity afterwards.
template <typename Point>
void clip_pass(const std::vector<Point>& in, std::vector<Point>& out, int axis, double limit,
               bool keep_above) {
    out.clear();
    const std::size_t n = in.size();
    if (n == 0) return;
    auto coord = [axis](const Point& p) { return axis == 0 ? p.x : p.y; };
    auto inside = [&](const Point& p) {
        return keep_above ? coord(p) >= limit : coord(p) <= limit;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const Point& current = in[i];
        const Point& previous = in[(i + n - 1) % n];
        const bool current_in = inside(current), previous_in = inside(previous);
        if (current_in != previous_in) {
            const double t = (limit - coord(previous)) / (coord(current) - coord(previous));
            Point cut{previous.x + (current.x - previous.x) * t,
                      previous.y + (current.y - previous.y) * t};
            // The cut lies exactly on the border, whatever rounding says.
            (axis == 0 ? cut.x : cut.y) = limit;
            out.push_back(cut);
        }
        if (current_in) out.push_back(current);
    }
}

/// Douglas–Peucker on an open ring treated as closed, marking the points to keep.
template <typename Point>
void simplify_ring(std::vector<Point>& ring, double tolerance) {
    const std::size_t n = ring.size();
    if (n <= 4 || tolerance <= 0) return;
    // The anchor pair: the first point and the one farthest from it, both always kept.
    std::size_t far = 0;
    double far_d = -1;
    for (std::size_t i = 1; i < n; ++i) {
        const double dx = ring[i].x - ring[0].x, dy = ring[i].y - ring[0].y;
        if (dx * dx + dy * dy > far_d) {
            far_d = dx * dx + dy * dy;
            far = i;
        }
    }
    std::vector<char> keep(n + 1, 0);
    keep[0] = keep[far] = keep[n] = 1;
    auto at = [&](std::size_t i) -> const Point& { return ring[i % n]; };
    const double sq_tolerance = tolerance * tolerance;
    std::vector<std::pair<std::size_t, std::size_t>> stack = {{0, far}, {far, n}};
    while (!stack.empty()) {
        const auto [first, last] = stack.back();
        stack.pop_back();
        const Point& a = at(first);
        const Point& b = at(last);
        const double dx = b.x - a.x, dy = b.y - a.y;
        const double length2 = dx * dx + dy * dy;
        double max_d = -1;
        std::size_t index = first;
        for (std::size_t i = first + 1; i < last; ++i) {
            const Point& p = at(i);
            double ex = p.x - a.x, ey = p.y - a.y;
            if (length2 > 0) {
                const double t = std::clamp((ex * dx + ey * dy) / length2, 0.0, 1.0);
                ex -= t * dx;
                ey -= t * dy;
            }
            const double d = ex * ex + ey * ey;
            if (d > max_d) {
                max_d = d;
                index = i;
            }
        }
        if (max_d > sq_tolerance) {
            keep[index] = 1;
            stack.push_back({first, index});
            stack.push_back({index, last});
        }
    }
    std::size_t out = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (keep[i]) ring[out++] = ring[i];
    ring.resize(out);
}

/// Rounds to the grid and drops repeated points (also the last one when it equals the first).
template <typename Point>
TileRing quantise(const std::vector<Point>& ring) {
    TileRing out;
    out.reserve(ring.size());
    for (const Point& p : ring) {
        const TilePoint q{static_cast<std::int32_t>(std::lround(p.x)),
                          static_cast<std::int32_t>(std::lround(p.y))};
        if (out.empty() || !(out.back() == q)) out.push_back(q);
    }
    while (out.size() > 1 && out.back() == out.front()) out.pop_back();
    return out;
}

void orient(TileRing& ring, bool exterior) {
    const std::int64_t area = doubled_signed_area(ring);
    if ((area > 0) != exterior) std::reverse(ring.begin(), ring.end());
}

}  // namespace

std::int64_t doubled_signed_area(const TileRing& ring) {
    return doubled_ring_area<std::int64_t>(ring);
}

TileBuilder::TileBuilder(std::string layer_name, TileId tile, TileOptions options)
    : m_options(options) {
    m_layer.name = std::move(layer_name);
    m_layer.tile = tile;
    m_layer.extent = options.extent;
    m_scale = std::ldexp(1.0, tile.z) * options.extent;
    m_origin_x = static_cast<double>(tile.x) * options.extent;
    m_origin_y = static_cast<double>(tile.y) * options.extent;
    m_min = -static_cast<double>(options.buffer);
    m_max = static_cast<double>(options.extent) + options.buffer;
    m_area = tile_bounds(tile, options.buffer, options.extent);
    // Around the tile's middle, as far again as the buffered tile is high (vertices beyond it,
    // of features reaching far out, take the exact formula); a thousandth of a unit at most.
    const double middle = world_y_to_lat((tile.y + 0.5) / std::ldexp(1.0, tile.z));
    m_mercator_y = MercatorSeries(middle, m_area.max_lat - m_area.min_lat, m_scale, 1e-3);
}

LonLatBox TileBuilder::query_box() const {
    return m_area;
}

TileBuilder::Point2 TileBuilder::project(const LonLat& point) const {
    return {lon_to_world_x(point.lon) * m_scale - m_origin_x,
            m_mercator_y.scaled_world_y(point.lat) - m_origin_y};
}

namespace {

struct LonRange {
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
};

LonRange lon_range(const MapFeature& feature) {
    LonRange range;
    auto take = [&range](const LonLat& p) {
        range.min = std::min(range.min, p.lon);
        range.max = std::max(range.max, p.lon);
    };
    if (feature.point) take(*feature.point);
    for (const LonLatPolygon& polygon : feature.polygons)
        if (!polygon.empty())
            for (const LonLat& p : polygon.front()) take(p);
    return range;
}

MapFeature shifted(const MapFeature& feature, double degrees) {
    MapFeature copy = feature;
    if (copy.point) copy.point->lon += degrees;
    for (LonLatPolygon& polygon : copy.polygons)
        for (LonLatRing& ring : polygon)
            for (LonLat& p : ring) p.lon += degrees;
    return copy;
}

}  // namespace

void TileBuilder::add(const MapFeature& feature) {
    add_one(feature);
    // Across the antimeridian the world repeats: a feature that reaches past ±180°, or lies
    // just beyond it from a tile at the world's edge, also shows shifted by a world width (a
    // separate feature, as geojson-vt makes it).
    const LonLatBox& area = m_area;
    const LonRange range = lon_range(feature);
    for (const double shift : {-360.0, 360.0})
        if (range.min + shift <= area.max_lon && range.max + shift >= area.min_lon)
            add_one(shifted(feature, shift));
}

void TileBuilder::add_one(const MapFeature& feature) {
    if (feature.point)
        add_point(feature);
    else
        add_polygons(feature);
}

void TileBuilder::add_point(const MapFeature& feature) {
    const Point2 p = project(*feature.point);
    if (p.x < m_min || p.x > m_max || p.y < m_min || p.y > m_max) return;
    TileFeature out;
    out.id = feature.id;
    out.type = TileGeometryType::Point;
    out.rings.push_back({TilePoint{static_cast<std::int32_t>(std::lround(p.x)),
                                   static_cast<std::int32_t>(std::lround(p.y))}});
    out.properties = feature.properties;
    m_layer.features.push_back(std::move(out));
}

void TileBuilder::add_polygons(const MapFeature& feature) {
    TileFeature out;
    for (const LonLatPolygon& polygon : feature.polygons) cut_polygon(polygon, out.rings);
    if (out.rings.empty()) return;
    // Clipping a concave ring can join its pieces along the border, and simplifying and
    // rounding can make edges touch or cross: every polygon is checked (small simple rings,
    // nearly every building, without GEOS) and repaired where needed.
    out.rings = repaired_polygon_rings(std::move(out.rings));
    if (out.rings.empty()) return;
    out.id = feature.id;
    out.type = TileGeometryType::Polygon;
    out.properties = feature.properties;
    m_layer.features.push_back(std::move(out));
}

void TileBuilder::cut_polygon(const LonLatPolygon& polygon, std::vector<TileRing>& out) {
    const double min_area = m_options.tolerance * m_options.tolerance;
    for (std::size_t r = 0; r < polygon.size(); ++r) {
        const LonLatRing& source = polygon[r];
        m_projected.clear();
        for (const LonLat& p : source) m_projected.push_back(project(p));
        if (m_projected.size() > 1 && m_projected.back().x == m_projected.front().x &&
            m_projected.back().y == m_projected.front().y)
            m_projected.pop_back();
        const Box2 box = box_of(m_projected);
        if (box.max_x < m_min || box.min_x > m_max || box.max_y < m_min || box.min_y > m_max) {
            if (r == 0) return;  // the exterior is outside: so are its holes
            continue;
        }
        // The whole ring decides whether it is too small to see (as geojson-vt does), not the
        // part in this tile: a large island's tip in the buffer stays.
        if (std::abs(doubled_ring_area<double>(m_projected)) / 2 < min_area) {
            if (r == 0) return;  // the whole polygon goes
            continue;
        }
        if (box.min_x < m_min || box.max_x > m_max || box.min_y < m_min || box.max_y > m_max) {
            clip_pass(m_projected, m_clipped, 0, m_min, true);
            clip_pass(m_clipped, m_projected, 0, m_max, false);
            clip_pass(m_projected, m_clipped, 1, m_min, true);
            clip_pass(m_clipped, m_projected, 1, m_max, false);
        }
        simplify_ring(m_projected, m_options.tolerance);
        TileRing ring = quantise(m_projected);
        if (ring.size() < 3 || doubled_signed_area(ring) == 0) {
            if (r == 0) return;
            continue;
        }
        orient(ring, r == 0);
        out.push_back(std::move(ring));
    }
}

}  // namespace leerstand::geo
