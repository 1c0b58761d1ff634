#include "server/http/transport/direct_send.hpp"

#include "server/http/transport/answer.hpp"
#include "server/http/transport/answer_order.hpp"

#include <pistache/peer.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <sstream>

namespace leerstand::http {

using namespace Pistache;

namespace {

bool is_named(const char* name, const char* wanted) {
    return ::strcasecmp(name, wanted) == 0;
}

/// Writes the first `count` bytes of `head` then `body` with one system call; returns how many
/// the socket took (0 when it takes nothing now), or nullopt when the connection is gone.
std::optional<std::size_t> write_start(Fd fd, const std::string& head, const std::string& body,
                                       std::size_t count) {
    const std::size_t from_head = std::min(count, head.size());
    iovec parts[2] = {{const_cast<char*>(head.data()), from_head},
                      {const_cast<char*>(body.data()), count - from_head}};
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = count > from_head ? 2 : 1;
    ssize_t written = 0;
    do {
        written = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (written < 0 && errno == EINTR);
    if (written >= 0) return static_cast<std::size_t>(written);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return std::nullopt;
}

/// Responses in a row this worker completed at once for one connection (see the header): from
/// the fifth, one waits for the queue, which ends Pistache's read loop for that connection.
constexpr int k_max_in_a_row = 4;

struct InARow {
    Fd fd = -1;
    int count = 0;
};
thread_local InARow t_in_a_row;

/// True when the response to `fd` must complete from Pistache's queue, not at once.
bool completes_from_queue(Fd fd) {
    if (t_in_a_row.fd != fd) t_in_a_row = {fd, 0};
    if (++t_in_a_row.count <= k_max_in_a_row) return false;
    t_in_a_row.count = 0;
    return true;
}

}  // namespace

std::string response_head(Http::ResponseWriter& writer, Http::Version version, Http::Code code,
                          std::uint64_t body_size, std::optional<std::string_view> media_type) {
    std::string head;
    head.reserve(640);
    head.append(Http::versionString(version))
        .append(" ")
        .append(std::to_string(static_cast<int>(code)))
        .append(" ")
        .append(Http::codeString(code))
        .append("\r\n");
    std::ostringstream value;
    for (const auto& header : writer.headers().list()) {
        // Written below, whatever the writer holds.
        if (is_named(header->name(), "Content-Length")) continue;
        if (media_type && is_named(header->name(), "Content-Type")) continue;
        value.str("");
        header->write(value);
        head.append(header->name()).append(": ").append(value.view()).append("\r\n");
    }
    if (media_type) head.append("Content-Type: ").append(*media_type).append("\r\n");
    head.append("Content-Length: ").append(std::to_string(body_size)).append("\r\n\r\n");
    return head;
}

void send_without_copying(Http::ResponseWriter& writer, Http::Version version, Http::Code code,
                          const std::string& body, std::string_view media_type) {
    if (answering_head()) {
        send_head_only(writer, response_head(writer, version, code, body.size(), media_type));
        return;
    }
    if (writer.cookies().begin() != writer.cookies().end()) {
        writer.send(code, body, Http::Mime::MediaType::fromString(std::string(media_type)));
        return;
    }
    const std::shared_ptr<Tcp::Peer> peer = writer.getPeer();
    if (!peer) return;  // the client left; there is nobody to answer
    // As Pistache's own send does: answered, the connection's keep-alive time runs again.
    peer->setIdle(true);
    const std::string head = response_head(writer, version, code, body.size(), media_type);
    const std::size_t total = head.size() + body.size();
    // Now and then the last byte waits for Pistache's queue (see the header), with whatever
    // else the socket did not take at once. A failed write means the client is gone: Pistache
    // closes the connection when it next reads.
    const std::shared_ptr<AnswerOrder> order = answer_order_of(*peer);
    const std::uint64_t number = order->asked;
    // Written now only when every earlier answer of the connection is with the kernel; else
    // this one waits its turn in Pistache's queue, behind them.
    const bool in_turn = order->settled + 1 == number;
    const std::size_t now = !in_turn ? 0 : completes_from_queue(peer->fd()) ? total - 1 : total;
    const std::optional<std::size_t> sent =
        now == 0 ? std::optional<std::size_t>(0) : write_start(peer->fd(), head, body, now);
    if (!sent) return;
    if (*sent == total) {
        order->settled = number;
        return;
    }
    std::string rest =
        *sent < head.size() ? head.substr(*sent) + body : body.substr(*sent - head.size());
    const std::size_t size = rest.size();
    // Runs on this worker once the rest is written (or the client is gone): the queue writes a
    // connection's answers in order, so every earlier one is with the kernel by then.
    const auto settle = [order, number] { order->settled = std::max(order->settled, number); };
    peer->send(RawBuffer(std::move(rest), size))
        .then([settle](ssize_t) { settle(); }, [settle](const std::exception_ptr&) { settle(); });
}

}  // namespace leerstand::http
