#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <thread>

#include "server/services/caller.hpp"

namespace leerstand::data {
class Store;
}

/// Membership of the network: requests from the public form (`POST
/// /api/membership-requests`), the admins' decisions, the members the public sees ("Das
/// Netzwerk"), and the deletion of the requests' personal data a while after the decision.
namespace leerstand::services {

class LoginRateLimiter;

/// How many requests one client may send, and the window they count in: a Kommune sends one
/// or two; a form robot many. Kept by a LoginRateLimiter of its own (each request counts as
/// an attempt, per client), so clients are told apart as for sign-ins, `X-Real-IP` included.
struct MembershipRequestLimits {
    int per_client = 5;
    std::chrono::seconds window{3600};
};

/// The limiter for membership requests, with MembershipRequestLimits.
std::shared_ptr<LoginRateLimiter> make_membership_request_limiter(
    MembershipRequestLimits limits = {});

/// The honeypot of the public forms: a member `homepage` people never see (the web forms hide
/// it) and robots fill. True when `body` has it filled; such a request is answered as any
/// other, but nothing is stored or sent.
bool honeypot_filled(const nlohmann::json& body);

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

/// The job that deletes expired personal data of membership requests: once when constructed
/// (before the server answers anyone) and then every `period` on a thread of its own, until
/// destroyed. A failed run (the store busy) is logged and tried again at the next period.
class MembershipRetentionJob {
  public:
    MembershipRetentionJob(std::filesystem::path db, std::chrono::days retention,
                           std::chrono::seconds period = std::chrono::hours(1));
    ~MembershipRetentionJob();
    MembershipRetentionJob(const MembershipRetentionJob&) = delete;
    MembershipRetentionJob& operator=(const MembershipRetentionJob&) = delete;

  private:
    void run_once(data::Store& store) const;
    void loop();

    std::filesystem::path m_db;
    std::chrono::days m_retention;
    std::chrono::seconds m_period;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace leerstand::services
