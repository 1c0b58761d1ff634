#pragma once

#include <cstddef>
#include <span>

#include "common/geometry.hpp"
#include "data/bbox.hpp"

/// Reading geometry bytes without SpatiaLite's SQL functions, for the hot paths of data/:
/// tiles read SpatiaLite's own BLOB format straight from the column (WKB on PostgreSQL), and
/// imports take the box of each WKB footprint as it passes. Internal to data/.
namespace leerstand::data::detail {

/// Decodes a SpatiaLite geometry BLOB (XY Point, MultiPoint, Polygon or MultiPolygon, either
/// byte order) into `feature.point` or `feature.polygons` (both cleared first).
/// @throws InternalError for a malformed BLOB or another geometry class.
void decode_spatialite_blob(std::span<const unsigned char> blob, MapFeature& feature);

/// Decodes 2D WKB (ISO, or PostGIS' EWKB with an SRID; Point, MultiPoint, Polygon or
/// MultiPolygon, either byte order) as decode_spatialite_blob() does: for the tiles of a
/// PostgreSQL store, which reads its geometries as WKB.
/// @throws InternalError for malformed WKB or another geometry type.
void decode_wkb(std::span<const unsigned char> wkb, MapFeature& feature);

/// Widens `box` (when `has_box` is false it starts from this geometry) to a 2D WKB Polygon or
/// MultiPolygon; false for anything it cannot read, leaving `box` as it was.
bool extend_box_by_wkb(std::span<const unsigned char> wkb, Bbox& box, bool& has_box);

}  // namespace leerstand::data::detail
