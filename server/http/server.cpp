#include "server/http/server.hpp"

#include <malloc.h>
#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/router.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/error.hpp"
#include "server/http/api_routes.hpp"
#include "server/http/export_routes.hpp"
#include "server/http/openapi_routes.hpp"
#include "server/http/problem.hpp"
#include "server/http/routing.hpp"
#include "server/http/static_files.hpp"
#include "server/http/summary_routes.hpp"
#include "server/http/tile_routes.hpp"
#include "server/http/transport/answer.hpp"
#include "server/http/transport/client_address.hpp"
#include "server/http/transport/request_intake.hpp"
#include "server/http/transport/response_headers.hpp"
#include "server/services/auth_service.hpp"
#include "server/services/status_service.hpp"
#include "server/services/tile_cache.hpp"
#include "server/services/upload_jobs.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
namespace fs = std::filesystem;

// Pistache buffers a whole request and limits it as one (TOOLCHAIN P1; default 4 KiB):
// the configured upload body limit plus this much for the request line and headers.
constexpr std::size_t k_header_allowance = 64u << 10;
// With one worker, a slow client stalls every other connection (TOOLCHAIN P3).
constexpr unsigned k_min_threads = 2;
// Writes wait for SQLite's one write lock in turn, so a few threads suffice; sign-in hashing and
// saving upload files run beside them. Each download holds a thread while its client reads.
// Beyond a lane's queue a request gets 503 with Retry-After.
constexpr unsigned k_write_threads = 4;
constexpr std::size_t k_max_waiting_writes = 64;
constexpr unsigned k_download_threads = 4;
constexpr std::size_t k_max_waiting_downloads = 8;

void send_body(Http::ResponseWriter& writer, const std::string& content_type,
               const std::string& body, const char* cache_control) {
    set_header(writer, "Cache-Control", cache_control);
    send_answer(writer, Http::Code::Ok, body, content_type);
}

void send_health(const fs::path& db, Http::ResponseWriter& writer) {
    const services::StatusReport report = services::read_status(db);
    const nlohmann::json body = {
        {"status", report.status},
        {"schema_version", report.schema_version},
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
    send_body(writer, "application/json", body.dump(), "no-store");
}

/// Where the basemap's images come from, as a CSP source: the template's scheme and host, a
/// `{s}` subdomain as `*`; the scheme alone when the host has other placeholders.
std::string basemap_source(const std::string& url_template) {
    const std::size_t scheme_end = url_template.find("://");
    if (scheme_end == std::string::npos) return "";
    const std::string scheme = url_template.substr(0, scheme_end + 3);
    std::string host = url_template.substr(scheme_end + 3);
    host = host.substr(0, host.find('/'));
    if (const std::size_t s = host.find("{s}"); s != std::string::npos) host.replace(s, 3, "*");
    if (host.find_first_of("{}") != std::string::npos || host.empty())
        return scheme.substr(0, scheme.size() - 2);  // "https:"
    return scheme + host;
}

/// The web app's page: its own scripts, styles and API only, images also from the basemap.
/// No inline script or style attribute runs, so injected markup could do nothing either.
std::string page_content_policy(const ServeOptions& options) {
    std::string images = "'self' data: blob:";
    if (const std::string source = basemap_source(options.basemap_url); !source.empty())
        images += " " + source;
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + images +
           "; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
           "frame-ancestors 'none'";
}

/// Everything no route matched: static files for GET and HEAD, otherwise 404/405 problems.
void send_static(const StaticFiles& files, const std::string& page_policy,
                 const Rest::Request& request, Http::ResponseWriter& writer,
                 const std::string& request_id) {
    if (request.method() != Http::Method::Get && request.method() != Http::Method::Head) {
        // resolve() throws NotFound for paths we do not serve at all.
        files.resolve(request.resource());
        send_problem_for(request, writer, method_not_allowed("GET, HEAD"), request_id);
        return;
    }
    const StaticFile file = files.load(request.resource());
    if (file.content_type.rfind("text/html", 0) == 0)
        set_header(writer, "Content-Security-Policy", page_policy);
    // Small files, revalidated on each load: fine until the app gets a build step.
    send_body(writer, file.content_type, file.body, "no-cache");
}

/// What the web app needs to know of the operator's settings (GET /api/config).
std::string web_config(const ServeOptions& options) {
    nlohmann::json basemap = nullptr;
    if (!options.basemap_url.empty())
        basemap = {{"url", options.basemap_url}, {"attribution", options.basemap_attribution}};
    return nlohmann::json{{"basemap", basemap}}.dump();
}

void set_up_routes(Rest::Router& router, const fs::path& db,
                   std::shared_ptr<const StaticFiles> files, const ApiContext& api,
                   const ServeOptions& options) {
    const std::string config = web_config(options);
    const std::string page_policy = page_content_policy(options);
    add_api_routes(router, api);
    add_summary_routes(router, api);
    add_export_routes(router, api);
    add_tile_routes(router, api);
    add_openapi_routes(router);
    // `/` by content negotiation: the web app for browsers, the landing page for API clients.
    add_routes(router, "/",
               {{Http::Method::Get,
                 [files, page_policy](const Rest::Request& request, Http::ResponseWriter& writer,
                                      const std::string& request_id) {
                     if (wants_landing_json(request))
                         send_landing_page(writer);
                     else
                         send_static(*files, page_policy, request, writer, request_id);
                 }}});
    add_routes(router, "/api/config",
               {{Http::Method::Get,
                 [config](const Rest::Request&, Http::ResponseWriter& writer, const std::string&) {
                     send_body(writer, "application/json", config, "no-cache");
                 }}});
    add_routes(router, "/health",
               {{Http::Method::Get, [db](const Rest::Request&, Http::ResponseWriter& writer,
                                         const std::string&) { send_health(db, writer); }}});
    router.addNotFoundHandler(
        guarded([files, page_policy](const Rest::Request& request, Http::ResponseWriter& writer,
                                     const std::string& request_id) {
            send_static(*files, page_policy, request, writer, request_id);
        }));
}

std::string url_host(const std::string& bind) {
    // An IPv6 literal needs brackets inside a URL.
    return bind.find(':') != std::string::npos && bind.front() != '[' ? "[" + bind + "]" : bind;
}

/// True when `bind` means every address of the machine: no client reaches the server there.
bool binds_every_address(const std::string& bind) {
    const std::string address = bind.starts_with('[') ? bind.substr(1, bind.size() - 2) : bind;
    const auto canonical = canonical_ip(address);
    return canonical && (*canonical == "0.0.0.0" || *canonical == "::");
}

/// The URL the server listens on, as it prints it.
std::string listening_url(const std::string& bind, std::uint16_t port) {
    return "http://" + url_host(bind) + ":" + std::to_string(port);
}

/// Sets the base of the API's links: `--public-url`, else `listening` (checked at start).
void set_public_url(const ServeOptions& options, const std::string& listening) {
    if (options.public_url) {
        use_public_url(*options.public_url);
        return;
    }
    use_public_url(PublicUrl::parse(listening).value());
    if (binds_every_address(options.bind))
        std::cerr << "leerstand: warning: links in API answers name " << listening
                  << ", which no client can reach; pass --public-url with the URL clients use"
                  << std::endl;
}

/// Blocks SIGINT/SIGTERM in this thread (and so in every thread started later) and restores the
/// previous mask when it goes out of scope.
class StopSignals {
  public:
    StopSignals() {
        sigemptyset(&m_set);
        sigaddset(&m_set, SIGINT);
        sigaddset(&m_set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &m_set, &m_previous);
    }
    ~StopSignals() { pthread_sigmask(SIG_SETMASK, &m_previous, nullptr); }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    /// Waits for SIGINT or SIGTERM and returns it.
    int wait() const {
        int signal_number = 0;
        while (sigwait(&m_set, &signal_number) != 0) {
        }
        return signal_number;
    }

  private:
    sigset_t m_set{};
    sigset_t m_previous{};
};

/// Pistache assembles each response in a buffer that it grows by doubling and frees once sent.
/// Buffers of tile size got fresh pages from mmap each time and went straight back, so every
/// response paid page faults for its whole body (cached 81 KB tiles under wrk: 6.1k req/s,
/// 9.5k with this; 661 KB GeoJSON tiles 1.2k → 2.3k). Keep them in the heap, and keep freed
/// heap memory up to the tile cache's order of size instead of trimming it after each reply.
void keep_response_buffers_in_the_heap() {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int fail(const std::string& message) {
    std::cerr << "leerstand: " << message << std::endl;
    return 1;
}

}  // namespace

int serve(const ServeOptions& options) {
    // A client hanging up mid-response must not kill the server with SIGPIPE (TOOLCHAIN P2).
    std::signal(SIGPIPE, SIG_IGN);
    keep_response_buffers_in_the_heap();
    const StopSignals stop_signals;

    std::shared_ptr<const StaticFiles> files;
    try {
        if (options.db.empty()) throw InvalidInput("no database given; pass --db PATH");
        files = std::make_shared<const StaticFiles>(
            options.web_root.empty() ? fs::path(LEERSTAND_DEFAULT_WEB_ROOT) : options.web_root);
        // Open and migrate on this thread first, so a bad --db fails now, not on a request.
        services::read_status(options.db);
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    if (!options.public_url && !PublicUrl::parse(listening_url(options.bind, 1)))
        return fail("no link can name the address " + options.bind + "; pass --public-url URL");

    ApiContext api;
    api.db = options.db;
    api.secure_cookies = options.secure_cookies;
    api.trusted_proxies = options.trusted_proxies;
    api.login_limiter = std::make_shared<services::LoginRateLimiter>();
    api.tiles = std::make_shared<services::TileCache>(options.tile_cache_bytes);
    api.debug_cache_header = options.debug_cache_header;
    services::UploadLimits limits;
    limits.max_body_bytes = options.max_upload_bytes;
    try {
        // Uploaded files wait next to the database, on the same disk.
        const fs::path work_dir = fs::absolute(options.db).parent_path() / "uploads";
        api.uploads = std::make_shared<services::UploadJobs>(options.db, work_dir, limits);
    } catch (const std::exception& e) {
        return fail(std::string("cannot prepare uploads: ") + e.what());
    }
    Rest::Router router;  // must outlive the endpoint
    WorkerThreads write_threads(k_write_threads, k_max_waiting_writes);
    WorkerThreads download_threads(k_download_threads, k_max_waiting_downloads);
    run_lanes_on(&write_threads, &download_threads);
    set_up_routes(router, options.db, files, api, options);

    std::unique_ptr<Http::Endpoint> endpoint;
    try {
        endpoint = std::make_unique<Http::Endpoint>(Address(options.bind, Port(options.port)));
        endpoint->init(Http::Endpoint::options()
                           .threads(static_cast<int>(std::max(options.threads, k_min_threads)))
                           // No Nagle: a response's last bytes go out in a write of their own
                           // (direct_send.hpp), which Nagle held back until the client's
                           // delayed ACK, 40 ms.
                           .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
                           // Room for the headers on top of the largest upload body.
                           .maxRequestSize(options.max_upload_bytes + k_header_allowance)
                           .headerTimeout(std::chrono::seconds(10))
                           .bodyTimeout(std::chrono::seconds(60))
                           // Pistache keeps idle sockets 300 s by default (TOOLCHAIN P4).
                           .keepaliveTimeout(std::chrono::seconds(15)));
        // Bodies a little over the limit still reach the upload route, which answers its own
        // 413 naming the limit; far beyond it the intake refuses as soon as the headers are in.
        endpoint->setHandler(
            std::make_shared<RequestIntake>(router, options.max_upload_bytes + k_header_allowance));
        endpoint->serveThreaded();
    } catch (const std::exception& e) {
        return fail("cannot listen on " + options.bind + ":" + std::to_string(options.port) + ": " +
                    e.what());
    }

    const std::string listening =
        listening_url(options.bind, static_cast<std::uint16_t>(endpoint->getPort()));
    // Only now is the port known (--port 0): a request in the moment before this gets relative
    // links, never the Host it sent.
    set_public_url(options, listening);
    std::cout << "listening on " << listening << std::endl;

    const int signal_number = stop_signals.wait();
    std::cerr << "leerstand: " << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
              << " received, shutting down" << std::endl;
    try {
        // Queued requests answer through the endpoint's transport: they finish before it goes.
        run_lanes_on(nullptr, nullptr);
        write_threads.stop();
        download_threads.stop();
        endpoint->shutdown();
        // After the workers: no request can queue a job any more.
        api.uploads->stop();
    } catch (const std::exception& e) {
        return fail(std::string("shutdown failed: ") + e.what());
    }
    return 0;
}

}  // namespace leerstand::http
