#pragma once

#include <filesystem>
#include <string>

#include "data/records.hpp"

namespace leerstand::services {

/// What `GET /health` reports.
struct StatusReport {
    std::string status = "ok";
    int schema_version = 0;
    data::StoreCounts counts;
};

/// Opens (and migrates) the store at `db` on the calling thread and reads its status.
StatusReport read_status(const std::filesystem::path& db);

}  // namespace leerstand::services
