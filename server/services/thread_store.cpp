#include "server/services/thread_store.hpp"

#include <memory>

#include "data/store.hpp"

namespace leerstand::services {

data::Store& thread_store(const std::filesystem::path& db) {
    thread_local std::filesystem::path open_path;
    thread_local std::unique_ptr<data::Store> store;
    if (!store || open_path != db) {
        store.reset();
        store = std::make_unique<data::Store>(db);
        open_path = db;
    }
    return *store;
}

}  // namespace leerstand::services
