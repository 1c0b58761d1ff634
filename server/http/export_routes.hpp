#pragma once

#include <pistache/router.h>

#include "server/http/api_routes.hpp"

namespace leerstand::http {

/// Registers `GET /export/{collection}.{geojson,gpkg,csv}`: the collection with the filters of
/// items (bbox, datetime, kommune, status, use), as the caller may see it, as a download
/// (`Content-Disposition: attachment`). The export is written to a spool file next to the
/// database first (memory stays flat for a million buildings, and a failure yields a clean
/// problem instead of half a download), then sent in bounded chunks and removed.
/// Spool files an earlier process left behind are removed here.
/// @pre `context` outlives the router.
void add_export_routes(Pistache::Rest::Router& router, const ApiContext& context);

}  // namespace leerstand::http
