#include "server/http/transport/client_address.hpp"

#include <arpa/inet.h>
#include <pistache/router.h>

#include <algorithm>
#include <cstring>

#include "server/http/transport/headers.hpp"

namespace leerstand::http {

std::optional<std::string> canonical_ip(std::string_view text) {
    const std::string address(text);
    char spelled[INET6_ADDRSTRLEN] = {};
    in_addr v4{};
    if (inet_pton(AF_INET, address.c_str(), &v4) == 1)
        return inet_ntop(AF_INET, &v4, spelled, sizeof spelled);
    in6_addr v6{};
    if (inet_pton(AF_INET6, address.c_str(), &v6) != 1) return std::nullopt;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
        std::memcpy(&v4, &v6.s6_addr[12], sizeof v4);
        return inet_ntop(AF_INET, &v4, spelled, sizeof spelled);
    }
    return inet_ntop(AF_INET6, &v6, spelled, sizeof spelled);
}

std::string client_address(const Pistache::Rest::Request& request,
                           const std::vector<std::string>& trusted_proxies) {
    const std::string peer = request.address().host();
    std::string canonical_peer = canonical_ip(peer).value_or(peer);
    if (std::find(trusted_proxies.begin(), trusted_proxies.end(), canonical_peer) ==
        trusted_proxies.end())
        return canonical_peer;
    // A proxy that names no client, or something that is no address, is the client itself.
    const auto named = request.headers().tryGetRaw("X-Real-IP");
    if (!named) return canonical_peer;
    return canonical_ip(trimmed(named->value())).value_or(canonical_peer);
}

}  // namespace leerstand::http
