#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace Pistache::Rest {  // NOLINT(readability-identifier-naming): Pistache's, not ours
class Request;
}

/// Who sends a request. No Pistache types in this header: the command line checks
/// `--trusted-proxy` with `canonical_ip`.
namespace leerstand::http {

/// An IP address in one spelling ("127.0.0.1", "2001:db8::1"), so that two spellings of one
/// address compare equal; an IPv4-mapped IPv6 address ("::ffff:127.0.0.1", what a dual-stack
/// socket reports) as its IPv4 form. nullopt when `text` is no IP address (names are not
/// looked up: a proxy is trusted by address, not by what DNS says today).
std::optional<std::string> canonical_ip(std::string_view text);

/// Who sends `request`, for the sign-in limit: the address of its TCP peer; only when that
/// peer is one of `trusted_proxies` (canonical_ip spellings) the client it names in
/// `X-Real-IP`. Anyone else could dodge the limit by naming a new address with each attempt.
std::string client_address(const Pistache::Rest::Request& request,
                           const std::vector<std::string>& trusted_proxies);

}  // namespace leerstand::http
