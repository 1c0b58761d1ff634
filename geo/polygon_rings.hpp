#pragma once

// Private to geo/: the per-feature geometry pipeline shared by FeatureReader and the
// footprint_* functions. Coordinates travel as flat x/y arrays from OGR through the
// reprojection into GEOS, so no WKT and no extra geometry copies are made.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "geo/footprint.hpp"

class OGRGeometry;

namespace leerstand::geo::detail {

/// A (multi)polygon as flat coordinate arrays: ring r spans [ring_end[r-1], ring_end[r]) of
/// x/y, polygon p spans rings [poly_end[p-1], poly_end[p]); the first ring of a polygon is its
/// shell. Every stored ring is closed and has at least 4 points.
struct RingSet {
    std::vector<double> x;
    std::vector<double> y;
    std::vector<std::uint32_t> ring_end;
    std::vector<std::uint32_t> poly_end;

    void clear() noexcept {
        x.clear();
        y.clear();
        ring_end.clear();
        poly_end.clear();
    }
    bool empty() const noexcept { return poly_end.empty(); }
    std::size_t point_count() const noexcept { return x.size(); }
};

/// The small fixed vocabulary of rejection reasons (reports group by them).
inline constexpr const char* k_no_geometry = "no geometry";
inline constexpr const char* k_degenerate = "degenerate polygon (no area)";
inline constexpr const char* k_invalid_coordinates = "invalid coordinates";
inline constexpr const char* k_cannot_reproject = "cannot reproject";
/// GEOS ran out of its work budget (GeosWorkBudget) on the feature, e.g. repairing a ring that
/// crosses itself a million times.
inline constexpr const char* k_too_complex = "invalid polygon too complex to repair";
/// "not a polygon (<Type>)", e.g. "not a polygon (LineString)".
std::string not_a_polygon(const OGRGeometry& geometry);
/// "more than <limit> vertices", e.g. "more than 10000 vertices".
std::string too_many_vertices(std::size_t limit);

/// Reads the rings of a Polygon/MultiPolygon (also CurvePolygon/MultiSurface, linearised; Z/M
/// dropped) into `out`. Unclosed rings are closed; rings with fewer than 4 points are dropped,
/// and a dropped shell drops its polygon.
/// @param max_vertices  a polygon with more vertices (all rings, counted as read and again
///                      once linearised) is rejected before it is copied
/// @returns an empty string, or the rejection reason (no geometry, not a polygon, too many
///          vertices, invalid coordinates, degenerate polygon)
std::string read_ogr_rings(const OGRGeometry* geometry, RingSet& out,
                           std::optional<std::size_t> max_vertices = std::nullopt);

/// True when every coordinate is finite and, if `lonlat`, within ±180 / ±90.
bool coordinates_ok(const RingSet& rings, bool lonlat) noexcept;

/// Coordinates of the same rings in a UTM zone, when the source already was in one (e.g.
/// ALKIS data in EPSG:25832/25833): then the area needs no second projection.
struct SourceUtm {
    int epsg = 0;  ///< 258zz / 326zz / 327zz; 0 = the source is not a UTM zone
    std::vector<double> x;
    std::vector<double> y;
};

/// Turns lon/lat rings into a footprint: checks validity once (a cheap exact test for simple
/// rings, else GEOS) and repairs with GEOSMakeValid (keeping polygonal parts), finds the anchor
/// (GEOS point on surface), computes the area in the anchor's UTM zone and writes ISO WKB.
/// Uses the calling thread's GEOS and PROJ contexts; one builder per thread (it reuses its
/// buffers). The GEOS work of one footprint is bounded in CPU time by its size: a repair can
/// cost far more than linear time (a star of 1,000 points crosses itself ~500,000 times; a ring
/// that runs round the same square 4,000 times took GEOS 5 s and 700 MB to repair).
class FootprintBuilder {
  public:
    /// @param source_utm the rings in the source's UTM zone, or nullptr
    /// @returns an empty string and fills `out`, or a rejection reason
    std::string build(const RingSet& rings, Footprint& out, const SourceUtm* source_utm = nullptr);

  private:
    std::string build_within_budget(const RingSet& rings, Footprint& out,
                                    const SourceUtm* source_utm);
    RingSet m_repaired;
};

/// Area in m² of valid lon/lat rings, in the UTM zone of their point on surface; also returns
/// that anchor. @returns false when GEOS or PROJ fail (the rings are then unusable)
bool utm_area_and_anchor(const RingSet& rings, double& area_m2, double& anchor_lon,
                         double& anchor_lat);

/// True only when `rings` is one simple ring whose validity is certain without GEOS: no
/// repeated points, no two segments touching (each orientation test decided with a safety
/// margin far above rounding error), non-zero area. False means "ask GEOS", not "invalid".
bool certainly_valid_simple_ring(const RingSet& rings) noexcept;

/// Checks `rings` (certainly_valid_simple_ring, else GEOS isValid) and, only when they are
/// invalid, writes GEOS MakeValid's polygonal parts to `repaired` (cleared first; it may end up
/// empty when everything collapses). @returns true when `rings` needed the repair.
bool repair_if_invalid(const RingSet& rings, RingSet& repaired);

/// Planar area of valid rings over coordinate arrays x/y: shells minus holes (the shoelace
/// formula GEOS's Area uses, as geo/ring_area.hpp computes it).
double planar_area(const RingSet& rings, const double* x, const double* y) noexcept;

/// Reads the polygonal parts of ISO/extended WKB into `out` (other parts are skipped).
/// @returns false when the WKB cannot be parsed
bool read_wkb_rings(const unsigned char* wkb, std::size_t size, RingSet& out);

/// ISO WKB, little endian, MultiPolygon of `rings`.
void write_multipolygon_wkb(const RingSet& rings, std::vector<unsigned char>& out);

}  // namespace leerstand::geo::detail
