#pragma once

#include <pistache/router.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/services/caller.hpp"
#include "server/services/collections_service.hpp"

namespace leerstand::services {
class LoginRateLimiter;
class UploadJobs;
class TileCache;
}  // namespace leerstand::services

namespace leerstand::http {

/// What the API routes share across worker threads. Per-thread state (Store, services) is
/// created on each worker on first use.
struct ApiContext {
    std::filesystem::path db;
    bool secure_cookies = false;  ///< mark the session cookie `Secure` (behind HTTPS)
    /// Peers whose `X-Real-IP` names the client (canonical_ip spellings); nobody by default.
    std::vector<std::string> trusted_proxies;
    std::shared_ptr<services::LoginRateLimiter> login_limiter;
    std::shared_ptr<services::UploadJobs> uploads;
    std::shared_ptr<services::TileCache> tiles;  ///< encoded tiles of all workers
    bool debug_cache_header = false;             ///< X-Cache on tile answers (ServeOptions)
};

/// Who sends `request`: the user behind its bearer token or session cookie, else the public.
/// @throws Unauthenticated for a bearer token that does not work.
services::Caller request_caller(const Pistache::Rest::Request& request, const ApiContext& context);

/// The raw value of request header `name`, if sent.
std::optional<std::string> header_value(const Pistache::Rest::Request& request,
                                        const std::string& name);

/// `text` without leading and trailing blanks and tabs.
std::string trimmed(std::string text);

/// The query parameters of `request`, names and values percent-decoded, in order.
services::QueryParams query_params(const Pistache::Rest::Request& request);

/// True when a request for `/` wants the landing page JSON (`?f=json`, or an Accept header
/// asking for JSON without listing text/html); otherwise the web app is served.
bool wants_landing_json(const Pistache::Rest::Request& request);

/// Sends the OGC API landing page (links self, service-desc, conformance, data).
void send_landing_page(Pistache::Http::ResponseWriter& writer);

/// Registers the read side (`/conformance`, `/collections[/{id}]`, items of all four
/// collections) and the write side and sign-in:
/// `/collections/{vacancies,zukunftsorte}/items[/{id}]` (GET, POST, PUT, PATCH, DELETE),
/// `/collections/vacancies/items/{id}/history`,
/// `/api/login`, `/api/logout`, `/api/me`, `/api/uploads[/{id}]`.
/// @pre `context` outlives the router.
void add_api_routes(Pistache::Rest::Router& router, const ApiContext& context);

}  // namespace leerstand::http
