#include "server/http/transport/worker_threads.hpp"

namespace leerstand::http {

namespace {
thread_local const WorkerThreads* t_current = nullptr;
}

bool WorkerThreads::current_is_stopping() {
    return t_current != nullptr && t_current->m_stopping;
}

WorkerThreads::WorkerThreads(unsigned threads, std::size_t max_waiting)
    : m_max_waiting(max_waiting) {
    m_threads.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) m_threads.emplace_back([this] { run(); });
}

WorkerThreads::~WorkerThreads() {
    stop();
}

bool WorkerThreads::submit(std::function<void()> task) {
    {
        const std::lock_guard lock(m_mutex);
        if (m_stopping || m_tasks.size() >= m_max_waiting) return false;
        m_tasks.push_back(std::move(task));
    }
    m_wake.notify_one();
    return true;
}

void WorkerThreads::stop() {
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (std::thread& thread : m_threads)
        if (thread.joinable()) thread.join();
}

void WorkerThreads::run() {
    t_current = this;
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_tasks.empty(); });
            if (m_tasks.empty()) return;  // stopping, and everything queued has run
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
        }
        task();  // tasks catch their own errors (they answer a request)
    }
}

}  // namespace leerstand::http
