#pragma once

#include <pistache/router.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/http/transport/headers.hpp"     // header_value, trimmed
#include "server/http/transport/public_url.hpp"  // base_url
#include "server/services/caller.hpp"
#include "server/services/collections_service.hpp"

/// What a route handler reads from its request: path parameters, the query, headers, the body,
/// who calls, and (public_url.hpp) the base of the links it writes.
namespace leerstand::http {

struct ApiContext;

/// The name of the web app's session cookie.
inline constexpr const char* k_session_cookie = "lsa_session";

/// Path parameter `name` of the route (`":fid"`), as received.
std::string path_param(const Pistache::Rest::Request& request, const char* name);

/// Path parameter `name` as an id (a non-negative integer).
/// @throws NotFound ("there is no <what> '<text>'") for anything else: no such thing exists.
std::int64_t id_param(const Pistache::Rest::Request& request, const char* name,
                      const std::string& what);

/// The value of query parameter `name`, if sent.
std::optional<std::string> query_value(const Pistache::Rest::Request& request,
                                       const std::string& name);

/// The query parameters of `request`, names and values percent-decoded, in order.
services::QueryParams query_params(const Pistache::Rest::Request& request);

/// The value of the session cookie, if sent.
std::optional<std::string> session_cookie_value(const Pistache::Rest::Request& request);

/// Who sends `request`: the user behind its bearer token or session cookie, else the public.
/// A bearer token that does not work is an error, not a silent downgrade (the script should
/// learn that its token is wrong); a stale cookie just means "signed out".
/// @throws Unauthenticated for a bearer token that does not work.
services::Caller request_caller(const Pistache::Rest::Request& request, const ApiContext& context);

/// The client's address for the sign-in limit (client_address.hpp).
std::string request_client_address(const Pistache::Rest::Request& request,
                                   const ApiContext& context);

/// The body as JSON: `application/json` or `application/geo+json`, and with `merge_patch` also
/// `application/merge-patch+json`.
/// @throws TooLarge beyond 256 KiB; Unsupported for another media type; InvalidInput when it
///         does not parse.
nlohmann::json json_body(const Pistache::Rest::Request& request, bool merge_patch);

/// `If-Match: "7"` (also `W/"7"`) → 7. Missing → nullopt (the service answers 428).
/// @throws InvalidInput for anything but one ETag of ours.
std::optional<std::int64_t> if_match(const Pistache::Rest::Request& request);

/// True when the client takes gzip (a coding "gzip" or "*" without q=0 in Accept-Encoding).
bool accepts_gzip(const Pistache::Rest::Request& request);

}  // namespace leerstand::http
