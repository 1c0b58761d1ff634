#include "server/http/transport/public_url.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>

#include "common/text.hpp"
#include "server/http/transport/client_address.hpp"

namespace leerstand::http {

namespace {

/// Read on every worker, written once by the thread that starts the server.
std::atomic<std::shared_ptr<const PublicUrl>> g_public_url;

bool is_host_name(std::string_view host) {
    return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    });
}

/// The port of ":8080" (at most 65535, not 0); nullopt for anything else.
std::optional<unsigned> parse_port(std::string_view text) {
    if (text.size() < 2 || text.front() != ':') return std::nullopt;
    unsigned port = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data() + 1, end, port);
    if (error != std::errc() || stop != end || port == 0 || port > 65535) return std::nullopt;
    return port;
}

}  // namespace

std::optional<PublicUrl> PublicUrl::parse(std::string_view text) {
    const std::string lower = ascii_lower(std::string(text));
    std::string_view rest = lower;
    std::string scheme;
    for (const char* known : {"http", "https"})
        if (rest.starts_with(std::string(known) + "://")) scheme = known;
    if (scheme.empty()) return std::nullopt;
    rest.remove_prefix(scheme.size() + 3);
    if (rest.ends_with('/')) rest.remove_suffix(1);

    std::string_view host = rest.substr(0, rest.find(':'));
    if (rest.starts_with('[')) {
        // An IPv6 address: its colons are not the port's.
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = rest.substr(0, close + 1);
        const auto address = canonical_ip(host.substr(1, host.size() - 2));
        if (!address || address->find(':') == std::string::npos) return std::nullopt;
    } else if (!is_host_name(host)) {
        return std::nullopt;
    }
    const std::string_view port_text = rest.substr(host.size());
    std::optional<unsigned> port;
    if (!port_text.empty() && !(port = parse_port(port_text))) return std::nullopt;
    const unsigned default_port = scheme == "https" ? 443 : 80;

    PublicUrl url;
    url.m_authority = std::string(host);
    if (port && *port != default_port) url.m_authority += ":" + std::to_string(*port);
    url.m_base = scheme + "://" + url.m_authority;
    return url;
}

void use_public_url(const PublicUrl& url) {
    g_public_url.store(std::make_shared<const PublicUrl>(url));
}

std::shared_ptr<const PublicUrl> public_url() {
    return g_public_url.load();
}

std::string base_url() {
    const std::shared_ptr<const PublicUrl> url = g_public_url.load();
    return url ? url->base() : std::string();
}

}  // namespace leerstand::http
