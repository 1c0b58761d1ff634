#pragma once

// Private to geo/: projecting coordinates with PROJ (lon/lat into the UTM zone of a point, for
// areas in m²; other CRSs for grids).

#include <cstddef>
#include <string>

namespace leerstand::geo::detail {

/// EPSG code of the UTM zone that holds (lon, lat): zone = floor((lon + 180) / 6) + 1;
/// ETRS89 / UTM (258zz) for the European zones 28–38 north of the equator, else WGS 84 / UTM
/// north (326zz) or south (327zz).
int utm_epsg_for(double lon, double lat) noexcept;

/// Projects n lon/lat (EPSG:4326) points in place into EPSG:`utm_epsg` easting/northing.
/// Uses the calling thread's PROJ context and a per-thread cache of one transformation per zone.
/// @returns false when PROJ could not create the transformation or a point failed
bool project_to_utm(int utm_epsg, double* x, double* y, std::size_t n);

}  // namespace leerstand::geo::detail
