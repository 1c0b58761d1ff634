#include "server/services/status_service.hpp"

#include "data/store.hpp"

namespace leerstand::services {

StatusReport read_status(const std::filesystem::path& db) {
    // One Store (one SQLite connection) per calling thread: each Pistache worker keeps its own,
    // opened on first use and reused for every later request on that worker.
    thread_local std::filesystem::path open_path;
    thread_local std::unique_ptr<data::Store> store;
    if (!store || open_path != db) {
        store = std::make_unique<data::Store>(db);
        open_path = db;
    }
    StatusReport report;
    report.schema_version = store->schema_version();
    report.counts = store->counts();
    return report;
}

}  // namespace leerstand::services
