#include <pistache/http.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/error.hpp"
#include "server/http/openapi_document.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
// ordered_json keeps the members in the order of the hand-written file, so the document a
// client receives reads like the one in the repository.
using Document = nlohmann::ordered_json;

constexpr const char* k_openapi_type = "application/vnd.oai.openapi+json;version=3.0";

/// The compiled-in document, parsed on first use.
const Document& document() {
    static const Document k_document = Document::parse(detail::k_openapi_document);
    return k_document;
}

void get_api(const ApiContext&, const Rest::Request& request, Http::ResponseWriter& writer) {
    if (const auto f = query_value(request, "f"); f && *f != "json")
        throw InvalidInput(
            "f must be json: the API description exists only as OpenAPI JSON",
            nlohmann::json{{"errors", {{{"field", "f"}, {"message", "f must be json"}}}}});
    Document body = document();
    // The file's server-relative "/" stays only while the server starts (no public URL yet).
    if (const std::string base = base_url(); !base.empty())
        body["servers"] = Document::array({{{"url", base}, {"description", "this server"}}});
    set_header(writer, "Cache-Control", "no-cache");
    send_json(writer, Http::Code::Ok, body, k_openapi_type);
}

}  // namespace

void add_openapi_routes(Rest::Router& router, const ApiContext& context) {
    document();  // parsed now: a broken document stops the start, not every request
    add_route_table(router, context, {{"/api", Http::Method::Get, get_api}});
}

}  // namespace leerstand::http
