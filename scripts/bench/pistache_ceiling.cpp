// Pistache's own ceiling for tile_bench.sh: `GET /bytes/N` answers N bytes with nothing else
// to do (no routing guards, no cache lookup, no database), through the same endpoint options,
// the same input step (RequestIntake) and the same send path (send_sized) as `leerstand serve`. wrk
// on it at a tile's size shows what Pistache 0.0.5 can serve at that size on this machine, next to
// nginx and our cached tile.
//   pistache_ceiling PORT [THREADS]     prints "listening on PORT", stops on SIGINT/SIGTERM
#include <pistache/endpoint.h>
#include <pistache/router.h>

#include <malloc.h>

#include <csignal>
#include <iostream>
#include <map>
#include <mutex>
#include <string>

#include "server/http/request_intake.hpp"
#include "server/http/response_headers.hpp"

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

void send_bytes(const Rest::Request& request, Http::ResponseWriter writer) {
    const std::string text = request.param(":n").as<std::string>();
    const std::size_t size = std::stoul(text);
    if (size > 64u << 20) {
        writer.send(Http::Code::Bad_Request, "at most 64 MiB\n");
        return;
    }
    leerstand::http::send_sized(writer, Http::Code::Ok, body_of(size),
                                Http::Mime::MediaType::fromString("application/octet-stream"));
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
    Http::Endpoint endpoint(Address("127.0.0.1", Port(static_cast<uint16_t>(std::stoi(argv[1])))));
    const int threads = argc > 2 ? std::stoi(argv[2]) : 2;  // leerstand serve's default
    endpoint.init(Http::Endpoint::options()
                      .threads(threads)
                      .flags(Tcp::Options::ReuseAddr)
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
