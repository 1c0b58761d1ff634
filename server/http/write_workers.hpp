#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace leerstand::http {

/// Threads that run write requests away from Pistache's reactor workers.
///
/// Pistache pins each connection to one reactor worker and runs its handlers there (TOOLCHAIN
/// threads(n)). A write that waits for SQLite's write lock (another edit, an upload's import)
/// would stall every tile and page request on that worker for as long as it waits: the
/// concurrency script measured reads at p99 5 s beside 8 editors. Writes queue here instead and
/// answer from these threads (TOOLCHAIN "Off-thread replies"); reads never wait behind them.
class WriteWorkers {
  public:
    /// `threads` workers; at most `max_waiting` tasks wait for one (more are refused).
    WriteWorkers(unsigned threads, std::size_t max_waiting);
    ~WriteWorkers();
    WriteWorkers(const WriteWorkers&) = delete;
    WriteWorkers& operator=(const WriteWorkers&) = delete;

    /// Queues `task`; false when the queue is full or the workers are stopping, in which case
    /// the caller answers the request itself.
    bool submit(std::function<void()> task);

    /// Runs what is queued, refuses new tasks and joins the threads. Must run before the
    /// endpoint shuts down: a task answers through the endpoint's transport.
    void stop();

  private:
    void run();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_tasks;
    std::size_t m_max_waiting;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

}  // namespace leerstand::http
