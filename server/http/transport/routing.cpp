#include "server/http/transport/routing.hpp"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>

#include "common/error.hpp"
#include "common/text.hpp"
#include "server/http/transport/answer.hpp"
#include "server/http/transport/cors.hpp"
#include "server/http/transport/headers.hpp"
#include "server/http/transport/public_url.hpp"

namespace leerstand::http {

using namespace Pistache;

void send_problem_for(const Rest::Request& request, Http::ResponseWriter& writer,
                      const Problem& problem) {
    send_problem(writer, problem, request.resource(), answering_request_id());
}

Problem method_not_allowed(const std::string& allow) {
    Problem problem;
    problem.status = 405;
    problem.detail = "this resource supports only " + allow;
    problem.allow = allow;
    return problem;
}

namespace {

/// The methods a path may serve, in the order `Allow` lists them.
constexpr Http::Method k_methods[] = {
    Http::Method::Get,   Http::Method::Head,   Http::Method::Post,   Http::Method::Put,
    Http::Method::Patch, Http::Method::Delete, Http::Method::Options};

const char* method_name(Http::Method method) {
    switch (method) {
        case Http::Method::Get:
            return "GET";
        case Http::Method::Post:
            return "POST";
        case Http::Method::Put:
            return "PUT";
        case Http::Method::Patch:
            return "PATCH";
        case Http::Method::Delete:
            return "DELETE";
        case Http::Method::Head:
            return "HEAD";
        case Http::Method::Options:
            return "OPTIONS";
        default:
            return "";
    }
}

/// Pistache 0.0.5 answers `Connection: Close` to every request that has no Connection header,
/// yet keeps the socket open (README.md). Clients believe it and reconnect for every tile.
/// Answer what the protocol means instead: HTTP/1.1 keeps the connection unless the client
/// asked to close it; HTTP/1.0 closes it unless the client asked to keep it.
void set_connection_header(const Rest::Request& request, Http::ResponseWriter& writer) {
    using Http::ConnectionControl;
    ConnectionControl control = request.version() == Http::Version::Http11
                                    ? ConnectionControl::KeepAlive
                                    : ConnectionControl::Close;
    if (const auto asked = request.headers().tryGet<Http::Header::Connection>())
        control = asked->control();
    auto& headers = writer.headers();
    headers.remove<Http::Header::Connection>();
    headers.add<Http::Header::Connection>(control);
}

bool is_safe(Http::Method method) {
    return method == Http::Method::Get || method == Http::Method::Head ||
           method == Http::Method::Options;
}

/// "host:port" (lower case, no port for 80) the client sent the request to, from its Host
/// header; "" without one.
std::string request_authority(const Rest::Request& request) {
    std::string host;
    if (const auto typed = request.headers().tryGet<Http::Header::Host>()) {
        host = typed->host();
        const auto port = static_cast<std::uint16_t>(typed->port());
        if (!host.empty() && port != 0 && port != 80) host += ":" + std::to_string(port);
    } else if (const auto raw = header_value(request, "Host")) {
        host = trimmed(*raw);
    }
    return ascii_lower(host);
}

/// The session cookie is SameSite=Strict, but "site" means the registrable domain: a page of
/// another service on the same host (another port) or a sibling subdomain is the same site,
/// and its forms and scripts would send our cookie along. Browsers say where a request comes
/// from (Origin, Sec-Fetch-Site); a write from another origin is refused. An origin is ours
/// when its host and port are the public URL's, or the ones the browser sent this request to
/// (its Host: a browser sets it from the URL it fetches, and no page can change it), so that
/// browsers reaching the server under another name than the public URL may still write.
/// Scripts with a token send neither header, or, in a page of another origin, send their token
/// without cookies: what they may do is what the token allows (cors.hpp), so they may write.
void refuse_cross_origin_writes(const Rest::Request& request) {
    if (is_safe(request.method()) || is_token_request_without_cookies(request)) return;
    const auto site = header_value(request, "Sec-Fetch-Site");
    if (site && *site != "same-origin" && *site != "none")
        throw Forbidden("a write from another site's page is refused (Sec-Fetch-Site: " + *site +
                        ")");
    const auto origin = header_value(request, "Origin");
    if (!origin) return;
    const auto from = PublicUrl::parse(trimmed(*origin));
    const auto ours = public_url();
    const bool same_origin = from && ((ours && from->authority() == ours->authority()) ||
                                      from->authority() == request_authority(request));
    if (!same_origin)
        throw Forbidden("a write from another origin is refused (Origin: " + *origin + ")");
}

/// Pistache 0.0.5 limits a request only as a whole, headers and body together (README.md), and
/// that limit must fit an upload. Targets and headers get their own bounds here, far above
/// anything a browser, QGIS or GDAL sends (a long OGC query is a few hundred bytes).
void refuse_oversized_head(const Rest::Request& request) {
    constexpr std::size_t k_max_target = std::size_t{8} * 1024;
    constexpr std::size_t k_max_headers = std::size_t{32} * 1024;
    std::size_t target = request.resource().size();
    const auto& query = request.query();
    for (auto parameter = query.parameters_begin(); parameter != query.parameters_end();
         ++parameter)
        target += parameter->first.size() + parameter->second.size() + 2;
    if (target > k_max_target)
        throw UriTooLong("the request target is longer than " + std::to_string(k_max_target) +
                         " bytes");
    std::size_t headers = 0;
    for (const auto& [name, raw] : request.headers().rawList())
        headers += name.size() + raw.value().size() + 4;
    // Typed headers have no stored text: write each (one stream for all, this runs per request).
    std::ostringstream value;
    for (const auto& header : request.headers().list()) {
        value.str("");
        header->write(value);
        headers += std::strlen(header->name()) + static_cast<std::size_t>(value.tellp()) + 4;
    }
    if (headers > k_max_headers)
        throw HeadersTooLarge("the request headers are larger than " +
                              std::to_string(k_max_headers) + " bytes");
}

std::atomic<WorkerThreads*> g_write_threads{nullptr};
std::atomic<WorkerThreads*> g_download_threads{nullptr};

/// The threads `request` runs on in `lane`; null: in place.
WorkerThreads* threads_for(Lane lane, const Rest::Request& request) {
    if (lane == Lane::Download) return g_download_threads.load();
    return is_safe(request.method()) ? nullptr : g_write_threads.load();
}

void respond(const Handler& handler, const Rest::Request& request, Http::ResponseWriter& writer,
             const std::string& request_id) {
    const AnsweringRequest answering(request, request_id);
    try {
        set_connection_header(request, writer);
        set_common_headers(writer, request_id);
        refuse_oversized_head(request);
        refuse_cross_origin_writes(request);
        handler(request, writer);
    } catch (...) {
        send_problem_for(request, writer, problem_for(std::current_exception(), request_id));
    }
}

/// A request and what answers it, kept together until a worker thread runs it.
struct PendingRequest {
    Rest::Request request;
    Http::ResponseWriter writer;
};

}  // namespace

std::string next_request_id() {
    // Random and of one length: a counter told anyone how many requests the server had answered
    // between two of theirs (activity, hidden writes included), and its length changed the
    // length of error bodies. 64 bits keep ids of one log apart.
    thread_local std::mt19937_64 random{std::random_device{}()};
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(random()));
    return text;
}

void set_common_headers(Http::ResponseWriter& writer, const std::string& request_id) {
    set_header(writer, "X-Request-Id", request_id);
    set_header(writer, "X-Content-Type-Options", "nosniff");
    // Links to basemaps and sites of Zukunftsorte carry our origin, never a path
    // (paths may name a Kommune or a record).
    set_header(writer, "Referrer-Policy", "strict-origin");
    // API answers run no code; the web app's page replaces this (static files).
    set_header(writer, "Content-Security-Policy", k_api_content_policy);
    // No page may be framed (clickjacking), for browsers that know no frame-ancestors too;
    // only the embed pages drop it (page_routes.cpp).
    set_header(writer, "X-Frame-Options", "DENY");
    set_cors_headers(writer);
}

void run_lanes_on(WorkerThreads* writes, WorkerThreads* downloads) {
    g_write_threads.store(writes);
    g_download_threads.store(downloads);
}

Rest::Route::Handler guarded(Handler handler, Lane lane) {
    return [handler = std::move(handler), lane](const Rest::Request& request,
                                                Http::ResponseWriter writer) {
        const std::string request_id = next_request_id();
        WorkerThreads* const threads = threads_for(lane, request);
        if (threads == nullptr) {
            respond(handler, request, writer, request_id);
            return Rest::Route::Result::Ok;
        }
        // The request is Pistache's for this call only: the worker thread gets its own copy.
        auto pending = std::make_shared<PendingRequest>(PendingRequest{request, std::move(writer)});
        const bool queued = threads->submit([handler, pending, request_id] {
            respond(handler, pending->request, pending->writer, request_id);
        });
        if (!queued) {
            const Handler refuse = [lane](const Rest::Request&, Http::ResponseWriter&) {
                throw StorageBusy(lane == Lane::Download
                                      ? "too many downloads are running; try again in a moment"
                                      : "too many changes are waiting to be saved; try again "
                                        "in a moment");
            };
            respond(refuse, request, pending->writer, request_id);
        }
        return Rest::Route::Result::Ok;
    };
}

void bind_path(Rest::Router& router, const std::string& path,
               const std::map<Http::Method, Handler>& handlers, Lane lane) {
    std::map<Http::Method, Handler> served = handlers;
    // HEAD is GET without the body (answer.hpp): every path that answers GET answers HEAD.
    if (const auto get = served.find(Http::Method::Get); get != served.end())
        served.emplace(Http::Method::Head, get->second);
    std::string allow;
    for (Http::Method method : k_methods) {
        const auto handler = served.find(method);
        if (handler == served.end()) continue;
        router.addRoute(method, path, guarded(handler->second, lane));
        allow += (allow.empty() ? "" : ", ") + std::string(method_name(method));
    }
    const Handler not_allowed = [allow](const Rest::Request& request,
                                        Http::ResponseWriter& writer) {
        send_problem_for(request, writer, method_not_allowed(allow));
    };
    // Browsers ask before a script of another origin writes or sends a token (a preflight):
    // every path answers OPTIONS with what it serves. `Allow` of a 405 keeps listing the
    // methods of the resource itself.
    if (!served.count(Http::Method::Options)) {
        const Handler options = [allow](const Rest::Request& request,
                                        Http::ResponseWriter& writer) {
            answer_options(request, writer, allow);
        };
        router.addRoute(Http::Method::Options, path, guarded(options));
        served.emplace(Http::Method::Options, options);
    }
    for (Http::Method method : k_methods)
        if (!served.count(method)) router.addRoute(method, path, guarded(not_allowed));
}

void bind_fallback(Rest::Router& router, Handler handler) {
    router.addNotFoundHandler(guarded(std::move(handler)));
}

}  // namespace leerstand::http
