#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

/// Plain geometry and attribute values that data/ hands to geo/ without either knowing the
/// other: coordinates in degrees (EPSG:4326, longitude first), no library types.
namespace leerstand {

struct LonLat {
    double lon = 0;
    double lat = 0;

    /// The point, or nothing unless both are finite and within -180..180 and -90..90.
    static std::optional<LonLat> checked(double lon, double lat) noexcept {
        if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180.0 || lon > 180.0 ||
            lat < -90.0 || lat > 90.0)
            return std::nullopt;
        return LonLat{lon, lat};
    }
};

/// A closed ring: the last point repeats the first.
using LonLatRing = std::vector<LonLat>;
/// The outer ring first, then the holes.
using LonLatPolygon = std::vector<LonLatRing>;
using LonLatMultiPolygon = std::vector<LonLatPolygon>;

/// An attribute value of a map feature.
using FeatureValue = std::variant<std::int64_t, double, std::string, bool>;

struct FeatureProperty {
    std::string key;
    FeatureValue value;
};

/// One feature as a tile or map needs it: an id, a point or polygons, a few properties.
/// Readers reuse one MapFeature for many rows, so its vectors keep their capacity.
struct MapFeature {
    std::int64_t id = 0;
    std::optional<LonLat> point;  ///< set for point features
    LonLatMultiPolygon polygons;  ///< set for polygon features
    std::vector<FeatureProperty> properties;
};

}  // namespace leerstand
