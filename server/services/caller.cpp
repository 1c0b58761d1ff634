#include "server/services/caller.hpp"

#include <algorithm>

#include "common/ags.hpp"
#include "common/error.hpp"

namespace leerstand::services {

std::string role_name(Role role) {
    switch (role) {
        case Role::Admin:
            return "admin";
        case Role::Editor:
            return "editor";
        case Role::Planner:
            return "planner";
        case Role::Public:
            break;
    }
    return "public";
}

Role parse_role(const std::string& name) {
    if (name == "admin") return Role::Admin;
    if (name == "editor") return Role::Editor;
    if (name == "planner") return Role::Planner;
    throw InvalidInput("unknown role '" + name + "'; use admin, planner or editor");
}

bool in_scope(const Caller& caller, const std::string& ags) {
    if (caller.role == Role::Admin) return true;
    if (caller.role == Role::Public) return false;
    return std::any_of(caller.kommunen.begin(), caller.kommunen.end(),
                       [&ags](const std::string& scope) {
                           // A Kreis key (5 digits) covers its Gemeinden; a Gemeinde key only
                           // itself. The Kreis key itself is in scope of that Kreis.
                           const auto kommune = Ags::parse(scope);
                           return kommune && kommune->covers(ags);
                       });
}

bool may_read_internal(const Caller& caller, const std::string& ags) {
    switch (caller.role) {
        case Role::Admin:
            return true;
        case Role::Planner:
            return caller.kommunen.empty() || in_scope(caller, ags);
        case Role::Editor:
            return in_scope(caller, ags);
        case Role::Public:
            break;
    }
    return false;
}

void require_signed_in(const Caller& caller) {
    if (!caller.signed_in()) throw Unauthenticated("sign in or send an API token to do this");
}

void require_write(const Caller& caller, const std::string& ags) {
    require_signed_in(caller);
    if (caller.role == Role::Admin) return;
    if (caller.role != Role::Editor)
        throw Forbidden("the role " + role_name(caller.role) + " may not change data");
    // The message names only the caller's own Kommunen: never the one the record lies in.
    if (!in_scope(caller, ags)) {
        std::string own;
        for (const std::string& scope : caller.kommunen) own += (own.empty() ? "" : ", ") + scope;
        throw Forbidden("user " + caller.name + " may change data only in their own Kommunen" +
                        (own.empty() ? std::string() : " (" + own + ")"));
    }
}

std::optional<std::vector<std::string>> write_scope(const Caller& caller) {
    require_signed_in(caller);
    if (caller.role == Role::Admin) return std::nullopt;
    if (caller.role != Role::Editor)
        throw Forbidden("the role " + role_name(caller.role) + " may not change data");
    if (caller.kommunen.empty())
        throw Forbidden("user " + caller.name + " is an editor of no Kommune");
    return caller.kommunen;
}

void require_admin(const Caller& caller) {
    require_signed_in(caller);
    if (caller.role != Role::Admin) throw Forbidden("only an admin may do this");
}

}  // namespace leerstand::services
