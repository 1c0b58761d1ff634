#pragma once

// Independent oracles for the geo tests: GDAL/OGR reprojects and GEOS measures, without any
// code of geo/. Tests compare our results against these.

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "geo/feature_reader.hpp"

namespace leerstand::test {

/// GEOS area (m²) of a lon/lat WKB geometry after OGR reprojects it to EPSG:`epsg`.
double oracle_area_in_epsg(const std::vector<unsigned char>& wkb_lonlat, int epsg);

/// GEOS area of a WKT geometry in its own planar coordinates.
double oracle_planar_area(const std::string& wkt);

/// `wkt` in EPSG:`epsg` reprojected by OGR to lon/lat WKT (EPSG:4326, x = lon).
std::string oracle_to_lonlat_wkt(const std::string& wkt, int epsg);

/// GEOS area of every feature's geometry of a (metric) vector file, in file order.
std::vector<double> oracle_areas_of_file(const std::filesystem::path& path);

/// What reading a whole source with FeatureReader gave.
struct ReadSummary {
    geo::SourceInfo info;
    long long read = 0;
    long long footprints = 0;
    long long repaired = 0;
    std::map<std::string, long long> rejections;  // reason → count
    std::vector<geo::SourceFeature> features;     // all of them, in order
};

ReadSummary read_all(const std::filesystem::path& path, const geo::ReadOptions& options = {});

/// Value of attribute `name` of `feature` ("" when absent).
std::string attribute(const geo::SourceFeature& feature, const std::string& name);

/// True when polygon WKB (lon/lat) covers the point, by GEOS.
bool oracle_covers(const std::vector<unsigned char>& wkb, double lon, double lat);

}  // namespace leerstand::test
