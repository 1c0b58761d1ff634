#pragma once

#include <string>

#include "data/database_location.hpp"
#include "data/records.hpp"

namespace leerstand::services {

/// What `GET /health` reports.
struct StatusReport {
    std::string status = "ok";
    int schema_version = 0;
    data::StoreCounts counts;
};

/// Opens (and migrates) the store at `db` on the calling thread and reads its status.
StatusReport read_status(const data::DatabaseLocation& db);

}  // namespace leerstand::services
