#include "server/http/server.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/router.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>

#include "common/error.hpp"
#include "server/http/problem.hpp"
#include "server/http/response_headers.hpp"
#include "server/http/static_files.hpp"
#include "server/services/status_service.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
namespace fs = std::filesystem;

// Uploads (a later issue) arrive as one buffered request; Pistache's default is only 4 KiB for
// the whole request including headers (TOOLCHAIN P1).
constexpr std::size_t k_max_request_bytes = 64u << 20;
// With one worker, a slow client stalls every other connection (TOOLCHAIN P3).
constexpr unsigned k_min_threads = 2;

/// A handler that may throw; `request_id` is also sent as `X-Request-Id`.
using Handler =
    std::function<void(const Rest::Request&, Http::ResponseWriter&, const std::string& request_id)>;

std::string next_request_id() {
    // A per-process prefix keeps ids of restarted servers apart in one log.
    static const std::string prefix = [] {
        std::ostringstream hex;
        hex << std::hex << (std::random_device{}() & 0xffffffu);
        return hex.str();
    }();
    static std::atomic<std::uint64_t> counter{0};
    return prefix + "-" + std::to_string(++counter);
}

void send_problem_for(const Rest::Request& request, Http::ResponseWriter& writer,
                      const Problem& problem, const std::string& request_id) {
    send_problem(writer, problem, request.resource(), request_id,
                 request.method() == Http::Method::Head);
}

/// Wraps `handler` so that no exception reaches Pistache, which would send `e.what()` as the
/// body; errors become problem+json through the one mapping in problem.cpp.
Rest::Route::Handler guarded(Handler handler) {
    return
        [handler = std::move(handler)](const Rest::Request& request, Http::ResponseWriter writer) {
            const std::string request_id = next_request_id();
            try {
                set_header(writer, "X-Request-Id", request_id);
                set_header(writer, "X-Content-Type-Options", "nosniff");
                handler(request, writer, request_id);
            } catch (...) {
                send_problem_for(request, writer, problem_for(std::current_exception(), request_id),
                                 request_id);
            }
            return Rest::Route::Result::Ok;
        };
}

Problem method_not_allowed() {
    return Problem{405, "only GET is supported here", std::nullopt, "GET"};
}

void send_body(Http::ResponseWriter& writer, const std::string& content_type,
               const std::string& body, const char* cache_control) {
    set_header(writer, "Cache-Control", cache_control);
    writer.send(Http::Code::Ok, body, Http::Mime::MediaType::fromString(content_type));
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
             {"vacancies", report.counts.vacancies},
             {"zukunftsorte", report.counts.zukunftsorte},
             {"uploads", report.counts.uploads},
             {"users", report.counts.users},
         }},
    };
    send_body(writer, "application/json", body.dump(), "no-store");
}

/// Everything no route matched: static files for GET, otherwise 404/405 problems.
void send_static(const StaticFiles& files, const Rest::Request& request,
                 Http::ResponseWriter& writer, const std::string& request_id) {
    if (request.method() != Http::Method::Get) {
        // resolve() throws NotFound for paths we do not serve at all.
        files.resolve(request.resource());
        send_problem_for(request, writer, method_not_allowed(), request_id);
        return;
    }
    const StaticFile file = files.load(request.resource());
    // Small files, revalidated on each load: fine until the app gets a build step.
    send_body(writer, file.content_type, file.body, "no-cache");
}

/// GET `path` → `handler`; other methods on `path` get a 405 problem instead of Pistache's
/// plain-text one.
void add_get(Rest::Router& router, const std::string& path, Handler handler) {
    router.get(path, guarded(std::move(handler)));
    const Handler not_allowed = [](const Rest::Request& request, Http::ResponseWriter& writer,
                                   const std::string& request_id) {
        send_problem_for(request, writer, method_not_allowed(), request_id);
    };
    for (Http::Method method : {Http::Method::Head, Http::Method::Post, Http::Method::Put,
                                Http::Method::Patch, Http::Method::Delete, Http::Method::Options})
        router.addRoute(method, path, guarded(not_allowed));
}

void set_up_routes(Rest::Router& router, const fs::path& db,
                   std::shared_ptr<const StaticFiles> files) {
    add_get(router, "/health",
            [db](const Rest::Request&, Http::ResponseWriter& writer, const std::string&) {
                send_health(db, writer);
            });
    router.addNotFoundHandler(
        guarded([files](const Rest::Request& request, Http::ResponseWriter& writer,
                        const std::string& request_id) {
            send_static(*files, request, writer, request_id);
        }));
}

std::string url_host(const std::string& bind) {
    // An IPv6 literal needs brackets inside a URL.
    return bind.find(':') != std::string::npos && bind.front() != '[' ? "[" + bind + "]" : bind;
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

int fail(const std::string& message) {
    std::cerr << "leerstand: " << message << std::endl;
    return 1;
}

}  // namespace

int serve(const ServeOptions& options) {
    // A client hanging up mid-response must not kill the server with SIGPIPE (TOOLCHAIN P2).
    std::signal(SIGPIPE, SIG_IGN);
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

    Rest::Router router;  // must outlive the endpoint
    set_up_routes(router, options.db, files);

    std::unique_ptr<Http::Endpoint> endpoint;
    try {
        endpoint = std::make_unique<Http::Endpoint>(Address(options.bind, Port(options.port)));
        endpoint->init(Http::Endpoint::options()
                           .threads(static_cast<int>(std::max(options.threads, k_min_threads)))
                           .flags(Tcp::Options::ReuseAddr)
                           .maxRequestSize(k_max_request_bytes)
                           .headerTimeout(std::chrono::seconds(10))
                           .bodyTimeout(std::chrono::seconds(60))
                           // Pistache keeps idle sockets 300 s by default (TOOLCHAIN P4).
                           .keepaliveTimeout(std::chrono::seconds(15)));
        endpoint->setHandler(router.handler());
        endpoint->serveThreaded();
    } catch (const std::exception& e) {
        return fail("cannot listen on " + options.bind + ":" + std::to_string(options.port) + ": " +
                    e.what());
    }

    std::cout << "listening on http://" << url_host(options.bind) << ':'
              << static_cast<std::uint16_t>(endpoint->getPort()) << std::endl;

    const int signal_number = stop_signals.wait();
    std::cerr << "leerstand: " << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
              << " received, shutting down" << std::endl;
    try {
        endpoint->shutdown();
    } catch (const std::exception& e) {
        return fail(std::string("shutdown failed: ") + e.what());
    }
    return 0;
}

}  // namespace leerstand::http
