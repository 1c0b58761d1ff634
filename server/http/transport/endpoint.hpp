#pragma once

#include <pistache/endpoint.h>
#include <pistache/router.h>

#include <csignal>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "server/http/transport/worker_threads.hpp"

namespace leerstand::http {

/// Where and how the endpoint listens.
struct ListenOptions {
    std::string bind = "127.0.0.1";
    std::uint16_t port = 0;            ///< 0 asks for an ephemeral port
    unsigned threads = 2;              ///< Pistache's reactor workers; at least 2 are used
    std::uint64_t max_body_bytes = 0;  ///< the largest request body (an upload) taken in
};

/// Pistache's endpoint as the server runs it: its options, the request intake in front of the
/// router, the threads of the write and download lanes, and the process settings Pistache 0.0.5
/// needs (SIGPIPE ignored, response buffers kept in the heap). See README.md.
///
/// The constructor blocks SIGINT and SIGTERM in the calling thread, so that every thread started
/// later inherits the mask and `wait_for_stop_signal` can take them; the destructor restores it.
/// @pre Made on the main thread before any other thread exists.
class Endpoint {
  public:
    Endpoint();
    ~Endpoint();
    Endpoint(const Endpoint&) = delete;
    Endpoint& operator=(const Endpoint&) = delete;

    /// The router whose routes the endpoint serves; routes are added before `listen`.
    Pistache::Rest::Router& router() { return m_router; }

    /// Starts the lanes and serves on Pistache's workers; returns the port it listens on (the
    /// real one for port 0).
    /// @throws std::exception when it cannot listen.
    std::uint16_t listen(const ListenOptions& options);

    /// Waits for SIGINT or SIGTERM and returns it.
    int wait_for_stop_signal() const;

    /// Answers what the lanes hold, then stops them and Pistache.
    void stop();

  private:
    sigset_t m_stop_signals{};
    sigset_t m_previous_mask{};
    Pistache::Rest::Router m_router;  // must outlive the endpoint
    std::optional<WorkerThreads> m_write_threads;
    std::optional<WorkerThreads> m_download_threads;
    std::unique_ptr<Pistache::Http::Endpoint> m_endpoint;
    bool m_serving = false;
};

}  // namespace leerstand::http
