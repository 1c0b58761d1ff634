#pragma once

#include <cstddef>
#include <string>

/// Coordinates from one coordinate reference system into another through PROJ, with one PROJ
/// context per thread and its transformations cached (a PJ serves one thread only).
namespace leerstand::geo {

/// How axes are ordered on both sides of a transformation.
enum class AxisOrder {
    /// As each CRS defines it: EPSG:4326 and EPSG:4258 latitude first, OGC:CRS84 longitude
    /// first, projected CRSs easting first (what OGC API – Features Part 2 answers in).
    Authority,
    /// Longitude (easting) first on both sides, whatever the CRS defines (GIS order).
    LonLatFirst,
};

/// Transforms `n` points in place from CRS `from` to CRS `to`, both PROJ names such as
/// "OGC:CRS84" or "EPSG:25833".
/// @returns false when PROJ knows no transformation or a point failed (values are then
///          unspecified).
bool transform_points(const std::string& from, const std::string& to, AxisOrder order, double* x,
                      double* y, std::size_t n);

}  // namespace leerstand::geo
