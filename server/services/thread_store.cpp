#include "server/services/thread_store.hpp"

#include <memory>

#include "data/store.hpp"

namespace leerstand::services {

data::Store& thread_store(const data::DatabaseLocation& db) {
    thread_local std::string open_key;
    thread_local std::unique_ptr<data::Store> store;
    const std::string key = detail::location_key(db);
    if (!store || open_key != key) {
        store.reset();
        store = std::make_unique<data::Store>(db);
        open_key = key;
    }
    return *store;
}

}  // namespace leerstand::services
