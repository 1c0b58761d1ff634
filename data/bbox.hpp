#pragma once

/// A bounding box in CRS84 (longitude/latitude, WGS 84), as the OGC API `bbox` parameter.
namespace leerstand::data {

/// Corners in degrees; min_lon <= max_lon and min_lat <= max_lat.
struct Bbox {
    double min_lon = 0;
    double min_lat = 0;
    double max_lon = 0;
    double max_lat = 0;
};

}  // namespace leerstand::data
