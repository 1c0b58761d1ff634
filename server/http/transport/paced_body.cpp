#include "server/http/transport/paced_body.hpp"

#include <linux/sock_diag.h>
#include <pistache/peer.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "server/http/transport/answer.hpp"
#include "server/http/transport/direct_send.hpp"
#include "server/http/transport/worker_threads.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
using Clock = std::chrono::steady_clock;

constexpr std::size_t k_max_piece = 64u << 10;
constexpr std::size_t k_min_piece = 4u << 10;
constexpr auto k_max_nap = std::chrono::milliseconds(50);
constexpr auto k_give_up_after = std::chrono::seconds(60);

/// Bytes the socket's send buffer takes now: its size less what it holds (both as the kernel
/// counts them, overhead included); 0 when the socket cannot tell.
std::size_t send_room(int fd) {
    std::uint32_t memory[SK_MEMINFO_VARS] = {};
    socklen_t length = sizeof memory;
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, memory, &length) != 0) return 0;
    const std::uint32_t size = memory[SK_MEMINFO_SNDBUF];
    const std::uint32_t queued = memory[SK_MEMINFO_WMEM_QUEUED];
    return size > queued ? size - queued : 0;
}

/// Outcome of a wait for the client.
enum class Wait { Ready, Gone, Stuck };

/// Waits until `ready` holds, in naps that grow while nothing changes, for as long as the
/// client takes something (a change of `progress`) at least once a minute.
template <typename Ready, typename Progress>
Wait wait_until(const std::weak_ptr<Tcp::Peer>& weak_peer, Ready ready, Progress progress) {
    auto nap = std::chrono::microseconds(100);
    auto last = progress();
    Clock::time_point last_change = Clock::now();
    for (;;) {
        const std::shared_ptr<Tcp::Peer> peer = weak_peer.lock();
        if (!peer) return Wait::Gone;
        // The server stopping ends a download that is still going: shutdown waits for it.
        if (WorkerThreads::current_is_stopping()) return Wait::Stuck;
        if (ready(*peer)) return Wait::Ready;
        if (const auto now = progress(); now != last) {
            last = now;
            last_change = Clock::now();
            nap = std::chrono::microseconds(100);
        } else if (Clock::now() - last_change > k_give_up_after) {
            return Wait::Stuck;
        }
        std::this_thread::sleep_for(nap);
        nap = std::min<std::chrono::microseconds>(nap * 2, k_max_nap);
    }
}

/// Hands `bytes` to Pistache and waits until its reactor has written them all.
Wait send_and_wait(const std::weak_ptr<Tcp::Peer>& weak_peer, std::string bytes) {
    // Set on the reactor worker once the write is done (or failed), read here.
    const auto written = std::make_shared<std::atomic<bool>>(false);
    const auto mark = [written] { written->store(true); };
    {
        const std::shared_ptr<Tcp::Peer> peer = weak_peer.lock();
        if (!peer) return Wait::Gone;
        const std::size_t length = bytes.size();
        peer->send(RawBuffer(std::move(bytes), length))
            .then([mark](ssize_t) { mark(); }, [mark](const std::exception_ptr&) { mark(); });
    }
    return wait_until(
        weak_peer, [written](Tcp::Peer&) { return written->load(); }, [] { return 0; });
}

}  // namespace

void send_paced(Http::ResponseWriter& writer, std::istream& in, std::uint64_t size) {
    const std::weak_ptr<Tcp::Peer> weak_peer = writer.peer();
    // As Pistache's own send does: the request is answered, the keep-alive timer may close
    // the connection once it is idle (not answer a 408 on it).
    writer.peer()->setIdle(true);
    Wait wait = send_and_wait(weak_peer, response_head(writer, Http::Version::Http11,
                                                       Http::Code::Ok, size, std::nullopt));
    // A HEAD request gets the head GET gets, and no body.
    std::uint64_t left = answering_head() ? 0 : size;
    std::size_t room = 0;
    while (wait == Wait::Ready && left > 0) {
        // Half the room: the kernel's own overhead for the piece must fit as well.
        wait = wait_until(
            weak_peer,
            [&room](Tcp::Peer& peer) {
                room = send_room(peer.fd()) / 2;
                return room >= k_min_piece;
            },
            [&room] { return room; });
        if (wait != Wait::Ready) break;
        // Each piece is a string of its own: Pistache keeps it until it is written.
        std::string piece(std::min<std::uint64_t>({room, k_max_piece, left}), '\0');
        in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
        piece.resize(static_cast<std::size_t>(in.gcount()));
        if (piece.empty()) break;  // the file is shorter than announced: the client sees it cut
        left -= piece.size();
        wait = send_and_wait(weak_peer, std::move(piece));
    }
    if (wait == Wait::Stuck || (wait == Wait::Ready && left > 0)) {
        // Close it: the reactor drops the peer, the client learns the body is cut.
        if (const auto peer = weak_peer.lock()) ::shutdown(peer->fd(), SHUT_RDWR);
    }
}

}  // namespace leerstand::http
