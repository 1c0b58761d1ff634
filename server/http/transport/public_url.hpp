#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

/// Where clients reach the server, the base of every absolute link the API writes. No Pistache
/// types in this header: the command line checks `--public-url` with `PublicUrl::parse`.
namespace leerstand::http {

/// `http(s)://host[:port]`: a scheme, a host (a name, an IPv4 address, or an IPv6 address in
/// brackets) and a port, nothing else. No path prefix: every path of the server starts at `/`,
/// as the web app and the proxy config assume.
class PublicUrl {
  public:
    /// Parses `http://host[:port]` or `https://host[:port]`, with an optional trailing `/`.
    /// Scheme and host become lower case, a default port (80, 443) is dropped. nullopt for
    /// anything else: another scheme, no host, a path, query, fragment or user name.
    static std::optional<PublicUrl> parse(std::string_view text);

    /// "https://atlas.example.org": no trailing `/`, links append their path.
    const std::string& base() const { return m_base; }
    /// "atlas.example.org" or "127.0.0.1:8080": what follows the scheme in a browser's Origin.
    const std::string& authority() const { return m_authority; }

  private:
    std::string m_base;
    std::string m_authority;
};

/// The public URL from now on. The server sets it once, when it knows its port (before it
/// prints that it listens).
void use_public_url(const PublicUrl& url);

/// The public URL in use; null before `use_public_url`.
std::shared_ptr<const PublicUrl> public_url();

/// The base of every absolute link the API writes: the public URL, never the request's `Host`
/// or `X-Forwarded-Proto` (a client must not choose where our links point). "" before
/// `use_public_url` (relative links; only while the server starts).
std::string base_url();

}  // namespace leerstand::http
