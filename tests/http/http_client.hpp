#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/// A tiny blocking HTTP/1.1 client for the e2e tests: one request per connection, or several in
/// turn on a kept connection (`request_text` and `read_response`).
namespace leerstand::test {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< names in lower case
    std::string body;

    /// The header's value, or "" when absent. `name` in any case.
    std::string header(const std::string& name) const;
};

/// A socket to 127.0.0.1:`port` for tests that send what no client library would.
class RawConnection {
  public:
    /// `receive_buffer`: SO_RCVBUF in bytes, for a client that takes little at a time.
    /// `source`: the loopback address to connect from (e.g. "127.0.0.2"), so that one test can
    /// be several clients; the kernel's choice (127.0.0.1) when absent.
    /// @throws std::runtime_error when it cannot connect.
    RawConnection(std::uint16_t port, std::chrono::milliseconds timeout,
                  std::optional<int> receive_buffer = std::nullopt,
                  const std::optional<std::string>& source = std::nullopt);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    /// Sends all of `data`; false when the server closed the connection first.
    bool write_all(const std::string& data);
    /// Appends what arrives to `buffer`; false at EOF or reset.
    /// @throws std::runtime_error when nothing arrives before the timeout.
    bool read_more(std::string& buffer);
    /// The status code of the answer, 0 when the server closed without one, -1 when the
    /// first line is not an HTTP status line.
    int answer_status();

  private:
    int m_fd = -1;
    std::chrono::steady_clock::time_point m_deadline;
};

/// Sends `method target` to 127.0.0.1:`port` with `Connection: close` and reads the response.
/// The body is read by Content-Length (or chunked framing), not until EOF: Pistache 0.0.5 keeps
/// the socket open despite `Connection: close` (TOOLCHAIN P4). `target` is sent byte for byte,
/// so tests can send paths a normal client would clean up (`/../x`, `%2e%2e`).
/// @throws std::runtime_error on connection failure, malformed response or timeout.
HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// As above, with extra request headers and a body (sent with its Content-Length).
HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const HeaderList& headers, const std::optional<std::string>& body,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// The bytes of a request; without `Connection: close` when `keep_alive`.
std::string request_text(std::uint16_t port, const std::string& method, const std::string& target,
                         const HeaderList& headers, const std::optional<std::string>& body,
                         bool keep_alive);

/// Reads one response to a `method` request from `connection`, starting with the bytes in
/// `raw` (what an earlier read took beyond its response); leaves in `raw` what follows it
/// (after a chunked body, nothing: bytes read past its end are dropped).
/// @throws std::runtime_error on a malformed response, a closed connection or timeout.
HttpResponse read_response(RawConnection& connection, const std::string& method, std::string& raw);

inline HttpResponse http_get(std::uint16_t port, const std::string& target) {
    return http_request(port, "GET", target);
}

}  // namespace leerstand::test
