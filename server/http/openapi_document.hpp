#pragma once

#include <string_view>

namespace leerstand::http::detail {

/// The text of server/http/openapi.json, compiled in by CMake (openapi_document.cpp.in) so the
/// binary does not need the source tree at run time.
extern const std::string_view k_openapi_document;

}  // namespace leerstand::http::detail
