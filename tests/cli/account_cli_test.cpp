// `leerstand user ...` and `leerstand token ...` as an administrator runs them: the real
// binary, the password on stdin, a real database read back with the sqlite3 client.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_support.hpp"

namespace leerstand::test {
namespace {

const std::string password = "correct horse battery";

std::string last_line(const std::string& text) {
    std::string trimmed = text;
    while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
    const auto newline = trimmed.rfind('\n');
    return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

/// Two Kommunen to scope editors to, as a tiny VG250-like GeoJSON.
const char* const kommunen_geojson =
    "{\"type\": \"FeatureCollection\", \"features\": ["
    "{\"type\": \"Feature\","
    " \"properties\": {\"AGS\": \"12073008\", \"GEN\": \"Angerm\\u00fcnde\", \"BEZ\": \"Stadt\"},"
    " \"geometry\": {\"type\": \"Polygon\", \"coordinates\":"
    " [[[13.9, 53.0], [14.0, 53.0], [14.0, 53.1], [13.9, 53.1], [13.9, 53.0]]]}},"
    "{\"type\": \"Feature\","
    " \"properties\": {\"AGS\": \"12062224\", \"GEN\": \"Herzberg (Elster)\", \"BEZ\": \"Stadt\"},"
    " \"geometry\": {\"type\": \"Polygon\", \"coordinates\":"
    " [[[13.2, 51.7], [13.3, 51.7], [13.3, 51.8], [13.2, 51.8], [13.2, 51.7]]]}}]}";

class AccountCli : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto geojson = dir / "kommunen.geojson";
        std::ofstream(geojson) << kommunen_geojson;
        auto result = run_leerstand({"import-kommunen", geojson.string(), "--db", db});
        ASSERT_EQ(result.exit_code, 0) << result.err;
    }

    /// Runs leerstand with `stdin_text` as its input.
    CommandResult leerstand(const std::vector<std::string>& args, const std::string& stdin_text) {
        std::vector<std::string> full{leerstand_binary().string()};
        full.insert(full.end(), args.begin(), args.end());
        return run_command(full, stdin_text);
    }

    /// `leerstand user add ARGS --db DB` with the password on stdin.
    CommandResult add_user(const std::vector<std::string>& args,
                           const std::string& stdin_text = password + "\n") {
        std::vector<std::string> full{"user", "add"};
        full.insert(full.end(), args.begin(), args.end());
        full.insert(full.end(), {"--db", db});
        return leerstand(full, stdin_text);
    }

    static void expect_one_line_error(const CommandResult& result, int exit_code) {
        EXPECT_EQ(result.exit_code, exit_code) << result.out << result.err;
        EXPECT_EQ(line_count(result.err), 1) << result.err;
        EXPECT_EQ(result.err.rfind("leerstand: ", 0), 0u) << result.err;
    }

    TempDir dir;
    std::string db = (dir / "atlas.sqlite").string();
};

TEST_F(AccountCli, AddedUsersAreListedWithRoleAndKommunen) {
    auto anna =
        add_user({"anna", "--role", "editor", "--kommune", "12073008", "--kommune", "12062224"});
    ASSERT_EQ(anna.exit_code, 0) << anna.err;
    EXPECT_NE(anna.out.find("anna"), std::string::npos) << anna.out;
    auto admin = add_user({"chef", "--role=admin"}, password + "\r\n");
    ASSERT_EQ(admin.exit_code, 0) << admin.err;

    EXPECT_EQ(sql(db, "SELECT name || ' ' || role FROM users ORDER BY name"),
              "anna editor\nchef admin");
    EXPECT_EQ(sql(db,
                  "SELECT group_concat(ags, ',') FROM (SELECT ags FROM user_kommunen "
                  "ORDER BY ags)"),
              "12062224,12073008");
    EXPECT_EQ(sql_count(db, "SELECT count(*) FROM users WHERE password_hash LIKE '$argon2id$%'"),
              2);

    auto list = run_leerstand({"user", "list", "--db", db, "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    auto users = nlohmann::json::parse(list.out);
    ASSERT_EQ(users.size(), 2u);
    EXPECT_EQ(users[0]["name"], "anna");
    EXPECT_EQ(users[0]["role"], "editor");
    EXPECT_EQ(users[0]["kommunen"], nlohmann::json({"12062224", "12073008"}));
    EXPECT_EQ(users[1]["name"], "chef");
    EXPECT_EQ(users[1]["kommunen"], nlohmann::json::array());
    EXPECT_FALSE(users[1].contains("password_hash"));

    auto table = run_leerstand({"user", "list", "--db", db});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_EQ(line_count(table.out), 3) << table.out;  // header and two users
    EXPECT_NE(table.out.find("12062224,12073008"), std::string::npos) << table.out;
    EXPECT_EQ(table.out.find("argon2"), std::string::npos) << table.out;
}

TEST_F(AccountCli, TheDatabaseComesFromTheEnvironmentWithoutDb) {
    ASSERT_EQ(add_user({"anna", "--role", "planner"}).exit_code, 0);
    auto list = run_command(
        {"env", "LEERSTAND_DB=" + db, leerstand_binary().string(), "user", "list", "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_EQ(nlohmann::json::parse(list.out).size(), 1u);
}

TEST_F(AccountCli, BadUsersAreRefusedWithOneLine) {
    ASSERT_EQ(add_user({"anna", "--role", "planner"}).exit_code, 0);
    // Errors in the data: exit 1.
    for (const auto& [args, stdin_text, part] :
         std::vector<std::tuple<std::vector<std::string>, std::string, std::string>>{
             {{"anna", "--role", "planner"}, password + "\n", "exists"},
             {{"bert", "--role", "planner"}, "short\n", "password"},
             {{"bert", "--role", "planner"}, "", "password"},
             {{"bert", "--role", "editor"}, password + "\n", "Kommune"},
             {{"bert", "--role", "editor", "--kommune", "09999999"}, password + "\n", "09999999"},
             {{"bert", "--role", "admin", "--kommune", "12073008"}, password + "\n", "admin"},
             {{"bert b", "--role", "planner"}, password + "\n", "name"}}) {
        auto result = add_user(args, stdin_text);
        expect_one_line_error(result, 1);
        EXPECT_NE(result.err.find(part), std::string::npos) << result.err;
    }
    // Several problems at once: the one line names each of them.
    auto several = add_user({"bert b", "--role", "editor", "--kommune", "12x"}, "short\n");
    expect_one_line_error(several, 1);
    for (const char* part : {"user name", "password", "'12x'"})
        EXPECT_NE(several.err.find(part), std::string::npos) << part << ": " << several.err;
    // Wrong use of the command: exit 2.
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"bert"},
                                               {"bert", "--role", "superuser"},
                                               {"--role", "planner"},
                                               {"bert", "carl", "--role", "planner"},
                                               {"bert", "--role", "planner", "--bogus"},
                                               {"bert", "--role", "planner", "--role", "admin"},
                                               {"bert", "--role", "planner", "--kommune"}})
        expect_one_line_error(add_user(args), 2);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"user"}, {"user", "remove"}, {"user", "list", "extra"}, {"token"}, {"token", "show"}})
        expect_one_line_error(run_leerstand(args), 2);
    EXPECT_EQ(sql_count(db, "SELECT count(*) FROM users"), 1);
}

TEST_F(AccountCli, TokensAreShownOnceAndStoredAsHashes) {
    ASSERT_EQ(add_user({"anna", "--role", "editor", "--kommune", "12073008"}).exit_code, 0);
    auto created =
        run_leerstand({"token", "create", "--user", "anna", "--label", "GIS export", "--db", db});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const std::string token = last_line(created.out);
    EXPECT_EQ(token.rfind("lsa_", 0), 0u) << created.out;
    EXPECT_EQ(token.size(), 47u) << token;
    EXPECT_NE(created.out.find("once"), std::string::npos) << created.out;

    EXPECT_EQ(sql_count(db,
                        "SELECT count(*) FROM tokens WHERE label = 'GIS export' AND "
                        "revoked_at IS NULL AND length(token_hash) = 64"),
              1);
    EXPECT_EQ(sql_count(db, "SELECT count(*) FROM tokens WHERE token_hash LIKE '%" +
                                token.substr(4, 20) + "%'"),
              0);
    EXPECT_EQ(sql(db, "SELECT token_hash FROM tokens").find(token.substr(4)), std::string::npos);

    const std::string id = sql(db, "SELECT id FROM tokens");
    auto revoked = run_leerstand({"token", "revoke", id, "--db", db});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    EXPECT_EQ(sql_count(db, "SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL"), 1);

    // By the secret, here read from stdin so it stays out of the process list.
    auto second = run_leerstand({"token", "create", "--user", "anna", "--db", db});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    auto by_secret =
        leerstand({"token", "revoke", "--token", "-", "--db", db}, last_line(second.out) + "\n");
    ASSERT_EQ(by_secret.exit_code, 0) << by_secret.err;
    EXPECT_EQ(sql_count(db, "SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL"), 2);
}

TEST_F(AccountCli, TokenCommandsRefuseUnknownUsersAndIdsWithOneLine) {
    ASSERT_EQ(add_user({"anna", "--role", "planner"}).exit_code, 0);
    auto unknown_user = run_leerstand({"token", "create", "--user", "nobody", "--db", db});
    expect_one_line_error(unknown_user, 1);
    EXPECT_NE(unknown_user.err.find("nobody"), std::string::npos) << unknown_user.err;
    expect_one_line_error(run_leerstand({"token", "revoke", "999", "--db", db}), 1);
    auto unknown_secret = run_leerstand({"token", "revoke", "--token", "lsa_secret", "--db", db});
    expect_one_line_error(unknown_secret, 1);
    EXPECT_EQ(unknown_secret.err.find("lsa_secret"), std::string::npos) << "secret echoed";
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"token", "create", "--db", db},
             {"token", "create", "anna", "--db", db},
             {"token", "revoke", "--db", db},
             {"token", "revoke", "abc", "--db", db},
             {"token", "revoke", "-3", "--db", db},
             {"token", "revoke", "1", "--token", "lsa_x", "--db", db}})
        expect_one_line_error(run_leerstand(args), 2);
    EXPECT_EQ(sql_count(db, "SELECT count(*) FROM tokens"), 0);
}

}  // namespace
}  // namespace leerstand::test
