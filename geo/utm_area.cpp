#include "geo/utm_area.hpp"

#include <cmath>
#include <string>

#include "geo/crs_transform.hpp"

namespace leerstand::geo::detail {

int utm_epsg_for(double lon, double lat) noexcept {
    int zone = static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1;
    if (zone < 1) zone = 1;
    if (zone > 60) zone = 60;  // lon = 180 exactly
    if (lat >= 0.0) return (zone >= 28 && zone <= 38) ? 25800 + zone : 32600 + zone;
    return 32700 + zone;
}

bool project_to_utm(int utm_epsg, double* x, double* y, std::size_t n) {
    // Lon/lat in, easting/northing out.
    return transform_points("EPSG:4326", "EPSG:" + std::to_string(utm_epsg), AxisOrder::LonLatFirst,
                            x, y, n);
}

}  // namespace leerstand::geo::detail
