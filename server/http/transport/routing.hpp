#pragma once

#include <pistache/http.h>
#include <pistache/router.h>

#include <functional>
#include <map>
#include <string>

#include "server/http/problem.hpp"
#include "server/http/transport/worker_threads.hpp"

/// How a handler meets Pistache: each runs inside one guard that sets the headers of every
/// answer, refuses what no route should see (oversized heads, writes from other origins) and
/// turns exceptions into problem+json; methods a path does not support get a 405 problem with
/// `Allow`.
namespace leerstand::http {

/// The Content-Security-Policy of every answer but the web app's page: nothing may load or run.
inline constexpr const char* k_api_content_policy = "default-src 'none'; frame-ancestors 'none'";

/// A handler that may throw. It answers through `writer` before it returns; the request's id
/// is `answering_request_id()` (answer.hpp).
using Handler =
    std::function<void(const Pistache::Rest::Request&, Pistache::Http::ResponseWriter&)>;

/// A new id for a request: 16 random hex digits (no counter: it would tell how busy the server
/// was).
std::string next_request_id();

/// The headers of every answer: `X-Request-Id`, nosniff, Referrer-Policy, the API's CSP and
/// `X-Frame-Options: DENY`.
void set_common_headers(Pistache::Http::ResponseWriter& writer, const std::string& request_id);

/// Where a handler runs. `ByMethod`: reads on the Pistache worker that read the request (they
/// are short), writes (POST, PUT, PATCH, DELETE) on the write threads (they may wait for the
/// lock). `Download`: on the download threads (a large body paced to a slow client).
enum class Lane { ByMethod, Download };

/// Wraps `handler` so that no exception reaches Pistache, which would send `e.what()` as the
/// body; errors become problem+json through the one mapping in problem.cpp. Runs it on `lane`.
Pistache::Rest::Route::Handler guarded(Handler handler, Lane lane = Lane::ByMethod);

/// The threads of the write and download lanes from now on; null runs those handlers in place
/// on Pistache's worker again. The endpoint sets them once before it serves and clears them
/// before they stop, so routes need not carry them.
void run_lanes_on(WorkerThreads* writes, WorkerThreads* downloads);

/// Registers `handlers` for `path` on `lane`; a path that answers GET answers HEAD too, OPTIONS
/// answers 204 with what the path serves (a CORS preflight, cors.hpp), and every other method
/// gets 405 with `Allow`.
void bind_path(Pistache::Rest::Router& router, const std::string& path,
               const std::map<Pistache::Http::Method, Handler>& handlers,
               Lane lane = Lane::ByMethod);

/// Registers `handler` for every request no path matches.
void bind_fallback(Pistache::Rest::Router& router, Handler handler);

/// Sends `problem` for `request` (no body for HEAD), under the id of the request this thread
/// answers.
void send_problem_for(const Pistache::Rest::Request& request,
                      Pistache::Http::ResponseWriter& writer, const Problem& problem);

/// 405 for `request` listing `allow` (e.g. "GET, POST").
Problem method_not_allowed(const std::string& allow);

}  // namespace leerstand::http
