#include "server/services/retention_job.hpp"

#include <exception>
#include <iostream>
#include <optional>
#include <utility>

#include "data/store.hpp"

namespace leerstand::services {

RetentionJob::RetentionJob(data::DatabaseLocation db, std::vector<RetentionTask> tasks,
                           std::chrono::seconds period)
    : m_db(std::move(db)), m_tasks(std::move(tasks)), m_period(period) {
    {
        // The first run on the caller's thread: no request is answered with data past its time.
        data::Store store(m_db);
        run_once(store);
    }
    m_thread = std::thread([this] { loop(); });
}

RetentionJob::~RetentionJob() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void RetentionJob::run_once(data::Store& store) const {
    for (const RetentionTask& task : m_tasks) {
        try {
            const std::int64_t deleted = task.run(store);
            if (deleted > 0)
                std::cerr << ("leerstand: deleted the personal data of " + std::to_string(deleted) +
                              " " + task.what + "\n");
        } catch (const std::exception& e) {
            // Busy or broken now; the next period tries again.
            std::cerr << ("leerstand: retention job (" + task.what + "): " + e.what() + "\n");
        }
    }
}

void RetentionJob::loop() {
    std::optional<data::Store> store;
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, m_period, [this] { return m_stopping; })) {
        lock.unlock();
        try {
            if (!store) store.emplace(m_db);
            run_once(*store);
        } catch (const std::exception& e) {
            std::cerr << ("leerstand: retention job: " + std::string(e.what()) + "\n");
        }
        lock.lock();
    }
}

}  // namespace leerstand::services
