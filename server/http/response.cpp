#include "server/http/response.hpp"

#include <string>

#include "server/services/collections_service.hpp"

namespace leerstand::http {

using namespace Pistache;

void send_json(Http::ResponseWriter& writer, Http::Code code, const nlohmann::json& body,
               std::string_view media_type) {
    send_answer(writer, code, services::json_text(body), media_type);
}

void send_json(Http::ResponseWriter& writer, Http::Code code, const nlohmann::ordered_json& body,
               std::string_view media_type) {
    send_answer(writer, code,
                body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                media_type);
}

void set_caller_cache_headers(Http::ResponseWriter& writer, const services::Caller& caller) {
    set_header(writer, "Vary", "Cookie, Authorization");
    set_header(writer, "Cache-Control", caller.signed_in() ? "private, no-store" : "no-cache");
}

}  // namespace leerstand::http
