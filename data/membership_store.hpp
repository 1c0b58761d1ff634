#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// Membership of the network in the store: the requests of the public form and the members
/// (Kommunen with `member_since`, or founding members).
namespace leerstand::data {

class Store;

/// One row of `membership_requests`. The personal fields are empty once deleted.
struct MembershipRequestRecord {
    std::int64_t id = 0;                     ///< 0 for a new request
    std::optional<std::string> kommune_ags;  ///< none: a Kommune not in the atlas (by name)
    std::string kommune_name;
    std::optional<std::string> person;
    std::optional<std::string> role;
    std::optional<std::string> email;
    std::optional<std::string> message;
    std::string status = "pending";  ///< "pending", "accepted" or "declined"
    std::string created_at;
    std::optional<std::string> decided_at;
    std::optional<std::string> decided_by;
    std::optional<std::string> personal_data_deleted_at;
};

/// What a decision did: the request afterwards, and whether this call changed it.
struct MembershipDecision {
    MembershipRequestRecord request;
    bool changed = false;
};

/// A Kommune of the network.
struct NetworkMember {
    std::string ags;
    std::string name;
    std::optional<std::string> bez;
    std::optional<std::string> member_since;  ///< YYYY-MM-DD
    bool founding_member = false;
};

/// The members by name, and the box around their boundaries (none without members or
/// boundaries): west, south, east, north in lon/lat.
struct NetworkMembers {
    std::vector<NetworkMember> members;
    std::optional<std::array<double, 4>> bbox;
};

/// Reads and writes through the Store's connection, so it is used on the Store's thread only.
class MembershipStore {
  public:
    /// `store` must outlive this object.
    explicit MembershipStore(Store& store);

    /// Stores a new pending request (created now) and returns its id. With a Kommune of the
    /// atlas, its name there is stored, not the one given.
    std::int64_t insert_request(const MembershipRequestRecord& request);
    /// Every request, newest first.
    std::vector<MembershipRequestRecord> list_requests();
    std::optional<MembershipRequestRecord> request(std::int64_t id);

    /// Decides a pending request in one transaction: `accepted` sets the request's Kommune to
    /// `kommune_ags` and the Kommune's `member_since` to `today` unless it is a member already.
    /// A request decided before is returned unchanged (`changed` false).
    /// @throws NotFound for an unknown id; InvalidInput (field `kommune`, unknown_kommune) when
    ///         `kommune_ags` names no Kommune of the atlas (nothing is written then).
    MembershipDecision decide(std::int64_t id, bool accepted, const std::string& kommune_ags,
                              const std::string& decided_by, const std::string& today);

    /// Deletes person, role, e-mail and message of the requests decided before `cutoff` (ISO
    /// 8601 UTC text), keeping the decision; returns how many requests lost their data.
    std::int64_t delete_personal_data_decided_before(const std::string& cutoff);

    NetworkMembers network();

  private:
    Store& m_store;
};

}  // namespace leerstand::data
