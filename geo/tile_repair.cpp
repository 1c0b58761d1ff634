#include "geo/tile_repair.hpp"

#include <algorithm>
#include <cmath>

#include "geo/polygon_rings.hpp"

namespace leerstand::geo {

namespace {

/// The tile rings as a RingSet (closed rings; each exterior starts a polygon), so that the
/// validity test and repair of the import pipeline serve tiles too.
void to_ring_set(const std::vector<TileRing>& rings, detail::RingSet& out) {
    out.clear();
    for (std::size_t i = 0; i < rings.size(); ++i) {
        if (i > 0 && doubled_signed_area(rings[i]) > 0)
            out.poly_end.push_back(static_cast<std::uint32_t>(out.ring_end.size()));
        for (std::size_t j = 0; j <= rings[i].size(); ++j) {
            const TilePoint& p = rings[i][j % rings[i].size()];
            out.x.push_back(p.x);
            out.y.push_back(p.y);
        }
        out.ring_end.push_back(static_cast<std::uint32_t>(out.x.size()));
    }
    if (!rings.empty()) out.poly_end.push_back(static_cast<std::uint32_t>(out.ring_end.size()));
}

/// One ring of `set`, rounded to the grid, without repeated points, oriented as TileFeature
/// wants; empty when it collapsed.
TileRing rounded_ring(const detail::RingSet& set, std::size_t ring, bool exterior) {
    const std::size_t start = ring == 0 ? 0 : set.ring_end[ring - 1];
    TileRing out;
    for (std::size_t i = start; i < set.ring_end[ring]; ++i) {
        const TilePoint p{static_cast<std::int32_t>(std::lround(set.x[i])),
                          static_cast<std::int32_t>(std::lround(set.y[i]))};
        if (out.empty() || !(out.back() == p)) out.push_back(p);
    }
    while (out.size() > 1 && out.back() == out.front()) out.pop_back();
    const std::int64_t area = out.size() < 3 ? 0 : doubled_signed_area(out);
    if (area == 0) return {};
    if ((area > 0) != exterior) std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace

bool tile_polygons_are_valid(const std::vector<TileRing>& rings) {
    thread_local detail::RingSet set, repaired;
    for (const TileRing& ring : rings)
        if (ring.size() < 3) return false;
    to_ring_set(rings, set);
    return !detail::repair_if_invalid(set, repaired);
}

std::vector<TileRing> repaired_polygon_rings(std::vector<TileRing> rings) {
    thread_local detail::RingSet set, repaired;
    to_ring_set(rings, set);
    if (!detail::repair_if_invalid(set, repaired)) return rings;
    std::vector<TileRing> out;
    std::size_t ring = 0;
    for (const std::uint32_t poly_end : repaired.poly_end) {
        for (bool exterior = true; ring < poly_end; ++ring, exterior = false) {
            TileRing rounded = rounded_ring(repaired, ring, exterior);
            if (rounded.empty()) {
                if (exterior) {  // a collapsed shell takes its holes with it
                    ring = poly_end;
                    break;
                }
                continue;
            }
            out.push_back(std::move(rounded));
        }
    }
    return out;
}

}  // namespace leerstand::geo
