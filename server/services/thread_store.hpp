#pragma once

#include <filesystem>

namespace leerstand::data {
class Store;
}

namespace leerstand::services {

/// The calling thread's Store for `db`: each Pistache worker keeps one SQLite connection,
/// opened on first use and reused for every later request on that worker (a Store must never
/// be shared between threads).
data::Store& thread_store(const std::filesystem::path& db);

}  // namespace leerstand::services
