#pragma once

// The text the demo's geometries are handed over in.

#include <string>

#include "demo/plane.hpp"

namespace leerstand::demo::detail {

/// A one-ring MULTIPOLYGON in lon/lat with exactly 7 decimals, the first point repeated at the
/// end; the same bytes for the same ring on every platform.
std::string multipolygon_wkt(const Ring& ring, const Frame& frame);

/// The same for a ring given in lon/lat (x = lon, y = lat).
std::string lonlat_multipolygon_wkt(const std::vector<Vec2>& lonlat);

}  // namespace leerstand::demo::detail
