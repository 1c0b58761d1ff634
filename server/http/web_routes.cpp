#include <pistache/http.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/text.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/http/static_files.hpp"
#include "server/services/collections_service.hpp"
#include "server/services/site.hpp"
#include "server/services/status_service.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

/// Where the basemap's images come from, as a CSP source: the template's scheme and host, a
/// `{s}` subdomain as `*`; the scheme alone when the host has other placeholders.
std::string basemap_source(const std::string& url_template) {
    const std::size_t scheme_end = url_template.find("://");
    if (scheme_end == std::string::npos) return "";
    const std::string scheme = url_template.substr(0, scheme_end + 3);
    std::string host = url_template.substr(scheme_end + 3);
    host = host.substr(0, host.find('/'));
    if (const std::size_t s = host.find("{s}"); s != std::string::npos)
        host = host.substr(0, s) + "*" + host.substr(s + 3);
    if (host.find_first_of("{}") != std::string::npos || host.empty())
        return scheme.substr(0, scheme.size() - 2);  // "https:"
    return scheme + host;
}

/// Everything no route matched: static files for GET and HEAD, otherwise 404/405 problems.
void send_static(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    if (request.method() != Http::Method::Get && request.method() != Http::Method::Head) {
        // resolve() throws NotFound for paths we do not serve at all.
        context.files->resolve(request.resource());
        send_problem_for(request, writer, method_not_allowed("GET, HEAD"));
        return;
    }
    const StaticFile file = context.files->load(request.resource());
    if (file.content_type.rfind("text/html", 0) == 0)
        set_header(writer, "Content-Security-Policy", context.page_policy);
    // Small files, revalidated on each load: fine until the app gets a build step.
    set_header(writer, "Cache-Control", "no-cache");
    send_answer(writer, Http::Code::Ok, file.body, file.content_type);
}

/// True when a request for `/` wants the landing page JSON (`?f=json`, or an Accept header
/// asking for JSON without listing text/html); otherwise the web app is served.
bool wants_landing_json(const Rest::Request& request) {
    if (const auto f = query_value(request, "f")) return *f == "json";
    // Browsers list text/html; API clients ask for JSON. Without a JSON preference, the web app.
    std::string accept;
    if (const auto raw = header_value(request, "Accept")) {
        accept = *raw;
    } else if (const auto typed = request.headers().tryGet<Http::Header::Accept>()) {
        for (const auto& media : typed->media()) accept += media.toString() + ",";
    }
    accept = ascii_lower(accept);
    if (accept.find("text/html") != std::string::npos) return false;
    return accept.find("json") != std::string::npos;
}

/// `/` by content negotiation: the OGC API landing page (links self, service-desc,
/// conformance, data) for API clients, the web app for browsers.
void get_root(const ApiContext& context, const Rest::Request& request,
              Http::ResponseWriter& writer) {
    if (!wants_landing_json(request)) {
        send_static(context, request, writer);
        return;
    }
    set_header(writer, "Vary", "Accept");
    set_header(writer, "Cache-Control", "no-cache");
    send_json(writer, Http::Code::Ok,
              services::CollectionsService::landing_page(base_url(), context.site->data_license));
}

/// What the web app needs to know of the operator's settings.
void get_config(const ApiContext& context, const Rest::Request&, Http::ResponseWriter& writer) {
    nlohmann::json basemap = nullptr;
    if (!context.basemap_url.empty())
        basemap = {{"url", context.basemap_url}, {"attribution", context.basemap_attribution}};
    set_header(writer, "Cache-Control", "no-cache");
    send_json(writer, Http::Code::Ok, {{"basemap", basemap}});
}

/// The operator's texts, contact and the licences of the data: the same for everyone.
void get_site(const ApiContext& context, const Rest::Request&, Http::ResponseWriter& writer) {
    set_header(writer, "Cache-Control", "no-cache");
    send_json(writer, Http::Code::Ok, services::site_json(*context.site));
}

void get_health(const ApiContext& context, const Rest::Request&, Http::ResponseWriter& writer) {
    const services::StatusReport report = services::read_status(context.db);
    const nlohmann::json body = {
        {"status", report.status},
        {"backend", report.backend},
        {"schema_version", report.schema_version},
        // Always true here: a database that does not answer gives a 503 (read_status).
        {"database_reachable", true},
        {"counts",
         {
             {"kommunen", report.counts.kommunen},
             {"buildings", report.counts.buildings},
             // No vacancy count: /health is public, and how many unpublished vacancies a
             // small place has is exactly what the privacy rules keep from the public. No
             // upload count either: an upload of unpublished reports would show as one more.
             {"zukunftsorte", report.counts.zukunftsorte},
             {"users", report.counts.users},
         }},
    };
    set_header(writer, "Cache-Control", "no-store");
    send_json(writer, Http::Code::Ok, body);
}

}  // namespace

std::string page_content_policy(const std::string& basemap_url, std::string_view frame_ancestors) {
    std::string images = "'self' data: blob:";
    if (const std::string source = basemap_source(basemap_url); !source.empty())
        images += " " + source;
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + images +
           "; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
           "frame-ancestors " +
           std::string(frame_ancestors);
}

void add_web_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/", Method::Get, get_root},
                        {"/api/config", Method::Get, get_config},
                        {"/api/site", Method::Get, get_site},
                        {"/health", Method::Get, get_health},
                    });
    add_fallback_route(router, context, send_static);
}

}  // namespace leerstand::http
