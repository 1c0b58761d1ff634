#pragma once

#include <chrono>
#include <cstdint>

#include "data/records.hpp"
#include "geo/feature_reader.hpp"
#include "server/services/import_report.hpp"
#include "server/services/import_service.hpp"

namespace leerstand::data {
class Store;
}

/// Pieces every import (buildings, Kommunen, vacancies) shares: options → reader options,
/// the report's head, the uploads row, progress throttling.
namespace leerstand::services::detail {

using Clock = std::chrono::steady_clock;

geo::ReadOptions read_options(const ImportOptions& options);
void describe_source(const geo::SourceInfo& info, ImportReport& report);
/// A report naming the file (the client's name for HTTP uploads), target, mode and Kommune.
ImportReport start_report(const ImportOptions& options, const char* target);
/// The uploads row for this import; state "done" when something was stored, else "failed".
data::UploadRecord upload_record(const ImportOptions& options, const ImportReport& report);
double seconds_since(Clock::time_point start);
/// @throws InvalidInput when --kommune names a Kommune the store does not know.
void check_kommune_option(const data::Store& store, const ImportOptions& options);

/// Calls the progress callback at most ten times a second.
class ProgressThrottle {
  public:
    ProgressThrottle(const ProgressCallback& callback, std::int64_t total)
        : m_callback(callback), m_total(total) {}
    void tick(std::int64_t done, bool force = false) {
        if (!m_callback) return;
        auto now = Clock::now();
        if (!force && now - m_last < std::chrono::milliseconds(100)) return;
        m_last = now;
        m_callback(done, m_total);
    }

  private:
    const ProgressCallback& m_callback;
    std::int64_t m_total;
    Clock::time_point m_last{};
};

}  // namespace leerstand::services::detail
