#pragma once

#include <pistache/router.h>

#include <string_view>

namespace leerstand::http {

/// Registers `GET /api` (also `?f=json`): the OpenAPI 3.0 description of the whole HTTP API,
/// as `application/vnd.oai.openapi+json;version=3.0`, with `servers` set to the base URL the
/// request was sent to. The landing page links it as `service-desc`; GDAL's OAPIF driver and
/// QGIS read it (page size limits, result types).
/// @throws std::exception when the compiled-in document is not valid JSON (at registration, so a
///         broken document stops the server from starting instead of failing every request).
void add_openapi_routes(Pistache::Rest::Router& router);

namespace detail {
/// The text of server/http/openapi.json, compiled in by CMake (openapi_document.cpp.in) so the
/// binary does not need the source tree at run time.
extern const std::string_view openapi_document;
}  // namespace detail

}  // namespace leerstand::http
