#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "server/services/caller.hpp"
#include "server/services/public_form.hpp"

namespace leerstand::data {
class Store;
}

/// Membership of the network: requests from the public form (`POST
/// /api/membership-requests`), the admins' decisions, the members the public sees ("Das
/// Netzwerk"), and the deletion of the requests' personal data a while after the decision.
namespace leerstand::services {

class LoginRateLimiter;

/// The limit of membership requests per client (public_form.hpp): 5 an hour.
inline constexpr PublicFormLimits k_membership_request_limits{5, std::chrono::seconds(3600)};

/// One per thread (it holds the thread's Store).
class MembershipService {
  public:
    explicit MembershipService(data::Store& store);

    /// Takes a request of the public form: `{"kommune": AGS or null, "kommune_name", "person",
    /// "role", "email", "message", "homepage"}`. `homepage` is a field people never see (a
    /// honeypot): when it is filled the answer is the same, but nothing is stored. Each
    /// request, stored or not, counts for `client` in `limiter`.
    /// @throws TooManyRequests (too_many_membership_requests) while `client` is locked,
    ///         InvalidInput (invalid_fields) naming every field at fault.
    void submit(const nlohmann::json& body, const std::string& client, LoginRateLimiter& limiter);

    /// Every request, newest first, with its personal data until it is deleted.
    /// @throws Unauthenticated, Forbidden for anyone but an admin.
    nlohmann::json list(const Caller& caller);

    /// Accepts request `id`: its Kommune (the body's `kommune`, else the request's) becomes a
    /// member since today, unless it is one already. Accepting an accepted request changes
    /// nothing and answers the same.
    /// @throws Unauthenticated, Forbidden; NotFound; InvalidInput when no Kommune of the atlas
    ///         is named; Conflict (membership_request_decided, with `request_status`) for a
    ///         declined request.
    nlohmann::json accept(const Caller& caller, std::int64_t id, const nlohmann::json& body);

    /// Declines request `id`; declining a declined request changes nothing.
    /// @throws as accept; Conflict for an accepted request.
    nlohmann::json decline(const Caller& caller, std::int64_t id);

    /// The members of the network (public): `{"members": [{ags, name, bez, member_since,
    /// founding_member}], "bbox": [w, s, e, n] or null}`.
    nlohmann::json network();

    /// Deletes the personal data of requests decided more than `retention` ago; returns how
    /// many requests lost it.
    std::int64_t delete_expired_personal_data(std::chrono::days retention);

  private:
    data::Store& m_store;
};

}  // namespace leerstand::services
