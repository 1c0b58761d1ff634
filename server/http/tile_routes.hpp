#pragma once

#include <pistache/router.h>

#include "server/http/api_routes.hpp"

namespace leerstand::http {

/// Registers the map tiles and their metadata:
/// - `GET /tiles/{layer}/{z}/{x}/{y}.mvt|.geojson` (XYZ; Leaflet, MapLibre, QGIS),
/// - `GET /tiles/{layer}.json` (TileJSON 3.0),
/// - OGC API – Tiles: `/tileMatrixSets[/WebMercatorQuad]`, `/collections/{id}/tiles`,
///   `/collections/{id}/tiles/WebMercatorQuad[/{z}/{y}/{x}]` (`f=mvt|geojson` or Accept).
/// Tiles come with an ETag (If-None-Match gives 304), gzip when accepted, 204 when empty.
/// @pre `context` (with `context.tiles`) outlives the router.
void add_tile_routes(Pistache::Rest::Router& router, const ApiContext& context);

}  // namespace leerstand::http
