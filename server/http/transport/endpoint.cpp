#include "server/http/transport/endpoint.hpp"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>

#include "server/http/transport/request_intake.hpp"
#include "server/http/transport/routing.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

// Pistache buffers a whole request and limits it as one (README.md; default 4 KiB): the
// largest body plus this much for the request line and headers.
constexpr std::size_t k_header_allowance = 64u << 10;
// With one worker, a slow client stalls every other connection (README.md).
constexpr unsigned k_min_threads = 2;
// Writes wait for SQLite's one write lock in turn, so a few threads suffice; sign-in hashing and
// saving upload files run beside them. Each download holds a thread while its client reads.
// Beyond a lane's queue a request gets 503 with Retry-After.
constexpr unsigned k_write_threads = 4;
constexpr std::size_t k_max_waiting_writes = 64;
constexpr unsigned k_download_threads = 4;
constexpr std::size_t k_max_waiting_downloads = 8;

/// Pistache assembles each response in a buffer that it grows by doubling and frees once sent.
/// Buffers of tile size got fresh pages from mmap each time and went straight back, so every
/// response paid page faults for its whole body (cached 81 KB tiles under wrk: 6.1k req/s,
/// 9.5k with this; 661 KB GeoJSON tiles 1.2k → 2.3k). Keep them in the heap, and keep freed
/// heap memory up to the tile cache's order of size instead of trimming it after each reply.
void keep_response_buffers_in_the_heap() {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace

Endpoint::Endpoint() {
    // A client hanging up mid-response must not kill the server with SIGPIPE (README.md).
    std::signal(SIGPIPE, SIG_IGN);
    keep_response_buffers_in_the_heap();
    sigemptyset(&m_stop_signals);
    sigaddset(&m_stop_signals, SIGINT);
    sigaddset(&m_stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &m_stop_signals, &m_previous_mask);
}

Endpoint::~Endpoint() {
    try {
        if (m_serving) stop();
    } catch (...) {
        // A destructor must not throw; serve() stops the endpoint itself and reports failures.
    }
    // Without a listening endpoint the lanes' threads still stop here (their destructors).
    run_lanes_on(nullptr, nullptr);
    m_write_threads.reset();
    m_download_threads.reset();
    pthread_sigmask(SIG_SETMASK, &m_previous_mask, nullptr);
}

std::uint16_t Endpoint::listen(const ListenOptions& options) {
    m_write_threads.emplace(k_write_threads, k_max_waiting_writes);
    m_download_threads.emplace(k_download_threads, k_max_waiting_downloads);
    run_lanes_on(&*m_write_threads, &*m_download_threads);

    const std::uint64_t max_request = options.max_body_bytes + k_header_allowance;
    m_endpoint = std::make_unique<Http::Endpoint>(Address(options.bind, Port(options.port)));
    m_endpoint->init(Http::Endpoint::options()
                         .threads(static_cast<int>(std::max(options.threads, k_min_threads)))
                         // No Nagle: a response's last bytes go out in a write of their own
                         // (direct_send.hpp), which Nagle held back until the client's
                         // delayed ACK, 40 ms.
                         .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
                         // Room for the headers on top of the largest body.
                         .maxRequestSize(max_request)
                         .headerTimeout(std::chrono::seconds(10))
                         .bodyTimeout(std::chrono::seconds(60))
                         // Pistache keeps idle sockets 300 s by default (README.md).
                         .keepaliveTimeout(std::chrono::seconds(15)));
    // Bodies a little over the limit still reach their route, which answers its own 413 naming
    // the limit; far beyond it the intake refuses as soon as the headers are in.
    m_endpoint->setHandler(std::make_shared<RequestIntake>(m_router, max_request));
    m_endpoint->serveThreaded();
    m_serving = true;
    return static_cast<std::uint16_t>(m_endpoint->getPort());
}

int Endpoint::wait_for_stop_signal() const {
    int signal_number = 0;
    while (sigwait(&m_stop_signals, &signal_number) != 0) {
    }
    return signal_number;
}

void Endpoint::stop() {
    // Queued requests answer through the endpoint's transport: they finish before it goes.
    run_lanes_on(nullptr, nullptr);
    if (m_write_threads) m_write_threads->stop();
    if (m_download_threads) m_download_threads->stop();
    if (m_serving) {
        m_serving = false;
        m_endpoint->shutdown();
    }
}

}  // namespace leerstand::http
