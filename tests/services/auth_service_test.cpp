// Users, tokens, sessions and the sign-in rate limit (AuthService, LoginRateLimiter) on a fresh
// database of the run's backend. Every password hash costs about 0.1 s (argon2id at libsodium's
// interactive limits, the production setting), so the tests hash only where a case needs it.
#include "server/services/auth_service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/records.hpp"
#include "data/store.hpp"
#include "data/user_store.hpp"
#include "tests/data/wkb_builder.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::services {
namespace {

using namespace std::chrono_literals;

constexpr const char* angermuende = "12073008";
constexpr const char* herzberg = "12062224";
constexpr const char* kreis_bayreuth = "09472";
const std::string password = "correct horse battery";

class AuthServiceTest : public ::testing::Test {
  protected:
    AuthServiceTest() {
        std::vector<data::KommuneRecord> kommunen;
        double x = 13.0;
        for (const char* ags : {angermuende, herzberg, kreis_bayreuth}) {
            data::KommuneRecord record;
            record.ags = ags;
            record.name = std::string("Kommune ") + ags;
            record.parent_ags = std::string(ags).size() == 8 ? std::string(ags).substr(0, 5) : "";
            record.boundary = test::wkb::rectangle_multipolygon(x, 51.0, x + 0.1, 51.1);
            kommunen.push_back(record);
            x += 0.5;
        }
        data::UploadRecord upload;
        upload.user = "test";
        upload.layer = "kommunen";
        store.upsert_kommunen(kommunen, upload);
    }

    /// Every text value of the account tables, joined: what a stolen database would show.
    std::string account_table_text() {
        std::string text;
        for (const char* table : {"users", "user_kommunen", "tokens", "sessions"}) {
            auto statement = store.connection().prepare(std::string("SELECT * FROM ") + table);
            while (statement.step())
                for (int i = 0; i < statement.column_count(); ++i)
                    if (!statement.column_is_null(i)) text += statement.column_text(i) + "\n";
        }
        return text;
    }

    /// The raw bytes of the database file and its write-ahead log. @pre SpatiaLite
    std::string database_bytes() {
        const std::filesystem::path& db_path = database.location().file();
        std::string bytes;
        for (const auto& path : {db_path, std::filesystem::path(db_path.string() + "-wal")}) {
            std::ifstream in(path, std::ios::binary);
            bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        return bytes;
    }

    test::TestDatabase database;
    data::Store store{database.location()};
    AuthService auth{store};
};

/// Runs `action`, expects InvalidInput and returns the fields named in its `errors`.
template <typename Action>
std::vector<std::string> invalid_fields(Action&& action) {
    try {
        action();
    } catch (const InvalidInput& e) {
        std::vector<std::string> fields;
        for (const auto& error : e.extensions().at("errors")) fields.push_back(error.at("field"));
        return fields;
    }
    ADD_FAILURE() << "no InvalidInput";
    return {};
}

// ---- users ----------------------------------------------------------------------------------

TEST_F(AuthServiceTest, AddUserStoresRoleKommunenAndAnArgon2idHash) {
    auto user = auth.add_user("anna.schulz@angermuende", Role::Editor,
                              {herzberg, angermuende, angermuende}, password);
    EXPECT_GT(user.id, 0);
    EXPECT_EQ(user.name, "anna.schulz@angermuende");
    EXPECT_EQ(user.role, Role::Editor);
    EXPECT_EQ(user.kommunen, (std::vector<std::string>{herzberg, angermuende}));  // sorted, once
    EXPECT_FALSE(user.created_at.empty());
    EXPECT_FALSE(user.disabled);

    auto users = auth.list_users();
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(users[0].name, user.name);
    EXPECT_EQ(users[0].kommunen, user.kommunen);

    auto stored = data::UserStore(store).find_user(user.name);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->password_hash.rfind("$argon2id$", 0), 0u) << stored->password_hash;
    EXPECT_EQ(stored->role, "editor");
}

TEST_F(AuthServiceTest, PlannersMayHaveAKreisOrNoKommune) {
    auto kreis = auth.add_user("kreisplanung", Role::Planner, {kreis_bayreuth}, password);
    EXPECT_EQ(kreis.kommunen, std::vector<std::string>{kreis_bayreuth});
    EXPECT_THROW(auth.add_user("kreisplanung", Role::Admin, {}, password), Conflict);
    EXPECT_EQ(auth.list_users().size(), 1u);
}

TEST_F(AuthServiceTest, InvalidUsersAreRefusedWithTheFieldAtFault) {
    using Fields = std::vector<std::string>;
    for (const std::string& name : {std::string(""), std::string(65, 'a'), std::string("anna b"),
                                    std::string("anna;drop"), std::string("änna")})
        EXPECT_EQ(invalid_fields([&] { auth.add_user(name, Role::Planner, {}, password); }),
                  Fields{"name"})
            << name;
    // Characters, not bytes: nine umlauts are 18 bytes but still too short.
    for (const std::string& short_password : {std::string("123456789"), std::string(""),
                                              std::string("\xC3\xA4") + "\xC3\xA4\xC3\xA4\xC3\xA4"
                                                                        "\xC3\xA4\xC3\xA4\xC3\xA4"
                                                                        "\xC3\xA4\xC3\xA4"})
        EXPECT_EQ(invalid_fields([&] { auth.add_user("anna", Role::Planner, {}, short_password); }),
                  Fields{"password"});
    EXPECT_EQ(
        invalid_fields([&] { auth.add_user("anna", Role::Planner, {}, std::string(1025, 'x')); }),
        Fields{"password"});
    EXPECT_EQ(invalid_fields([&] { auth.add_user("anna", Role::Editor, {}, password); }),
              Fields{"kommunen"});
    EXPECT_EQ(invalid_fields([&] { auth.add_user("anna", Role::Admin, {angermuende}, password); }),
              Fields{"kommunen"});
    EXPECT_EQ(invalid_fields([&] { auth.add_user("anna", Role::Public, {}, password); }),
              Fields{"role"});
    for (const char* ags : {"09999999", "1234", "1207300a", "099999"})
        EXPECT_EQ(invalid_fields([&] { auth.add_user("anna", Role::Editor, {ags}, password); }),
                  Fields{"kommunen"})
            << ags;
    // Every problem at once, in one answer.
    EXPECT_EQ(invalid_fields([&] { auth.add_user("a b", Role::Editor, {}, "short"); }),
              (Fields{"name", "password", "kommunen"}));
    try {
        auth.add_user("anna", Role::Editor, {"09999999"}, password);
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("09999999"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(auth.list_users().empty());
}

TEST_F(AuthServiceTest, FieldErrorsCarryStableCodes) {
    const auto codes_of = [](auto&& action) {
        std::vector<std::string> codes;
        try {
            action();
        } catch (const InvalidInput& e) {
            EXPECT_EQ(e.code(), "invalid_fields");
            for (const auto& error : e.extensions().at("errors")) codes.push_back(error.at("code"));
        }
        return codes;
    };
    using Codes = std::vector<std::string>;
    EXPECT_EQ(codes_of([&] { auth.add_user("a b", Role::Editor, {}, "short"); }),
              (Codes{"invalid_value", "too_short", "required"}));
    EXPECT_EQ(codes_of([&] { auth.add_user("anna", Role::Planner, {}, std::string(1025, 'x')); }),
              Codes{"too_long"});
    EXPECT_EQ(codes_of([&] { auth.add_user("anna", Role::Public, {}, password); }),
              Codes{"not_one_of"});
    EXPECT_EQ(codes_of([&] { auth.add_user("anna", Role::Admin, {angermuende}, password); }),
              Codes{"not_applicable"});
    EXPECT_EQ(codes_of([&] {
                  auth.add_user("anna", Role::Editor, {"1234", "09999999"}, password);
              }),
              (Codes{"unknown_kommune", "not_an_ags"}));  // in set order
    auth.add_user("anna", Role::Planner, {}, password);
    EXPECT_EQ(codes_of([&] { auth.create_token("anna", std::string(201, 'x')); }),
              Codes{"too_long"});
}

TEST_F(AuthServiceTest, SignInBodiesAreCheckedFieldByField) {
    const auto credentials = credentials_from_json({{"name", "anna"}, {"password", "geheim"}});
    EXPECT_EQ(credentials.name, "anna");
    EXPECT_EQ(credentials.password, "geheim");
    const auto problems = [](const nlohmann::json& body) {
        std::vector<std::string> found;
        try {
            credentials_from_json(body);
        } catch (const InvalidInput& e) {
            for (const auto& error : e.extensions().at("errors"))
                found.push_back(error.at("field").get<std::string>() + ":" +
                                error.at("code").get<std::string>());
        }
        return found;
    };
    using Found = std::vector<std::string>;
    EXPECT_EQ(problems(nlohmann::json::object()), (Found{"name:required", "password:required"}));
    EXPECT_EQ(problems({{"name", 1}, {"password", "x"}}), Found{"name:wrong_type"});
    EXPECT_EQ(problems({{"name", "anna"}, {"password", nullptr}}), Found{"password:wrong_type"});
    EXPECT_EQ(problems(nlohmann::json::array()), Found{":wrong_type"});
    EXPECT_EQ(problems("anna"), Found{":wrong_type"});
}

TEST_F(AuthServiceTest, AWrongPasswordHasItsOwnCode) {
    auth.add_user("anna", Role::Planner, {}, password);
    LoginRateLimiter limiter;
    try {
        auth.login("anna", "wrong password!", "192.0.2.1", limiter);
        FAIL() << "signed in with a wrong password";
    } catch (const Unauthenticated& e) {
        EXPECT_EQ(e.code(), "wrong_credentials");
    }
}

// ---- sessions -------------------------------------------------------------------------------

TEST_F(AuthServiceTest, LoginGivesASessionForTheUser) {
    auto user = auth.add_user("anna", Role::Editor, {angermuende}, password);
    LoginRateLimiter limiter;
    auto session = auth.login("anna", password, "192.0.2.1", limiter);
    EXPECT_EQ(session.secret.size(), 43u);  // 32 bytes, URL-safe base64 without padding
    EXPECT_EQ(
        session.secret.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789-_"),
        std::string::npos);
    EXPECT_EQ(session.max_age, std::chrono::seconds(12 * 3600));
    EXPECT_EQ(session.caller.role, Role::Editor);
    EXPECT_EQ(session.caller.user_id, user.id);

    auto caller = auth.caller_for_session(session.secret);
    ASSERT_TRUE(caller);
    EXPECT_EQ(caller->role, Role::Editor);
    EXPECT_EQ(caller->user_id, user.id);
    EXPECT_EQ(caller->name, "anna");
    EXPECT_EQ(caller->kommunen, std::vector<std::string>{angermuende});

    // The stored expiry lies about 12 hours ahead, in the text format the store compares.
    const std::string expires = store.connection().query_text("SELECT expires_at FROM sessions");
    const std::string now = data::utc_now_iso8601();
    ASSERT_EQ(expires.size(), now.size()) << expires;
    EXPECT_GT(expires, now);

    EXPECT_FALSE(auth.caller_for_session(""));
    EXPECT_FALSE(auth.caller_for_session(session.secret + "x"));
    EXPECT_FALSE(auth.caller_for_token(session.secret)) << "a session id is no API token";
}

TEST_F(AuthServiceTest, WrongPasswordUnknownNameAndDisabledUserGetTheSameAnswer) {
    auto user = auth.add_user("anna", Role::Planner, {}, password);
    LoginRateLimiter limiter({.per_name_and_client = 100, .per_client = 100});
    auto message_of = [&](const std::string& name, const std::string& pw) -> std::string {
        try {
            auth.login(name, pw, "192.0.2.1", limiter);
        } catch (const Unauthenticated& e) {
            return e.what();
        }
        return "signed in";
    };
    EXPECT_EQ(message_of("anna", "wrong password!"), "wrong name or password");
    EXPECT_EQ(message_of("bert", password), "wrong name or password");
    EXPECT_EQ(message_of("not a valid name", password), "wrong name or password");
    data::UserStore(store).set_disabled(user.id, true);
    EXPECT_EQ(message_of("anna", password), "wrong name or password");
    EXPECT_EQ(store.connection().query_int64("SELECT count(*) FROM sessions"), 0);
}

TEST_F(AuthServiceTest, LogoutEndsTheSessionSoAReplayFails) {
    auth.add_user("anna", Role::Planner, {}, password);
    LoginRateLimiter limiter;
    auto session = auth.login("anna", password, "192.0.2.1", limiter);
    ASSERT_TRUE(auth.caller_for_session(session.secret));
    auth.logout(session.secret);
    EXPECT_FALSE(auth.caller_for_session(session.secret));
    EXPECT_EQ(store.connection().query_int64("SELECT count(*) FROM sessions"), 0);
    EXPECT_NO_THROW(auth.logout(session.secret));
    EXPECT_NO_THROW(auth.logout(""));
    EXPECT_NO_THROW(auth.logout(std::string(10000, 'x')));
}

TEST_F(AuthServiceTest, ExpiredSessionsAreRefusedAndClearedAtTheNextLogin) {
    auth.add_user("anna", Role::Planner, {}, password);
    LoginRateLimiter limiter;
    auto old_session = auth.login("anna", password, "192.0.2.1", limiter);
    ASSERT_TRUE(auth.caller_for_session(old_session.secret));
    store.connection().exec("UPDATE sessions SET expires_at = '2001-01-01T00:00:00Z'");
    EXPECT_FALSE(auth.caller_for_session(old_session.secret));

    auto new_session = auth.login("anna", password, "192.0.2.1", limiter);
    EXPECT_NE(new_session.secret, old_session.secret);
    EXPECT_TRUE(auth.caller_for_session(new_session.secret));
    EXPECT_EQ(store.connection().query_int64("SELECT count(*) FROM sessions"), 1);
}

// ---- tokens ---------------------------------------------------------------------------------

TEST_F(AuthServiceTest, TokenGivesTheCallerUntilRevoked) {
    auto user = auth.add_user("kreisplanung", Role::Planner, {kreis_bayreuth}, password);
    auto token = auth.create_token("kreisplanung", "nightly export");
    EXPECT_GT(token.id, 0);
    EXPECT_EQ(token.secret.rfind("lsa_", 0), 0u) << token.secret;
    EXPECT_EQ(token.secret.size(), 4u + 43u);

    auto caller = auth.caller_for_token(token.secret);
    ASSERT_TRUE(caller);
    EXPECT_EQ(caller->role, Role::Planner);
    EXPECT_EQ(caller->user_id, user.id);
    EXPECT_EQ(caller->name, "kreisplanung");
    EXPECT_EQ(caller->kommunen, std::vector<std::string>{kreis_bayreuth});
    EXPECT_FALSE(auth.caller_for_session(token.secret)) << "a token is no session id";

    auto second = auth.create_token("kreisplanung", "");
    EXPECT_NE(second.secret, token.secret);

    auth.revoke_token(token.id);
    EXPECT_FALSE(auth.caller_for_token(token.secret));
    EXPECT_TRUE(auth.caller_for_token(second.secret)) << "only the one token is revoked";
    EXPECT_NO_THROW(auth.revoke_token(token.id)) << "revoking twice is harmless";
    auto record = data::UserStore(store).token(token.id);
    ASSERT_TRUE(record);
    EXPECT_EQ(record->label, "nightly export");
    EXPECT_FALSE(record->revoked_at.empty());

    auth.revoke_token_secret(second.secret);
    EXPECT_FALSE(auth.caller_for_token(second.secret));

    EXPECT_THROW(auth.revoke_token(9999), NotFound);
    EXPECT_THROW(auth.revoke_token_secret("lsa_unknown"), NotFound);
    EXPECT_THROW(auth.create_token("nobody", ""), NotFound);
    EXPECT_THROW(auth.create_token("kreisplanung", std::string(201, 'x')), InvalidInput);
    for (const std::string& bad : {std::string(""), std::string("lsa_"), std::string("x"),
                                   token.secret.substr(4), std::string(5000, 'a')})
        EXPECT_FALSE(auth.caller_for_token(bad)) << bad;
}

TEST_F(AuthServiceTest, DisabledUsersLoseTheirTokensAndSessions) {
    auto user = auth.add_user("anna", Role::Editor, {herzberg}, password);
    LoginRateLimiter limiter;
    auto session = auth.login("anna", password, "192.0.2.1", limiter);
    auto token = auth.create_token("anna", "");
    ASSERT_TRUE(auth.caller_for_session(session.secret));
    ASSERT_TRUE(auth.caller_for_token(token.secret));
    data::UserStore(store).set_disabled(user.id, true);
    EXPECT_FALSE(auth.caller_for_session(session.secret));
    EXPECT_FALSE(auth.caller_for_token(token.secret));
    EXPECT_TRUE(auth.list_users().front().disabled);
}

TEST_F(AuthServiceTest, TheDatabaseHoldsOnlyHashesOfSecrets) {
    auth.add_user("anna", Role::Editor, {angermuende}, password);
    LoginRateLimiter limiter;
    auto session = auth.login("anna", password, "192.0.2.1", limiter);
    auto token = auth.create_token("anna", "ci");

    const std::string text = account_table_text();
    ASSERT_NE(text.find("anna"), std::string::npos) << "the table dump works";
    // The file too (free pages, the WAL) on SpatiaLite; PostgreSQL's files are its server's.
    const bool file = database.backend() == test::Backend::spatialite;
    const std::string bytes = file ? database_bytes() : "";
    if (file) {
        ASSERT_NE(bytes.find("anna"), std::string::npos) << "the file dump works";
    }
    for (const std::string& secret :
         {password, session.secret, token.secret, token.secret.substr(4)}) {
        EXPECT_EQ(text.find(secret), std::string::npos) << secret;
        EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
    }
    // What is stored instead: SHA-256 in hex.
    for (const char* query : {"SELECT token_hash FROM tokens", "SELECT id_hash FROM sessions"}) {
        const std::string hash = store.connection().query_text(query);
        EXPECT_EQ(hash.size(), 64u) << hash;
        EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos) << hash;
    }
}

// ---- rate limit -----------------------------------------------------------------------------

int retry_after_of(LoginRateLimiter& limiter, const std::string& name, const std::string& client) {
    try {
        limiter.check(name, client);
    } catch (const TooManyRequests& e) {
        return e.retry_after_seconds();
    }
    return 0;
}

// Issue 19, point 9: a lock per name was a denial of service: five wrong passwords from anywhere
// locked the owner (the admin too) out for five minutes. Failures now count per (name, client)
// and per client; never per name alone.
TEST_F(AuthServiceTest, AnotherClientsFailuresNeverLockTheOwnerOut) {
    auth.add_user("anna", Role::Admin, {}, password);
    LoginRateLimiter limiter;
    // One client guesses until it is locked out, another one a few times.
    for (int i = 0; i < 6; ++i)
        EXPECT_ANY_THROW(auth.login("anna", "guess " + std::to_string(i), "203.0.113.66", limiter));
    EXPECT_THROW(auth.login("anna", password, "203.0.113.66", limiter), TooManyRequests);
    for (int i = 0; i < 4; ++i)
        EXPECT_THROW(auth.login("anna", "guess " + std::to_string(i), "203.0.113.67", limiter),
                     Unauthenticated);
    EXPECT_NO_THROW(auth.login("anna", password, "192.0.2.1", limiter));
}

TEST_F(AuthServiceTest, FiveFailuresLockANameForThatClientOnly) {
    auth.add_user("anna", Role::Planner, {}, password);
    auth.add_user("bert", Role::Planner, {}, password);
    LoginRateLimiter limiter;
    for (int i = 0; i < 5; ++i)
        EXPECT_THROW(
            auth.login("anna", "wrong password " + std::to_string(i), "192.0.2.1", limiter),
            Unauthenticated);
    // Even the right password: the client may be guessing it.
    try {
        auth.login("anna", password, "192.0.2.1", limiter);
        ADD_FAILURE() << "a locked name let the same client sign in";
    } catch (const TooManyRequests& e) {
        EXPECT_GT(e.retry_after_seconds(), 0);
        EXPECT_LE(e.retry_after_seconds(), 300);
    }
    EXPECT_NO_THROW(auth.login("bert", password, "192.0.2.1", limiter)) << "another name";
    EXPECT_NO_THROW(auth.login("anna", password, "192.0.2.2", limiter)) << "another client";
}

TEST_F(AuthServiceTest, TwentyFailuresAcrossNamesLockTheClient) {
    auth.add_user("anna", Role::Planner, {}, password);
    LoginRateLimiter limiter;
    for (int i = 0; i < 20; ++i)
        EXPECT_THROW(auth.login("guess" + std::to_string(i), password, "203.0.113.9", limiter),
                     Unauthenticated)
            << i;
    EXPECT_THROW(auth.login("anna", password, "203.0.113.9", limiter), TooManyRequests);
    EXPECT_NO_THROW(auth.login("anna", password, "192.0.2.1", limiter));
}

TEST_F(AuthServiceTest, ASuccessClearsOnlyItsOwnNameAndClientCount) {
    auth.add_user("anna", Role::Planner, {}, password);
    LoginRateLimiter limiter;
    const auto fail = [&](const std::string& name) {
        EXPECT_THROW(auth.login(name, "wrong password", "192.0.2.1", limiter), Unauthenticated)
            << name;
    };
    for (int i = 0; i < 4; ++i) fail("anna");
    EXPECT_NO_THROW(auth.login("anna", password, "192.0.2.1", limiter));
    // anna's count from this client starts again: four more do not lock her.
    for (int i = 0; i < 4; ++i) fail("anna");
    EXPECT_NO_THROW(auth.login("anna", password, "192.0.2.1", limiter));
    // The client's count across names is not reset by a success: with one valid account a
    // client could otherwise guess other accounts for ever. 8 so far, 12 more lock it.
    for (int i = 0; i < 11; ++i) fail("guess" + std::to_string(i));
    EXPECT_NO_THROW(auth.login("anna", password, "192.0.2.1", limiter));
    fail("guess11");
    EXPECT_THROW(auth.login("anna", password, "192.0.2.1", limiter), TooManyRequests);
}

TEST(LoginRateLimiter, LocksANameForAClientAfterMaxFailuresAndOnlyThatPair) {
    LoginRateLimiter limiter({.per_name_and_client = 5, .per_client = 20, .window = 60s});
    for (int i = 0; i < 4; ++i) {
        limiter.record_failure("anna", "192.0.2.1");
        EXPECT_NO_THROW(limiter.check("anna", "192.0.2.1")) << i;
    }
    limiter.record_failure("anna", "192.0.2.1");
    const int retry = retry_after_of(limiter, "anna", "192.0.2.1");
    EXPECT_GT(retry, 0);
    EXPECT_LE(retry, 60);
    EXPECT_NO_THROW(limiter.check("bert", "192.0.2.1"));
    EXPECT_NO_THROW(limiter.check("anna", "192.0.2.2"));
}

TEST(LoginRateLimiter, NoNameAndClientSpellAnotherPair) {
    LoginRateLimiter limiter({.per_name_and_client = 1, .per_client = 20});
    limiter.record_failure("ab", "c");
    EXPECT_THROW(limiter.check("ab", "c"), TooManyRequests);
    EXPECT_NO_THROW(limiter.check("a", "bc"));
    EXPECT_NO_THROW(limiter.check("abc", ""));
}

TEST(LoginRateLimiter, SuccessClearsTheCountOfItsPairOnly) {
    LoginRateLimiter limiter({.per_name_and_client = 2, .per_client = 3});
    limiter.record_failure("anna", "192.0.2.1");
    limiter.record_success("anna", "192.0.2.1");
    limiter.record_failure("anna", "192.0.2.1");
    EXPECT_NO_THROW(limiter.check("anna", "192.0.2.1"));
    // The client's count is 2 of 3: the success did not clear it.
    limiter.record_failure("bert", "192.0.2.1");
    EXPECT_THROW(limiter.check("carl", "192.0.2.1"), TooManyRequests);
}

TEST(LoginRateLimiter, TheLockEndsWhenTheWindowHasPassed) {
    LoginRateLimiter limiter({.per_name_and_client = 1, .per_client = 1, .window = 1s});
    limiter.record_failure("anna", "192.0.2.1");
    EXPECT_THROW(limiter.check("bert", "192.0.2.1"), TooManyRequests);
    std::this_thread::sleep_for(1100ms);
    EXPECT_NO_THROW(limiter.check("anna", "192.0.2.1"));
    // A fresh start: one more failure is needed to lock again.
    limiter.record_failure("anna", "192.0.2.1");
    EXPECT_THROW(limiter.check("anna", "192.0.2.1"), TooManyRequests);
}

TEST(LoginRateLimiter, AFloodOfMadeUpNamesDoesNotFreeALockedKey) {
    LoginRateLimiter limiter({.per_name_and_client = 3, .per_client = 100, .window = 600s});
    for (int i = 0; i < 3; ++i) limiter.record_failure("anna", "192.0.2.1");
    // More keys than the limiter keeps: it must drop some, but not the locked one.
    for (int i = 0; i < 30000; ++i)
        limiter.record_failure("guess" + std::to_string(i), "client" + std::to_string(i % 50));
    EXPECT_THROW(limiter.check("anna", "192.0.2.1"), TooManyRequests);
    EXPECT_NO_THROW(limiter.check("guess29999", "192.0.2.9"));
}

TEST(LoginRateLimiter, CountsFailuresFromManyThreads) {
    LoginRateLimiter limiter({.per_name_and_client = 400, .per_client = 1000, .window = 600s});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&limiter, t] {
            for (int i = 0; i < 100; ++i) {
                limiter.record_failure("anna", "192.0.2.1");
                limiter.record_failure("anna", "thread" + std::to_string(t));
                try {
                    limiter.check("anna", "thread" + std::to_string(t));
                } catch (const TooManyRequests&) {
                }
            }
        });
    for (auto& thread : threads) thread.join();
    // 400 failures in all: the shared pair is locked, each thread's own pair (100) is not.
    EXPECT_THROW(limiter.check("anna", "192.0.2.1"), TooManyRequests);
    EXPECT_NO_THROW(limiter.check("anna", "thread0"));
}

}  // namespace
}  // namespace leerstand::services
