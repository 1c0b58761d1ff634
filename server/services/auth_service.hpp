#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
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

struct NewSession {
    std::string secret;  ///< the cookie value; only its hash is stored
    std::chrono::seconds max_age{0};
    Caller caller;
};

/// Counts failed sign-ins per user name and per client address, shared by all worker threads.
/// After `max_failures` within `window`, further attempts get TooManyRequests until the window
/// has passed.
class LoginRateLimiter {
  public:
    explicit LoginRateLimiter(int max_failures = 5,
                              std::chrono::seconds window = std::chrono::seconds(300));
    ~LoginRateLimiter();
    /// @throws TooManyRequests when `key` is locked out.
    void check(const std::string& key);
    void record_failure(const std::string& key);
    void record_success(const std::string& key);

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
    /// limit. @throws Unauthenticated (same message for unknown name and wrong password),
    /// TooManyRequests.
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
