#include "server/services/item_writes.hpp"

namespace leerstand::services {

NotFound no_such_item(std::string_view noun, std::int64_t id) {
    return NotFound(std::string(noun) + " " + std::to_string(id) + " does not exist");
}

void require_some_write(const Caller& caller) {
    require_signed_in(caller);
    if (caller.role == Role::Admin) return;
    if (caller.role != Role::Editor)
        throw Forbidden("the role " + role_name(caller.role) + " may not change data");
    if (caller.kommunen.empty())
        throw Forbidden("user " + caller.name + " may not change data of any Kommune");
}

}  // namespace leerstand::services
