#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace leerstand::http {

/// A few threads that run requests away from Pistache's reactor workers.
///
/// Pistache pins each connection to one reactor worker and runs its handlers there (README.md),
/// so a handler that waits stalls every connection on that worker. Two kinds wait: writes, for
/// SQLite's write lock (another edit, an upload's import: the concurrency script measured reads
/// at p99 5 s beside 8 editors), and downloads, for a slow client to read. They queue on their
/// own WorkerThreads and answer from there: a ResponseWriter moved to another thread may send
/// from it.
class WorkerThreads {
  public:
    /// `threads` workers; at most `max_waiting` tasks wait for one (more are refused).
    WorkerThreads(unsigned threads, std::size_t max_waiting);
    ~WorkerThreads();
    WorkerThreads(const WorkerThreads&) = delete;
    WorkerThreads& operator=(const WorkerThreads&) = delete;

    /// Queues `task`; false when the queue is full or the workers are stopping, in which case
    /// the caller answers the request itself.
    bool submit(std::function<void()> task);

    /// Runs what is queued, refuses new tasks and joins the threads. Must run before the
    /// endpoint shuts down: a task answers through the endpoint's transport.
    void stop();

    /// True on a thread of a WorkerThreads that is stopping: a long task (a download paced to a
    /// slow client) should end early so that the server can shut down.
    static bool current_is_stopping();

  private:
    void run();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_tasks;
    std::size_t m_max_waiting;
    std::atomic<bool> m_stopping{false};
    std::vector<std::thread> m_threads;
};

}  // namespace leerstand::http
