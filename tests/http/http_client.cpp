#include "tests/http/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace leerstand::test {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

void parse_head(const std::string& head, HttpResponse& response) {
    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    // "HTTP/1.1 200 OK"
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12)
        throw std::runtime_error("malformed status line: " + status_line);
    response.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos && line_end + 2 < head.size()) {
        const std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        const std::string line = head.substr(start, line_end - start);
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) throw std::runtime_error("malformed header: " + line);
        response.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    }
}

/// Decodes a chunked body into `body`; false while more bytes are needed.
bool decode_chunked(const std::string& raw, std::string& body) {
    body.clear();
    std::size_t pos = 0;
    while (true) {
        const std::size_t line_end = raw.find("\r\n", pos);
        if (line_end == std::string::npos) return false;
        const std::size_t size = std::stoul(raw.substr(pos, line_end - pos), nullptr, 16);
        pos = line_end + 2;
        if (size == 0) return raw.find("\r\n", pos) != std::string::npos;
        if (raw.size() < pos + size + 2) return false;
        body.append(raw, pos, size);
        pos += size + 2;
    }
}

}  // namespace

RawConnection::RawConnection(std::uint16_t port, std::chrono::milliseconds timeout,
                             std::optional<int> receive_buffer,
                             const std::optional<std::string>& source)
    : m_deadline(Clock::now() + timeout) {
    m_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    // Before connect: the window the client offers is fixed during the handshake.
    if (receive_buffer &&
        setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &*receive_buffer, sizeof *receive_buffer) != 0) {
        close(m_fd);
        throw std::runtime_error("SO_RCVBUF: " + std::string(std::strerror(errno)));
    }
    // Each write goes out at once: Nagle would hold a request back until the server ACKs the
    // previous one, and send two together.
    const int on = 1;
    setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (source) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        if (inet_pton(AF_INET, source->c_str(), &local.sin_addr) != 1 ||
            bind(m_fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
            close(m_fd);
            throw std::runtime_error("cannot connect from " + *source + ": " +
                                     std::strerror(errno));
        }
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(m_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        close(m_fd);
        throw std::runtime_error("connect to port " + std::to_string(port) + ": " +
                                 std::strerror(errno));
    }
}

RawConnection::~RawConnection() {
    close(m_fd);
}

bool RawConnection::write_all(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = send(m_fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool RawConnection::read_more(std::string& buffer) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(m_deadline - Clock::now());
    pollfd pfd{m_fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
        throw std::runtime_error("timed out waiting for the HTTP response");
    std::array<char, 65536> chunk{};
    const ssize_t n = recv(m_fd, chunk.data(), chunk.size(), 0);
    if (n < 0) return false;  // reset by the server counts as closed
    buffer.append(chunk.data(), static_cast<std::size_t>(n));
    return n > 0;
}

int RawConnection::answer_status() {
    std::string raw;
    while (raw.find("\r\n") == std::string::npos)
        if (!read_more(raw)) return 0;
    if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return -1;
    return std::atoi(raw.substr(9, 3).c_str());
}

std::string HttpResponse::header(const std::string& name) const {
    const auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          std::chrono::milliseconds timeout) {
    return http_request(port, method, target, {}, std::nullopt, timeout);
}

std::string request_text(std::uint16_t port, const std::string& method, const std::string& target,
                         const HeaderList& headers, const std::optional<std::string>& body,
                         bool keep_alive) {
    std::string head = method + " " + target +
                       " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                       (keep_alive ? "\r\n" : "\r\nConnection: close\r\n");
    for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
    if (body) head += "Content-Length: " + std::to_string(body->size()) + "\r\n";
    return head + "\r\n" + body.value_or("");
}

HttpResponse read_response(RawConnection& connection, const std::string& method, std::string& raw) {
    std::size_t head_end = std::string::npos;
    while ((head_end = raw.find("\r\n\r\n")) == std::string::npos)
        if (!connection.read_more(raw))
            throw std::runtime_error("connection closed before the response headers ended");

    HttpResponse response;
    parse_head(raw.substr(0, head_end), response);
    std::string rest = raw.substr(head_end + 4);
    raw.clear();
    if (method == "HEAD" || response.status == 204 || response.status == 304) {
        raw = std::move(rest);
        return response;
    }

    if (lower(response.header("Transfer-Encoding")) == "chunked") {
        while (!decode_chunked(rest, response.body))
            if (!connection.read_more(rest))
                throw std::runtime_error("connection closed inside a chunked body");
        return response;
    }
    const std::string length = response.header("Content-Length");
    if (length.empty()) {
        while (connection.read_more(rest)) {
        }
        response.body = std::move(rest);
        return response;
    }
    const std::size_t expected = std::stoul(length);
    while (rest.size() < expected)
        if (!connection.read_more(rest))
            throw std::runtime_error("connection closed after " + std::to_string(rest.size()) +
                                     " of " + length + " body bytes");
    response.body = rest.substr(0, expected);
    raw = rest.substr(expected);
    return response;
}

HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const HeaderList& headers, const std::optional<std::string>& body,
                          std::chrono::milliseconds timeout) {
    RawConnection connection(port, timeout);
    if (!connection.write_all(request_text(port, method, target, headers, body, false)))
        throw std::runtime_error("send: " + std::string(std::strerror(errno)));
    std::string raw;
    return read_response(connection, method, raw);
}

}  // namespace leerstand::test
