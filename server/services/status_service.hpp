#pragma once

#include <string>

#include "data/database_location.hpp"
#include "data/records.hpp"

namespace leerstand::services {

/// What `GET /health` reports.
struct StatusReport {
    std::string status = "ok";
    std::string backend;  ///< "spatialite" or "postgres"; never where the database is
    int schema_version = 0;
    data::StoreCounts counts;
};

/// The name /health gives the backend of `db`: "spatialite" or "postgres".
std::string backend_name(const data::DatabaseLocation& db);

/// Opens (and migrates) the store at `db` on the calling thread and reads its status.
/// @throws StorageBusy with the code `database_unavailable` and the extensions `backend` and
///         `database_reachable: false` when the database does not answer (a PostgreSQL server
///         that is down or refuses connections); the next call tries again.
StatusReport read_status(const data::DatabaseLocation& db);

}  // namespace leerstand::services
