#pragma once

#include <algorithm>
#include <cmath>
#include <numbers>

#include "common/geometry.hpp"

namespace leerstand::geo {

/// The mean Earth radius (IUGG) in kilometres: on the sphere it stands for the ellipsoid.
inline constexpr double k_mean_earth_radius_km = 6371.0088;

/// The great-circle distance in kilometres between two points (haversine on the sphere). Off
/// from the ellipsoid by under 0.5 %, which is plenty for "how far is this from that town".
inline double great_circle_km(LonLat from, LonLat to) noexcept {
    constexpr double radians_per_degree = std::numbers::pi / 180.0;
    const double lat_from = from.lat * radians_per_degree;
    const double lat_to = to.lat * radians_per_degree;
    const double sin_half_dlat = std::sin((to.lat - from.lat) * radians_per_degree / 2.0);
    const double sin_half_dlon = std::sin((to.lon - from.lon) * radians_per_degree / 2.0);
    const double h = sin_half_dlat * sin_half_dlat +
                     std::cos(lat_from) * std::cos(lat_to) * sin_half_dlon * sin_half_dlon;
    // min: rounding may push h a hair above 1 for antipodal points, and asin(>1) is NaN.
    return 2.0 * k_mean_earth_radius_km * std::asin(std::sqrt(std::min(h, 1.0)));
}

}  // namespace leerstand::geo
