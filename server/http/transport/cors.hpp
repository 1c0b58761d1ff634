#pragma once

#include <pistache/http.h>
#include <pistache/router.h>

#include <string>

/// Cross-origin reads and token writes (CORS). Every answer may be read by a page of any origin
/// (`Access-Control-Allow-Origin: *`), but never with credentials: no answer ever carries
/// `Access-Control-Allow-Credentials`, so a browser hands a page of another origin an answer only
/// when the request carried no cookie, i.e. what the public sees. The session cookie is the only
/// authority a browser adds by itself; a script that writes from another origin names its token
/// in `Authorization` (docs/http.md, "Cross-origin use", says why this is safe).
namespace leerstand::http {

/// The request headers a cross-origin script may send (the preflight's answer lists them).
inline constexpr const char* k_cors_request_headers =
    "Authorization, Content-Type, If-Match, If-None-Match, Accept";

/// How long a browser may keep a preflight's answer (seconds; Chromium keeps at most 7200).
inline constexpr int k_cors_max_age_seconds = 7200;

/// `Access-Control-Allow-Origin: *` and the answer headers a script of another origin may read.
/// For every answer (routing.cpp's common headers).
void set_cors_headers(Pistache::Http::ResponseWriter& writer);

/// Answers an `OPTIONS` request to a path that serves `allow` (e.g. "GET, HEAD, POST"): 204 with
/// `Allow` and, for a CORS preflight, the methods and headers a script may use and how long the
/// browser may keep that.
void answer_options(const Pistache::Rest::Request& request, Pistache::Http::ResponseWriter& writer,
                    const std::string& allow);

/// True for a request that may change something from a page of another origin: it names its
/// caller in `Authorization` (a token) and carries no cookie, so what it may do is what
/// the script's token allows, never the authority of a browser's signed-in user.
bool is_token_request_without_cookies(const Pistache::Rest::Request& request);

}  // namespace leerstand::http
