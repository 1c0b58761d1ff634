#pragma once

#include <filesystem>
#include <memory>

namespace leerstand::data {
class Store;
}

namespace leerstand::services {

/// The calling thread's Store for `db`: each Pistache worker keeps one SQLite connection,
/// opened on first use and reused for every later request on that worker (a Store must never
/// be shared between threads).
data::Store& thread_store(const std::filesystem::path& db);

/// The calling thread's `Service` (constructed from thread_store(db)), made on first use and
/// remade when `db` changes: use cases hold their thread's Store, so they are per thread too.
template <typename Service>
Service& thread_service(const std::filesystem::path& db) {
    thread_local std::filesystem::path open_path;
    thread_local std::unique_ptr<Service> service;
    if (!service || open_path != db) {
        service.reset();
        service = std::make_unique<Service>(thread_store(db));
        open_path = db;
    }
    // The analyzer models the thread_local owner as destroyed at every return: a false report.
    return *service;  // NOLINT(clang-analyzer-cplusplus.NewDelete)
}

}  // namespace leerstand::services
