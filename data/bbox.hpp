#pragma once

#include <optional>
#include <string>

/// A bounding box in CRS84 (longitude/latitude, WGS 84), as the OGC API `bbox` parameter.
namespace leerstand::data {

/// Corners in degrees; min_lon <= max_lon and min_lat <= max_lat.
struct Bbox {
    double min_lon = 0;
    double min_lat = 0;
    double max_lon = 0;
    double max_lat = 0;
};

/// Days from `from` to `to`, both included, as YYYY-MM-DD (the OGC API `datetime` parameter
/// narrowed to the dates the store keeps, such as vacant_since); an absent end is open.
struct DateRange {
    std::optional<std::string> from;
    std::optional<std::string> to;
};

}  // namespace leerstand::data
