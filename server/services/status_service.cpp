#include "server/services/status_service.hpp"

#include "data/store.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::services {

StatusReport read_status(const data::DatabaseLocation& db) {
    data::Store& store = thread_store(db);
    StatusReport report;
    report.schema_version = store.schema_version();
    report.counts = store.counts();
    return report;
}

}  // namespace leerstand::services
