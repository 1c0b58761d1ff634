#include "server/services/status_service.hpp"

#include "common/error.hpp"
#include "data/store.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::services {

std::string backend_name(const data::DatabaseLocation& db) {
    return db.is_postgres() ? "postgres" : "spatialite";
}

StatusReport read_status(const data::DatabaseLocation& db) {
    StatusReport report;
    report.backend = backend_name(db);
    try {
        data::Store& store = thread_store(db);
        report.schema_version = store.schema_version();
        report.counts = store.counts();
    } catch (const StorageBusy&) {
        // A load balancer reads the code; the details (which server, why) stay in the log of
        // the connection layer, never in this public answer.
        throw StorageBusy(
            ErrorCode{error_code::k_database_unavailable},
            "the database does not answer at the moment; try again in a moment",
            nlohmann::json{{"backend", report.backend}, {"database_reachable", false}});
    }
    return report;
}

}  // namespace leerstand::services
