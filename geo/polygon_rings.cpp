#include "geo/polygon_rings.hpp"

#include <ogr_geometry.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "common/geometry.hpp"
#include "geo/geos_context.hpp"
#include "geo/ring_area.hpp"
#include "geo/utm_area.hpp"

namespace leerstand::geo::detail {
namespace {

static_assert(std::endian::native == std::endian::little,
              "write_multipolygon_wkb copies doubles as little-endian bytes");

// ---------------------------------------------------------------- OGR → rings

std::string_view type_label(OGRwkbGeometryType flat) {
    switch (flat) {
        case wkbPoint:
            return "Point";
        case wkbLineString:
            return "LineString";
        case wkbPolygon:
            return "Polygon";
        case wkbMultiPoint:
            return "MultiPoint";
        case wkbMultiLineString:
            return "MultiLineString";
        case wkbMultiPolygon:
            return "MultiPolygon";
        case wkbGeometryCollection:
            return "GeometryCollection";
        case wkbCircularString:
            return "CircularString";
        case wkbCompoundCurve:
            return "CompoundCurve";
        case wkbCurvePolygon:
            return "CurvePolygon";
        case wkbMultiCurve:
            return "MultiCurve";
        case wkbMultiSurface:
            return "MultiSurface";
        case wkbTriangle:
            return "Triangle";
        case wkbTIN:
            return "TIN";
        case wkbPolyhedralSurface:
            return "PolyhedralSurface";
        default:
            return "unknown type";
    }
}

/// Appends one ring; closes it if needed. @returns false when it has fewer than 4 points.
bool append_ring(const OGRLinearRing& ring, RingSet& out) {
    const int n = ring.getNumPoints();
    if (n < 3) return false;  // even closed, fewer than 4 points: no area
    const std::size_t start = out.x.size();
    const bool closed = ring.getX(0) == ring.getX(n - 1) && ring.getY(0) == ring.getY(n - 1);
    const std::size_t count = static_cast<std::size_t>(n) + (closed ? 0 : 1);
    if (count < 4) return false;
    out.x.resize(start + count);
    out.y.resize(start + count);
    ring.getPoints(out.x.data() + start, sizeof(double), out.y.data() + start, sizeof(double));
    if (!closed) {
        out.x[start + count - 1] = out.x[start];
        out.y[start + count - 1] = out.y[start];
    }
    out.ring_end.push_back(static_cast<std::uint32_t>(out.x.size()));
    return true;
}

void drop_points_after(RingSet& out, std::size_t ring_count) {
    const std::size_t points = ring_count == 0 ? 0 : out.ring_end[ring_count - 1];
    out.ring_end.resize(ring_count);
    out.x.resize(points);
    out.y.resize(points);
}

void append_polygon(const OGRPolygon& polygon, RingSet& out) {
    const OGRLinearRing* shell = polygon.getExteriorRing();
    if (shell == nullptr) return;
    const std::size_t rings_before = out.ring_end.size();
    if (!append_ring(*shell, out)) {
        // A shell without area drops the whole polygon, its holes included.
        drop_points_after(out, rings_before);
        return;
    }
    for (int i = 0; i < polygon.getNumInteriorRings(); ++i) {
        const std::size_t ring_count = out.ring_end.size();
        if (!append_ring(*polygon.getInteriorRing(i), out)) drop_points_after(out, ring_count);
    }
    out.poly_end.push_back(static_cast<std::uint32_t>(out.ring_end.size()));
}

/// Points of every ring of a (curve) polygon or of every part of a MultiPolygon/MultiSurface,
/// as the geometry holds them: counted, not copied.
std::size_t vertex_count(const OGRGeometry& geometry) {
    const OGRwkbGeometryType flat = wkbFlatten(geometry.getGeometryType());
    std::size_t count = 0;
    if (OGR_GT_IsSubClassOf(flat, wkbCurvePolygon)) {
        for (const OGRCurve* ring : *geometry.toCurvePolygon())
            count += static_cast<std::size_t>(ring->getNumPoints());
    } else if (OGR_GT_IsSubClassOf(flat, wkbGeometryCollection)) {
        for (const OGRGeometry* part : *geometry.toGeometryCollection())
            count += vertex_count(*part);
    }
    return count;
}

// ---------------------------------------------------------------- rings ↔ GEOS

/// Builds a GEOS MultiPolygon from rings over the coordinate arrays x/y (the rings' own, or a
/// projected copy). Returns nullptr when GEOS refuses a ring.
GeomPtr to_geos(GEOSContextHandle_t ctx, const RingSet& rings, const double* x, const double* y) {
    std::vector<GEOSGeometry*> polygons;
    polygons.reserve(rings.poly_end.size());
    std::vector<GEOSGeometry*> holes;
    auto release_all = [&] {
        for (GEOSGeometry* p : polygons) GEOSGeom_destroy_r(ctx, p);
        for (GEOSGeometry* h : holes) GEOSGeom_destroy_r(ctx, h);
    };
    std::uint32_t ring = 0;
    for (std::uint32_t poly_end : rings.poly_end) {
        GEOSGeometry* shell = nullptr;
        holes.clear();
        for (; ring < poly_end; ++ring) {
            const std::uint32_t start = ring == 0 ? 0 : rings.ring_end[ring - 1];
            const std::uint32_t n = rings.ring_end[ring] - start;
            GEOSCoordSequence* seq =
                GEOSCoordSeq_copyFromArrays_r(ctx, x + start, y + start, nullptr, nullptr, n);
            GEOSGeometry* linear_ring =
                seq != nullptr ? GEOSGeom_createLinearRing_r(ctx, seq) : nullptr;
            if (linear_ring == nullptr) {
                if (shell != nullptr) GEOSGeom_destroy_r(ctx, shell);
                release_all();
                return make_geom(ctx, nullptr);
            }
            if (shell == nullptr) {
                shell = linear_ring;
            } else {
                holes.push_back(linear_ring);
            }
        }
        GEOSGeometry* polygon =
            GEOSGeom_createPolygon_r(ctx, shell, holes.data(), static_cast<unsigned>(holes.size()));
        holes.clear();  // owned by the polygon now (or destroyed by GEOS on failure)
        if (polygon == nullptr) {
            release_all();
            return make_geom(ctx, nullptr);
        }
        polygons.push_back(polygon);
    }
    GEOSGeometry* multi = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, polygons.data(),
                                                      static_cast<unsigned>(polygons.size()));
    if (multi == nullptr) {
        release_all();
        return make_geom(ctx, nullptr);
    }
    return make_geom(ctx, multi);
}

bool append_geos_ring(GEOSContextHandle_t ctx, const GEOSGeometry* ring, RingSet& out) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned int n = 0;
    if (seq == nullptr || GEOSCoordSeq_getSize_r(ctx, seq, &n) == 0 || n < 4) return false;
    const std::size_t start = out.x.size();
    out.x.resize(start + n);
    out.y.resize(start + n);
    if (GEOSCoordSeq_copyToArrays_r(ctx, seq, out.x.data() + start, out.y.data() + start, nullptr,
                                    nullptr) == 0) {
        out.x.resize(start);
        out.y.resize(start);
        return false;
    }
    out.ring_end.push_back(static_cast<std::uint32_t>(out.x.size()));
    return true;
}

/// Appends the polygonal parts of `g` (recursing into collections) to `out`.
void append_geos_polygons(GEOSContextHandle_t ctx, const GEOSGeometry* g, RingSet& out) {
    const int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(ctx, g) != 0) return;
        const std::size_t rings_before = out.ring_end.size();
        if (!append_geos_ring(ctx, GEOSGetExteriorRing_r(ctx, g), out)) {
            drop_points_after(out, rings_before);
            return;
        }
        const int holes = GEOSGetNumInteriorRings_r(ctx, g);
        for (int i = 0; i < holes; ++i) {
            const std::size_t ring_count = out.ring_end.size();
            if (!append_geos_ring(ctx, GEOSGetInteriorRingN_r(ctx, g, i), out)) {
                drop_points_after(out, ring_count);
            }
        }
        out.poly_end.push_back(static_cast<std::uint32_t>(out.ring_end.size()));
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int parts = GEOSGetNumGeometries_r(ctx, g);
        for (int i = 0; i < parts; ++i)
            append_geos_polygons(ctx, GEOSGetGeometryN_r(ctx, g, i), out);
    }
    // Points and lines (collapsed parts of a repaired polygon) carry no area: skipped.
}

// ---------------------------------------------------------------- WKB

void put_u32(std::vector<unsigned char>& out, std::uint32_t v) {
    unsigned char bytes[4];
    std::memcpy(bytes, &v, 4);
    out.insert(out.end(), bytes, bytes + 4);
}

}  // namespace

std::string not_a_polygon(const OGRGeometry& geometry) {
    std::string reason = "not a polygon (";
    reason += type_label(wkbFlatten(geometry.getGeometryType()));
    reason += ')';
    return reason;
}

std::string too_many_vertices(std::size_t limit) {
    return "more than " + std::to_string(limit) + " vertices";
}

std::string read_ogr_rings(const OGRGeometry* geometry, RingSet& out,
                           std::optional<std::size_t> max_vertices) {
    out.clear();
    if (geometry == nullptr || geometry->IsEmpty()) return k_no_geometry;
    OGRwkbGeometryType flat = wkbFlatten(geometry->getGeometryType());
    const bool curved = flat == wkbCurvePolygon || flat == wkbMultiSurface;
    if (!curved && flat != wkbPolygon && flat != wkbMultiPolygon) return not_a_polygon(*geometry);
    // Before any copy: a hostile feature then costs no more than GDAL's reading of it, not
    // the rings, their reprojection, GEOS's validity check and repair, and the stored WKB.
    const auto over_limit = [&](const OGRGeometry& g) {
        return max_vertices && vertex_count(g) > *max_vertices;
    };
    if (over_limit(*geometry)) return too_many_vertices(*max_vertices);
    std::unique_ptr<OGRGeometry> linear;
    if (curved) {
        // Arcs become segments (GDAL's default step of 4 degrees).
        linear.reset(geometry->getLinearGeometry());
        if (linear == nullptr) return k_degenerate;
        geometry = linear.get();
        flat = wkbFlatten(geometry->getGeometryType());
        // A half circle of 3 points becomes 46: count what would be stored.
        if (over_limit(*geometry)) return too_many_vertices(*max_vertices);
    }
    if (flat == wkbPolygon) {
        append_polygon(*geometry->toPolygon(), out);
    } else if (flat == wkbMultiPolygon) {
        for (const OGRPolygon* polygon : *geometry->toMultiPolygon()) append_polygon(*polygon, out);
    } else {
        return not_a_polygon(*geometry);
    }
    if (!coordinates_ok(out, false)) return k_invalid_coordinates;
    if (out.empty()) return k_degenerate;
    return {};
}

bool coordinates_ok(const RingSet& rings, bool lonlat) noexcept {
    const std::size_t n = rings.x.size();
    for (std::size_t i = 0; i < n; ++i) {
        const double x = rings.x[i];
        const double y = rings.y[i];
        if (!std::isfinite(x) || !std::isfinite(y)) return false;
        if (lonlat && !LonLat::checked(x, y)) return false;
    }
    return true;
}

namespace {

/// Anchor = GEOS point on surface of the lon/lat rings (`built`: their GEOS geometry, if made).
bool anchor_of(const RingSet& rings, double& lon, double& lat, GeomPtr built = GeomPtr()) {
    GEOSContextHandle_t ctx = thread_geos().handle();
    GeomPtr geom = built ? std::move(built) : to_geos(ctx, rings, rings.x.data(), rings.y.data());
    if (!geom) return false;
    GeomPtr anchor = make_geom(ctx, GEOSPointOnSurface_r(ctx, geom.get()));
    return anchor && GEOSisEmpty_r(ctx, anchor.get()) == 0 &&
           GEOSGeomGetX_r(ctx, anchor.get(), &lon) != 0 &&
           GEOSGeomGetY_r(ctx, anchor.get(), &lat) != 0;
}

/// Area after projecting a copy of the lon/lat rings into the UTM zone `epsg`.
bool projected_area(const RingSet& rings, int epsg, double& area) {
    thread_local std::vector<double> utm_x;
    thread_local std::vector<double> utm_y;
    utm_x.assign(rings.x.begin(), rings.x.end());
    utm_y.assign(rings.y.begin(), rings.y.end());
    if (!project_to_utm(epsg, utm_x.data(), utm_y.data(), utm_x.size())) return false;
    area = planar_area(rings, utm_x.data(), utm_y.data());
    return true;
}

double ring_signed_area(const double* x, const double* y, std::size_t n) noexcept {
    return doubled_ring_area<double>(
               n, [x](std::size_t i) { return x[i]; }, [y](std::size_t i) { return y[i]; }) /
           2.0;
}

/// Sign of the orientation of (a, b, c) when certain, else 0. The margin (1e-12 relative) is
/// thousands of times the worst rounding error of the determinant (about 3.3e-16 relative,
/// Shewchuk's bound), so a non-zero answer is the sign GEOS's exact predicate also finds.
int certain_orientation(double ax, double ay, double bx, double by, double cx, double cy) noexcept {
    const double left = (bx - ax) * (cy - ay);
    const double right = (by - ay) * (cx - ax);
    const double det = left - right;
    const double margin = 1e-12 * (std::fabs(left) + std::fabs(right));
    if (det > margin) return 1;
    if (det < -margin) return -1;
    return 0;
}

}  // namespace

bool utm_area_and_anchor(const RingSet& rings, double& area, double& anchor_lon,
                         double& anchor_lat) {
    if (!anchor_of(rings, anchor_lon, anchor_lat)) return false;
    return projected_area(rings, utm_epsg_for(anchor_lon, anchor_lat), area);
}

double planar_area(const RingSet& rings, const double* x, const double* y) noexcept {
    double area = 0.0;
    std::uint32_t ring = 0;
    for (std::uint32_t poly_end : rings.poly_end) {
        for (std::uint32_t first = ring; ring < poly_end; ++ring) {
            const std::uint32_t start = ring == 0 ? 0 : rings.ring_end[ring - 1];
            const double a =
                std::fabs(ring_signed_area(x + start, y + start, rings.ring_end[ring] - start));
            area += ring == first ? a : -a;  // holes lie inside their (valid) shell
        }
    }
    return area;
}

bool certainly_valid_simple_ring(const RingSet& rings) noexcept {
    constexpr std::size_t k_max_points = 64;  // O(n²) segment pairs: beyond this GEOS is faster
    if (rings.poly_end.size() != 1 || rings.ring_end.size() != 1) return false;
    const std::size_t n = rings.x.size();
    if (n < 4 || n > k_max_points) return false;
    const double* x = rings.x.data();
    const double* y = rings.y.data();
    const std::size_t segments = n - 1;  // segment i runs from point i to point i + 1
    // Consecutive segments must turn (no repeated points, no straight or reversed joints that
    // need GEOS to judge).
    for (std::size_t i = 0; i < segments; ++i) {
        const std::size_t prev = i == 0 ? segments - 1 : i - 1;
        if (certain_orientation(x[prev], y[prev], x[i], y[i], x[i + 1], y[i + 1]) == 0) {
            return false;
        }
    }
    // Non-adjacent segments must be certainly apart.
    for (std::size_t i = 0; i < segments; ++i) {
        const double ax = x[i], ay = y[i], bx = x[i + 1], by = y[i + 1];
        for (std::size_t j = i + 2; j < segments; ++j) {
            if (i == 0 && j == segments - 1) continue;  // adjacent through the closing point
            const double cx = x[j], cy = y[j], dx = x[j + 1], dy = y[j + 1];
            if (std::max(ax, bx) < std::min(cx, dx) || std::max(cx, dx) < std::min(ax, bx) ||
                std::max(ay, by) < std::min(cy, dy) || std::max(cy, dy) < std::min(ay, by)) {
                continue;  // bounding boxes apart
            }
            const int o1 = certain_orientation(ax, ay, bx, by, cx, cy);
            const int o2 = certain_orientation(ax, ay, bx, by, dx, dy);
            if (o1 != 0 && o1 == o2) continue;  // c and d on the same side of ab
            const int o3 = certain_orientation(cx, cy, dx, dy, ax, ay);
            const int o4 = certain_orientation(cx, cy, dx, dy, bx, by);
            if (o3 != 0 && o3 == o4) continue;
            return false;  // they cross or touch, or we cannot be sure
        }
    }
    return ring_signed_area(x, y, n) != 0.0;
}

bool repair_if_invalid(const RingSet& rings, RingSet& repaired) {
    if (certainly_valid_simple_ring(rings)) return false;
    GEOSContextHandle_t ctx = thread_geos().handle();
    repaired.clear();
    const GeomPtr geom = to_geos(ctx, rings, rings.x.data(), rings.y.data());
    if (!geom) return true;
    if (GEOSisValid_r(ctx, geom.get()) == 1) return false;
    const GeomPtr fixed = make_geom(ctx, GEOSMakeValid_r(ctx, geom.get()));
    if (fixed) append_geos_polygons(ctx, fixed.get(), repaired);
    return true;
}

std::string FootprintBuilder::build(const RingSet& rings, Footprint& out,
                                    const SourceUtm* source_utm) {
    // 50 ms plus 10 µs a point of CPU time. GEOS needs about 1.3 µs a point to check a valid
    // ring of a million points and as much again to repair a ring with a few crossings, and
    // less than 1 ms for the broken footprints and boundaries of real data; a hostile ring
    // costs at most this, linear in the size of the upload.
    constexpr double k_base_seconds = 0.05;
    constexpr double k_seconds_per_point = 10e-6;
    const GeosWorkBudget budget(k_base_seconds +
                                k_seconds_per_point * static_cast<double>(rings.point_count()));
    std::string reason = build_within_budget(rings, out, source_utm);
    // A GEOS call cut short failed, and whatever followed from it is no result.
    return budget.exhausted() ? k_too_complex : reason;
}

std::string FootprintBuilder::build_within_budget(const RingSet& rings, Footprint& out,
                                                  const SourceUtm* source_utm) {
    const RingSet* usable = &rings;
    out.repaired = false;
    GeomPtr valid_geom;  // kept for the anchor when GEOS had to build it anyway
    // Validity is decided once: by the exact cheap test for simple rings (most buildings),
    // else by GEOS; only invalid input pays for MakeValid.
    if (!certainly_valid_simple_ring(rings)) {
        GEOSContextHandle_t ctx = thread_geos().handle();
        GeomPtr geom = to_geos(ctx, rings, rings.x.data(), rings.y.data());
        if (!geom) return k_degenerate;
        if (GEOSisValid_r(ctx, geom.get()) == 1) {
            valid_geom = std::move(geom);
        } else {
            GeomPtr fixed = make_geom(ctx, GEOSMakeValid_r(ctx, geom.get()));
            if (!fixed) return k_degenerate;
            m_repaired.clear();
            append_geos_polygons(ctx, fixed.get(), m_repaired);
            if (m_repaired.empty()) return k_degenerate;
            usable = &m_repaired;
            out.repaired = true;
        }
    }
    if (!anchor_of(*usable, out.anchor_lon, out.anchor_lat, std::move(valid_geom))) {
        return k_degenerate;
    }
    const int zone_epsg = utm_epsg_for(out.anchor_lon, out.anchor_lat);
    double area = 0.0;
    if (source_utm != nullptr && source_utm->epsg == zone_epsg && !out.repaired) {
        // The source coordinates already are in the anchor's UTM zone: no second projection.
        area = planar_area(rings, source_utm->x.data(), source_utm->y.data());
    } else if (!projected_area(*usable, zone_epsg, area)) {
        return k_cannot_reproject;
    }
    // Smaller than 10 cm × 10 cm is a collapsed ring that rounding kept alive (points on a line
    // are rarely exactly collinear in binary), not a building.
    constexpr double k_min_area = 0.01;
    if (!(area >= k_min_area)) return k_degenerate;
    out.area_m2 = area;
    write_multipolygon_wkb(*usable, out.wkb);
    return {};
}

void write_multipolygon_wkb(const RingSet& rings, std::vector<unsigned char>& out) {
    out.clear();
    out.reserve(9 + rings.poly_end.size() * 9 + rings.ring_end.size() * 4 + rings.x.size() * 16);
    out.push_back(1);  // little endian
    put_u32(out, 6);   // MultiPolygon
    put_u32(out, static_cast<std::uint32_t>(rings.poly_end.size()));
    std::uint32_t ring = 0;
    for (std::uint32_t poly_end : rings.poly_end) {
        out.push_back(1);
        put_u32(out, 3);  // Polygon
        put_u32(out, poly_end - ring);
        for (; ring < poly_end; ++ring) {
            const std::uint32_t start = ring == 0 ? 0 : rings.ring_end[ring - 1];
            const std::uint32_t n = rings.ring_end[ring] - start;
            put_u32(out, n);
            const std::size_t at = out.size();
            out.resize(at + static_cast<std::size_t>(n) * 16);
            unsigned char* dst = out.data() + at;
            for (std::uint32_t i = 0; i < n; ++i, dst += 16) {
                std::memcpy(dst, &rings.x[start + i], 8);
                std::memcpy(dst + 8, &rings.y[start + i], 8);
            }
        }
    }
}

bool read_wkb_rings(const unsigned char* wkb, std::size_t size, RingSet& out) {
    out.clear();
    GEOSContextHandle_t ctx = thread_geos().handle();
    GeomPtr geom = make_geom(ctx, GEOSGeomFromWKB_buf_r(ctx, wkb, size));
    if (!geom) return false;
    append_geos_polygons(ctx, geom.get(), out);
    return true;
}

}  // namespace leerstand::geo::detail
