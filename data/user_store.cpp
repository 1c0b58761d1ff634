#include "data/user_store.hpp"

#include <set>
#include <string>
#include <utility>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

constexpr const char* user_columns = "id, name, role, password_hash, created_at, disabled";

// Reads the columns listed in user_columns, starting at column 0.
UserRecord read_user(const Statement& statement) {
    UserRecord user;
    user.id = statement.column_int64(0);
    user.name = statement.column_text(1);
    user.role = statement.column_text(2);
    user.password_hash = statement.column_text(3);
    user.created_at = statement.column_text(4);
    user.disabled = statement.column_int64(5) != 0;
    return user;
}

std::vector<std::string> kommunen_of(Connection& connection, std::int64_t user_id) {
    Statement statement =
        connection.prepare("SELECT ags FROM user_kommunen WHERE user_id = ? ORDER BY ags");
    statement.bind(1, user_id);
    std::vector<std::string> kommunen;
    while (statement.step()) kommunen.push_back(statement.column_text(0));
    return kommunen;
}

std::optional<UserRecord> user_where(Connection& connection, const std::string& condition,
                                     const auto& value) {
    Statement statement = connection.prepare(std::string("SELECT ") + user_columns +
                                             " FROM users WHERE " + condition);
    statement.bind(1, value);
    if (!statement.step()) return std::nullopt;
    UserRecord user = read_user(statement);
    user.kommunen = kommunen_of(connection, user.id);
    return user;
}

bool user_exists(Connection& connection, std::int64_t user_id) {
    Statement statement = connection.prepare("SELECT 1 FROM users WHERE id = ?");
    statement.bind(1, user_id);
    return statement.step();
}

}  // namespace

UserStore::UserStore(Store& store) : m_store(store) {}

std::int64_t UserStore::insert_user(const UserRecord& user) {
    Connection& connection = m_store.connection();
    Transaction transaction(connection);
    // Checked inside the write transaction (BEGIN IMMEDIATE), so no one can take the name
    // between the check and the insert; the UNIQUE constraint stays the last guard.
    if (user_where(connection, "name = ?", user.name))
        throw Conflict("a user named '" + user.name + "' exists already");
    Statement insert = connection.prepare(
        "INSERT INTO users (name, role, password_hash, created_at, disabled) "
        "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
    insert.bind(1, user.name)
        .bind(2, user.role)
        .bind(3, user.password_hash)
        .bind(4, utc_now_iso8601())
        .bind(5, user.disabled ? 1 : 0);
    std::int64_t id = 0;
    while (insert.step()) id = insert.column_int64(0);
    Statement add_kommune =
        connection.prepare("INSERT INTO user_kommunen (user_id, ags) VALUES (?1, ?2)");
    for (const std::string& ags :
         std::set<std::string>(user.kommunen.begin(), user.kommunen.end())) {
        add_kommune.bind(1, id).bind(2, ags);
        add_kommune.run();
        add_kommune.reset();
    }
    transaction.commit();
    return id;
}

std::optional<UserRecord> UserStore::find_user(const std::string& name) {
    return user_where(m_store.connection(), "name = ?", name);
}

std::optional<UserRecord> UserStore::find_user(std::int64_t id) {
    return user_where(m_store.connection(), "id = ?", id);
}

std::vector<UserRecord> UserStore::list_users() {
    Connection& connection = m_store.connection();
    std::vector<UserRecord> users;
    {
        Statement statement =
            connection.prepare(std::string("SELECT ") + user_columns + " FROM users ORDER BY name");
        while (statement.step()) users.push_back(read_user(statement));
    }
    for (UserRecord& user : users) user.kommunen = kommunen_of(connection, user.id);
    return users;
}

void UserStore::set_disabled(std::int64_t user_id, bool disabled) {
    Connection& connection = m_store.connection();
    Statement statement = connection.prepare("UPDATE users SET disabled = ?1 WHERE id = ?2");
    statement.bind(1, disabled ? 1 : 0).bind(2, user_id);
    statement.run();
    if (connection.changes() != 1) throw NotFound("no user with id " + std::to_string(user_id));
}

void UserStore::update_password_hash(std::int64_t user_id, const std::string& password_hash) {
    Connection& connection = m_store.connection();
    Statement statement = connection.prepare("UPDATE users SET password_hash = ?1 WHERE id = ?2");
    statement.bind(1, password_hash).bind(2, user_id);
    statement.run();
    if (connection.changes() != 1) throw NotFound("no user with id " + std::to_string(user_id));
}

std::int64_t UserStore::insert_token(std::int64_t user_id, const std::string& token_hash,
                                     const std::string& label, const std::string& expires_at) {
    Connection& connection = m_store.connection();
    if (!user_exists(connection, user_id))
        throw NotFound("no user with id " + std::to_string(user_id));
    Statement statement = connection.prepare(
        "INSERT INTO tokens (user_id, token_hash, label, created_at, expires_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
    statement.bind(1, user_id)
        .bind(2, token_hash)
        .bind_text_or_null(3, label)
        .bind(4, utc_now_iso8601())
        .bind_text_or_null(5, expires_at);
    std::int64_t id = 0;
    while (statement.step()) id = statement.column_int64(0);
    return id;
}

std::optional<UserRecord> UserStore::user_for_token(const std::string& token_hash) {
    Connection& connection = m_store.connection();
    Statement statement = connection.prepare(
        "SELECT user_id FROM tokens WHERE token_hash = ?1 AND revoked_at IS NULL "
        "AND (expires_at IS NULL OR expires_at > ?2)");
    statement.bind(1, token_hash).bind(2, utc_now_iso8601());
    if (!statement.step()) return std::nullopt;
    return find_user(statement.column_int64(0));
}

std::optional<TokenRecord> UserStore::token(std::int64_t id) {
    Statement statement = m_store.connection().prepare(
        "SELECT id, user_id, label, created_at, expires_at, revoked_at FROM tokens WHERE id = ?");
    statement.bind(1, id);
    if (!statement.step()) return std::nullopt;
    TokenRecord token;
    token.id = statement.column_int64(0);
    token.user_id = statement.column_int64(1);
    token.label = statement.column_text(2);
    token.created_at = statement.column_text(3);
    token.expires_at = statement.column_text(4);
    token.revoked_at = statement.column_text(5);
    return token;
}

bool UserStore::revoke_token(std::int64_t id) {
    Connection& connection = m_store.connection();
    Statement statement =
        connection.prepare("UPDATE tokens SET revoked_at = coalesce(revoked_at, ?1) WHERE id = ?2");
    statement.bind(1, utc_now_iso8601()).bind(2, id);
    statement.run();
    return connection.changes() == 1;
}

bool UserStore::revoke_token_by_hash(const std::string& token_hash) {
    Connection& connection = m_store.connection();
    Statement statement = connection.prepare(
        "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?1) WHERE token_hash = ?2");
    statement.bind(1, utc_now_iso8601()).bind(2, token_hash);
    statement.run();
    return connection.changes() == 1;
}

void UserStore::insert_session(const std::string& id_hash, std::int64_t user_id,
                               const std::string& expires_at) {
    Statement statement = m_store.connection().prepare(
        "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)");
    statement.bind(1, id_hash).bind(2, user_id).bind(3, utc_now_iso8601()).bind(4, expires_at);
    statement.run();
}

std::optional<UserRecord> UserStore::user_for_session(const std::string& id_hash) {
    Statement statement = m_store.connection().prepare(
        "SELECT user_id FROM sessions WHERE id_hash = ?1 AND expires_at > ?2");
    statement.bind(1, id_hash).bind(2, utc_now_iso8601());
    if (!statement.step()) return std::nullopt;
    return find_user(statement.column_int64(0));
}

bool UserStore::delete_session(const std::string& id_hash) {
    Connection& connection = m_store.connection();
    Statement statement = connection.prepare("DELETE FROM sessions WHERE id_hash = ?");
    statement.bind(1, id_hash);
    statement.run();
    return connection.changes() == 1;
}

std::int64_t UserStore::delete_expired_sessions() {
    Connection& connection = m_store.connection();
    Statement statement = connection.prepare("DELETE FROM sessions WHERE expires_at <= ?");
    statement.bind(1, utc_now_iso8601());
    statement.run();
    return connection.changes();
}

}  // namespace leerstand::data
