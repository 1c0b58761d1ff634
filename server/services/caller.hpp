#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// Who is asking: the anonymous public or a signed-in user with a role and a Kommune scope.
/// Every use case takes a Caller; the privacy filter and the write checks read only this.
namespace leerstand::services {

enum class Role { Public, Planner, Editor, Admin };

/// "public", "planner", "editor", "admin".
std::string role_name(Role role);
/// Parses "planner", "editor", "admin" (not "public": no user has it).
/// @throws InvalidInput naming the allowed roles.
Role parse_role(const std::string& name);

struct Caller {
    Role role = Role::Public;
    std::int64_t user_id = 0;  ///< 0 for the public
    std::string name;          ///< user name; empty for the public
    /// AGS keys the user is scoped to: an 8-digit Gemeinde key, or a 5-digit Kreis key that
    /// covers every Gemeinde whose AGS starts with it. Empty: all Kommunen for a planner,
    /// none for an editor (an editor without a Kommune may read like a planner of none).
    std::vector<std::string> kommunen;

    static Caller anonymous() { return Caller{}; }
    bool signed_in() const { return role != Role::Public; }
};

/// True when `ags` lies in the caller's scope (admin: always; public: never).
bool in_scope(const Caller& caller, const std::string& ags);

/// May the caller see internal data (unconsented vacancies, owner fields, history) of `ags`?
/// Admin always; planner and editor within their scope (a planner without scope: everywhere).
bool may_read_internal(const Caller& caller, const std::string& ags);

/// Throws Unauthenticated for the public, Forbidden when the caller may not write in `ags`
/// (planners never write; editors only in scope; admin everywhere).
void require_write(const Caller& caller, const std::string& ags);

/// The AGS keys the caller may write in, for a write that picks its Kommunen itself (an upload
/// assigned automatically): nullopt for an admin (everywhere), an editor's own keys.
/// @throws Unauthenticated for the public, Forbidden for planners and editors of no Kommune.
std::optional<std::vector<std::string>> write_scope(const Caller& caller);

/// Throws Unauthenticated for the public, Forbidden for anyone but an admin.
void require_admin(const Caller& caller);

/// Throws Unauthenticated for the public (planner, editor, admin pass).
void require_signed_in(const Caller& caller);

}  // namespace leerstand::services
