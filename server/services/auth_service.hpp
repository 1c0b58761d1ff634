#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/services/caller.hpp"

namespace leerstand::data {
class Store;
}

/// Users, API tokens and sign-in sessions. Passwords are hashed with libsodium's argon2id;
/// tokens and session ids are random secrets stored only as hashes (a stolen database gives no
/// working credential).
namespace leerstand::services {

/// 256 random bits as URL-safe base64 without padding (43 characters), safe in cookies and
/// links: the secret of a token, a session, a confirmation link.
std::string random_secret();

/// What the store keeps of a secret: SHA-256 as lowercase hex. A slow KDF is not needed
/// because the secrets are 256-bit random values, not guessable passwords.
std::string secret_hash(const std::string& secret);

struct UserSummary {
    std::int64_t id = 0;
    std::string name;
    Role role = Role::Public;
    std::vector<std::string> kommunen;
    std::string created_at;
    bool disabled = false;
};

struct NewToken {
    std::int64_t id = 0;
    std::string secret;  ///< shown once; only its hash is stored
};

/// What a sign-in sends: `{"name": "...", "password": "..."}`.
struct Credentials {
    std::string name;
    std::string password;
};

/// The credentials in a sign-in body. @throws InvalidInput naming each member that is
/// missing (`required`) or not a string (`wrong_type`), or the body (field "") when it is not
/// an object.
Credentials credentials_from_json(const nlohmann::json& body);

struct NewSession {
    std::string secret;  ///< the cookie value; only its hash is stored
    std::chrono::seconds max_age{0};
    Caller caller;
};

/// How many failed sign-ins lock what, and for how long.
struct SignInLimits {
    int per_name_and_client = 5;       ///< failures of one name from one client lock that pair
    int per_client = 20;               ///< failures of one client, all names together, lock it
    std::chrono::seconds window{300};  ///< failures count within it; a lock lasts this long
};

/// Counts failed sign-ins per (name, client) and per client, shared by all worker threads.
/// Never per name alone: anyone could then lock the rightful owner (the admin too) out of
/// their account from anywhere. A client is whatever the caller says identifies it (the HTTP
/// layer: the address of the TCP peer, or the one a trusted proxy names). Memory is bounded.
class LoginRateLimiter {
  public:
    explicit LoginRateLimiter(SignInLimits limits = {});
    ~LoginRateLimiter();
    /// @throws TooManyRequests when `name` is locked for `client`, or `client` is locked.
    void check(const std::string& name, const std::string& client);
    void record_failure(const std::string& name, const std::string& client);
    /// Clears the count of (`name`, `client`) only: the client's count across names stays,
    /// or one valid account would let a client guess other accounts for ever.
    void record_success(const std::string& name, const std::string& client);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// One per thread (it holds the thread's Store).
class AuthService {
  public:
    explicit AuthService(data::Store& store);
    ~AuthService();
    AuthService(AuthService&&) noexcept;
    AuthService& operator=(AuthService&&) noexcept;

    /// @throws InvalidInput (bad name, empty or short password, unknown Kommune, editor without
    ///         Kommune), Conflict (name taken).
    UserSummary add_user(const std::string& name, Role role,
                         const std::vector<std::string>& kommunen, const std::string& password);
    std::vector<UserSummary> list_users();

    /// @throws NotFound for an unknown user.
    NewToken create_token(const std::string& user_name, const std::string& label);
    /// Revokes by token id, or by the secret itself. @throws NotFound.
    void revoke_token(std::int64_t token_id);
    void revoke_token_secret(const std::string& secret);

    /// Checks name and password. `client_key` identifies the client (its address) for the rate
    /// limit (see LoginRateLimiter). @throws Unauthenticated (same message for unknown name and
    /// wrong password), TooManyRequests.
    NewSession login(const std::string& name, const std::string& password,
                     const std::string& client_key, LoginRateLimiter& limiter);
    /// Deletes the session; a replayed cookie is then worthless. Unknown secrets are ignored.
    void logout(const std::string& session_secret);

    /// The caller behind a session cookie or a bearer token; nullopt when unknown, expired,
    /// revoked or the user is disabled.
    std::optional<Caller> caller_for_session(const std::string& secret);
    std::optional<Caller> caller_for_token(const std::string& secret);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
