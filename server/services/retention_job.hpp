#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "data/database_location.hpp"

namespace leerstand::data {
class Store;
}

/// The one job that deletes personal data past its time (docs/privacy.md): every kind of data
/// with a retention time is one RetentionTask of it.
namespace leerstand::services {

/// One deletion: `run` deletes what is past its time in the store and returns how many records
/// lost their personal data; `what` names those records in the log ("membership request(s)
/// decided more than 90 days ago").
struct RetentionTask {
    std::string what;
    std::function<std::int64_t(data::Store&)> run;
};

/// The task of one service with a retention time: `Service(store).
/// delete_expired_personal_data(retention)`; `records` names its records and the event that
/// starts their time ("inquiry(ies) closed"). Adding a deletion to the job is one such line.
template <class Service>
RetentionTask retention_task(const std::string& records, std::chrono::days retention) {
    return {records + " more than " + std::to_string(retention.count()) + " days ago",
            [retention](data::Store& store) {
                return Service(store).delete_expired_personal_data(retention);
            }};
}

/// Runs every task once when constructed (before the server answers anyone) and then every
/// `period` on a thread of its own, until destroyed. A failed task (the store busy) is logged
/// and tried again at the next period; the other tasks run regardless.
class RetentionJob {
  public:
    RetentionJob(data::DatabaseLocation db, std::vector<RetentionTask> tasks,
                 std::chrono::seconds period = std::chrono::hours(1));
    ~RetentionJob();
    RetentionJob(const RetentionJob&) = delete;
    RetentionJob& operator=(const RetentionJob&) = delete;

  private:
    void run_once(data::Store& store) const;
    void loop();

    data::DatabaseLocation m_db;
    std::vector<RetentionTask> m_tasks;
    std::chrono::seconds m_period;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace leerstand::services
