#pragma once

#include <pistache/http.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "server/http/transport/answer.hpp"   // send_answer: bodies that are not JSON
#include "server/http/transport/headers.hpp"  // set_header
#include "server/services/caller.hpp"

/// How a route handler answers.
namespace leerstand::http {

inline constexpr const char* k_json = "application/json";
inline constexpr const char* k_geojson = "application/geo+json";

/// Sends `body` as JSON text of `media_type` with status `code` and the writer's headers (to a
/// HEAD request the same head without the body). Numbers are written in their shortest
/// round-trip form (services::json_text), bytes that are not valid UTF-8 are replaced, never
/// thrown about: a text from an upload or a request may carry them.
void send_json(Pistache::Http::ResponseWriter& writer, Pistache::Http::Code code,
               const nlohmann::json& body, std::string_view media_type = k_json);

/// The same for a document whose members keep the order they were written in (OpenAPI).
void send_json(Pistache::Http::ResponseWriter& writer, Pistache::Http::Code code,
               const nlohmann::ordered_json& body, std::string_view media_type);

/// `Vary` and `Cache-Control` for a response that depends on who asks: a shared cache must
/// never hand what a signed-in caller got to anyone else.
void set_caller_cache_headers(Pistache::Http::ResponseWriter& writer,
                              const services::Caller& caller);

}  // namespace leerstand::http
