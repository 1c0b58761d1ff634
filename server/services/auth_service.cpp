#include "server/services/auth_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <utility>

#include "common/ags.hpp"
#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "common/text.hpp"
#include "common/utc_time.hpp"
#include "data/store.hpp"
#include "data/user_store.hpp"

namespace leerstand::services {

namespace {

/// How long a sign-in session lasts (fixed, not sliding).
constexpr std::chrono::hours k_session_max_age{12};
/// Random bytes in a token or session id: 256 bits, so a plain SHA-256 suffices to store them.
constexpr std::size_t k_secret_bytes = 32;
/// Makes tokens recognisable, e.g. for secret scanners in code hosting.
constexpr std::string_view k_token_prefix = "lsa_";
constexpr std::size_t k_max_name_length = 64;
constexpr std::size_t k_min_password_characters = 10;
/// Longer passwords only cost hashing time without adding safety.
constexpr std::size_t k_max_password_bytes = 1024;
constexpr std::size_t k_max_label_length = 200;
/// Anything longer cannot be one of our secrets; refused before hashing.
constexpr std::size_t k_max_secret_length = 256;
/// Upper bound of keys the rate limiter remembers.
constexpr std::size_t k_max_rate_limit_keys = 10000;
/// Longest name or client taken into a rate limit key (names are at most 64 characters).
constexpr std::size_t k_max_key_part = 128;

const char* const k_wrong_credentials = "wrong name or password";

void ensure_sodium() {
    // sodium_init is safe to call from several threads; the static makes it run once anyway.
    static const int k_result = sodium_init();
    if (k_result < 0) throw InternalError("libsodium could not be initialised");
}

std::string hash_password(const std::string& password) {
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(
            hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw InternalError("password hashing failed (out of memory)");
    return hash;
}

bool verify_password(const std::string& hash, const std::string& password) {
    if (hash.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(const std::string& hash) {
    return crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

/// A hash to verify against when the name is unknown, so that answer takes as long as a
/// wrong password. Made once per process from a random password nobody knows.
const std::string& dummy_hash() {
    static const std::string k_hash = hash_password(random_secret());
    return k_hash;
}

bool valid_name(const std::string& name) {
    if (name.empty() || name.size() > k_max_name_length) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '@' || c == '-';
    });
}

UserSummary summary_of(const data::UserRecord& user) {
    UserSummary summary;
    summary.id = user.id;
    summary.name = user.name;
    summary.role = parse_role(user.role);
    summary.kommunen = user.kommunen;
    summary.created_at = user.created_at;
    summary.disabled = user.disabled;
    return summary;
}

std::optional<Caller> caller_of(const std::optional<data::UserRecord>& user) {
    if (!user || user->disabled) return std::nullopt;
    Caller caller;
    caller.role = parse_role(user->role);
    caller.user_id = user->id;
    caller.name = user->name;
    caller.kommunen = user->kommunen;
    return caller;
}

}  // namespace

std::string random_secret() {
    ensure_sodium();
    unsigned char bytes[k_secret_bytes];
    randombytes_buf(bytes, sizeof bytes);
    char text[sodium_base64_ENCODED_LEN(k_secret_bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(bytes, sizeof bytes);
    return text;
}

std::string secret_hash(const std::string& secret) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()),
                       secret.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

// ---- LoginRateLimiter -----------------------------------------------------------------------

struct LoginRateLimiter::Impl {
    using Clock = std::chrono::steady_clock;

    struct Entry {
        int failures = 0;
        Clock::time_point window_start;
        Clock::time_point last_failure;
        std::optional<Clock::time_point> locked_until;
    };

    SignInLimits limits;
    std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;

    /// The key of (name, client). The name's length first: no name and client can make the
    /// key of another pair. Both are cut, so a huge name cannot bloat the map.
    static std::string pair_key(const std::string& name, const std::string& client) {
        const std::string cut = name.substr(0, k_max_key_part);
        return "pair:" + std::to_string(cut.size()) + ":" + cut + client.substr(0, k_max_key_part);
    }

    static std::string client_key(const std::string& client) {
        return "client:" + client.substr(0, k_max_key_part);
    }

    /// An entry that no longer counts: its lock or its window has passed.
    bool stale(const Entry& entry, Clock::time_point now) const {
        if (entry.locked_until) return *entry.locked_until <= now;
        return entry.window_start + limits.window <= now;
    }

    /// @throws TooManyRequests while `key` is locked.
    void throw_if_locked(const std::string& key, Clock::time_point now) {
        auto it = entries.find(key);
        if (it == entries.end()) return;
        if (stale(it->second, now)) {
            entries.erase(it);
            return;
        }
        if (!it->second.locked_until) return;
        const auto remaining = *it->second.locked_until - now;
        // Round up, so a client that waits exactly this long is let in.
        const auto seconds = std::chrono::ceil<std::chrono::seconds>(remaining).count();
        const int retry_after = static_cast<int>(std::max<std::int64_t>(1, seconds));
        throw TooManyRequests(
            "too many failed sign-ins; try again in " + std::to_string(retry_after) + " seconds",
            retry_after);
    }

    /// One more failure for `key`; locks it at `max_failures`.
    void count_failure(const std::string& key, int max_failures, Clock::time_point now) {
        auto it = entries.find(key);
        if (it != entries.end() && stale(it->second, now)) {
            entries.erase(it);
            it = entries.end();
        }
        if (it == entries.end()) {
            make_room(now);
            Entry entry;
            entry.window_start = now;
            it = entries.emplace(key, entry).first;
        }
        Entry& entry = it->second;
        entry.last_failure = now;
        if (++entry.failures >= max_failures) entry.locked_until = now + limits.window;
    }

    /// Keeps the map bounded, so a flood of made-up names cannot grow memory without end.
    /// When full, drops stale entries; if that frees too little, the tenth of entries that
    /// matter least: unlocked before locked, older failures first. Dropping in batches keeps
    /// the cost per failure small even under a flood.
    void make_room(Clock::time_point now) {
        if (entries.size() < k_max_rate_limit_keys) return;
        std::erase_if(entries, [&](const auto& item) { return stale(item.second, now); });
        const std::size_t keep = k_max_rate_limit_keys - k_max_rate_limit_keys / 10;
        if (entries.size() <= keep) return;
        using Iterator = decltype(entries)::iterator;
        std::vector<Iterator> order;
        order.reserve(entries.size());
        for (auto it = entries.begin(); it != entries.end(); ++it) order.push_back(it);
        const auto drop = static_cast<std::ptrdiff_t>(entries.size() - keep);
        std::nth_element(order.begin(), order.begin() + drop, order.end(),
                         [](const Iterator& a, const Iterator& b) {
                             const bool a_locked = a->second.locked_until.has_value();
                             const bool b_locked = b->second.locked_until.has_value();
                             if (a_locked != b_locked) return !a_locked;
                             return a->second.last_failure < b->second.last_failure;
                         });
        for (auto it = order.begin(); it != order.begin() + drop; ++it) entries.erase(*it);
    }
};

LoginRateLimiter::LoginRateLimiter(SignInLimits limits) : m_impl(std::make_unique<Impl>()) {
    limits.per_name_and_client = std::max(1, limits.per_name_and_client);
    limits.per_client = std::max(1, limits.per_client);
    m_impl->limits = limits;
}

LoginRateLimiter::~LoginRateLimiter() = default;

void LoginRateLimiter::check(const std::string& name, const std::string& client) {
    std::lock_guard lock(m_impl->mutex);
    const auto now = Impl::Clock::now();
    m_impl->throw_if_locked(Impl::pair_key(name, client), now);
    m_impl->throw_if_locked(Impl::client_key(client), now);
}

void LoginRateLimiter::record_failure(const std::string& name, const std::string& client) {
    std::lock_guard lock(m_impl->mutex);
    const auto now = Impl::Clock::now();
    m_impl->count_failure(Impl::pair_key(name, client), m_impl->limits.per_name_and_client, now);
    m_impl->count_failure(Impl::client_key(client), m_impl->limits.per_client, now);
}

void LoginRateLimiter::record_success(const std::string& name, const std::string& client) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->entries.erase(Impl::pair_key(name, client));
}

// ---- sign-in body ---------------------------------------------------------------------------

Credentials credentials_from_json(const nlohmann::json& body) {
    FieldErrors errors;
    Credentials credentials;
    if (!body.is_object()) {
        errors.add("", field_code::k_wrong_type, "the body must be a JSON object");
    } else {
        for (auto [field, value] :
             {std::pair{"name", &credentials.name}, std::pair{"password", &credentials.password}}) {
            const auto member = body.find(field);
            if (member == body.end())
                errors.add(field, field_code::k_required, std::string(field) + " is missing");
            else if (!member->is_string())
                errors.add(field, field_code::k_wrong_type,
                           std::string(field) + " must be a string");
            else
                *value = member->get<std::string>();
        }
    }
    errors.throw_if_any(R"(send {"name": "...", "password": "..."})");
    return credentials;
}

// ---- AuthService ----------------------------------------------------------------------------

struct AuthService::Impl {
    explicit Impl(data::Store& s) : store(s), users(s) {}
    data::Store& store;
    data::UserStore users;
};

AuthService::AuthService(data::Store& store) : m_impl(std::make_unique<Impl>(store)) {
    ensure_sodium();
}

AuthService::~AuthService() = default;
AuthService::AuthService(AuthService&&) noexcept = default;
AuthService& AuthService::operator=(AuthService&&) noexcept = default;

UserSummary AuthService::add_user(const std::string& name, Role role,
                                  const std::vector<std::string>& kommunen,
                                  const std::string& password) {
    FieldErrors errors;
    if (!valid_name(name))
        errors.add("name", field_code::k_invalid_value,
                   "the user name must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '@' "
                   "and '-'");
    if (utf8_characters(password) < k_min_password_characters)
        errors.add("password", field_code::k_too_short,
                   "the password must have at least " + std::to_string(k_min_password_characters) +
                       " characters");
    else if (password.size() > k_max_password_bytes)
        errors.add(
            "password", field_code::k_too_long,
            "the password must have at most " + std::to_string(k_max_password_bytes) + " bytes");
    if (role == Role::Public)
        errors.add("role", field_code::k_not_one_of,
                   "users have the role admin, planner or editor");
    if (role == Role::Editor && kommunen.empty())
        errors.add("kommunen", field_code::k_required,
                   "an editor needs at least one Kommune (--kommune AGS)");
    if (role == Role::Admin && !kommunen.empty())
        errors.add("kommunen", field_code::k_not_applicable,
                   "an admin may edit every Kommune; give no Kommune");
    for (const std::string& ags : std::set<std::string>(kommunen.begin(), kommunen.end())) {
        if (!Ags::parse(ags))
            errors.add("kommunen", field_code::k_not_an_ags,
                       "'" + ags.substr(0, 20) +
                           "' is not an AGS (5 digits for a Kreis, 8 for a Gemeinde)");
        else if (!m_impl->store.kommune_exists(ags))
            errors.add("kommunen", field_code::k_unknown_kommune,
                       "unknown Kommune " + ags + "; import the Kommunen first");
    }
    errors.throw_if_any("invalid user");

    // Checked before the costly hash; insert_user checks again inside its transaction.
    if (m_impl->users.find_user(name)) throw Conflict("a user named '" + name + "' exists already");

    data::UserRecord record;
    record.name = name;
    record.role = role_name(role);
    record.password_hash = hash_password(password);
    record.kommunen = kommunen;
    const std::int64_t id = m_impl->users.insert_user(record);
    auto stored = m_impl->users.find_user(id);
    if (!stored) throw InternalError("user " + name + " vanished after insert");
    return summary_of(*stored);
}

std::vector<UserSummary> AuthService::list_users() {
    std::vector<UserSummary> result;
    for (const data::UserRecord& user : m_impl->users.list_users())
        result.push_back(summary_of(user));
    return result;
}

NewToken AuthService::create_token(const std::string& user_name, const std::string& label) {
    if (label.size() > k_max_label_length)
        throw field_error(
            "label", field_code::k_too_long,
            "the token label must have at most " + std::to_string(k_max_label_length) + " bytes");
    auto user = m_impl->users.find_user(user_name);
    if (!user) throw NotFound("no user named '" + user_name + "'");
    NewToken token;
    token.secret = std::string(k_token_prefix) + random_secret();
    token.id = m_impl->users.insert_token(user->id, secret_hash(token.secret), label);
    return token;
}

void AuthService::revoke_token(std::int64_t token_id) {
    if (!m_impl->users.revoke_token(token_id))
        throw NotFound("no token with id " + std::to_string(token_id));
}

void AuthService::revoke_token_secret(const std::string& secret) {
    // Never echo the secret: it may have been pasted into a log.
    if (secret.size() > k_max_secret_length ||
        !m_impl->users.revoke_token_by_hash(secret_hash(secret)))
        throw NotFound("no such token");
}

NewSession AuthService::login(const std::string& name, const std::string& password,
                              const std::string& client_key, LoginRateLimiter& limiter) {
    // Per (name, client) and per client, never per name alone: someone else's failures must
    // not lock the rightful owner out (see LoginRateLimiter).
    limiter.check(name, client_key);

    std::optional<data::UserRecord> user;
    if (valid_name(name)) user = m_impl->users.find_user(name);
    bool accepted = false;
    if (user && !user->disabled) {
        accepted = verify_password(user->password_hash, password);
    } else {
        // Spend the same work as for a real account, so timing does not reveal which names
        // exist; the result is ignored.
        (void)verify_password(dummy_hash(), password);
    }
    if (!accepted) {
        limiter.record_failure(name, client_key);
        throw Unauthenticated(ErrorCode{error_code::k_wrong_credentials}, k_wrong_credentials);
    }
    limiter.record_success(name, client_key);

    if (needs_rehash(user->password_hash))
        m_impl->users.update_password_hash(user->id, hash_password(password));
    // Logins are rare, so this is a cheap moment to clear out old sessions.
    m_impl->users.delete_expired_sessions();

    NewSession session;
    session.secret = random_secret();
    session.max_age = std::chrono::duration_cast<std::chrono::seconds>(k_session_max_age);
    m_impl->users.insert_session(secret_hash(session.secret), user->id,
                                 utc_iso8601(std::chrono::system_clock::now() + k_session_max_age));
    session.caller = *caller_of(user);
    return session;
}

void AuthService::logout(const std::string& session_secret) {
    if (session_secret.empty() || session_secret.size() > k_max_secret_length) return;
    m_impl->users.delete_session(secret_hash(session_secret));
}

std::optional<Caller> AuthService::caller_for_session(const std::string& secret) {
    if (secret.empty() || secret.size() > k_max_secret_length) return std::nullopt;
    return caller_of(m_impl->users.user_for_session(secret_hash(secret)));
}

std::optional<Caller> AuthService::caller_for_token(const std::string& secret) {
    if (secret.size() > k_max_secret_length || secret.rfind(k_token_prefix, 0) != 0)
        return std::nullopt;
    return caller_of(m_impl->users.user_for_token(secret_hash(secret)));
}

}  // namespace leerstand::services
