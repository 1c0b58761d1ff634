#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// Users, API tokens and sign-in sessions in the store. Secrets never reach this layer: it
/// keeps password hashes and hashes of tokens and session ids, computed by the caller.
namespace leerstand::data {

class Store;

/// One row of `users` with its Kommunen (`user_kommunen`).
struct UserRecord {
    std::int64_t id = 0;  ///< 0 for a new user
    std::string name;
    std::string role;                   ///< "admin", "planner" or "editor"
    std::string password_hash;          ///< libsodium crypto_pwhash_str text
    std::vector<std::string> kommunen;  ///< AGS keys, sorted
    std::string created_at;             ///< read back only
    bool disabled = false;
};

/// One row of `tokens` (without its hash).
struct TokenRecord {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string label;
    std::string created_at;
    std::string expires_at;  ///< empty: never expires
    std::string revoked_at;  ///< empty: not revoked
};

/// Reads and writes users, tokens and sessions through the Store's connection, so it is used
/// on the Store's thread only. Times are ISO 8601 UTC text as made by utc_now_iso8601()
/// ("2024-05-01T09:30:00Z"); that fixed-width format orders correctly as text.
class UserStore {
  public:
    /// `store` must outlive this object.
    explicit UserStore(Store& store);

    /// Inserts the user and its Kommunen in one transaction and returns the new id.
    /// @throws Conflict when the name is taken.
    std::int64_t insert_user(const UserRecord& user);
    std::optional<UserRecord> find_user(const std::string& name);
    std::optional<UserRecord> find_user(std::int64_t id);
    /// All users ordered by name.
    std::vector<UserRecord> list_users();
    /// @throws NotFound for an unknown id.
    void set_disabled(std::int64_t user_id, bool disabled);
    /// @throws NotFound for an unknown id.
    void update_password_hash(std::int64_t user_id, const std::string& password_hash);

    /// Stores a token hash (hex) and returns the token id. `expires_at` empty: never expires.
    /// @throws NotFound for an unknown user, Conflict for a hash stored already.
    std::int64_t insert_token(std::int64_t user_id, const std::string& token_hash,
                              const std::string& label, const std::string& expires_at = {});
    /// The user behind a token that is neither revoked nor expired (disabled users included;
    /// the caller decides).
    std::optional<UserRecord> user_for_token(const std::string& token_hash);
    std::optional<TokenRecord> token(std::int64_t id);
    /// Marks the token revoked (keeps the first revocation time). Returns false when no token
    /// has this id.
    bool revoke_token(std::int64_t id);
    /// As revoke_token, found by its hash.
    bool revoke_token_by_hash(const std::string& token_hash);

    /// Stores a session id hash valid until `expires_at`.
    void insert_session(const std::string& id_hash, std::int64_t user_id,
                        const std::string& expires_at);
    /// The user of a session that has not expired.
    std::optional<UserRecord> user_for_session(const std::string& id_hash);
    /// Returns false when no session had this hash.
    bool delete_session(const std::string& id_hash);
    /// Deletes sessions past their expiry and returns how many.
    std::int64_t delete_expired_sessions();

  private:
    Store& m_store;
};

}  // namespace leerstand::data
