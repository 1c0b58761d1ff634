#include "data/membership_store.hpp"

#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "data/connection.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

constexpr const char* k_request_columns =
    "SELECT id, kommune_ags, kommune_name, person, role, email, message, status, created_at, "
    "decided_at, decided_by, personal_data_deleted_at FROM membership_requests ";

MembershipRequestRecord read_request(const Statement& row) {
    MembershipRequestRecord request;
    request.id = row.column_int64(0);
    request.kommune_ags = row.column_optional_text(1);
    request.kommune_name = row.column_text(2);
    request.person = row.column_optional_text(3);
    request.role = row.column_optional_text(4);
    request.email = row.column_optional_text(5);
    request.message = row.column_optional_text(6);
    request.status = row.column_text(7);
    request.created_at = row.column_text(8);
    request.decided_at = row.column_optional_text(9);
    request.decided_by = row.column_optional_text(10);
    request.personal_data_deleted_at = row.column_optional_text(11);
    return request;
}

std::optional<MembershipRequestRecord> request_by_id(Connection& connection, std::int64_t id) {
    Statement select = connection.prepare(std::string(k_request_columns) + "WHERE id = ?");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_request(select);
}

}  // namespace

MembershipStore::MembershipStore(Store& store) : m_store(store) {}

std::int64_t MembershipStore::insert_request(const MembershipRequestRecord& request) {
    Connection& connection = m_store.connection();
    Statement insert = connection.prepare(
        "INSERT INTO membership_requests (kommune_ags, kommune_name, person, role, email, "
        "message, created_at) VALUES (?1, coalesce((SELECT name FROM kommunen WHERE ags = ?1), "
        "?2), ?3, ?4, ?5, ?6, ?7) RETURNING id");
    insert.bind(1, request.kommune_ags)
        .bind(2, request.kommune_name)
        .bind(3, request.person)
        .bind(4, request.role)
        .bind(5, request.email)
        .bind(6, request.message)
        .bind(7, utc_now_iso8601());
    std::int64_t id = 0;
    while (insert.step()) id = insert.column_int64(0);
    return id;
}

std::vector<MembershipRequestRecord> MembershipStore::list_requests() {
    Statement select =
        m_store.connection().prepare(std::string(k_request_columns) + "ORDER BY id DESC");
    std::vector<MembershipRequestRecord> requests;
    while (select.step()) requests.push_back(read_request(select));
    return requests;
}

std::optional<MembershipRequestRecord> MembershipStore::request(std::int64_t id) {
    return request_by_id(m_store.connection(), id);
}

MembershipDecision MembershipStore::decide(std::int64_t id, bool accepted,
                                           const std::string& kommune_ags,
                                           const std::string& decided_by,
                                           const std::string& today) {
    Connection& connection = m_store.connection();
    // One transaction (BEGIN IMMEDIATE): two admins deciding at once see each other's decision,
    // and the Kommune never becomes a member without its request saying so, or the reverse.
    Transaction transaction(connection);
    auto before = request_by_id(connection, id);
    if (!before) throw NotFound("there is no membership request " + std::to_string(id));
    if (before->status != "pending") return {std::move(*before), false};
    if (accepted) {
        Statement member = connection.prepare(
            "UPDATE kommunen SET member_since = coalesce(member_since, ?1), updated_at = ?2 "
            "WHERE ags = ?3");
        member.bind(1, today).bind(2, utc_now_iso8601()).bind(3, kommune_ags).run();
        if (connection.changes() == 0)
            throw field_error("kommune", field_code::k_unknown_kommune,
                              "there is no Kommune with the AGS " + kommune_ags + " in the atlas");
    }
    Statement update = connection.prepare(
        "UPDATE membership_requests SET status = ?1, decided_at = ?2, decided_by = ?3, "
        "kommune_ags = coalesce(CAST(?4 AS TEXT), kommune_ags) WHERE id = ?5");
    update.bind(1, accepted ? "accepted" : "declined")
        .bind(2, utc_now_iso8601())
        .bind(3, decided_by)
        .bind_text_or_null(4, accepted ? kommune_ags : std::string())
        .bind(5, id);
    update.run();
    auto after = request_by_id(connection, id);
    transaction.commit();
    return {std::move(*after), true};
}

std::int64_t MembershipStore::delete_personal_data_decided_before(const std::string& cutoff) {
    Connection& connection = m_store.connection();
    Statement update = connection.prepare(
        "UPDATE membership_requests SET person = NULL, role = NULL, email = NULL, message = NULL, "
        "personal_data_deleted_at = ?1 "
        "WHERE decided_at < ?2 AND personal_data_deleted_at IS NULL");
    update.bind(1, utc_now_iso8601()).bind(2, cutoff);
    update.run();
    return connection.changes();
}

NetworkMembers MembershipStore::network() {
    Connection& connection = m_store.connection();
    const std::string members_only = " WHERE member_since IS NOT NULL OR founding_member = 1";
    NetworkMembers network;
    Statement members =
        connection.prepare("SELECT ags, name, bez, member_since, founding_member FROM kommunen" +
                           members_only + " ORDER BY name, ags");
    while (members.step()) {
        NetworkMember member;
        member.ags = members.column_text(0);
        member.name = members.column_text(1);
        member.bez = members.column_optional_text(2);
        member.member_since = members.column_optional_text(3);
        member.founding_member = members.column_int64(4) != 0;
        network.members.push_back(std::move(member));
    }
    Statement box = connection.prepare(
        "SELECT min(MbrMinX(boundary)), min(MbrMinY(boundary)), max(MbrMaxX(boundary)), "
        "max(MbrMaxY(boundary)) FROM kommunen" +
        members_only);
    if (box.step() && !box.column_is_null(0))
        network.bbox = std::array<double, 4>{box.column_double(0), box.column_double(1),
                                             box.column_double(2), box.column_double(3)};
    return network;
}

}  // namespace leerstand::data
