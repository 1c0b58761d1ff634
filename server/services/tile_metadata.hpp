#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "server/services/tile_service.hpp"

namespace leerstand::data {
class Store;
}

/// The documents that describe the tiles to clients: TileJSON 3.0 (MapLibre, QGIS "XYZ"),
/// and OGC API – Tiles (tile matrix sets, tileset lists, tileset metadata; GDAL, QGIS).
/// `base` is "http://host:port" or "" for relative links.
namespace leerstand::services {

inline constexpr const char* k_web_mercator_quad = "WebMercatorQuad";

/// The bounds (and tileset limits below) cover what `caller` may see of the layer: a hidden
/// vacancy must not move them.
nlohmann::json tilejson(const TileLayerInfo& layer, const std::string& base, data::Store& store,
                        const Caller& caller);

nlohmann::json tile_matrix_sets(const std::string& base);
/// @throws NotFound for any id but WebMercatorQuad.
nlohmann::json tile_matrix_set(const std::string& id);

/// `/collections/{id}/tiles`.
nlohmann::json tilesets(const TileLayerInfo& layer, const std::string& base);
/// `/collections/{id}/tiles/WebMercatorQuad`, with the tile limits of the layer's extent.
nlohmann::json tileset(const TileLayerInfo& layer, const std::string& base, data::Store& store,
                       const Caller& caller);

/// The conformance classes of OGC API – Tiles the server implements.
const std::vector<std::string>& tiles_conformance();

}  // namespace leerstand::services
