#include "server/http/transport/request_intake.hpp"

#include <pistache/peer.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/text.hpp"
#include "server/http/problem.hpp"
#include "server/http/transport/answer_order.hpp"
#include "server/http/transport/routing.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

/// Peer data marking a connection whose request was refused: its remaining input is dropped.
// Short keys: Pistache takes them as std::string by value, and these fit without allocating.
constexpr const char* k_refused = "ls.refused";

/// Peer data: how far the request being read has come (RequestStart below).
constexpr const char* k_request_start = "ls.req_start";

/// Heads longer than this are not tracked: the bytes after such a request are dropped.
constexpr std::size_t k_max_tracked_head = 64u << 10;

constexpr std::string_view k_blank_line = "\r\n\r\n";  ///< ends a request's head

/// Why `head` (a request's head, from its request line to its blank line) leaves the length of
/// its body open to two readings, or "" when it does not. Two Content-Length headers (equal or
/// not), or Content-Length with Transfer-Encoding, let a proxy in front read another body than
/// we do and pass a request inside it along (request smuggling, RFC 9112 6.3). Read from the
/// raw lines: Pistache keeps one header of each name, so two look like one there.
std::string ambiguous_length(std::string_view head) {
    int content_lengths = 0;
    int transfer_encodings = 0;
    std::size_t line_end = head.find("\r\n");  // past the request line
    while (line_end != std::string_view::npos) {
        const std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        const std::string_view line = head.substr(start, line_end - start);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = line.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        // Compared in place: this runs for every request, tiles included.
        content_lengths += ascii_iequals(name, "content-length");
        transfer_encodings += ascii_iequals(name, "transfer-encoding");
    }
    if (content_lengths > 1)
        return "the request has " + std::to_string(content_lengths) +
               " Content-Length headers; send one";
    if (content_lengths > 0 && transfer_encodings > 0)
        return "the request has both Content-Length and Transfer-Encoding; send one of them";
    return "";
}

/// What the intake knows of the request being read, to find where it ends: Pistache's parser
/// keeps its position to itself, and drops whatever follows a complete request in the same
/// read (a pipelined request).
struct RequestStart {
    std::string head;           ///< its bytes while its head is incomplete
    std::size_t head_size = 0;  ///< the head's size with its blank line; 0 while unknown
    std::uint64_t bytes = 0;    ///< all its bytes read so far (maybe with the next request's)
    std::string ambiguity;      ///< ambiguous_length of its head, once the head is complete

    void note(const char* data, std::size_t length) {
        bytes += length;
        if (head_size != 0 || head.size() > k_max_tracked_head) return;
        if (head.empty()) {
            // Nearly always the whole head comes in one read: found in place, nothing copied.
            const std::string_view text(data, length);
            if (const std::size_t end = text.find(k_blank_line); end != std::string_view::npos)
                complete_head(text.substr(0, end + k_blank_line.size()));
            else
                head.assign(text);
            return;
        }
        // The blank line may start in the bytes read before.
        const std::size_t from = head.size() - std::min<std::size_t>(head.size(), 3);
        head.append(data, length);
        if (const std::size_t end = head.find(k_blank_line, from); end != std::string::npos) {
            complete_head(std::string_view(head).substr(0, end + k_blank_line.size()));
            head = std::string();
        }
    }

    void complete_head(std::string_view whole) {
        head_size = whole.size();
        ambiguity = ambiguous_length(whole);
    }

    /// Bytes read beyond `request`, a complete request; 0 when unknown (a chunked body).
    std::uint64_t beyond(const Http::Request& request) const {
        if (head_size == 0 || request.headers().has<Http::Header::TransferEncoding>()) return 0;
        const auto length = request.headers().tryGet<Http::Header::ContentLength>();
        const std::uint64_t size = head_size + (length ? length->value() : 0);
        return bytes > size ? bytes - size : 0;
    }
};

RequestStart& request_start_of(Tcp::Peer& peer) {
    auto data = peer.tryGetData(k_request_start);
    if (!data) {
        data = std::make_shared<RequestStart>();
        peer.putData(k_request_start, data);
    }
    return *std::static_pointer_cast<RequestStart>(data);
}

Problem problem_with(int status, std::string detail) {
    Problem problem;
    problem.status = status;
    problem.detail = std::move(detail);
    return problem;
}

/// The problem for what parsing threw: Pistache's HttpError keeps its status and reason (they
/// describe the request), anything else is a request Pistache could not read; its text is
/// Pistache's or the standard library's, never shown.
Problem parse_problem(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const Http::HttpError& e) {
        return problem_with(e.code(), e.reason());
    } catch (const TooLarge& e) {
        return problem_with(413, e.what());
    } catch (const InvalidInput& e) {
        return problem_with(400, e.what());
    } catch (...) {
        return problem_with(400,
                            "the request could not be read (malformed request line or headers)");
    }
}

}  // namespace

RequestIntake::RequestIntake(const Rest::Router& routes, std::uint64_t max_body_bytes)
    : Rest::Private::RouterHandler(routes), m_max_body_bytes(max_body_bytes) {}

void RequestIntake::onInput(const char* buffer, size_t length,
                            const std::shared_ptr<Tcp::Peer>& peer) {
    while (length > 0) {
        const std::uint64_t next = take(buffer, length, peer);
        // A read may end with the next request (a pipelined one): it is taken as if it had
        // come on its own, once this one is answered. One answered later, on a lane's thread,
        // would be overtaken by the next answer: what follows it is dropped, as Pistache does.
        if (next == 0 || !peer->isIdle()) return;
        buffer += length - next;
        length = next;
    }
}

std::uint64_t RequestIntake::take(const char* buffer, size_t length,
                                  const std::shared_ptr<Tcp::Peer>& peer) {
    if (peer->tryGetData(k_refused)) return 0;  // the rest of a refused request
    const auto parser = getParser(peer);
    Http::Request& request = parser->request;
    RequestStart& start = request_start_of(*peer);
    try {
        if (!parser->feed(buffer, length))
            throw TooLarge("the request is larger than " + std::to_string(m_max_body_bytes) +
                           " bytes");
        start.note(buffer, length);
        if (!start.ambiguity.empty()) throw InvalidInput(start.ambiguity);
        if (parser->parse() == Http::Private::State::Done) {
            // Beyond it lies only what came in this read: the request ended in it.
            const std::uint64_t next = std::min<std::uint64_t>(start.beyond(request), length);
            hand_over(request, peer);
            parser->reset();
            start = RequestStart();
            return next;
        }
        // The headers may be in while the body is not: refuse what will not fit now.
        const auto announced = request.headers().tryGet<Http::Header::ContentLength>();
        if (announced && announced->value() > m_max_body_bytes)
            throw TooLarge("the request body is larger than " + std::to_string(m_max_body_bytes) +
                           " bytes (Content-Length: " + std::to_string(announced->value()) + ")");
    } catch (...) {
        refuse(std::current_exception(), request, peer);
        parser->reset();
        start = RequestStart();
    }
    return 0;
}

void RequestIntake::hand_over(Http::Request& request, const std::shared_ptr<Tcp::Peer>& peer) {
    Http::ResponseWriter writer(request.version(), transport(), this, peer);
    request.copyAddress(peer->address());
    peer->setIdle(false);  // Pistache's keep-alive timer must not close it while it is handled
    ++answer_order_of(*peer)->asked;
    onRequest(request, std::move(writer));
}

void RequestIntake::refuse(const std::exception_ptr& error, const Http::Request& request,
                           const std::shared_ptr<Tcp::Peer>& peer) {
    peer->putData(k_refused, std::make_shared<bool>(true));
    const Problem problem = parse_problem(error);
    const std::string request_id = next_request_id();
    Http::ResponseWriter writer(Http::Version::Http11, transport(), this, peer);
    try {
        set_common_headers(writer, request_id);
        writer.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
        const Fd fd = peer->fd();
        writer
            .send(static_cast<Http::Code>(problem.status),
                  problem_json(problem, request.resource(), request_id),
                  Http::Mime::MediaType::fromString("application/problem+json"))
            // Written: now close, so the client stops sending what nobody will read. This runs
            // on the peer's worker right after the write, before it could close the socket.
            .then([fd](ssize_t) { ::shutdown(fd, SHUT_RDWR); }, Async::IgnoreException);
    } catch (const std::exception&) {
        ::shutdown(peer->fd(), SHUT_RDWR);  // the peer is gone or the answer cannot be built
    }
}

}  // namespace leerstand::http
