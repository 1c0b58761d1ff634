#pragma once

#include <memory>
#include <string>

#include "data/database_location.hpp"

namespace leerstand::data {
class Store;
}

namespace leerstand::services {

/// The calling thread's Store for `db`: each Pistache worker keeps one connection (SQLite or
/// PostgreSQL), opened on first use and reused for every later request on that worker (a
/// Store must never be shared between threads).
data::Store& thread_store(const data::DatabaseLocation& db);

namespace detail {
/// What tells two locations apart: the file path or the whole conninfo (display() hides the
/// password, and two passwords may well mean two roles).
inline std::string location_key(const data::DatabaseLocation& db) {
    return db.is_postgres() ? "postgres:" + db.conninfo() : "file:" + db.file().string();
}
}  // namespace detail

/// The calling thread's `Service` (constructed from thread_store(db)), made on first use and
/// remade when `db` changes: use cases hold their thread's Store, so they are per thread too.
template <typename Service>
Service& thread_service(const data::DatabaseLocation& db) {
    thread_local std::string open_key;
    thread_local std::unique_ptr<Service> service;
    const std::string key = detail::location_key(db);
    if (!service || open_key != key) {
        service.reset();
        service = std::make_unique<Service>(thread_store(db));
        open_key = key;
    }
    // The analyzer models the thread_local owner as destroyed at every return: a false report.
    return *service;  // NOLINT(clang-analyzer-cplusplus.NewDelete)
}

}  // namespace leerstand::services
