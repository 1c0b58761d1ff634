#include "server/http/openapi_routes.hpp"

#include <pistache/http.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "server/http/response_headers.hpp"
#include "server/http/routing.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
// ordered_json keeps the members in the order of the hand-written file, so the document a
// client receives reads like the one in the repository.
using Document = nlohmann::ordered_json;

constexpr const char* k_openapi_type = "application/vnd.oai.openapi+json;version=3.0";

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

/// "http://host:port" from the Host header, as the landing page builds its links (api_routes.cpp
/// base_url): clients resolve the paths against `servers`, and GDAL follows absolute URLs as
/// they are. nullopt when there is no usable Host.
std::optional<std::string> base_url(const Rest::Request& request) {
    std::string host;
    if (const auto typed = request.headers().tryGet<Http::Header::Host>()) {
        host = typed->host();
        const auto port = static_cast<std::uint16_t>(typed->port());
        if (!host.empty() && port != 0 && port != 80) host += ":" + std::to_string(port);
    } else if (const auto raw = request.headers().tryGetRaw("Host")) {
        host = trimmed(raw->value());
    }
    // Only host characters: the value ends up in a document clients act on.
    const bool usable = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
               c == '[' || c == ']';
    });
    if (!usable) return std::nullopt;
    const auto proto = request.headers().tryGetRaw("X-Forwarded-Proto");
    return (proto && trimmed(proto->value()) == "https" ? "https://" : "http://") + host;
}

void send_document(const Document& document, const Rest::Request& request,
                   Http::ResponseWriter& writer) {
    if (const auto f = request.query().get("f"); f && *f != "json")
        throw InvalidInput(
            "f must be json: the API description exists only as OpenAPI JSON",
            nlohmann::json{{"errors", {{{"field", "f"}, {"message", "f must be json"}}}}});
    Document body = document;
    // Without a usable Host the file's server-relative "/" stays.
    if (const auto base = base_url(request))
        body["servers"] = Document::array({{{"url", *base}, {"description", "this server"}}});
    set_header(writer, "Cache-Control", "no-cache");
    writer.send(Http::Code::Ok, body.dump(-1, ' ', false, Document::error_handler_t::replace),
                Http::Mime::MediaType::fromString(k_openapi_type));
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
