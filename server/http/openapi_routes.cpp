#include "server/http/openapi_routes.hpp"

#include <pistache/http.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "server/http/routing.hpp"
#include "server/http/transport/answer.hpp"
#include "server/http/transport/public_url.hpp"
#include "server/http/transport/response_headers.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
// ordered_json keeps the members in the order of the hand-written file, so the document a
// client receives reads like the one in the repository.
using Document = nlohmann::ordered_json;

constexpr const char* k_openapi_type = "application/vnd.oai.openapi+json;version=3.0";

void send_document(const Document& document, const Rest::Request& request,
                   Http::ResponseWriter& writer) {
    if (const auto f = request.query().get("f"); f && *f != "json")
        throw InvalidInput(
            "f must be json: the API description exists only as OpenAPI JSON",
            nlohmann::json{{"errors", {{{"field", "f"}, {"message", "f must be json"}}}}});
    Document body = document;
    // The file's server-relative "/" stays only while the server starts (no public URL yet).
    if (const std::string base = base_url(); !base.empty())
        body["servers"] = Document::array({{{"url", base}, {"description", "this server"}}});
    set_header(writer, "Cache-Control", "no-cache");
    send_answer(writer, Http::Code::Ok,
                body.dump(-1, ' ', false, Document::error_handler_t::replace), k_openapi_type);
}

}  // namespace

void add_openapi_routes(Rest::Router& router) {
    // Parsed once, here: a broken document stops the start, not every request.
    auto document = std::make_shared<const Document>(Document::parse(detail::openapi_document));
    add_routes(router, "/api",
               {{Http::Method::Get,
                 [document](const Rest::Request& request, Http::ResponseWriter& writer,
                            const std::string&) { send_document(*document, request, writer); }}});
}

}  // namespace leerstand::http
