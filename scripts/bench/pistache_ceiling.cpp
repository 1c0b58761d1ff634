// Pistache's own ceiling for tile_bench.sh: `GET /bytes/N` answers N bytes with nothing else
// to do (no routing guards, no cache lookup, no database), through the same endpoint options and
// the same input step (RequestIntake) as `leerstand serve`, with Pistache's own send
// (`ResponseWriter::send`, its buffer sized for the body first). `GET /direct/N` does the same
// with the send path of our cached tiles (send_without_copying, which skips Pistache's copies of
// the body). wrk on them at a tile's size shows what Pistache 0.0.5 can serve at that size on this
// machine, each way, next to nginx and our cached tile.
//   pistache_ceiling PORT [THREADS]     prints "listening on PORT", stops on SIGINT/SIGTERM
#include <pistache/endpoint.h>
#include <pistache/router.h>

#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "server/http/transport/direct_send.hpp"
#include "server/http/transport/request_intake.hpp"

namespace {

using namespace Pistache;

/// Bodies by size, made once: the measurement is of sending, not of making them.
const std::string& body_of(std::size_t size) {
    static std::mutex mutex;
    static std::map<std::size_t, std::string> bodies;
    const std::lock_guard lock(mutex);
    auto [found, added] = bodies.try_emplace(size);
    if (added) found->second.assign(size, 'x');
    return found->second;
}

constexpr const char* k_media_type = "application/octet-stream";

/// The size asked for, or nullopt (then answered 400).
std::optional<std::size_t> size_asked(const Rest::Request& request, Http::ResponseWriter& writer) {
    const std::size_t size = std::stoul(request.param(":n").as<std::string>());
    if (size <= 64u << 20) return size;
    writer.send(Http::Code::Bad_Request, "at most 64 MiB\n");
    return std::nullopt;
}

/// Pistache's send, with its response buffer sized for the body first: it starts each response
/// in 512 bytes and doubles the buffer as it fills, an eighth of the time at 81 KB.
void send_bytes(const Rest::Request& request, Http::ResponseWriter writer) {
    const auto size = size_asked(request, writer);
    if (!size) return;
    const std::string& body = body_of(*size);
    DynamicStreamBuf& buffer = *writer.rdbuf();
    buffer = DynamicStreamBuf(std::min(body.size() + 2048, buffer.maxSize()), buffer.maxSize());
    writer.send(Http::Code::Ok, body, Http::Mime::MediaType::fromString(k_media_type));
}

void send_direct(const Rest::Request& request, Http::ResponseWriter writer) {
    const auto size = size_asked(request, writer);
    if (!size) return;
    leerstand::http::send_without_copying(writer, request.version(), Http::Code::Ok, body_of(*size),
                                          k_media_type);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: pistache_ceiling PORT [THREADS]\n";
        return 2;
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // before Pistache starts its threads

    // Alone in its process, each response buffer of a large body got fresh pages from the
    // kernel (glibc maps big blocks, or trims the heap top after them): 15 % of the time in
    // page faults, which `leerstand serve`, whose heap holds the tile cache, does not pay.
    // Keep big blocks in the heap, so the ceiling measures Pistache's copies and the socket.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    Rest::Router router;
    Rest::Routes::Get(router, "/bytes/:n", Rest::Routes::bind(&send_bytes));
    Rest::Routes::Get(router, "/direct/:n", Rest::Routes::bind(&send_direct));
    Http::Endpoint endpoint(Address("127.0.0.1", Port(static_cast<uint16_t>(std::stoi(argv[1])))));
    const int threads = argc > 2 ? std::stoi(argv[2]) : 2;  // leerstand serve's default
    endpoint.init(Http::Endpoint::options()
                      .threads(threads)
                      .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
                      .keepaliveTimeout(std::chrono::seconds(15)));
    // Our input step too, so that the only difference to `leerstand serve` is our routes' work.
    endpoint.setHandler(std::make_shared<leerstand::http::RequestIntake>(router, 1u << 20));
    endpoint.serveThreaded();
    std::cout << "listening on " << argv[1] << std::endl;
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    endpoint.shutdown();
    return 0;
}
