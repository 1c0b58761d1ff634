#pragma once

#include <string>

#include "geo/tile_builder.hpp"

/// Encoders for one tile layer. Both take the same TileLayer, so an MVT and a GeoJSON tile of
/// the same z/x/y hold the same features with the same properties.
namespace leerstand::geo {

/// Mapbox Vector Tile 2.1 (protobuf, written with protozero): one layer, version 2, the
/// layer's extent, feature ids, deduplicated keys and values, zig-zag delta geometry.
std::string encode_mvt(const TileLayer& layer);

/// A GeoJSON FeatureCollection (RFC 7946): lon/lat, counter-clockwise exteriors, closed rings,
/// with geojson_decimals() decimals; ids and properties as in the MVT.
std::string encode_geojson_tile(const TileLayer& layer);

/// Decimals a GeoJSON tile needs: enough to place a point within a quarter of a pixel of a
/// 256-pixel tile at its zoom and latitude, and no more (5 at z14 in Germany, 2 at z0).
int geojson_decimals(const TileId& tile);

/// Appends `value` with at most `decimals` decimals (0 to 15), trailing zeros dropped:
/// "13.5", "0" (also for -0.0), "-7.25"; NaN and infinities append `null`.
void append_decimal(std::string& out, double value, int decimals);

}  // namespace leerstand::geo
