// Membership of the network over real HTTP: the public form's requests, the admins' decisions,
// the members the public sees, the limit per client, the honeypot, and the deletion of the
// requests' personal data a while after the decision (a real server restarted on a database
// whose decision times the test moved into the past).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

/// Today in UTC as YYYY-MM-DD, computed here rather than by the code under test.
std::string today_utc() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
    return text;
}

json a_request(const std::string& ags, const std::string& person = "Erika Muster") {
    return {{"kommune", ags},
            {"kommune_name", ""},
            {"person", person},
            {"role", "Bürgermeisterin"},
            {"email", "erika.muster@example.org"},
            {"message", "Wir möchten Leerstand sichtbar machen.\nViele Grüße"}};
}

class Membership : public AtlasServerTest {
  protected:
    void SetUp() override {
        m_extra_args = {"--trusted-proxy", "127.0.0.1"};
        AtlasServerTest::SetUp();
        // Whatever the demo data says of membership: the tests start with no members.
        spatial_sql(db(), "UPDATE kommunen SET member_since = NULL, founding_member = 0");
    }

    std::vector<std::string> extra_serve_args() const override { return m_extra_args; }

    /// Sends a request of the public form, as the client `address` (X-Real-IP through the
    /// trusted proxy, so one test can be several clients).
    HttpResponse submit(const json& body, const std::string& address = "198.51.100.1") {
        return call(Who::Anonymous, "POST", "/api/membership-requests", body,
                    {{"X-Real-IP", address}}, "application/json");
    }

    json requests_as_admin() {
        const HttpResponse list = call(Who::Admin, "GET", "/api/membership-requests");
        EXPECT_EQ(list.status, 200) << list.body;
        return parse_json(list).at("requests");
    }

    HttpResponse decide(Who who, std::int64_t id, const std::string& action,
                        const std::optional<json>& body = std::nullopt) {
        return call(who, "POST", "/api/membership-requests/" + std::to_string(id) + "/" + action,
                    body, {}, "application/json");
    }

    json kommune_properties(const std::string& ags) {
        const HttpResponse item = call(Who::Anonymous, "GET", "/collections/kommunen/items/" + ags);
        EXPECT_EQ(item.status, 200) << item.body;
        return parse_json(item).at("properties");
    }

    json network() {
        const HttpResponse answer = call(Who::Anonymous, "GET", "/api/network");
        EXPECT_EQ(answer.status, 200) << answer.body;
        return parse_json(answer);
    }

    std::string stored_count() {
        return spatial_sql(db(), "SELECT count(*) FROM membership_requests");
    }

    void restart_with(std::vector<std::string> args) {
        m_extra_args = std::move(args);
        restart_server();
    }

    std::vector<std::string> m_extra_args;
};

TEST_F(Membership, AnAcceptedRequestMakesTheKommuneAMemberSinceToday) {
    ASSERT_TRUE(kommune_properties(k_home_ags).at("member_since").is_null());
    ASSERT_TRUE(network().at("members").empty());
    EXPECT_TRUE(network().at("bbox").is_null());

    const HttpResponse sent = submit(a_request(k_home_ags));
    ASSERT_EQ(sent.status, 202) << sent.body;
    EXPECT_FALSE(parse_json(sent).contains("id")) << "an id would count the requests of others";

    const json requests = requests_as_admin();
    ASSERT_EQ(requests.size(), 1U);
    const json& pending = requests[0];
    EXPECT_EQ(pending["status"], "pending");
    EXPECT_EQ(pending["kommune_ags"], k_home_ags);
    EXPECT_EQ(pending["kommune_name"], "Angermünde");  // the atlas's name, not the one typed
    EXPECT_EQ(pending["person"], "Erika Muster");
    EXPECT_EQ(pending["email"], "erika.muster@example.org");
    EXPECT_EQ(pending["message"], "Wir möchten Leerstand sichtbar machen.\nViele Grüße");
    const std::int64_t id = pending["id"];

    const HttpResponse accepted = decide(Who::Admin, id, "accept");
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(parse_json(accepted)["status"], "accepted");
    EXPECT_EQ(parse_json(accepted)["decided_by"], user_name(Who::Admin));

    EXPECT_EQ(kommune_properties(k_home_ags).at("member_since"), today_utc());
    EXPECT_EQ(kommune_properties(k_home_ags).at("founding_member"), false);
    const json members = network();
    ASSERT_EQ(members["members"].size(), 1U);
    EXPECT_EQ(members["members"][0]["ags"], k_home_ags);
    EXPECT_EQ(members["members"][0]["member_since"], today_utc());
    // The box around Angermünde (about 13.8–14.2° E, 52.9–53.1° N).
    ASSERT_TRUE(members["bbox"].is_array());
    EXPECT_NEAR(members["bbox"][0].get<double>(), 13.9, 0.3);
    EXPECT_NEAR(members["bbox"][1].get<double>(), 53.0, 0.2);

    // Again: nothing changes, the same answer. Declining it now is a conflict.
    const HttpResponse again = decide(Who::Admin, id, "accept");
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(parse_json(again), parse_json(accepted));
    const HttpResponse declined = decide(Who::Admin, id, "decline");
    ASSERT_EQ(declined.status, 409) << declined.body;
    EXPECT_EQ(parse_json(declined)["code"], "membership_request_decided");
    EXPECT_EQ(parse_json(declined)["request_status"], "accepted");
    EXPECT_EQ(kommune_properties(k_home_ags).at("member_since"), today_utc());
}

TEST_F(Membership, AMemberKeepsItsFirstDateWhenAnotherRequestIsAccepted) {
    spatial_sql(db(),
                "UPDATE kommunen SET member_since = '2021-05-01' WHERE ags = '" + k_home_ags + "'");
    ASSERT_EQ(submit(a_request(k_home_ags)).status, 202);
    const std::int64_t id = requests_as_admin()[0]["id"];
    ASSERT_EQ(decide(Who::Admin, id, "accept").status, 200);
    EXPECT_EQ(kommune_properties(k_home_ags).at("member_since"), "2021-05-01");
}

TEST_F(Membership, ADeclinedRequestLeavesTheKommuneOutside) {
    ASSERT_EQ(submit(a_request(k_other_ags)).status, 202);
    const std::int64_t id = requests_as_admin()[0]["id"];
    const HttpResponse declined = decide(Who::Admin, id, "decline");
    ASSERT_EQ(declined.status, 200) << declined.body;
    EXPECT_EQ(parse_json(declined)["status"], "declined");
    EXPECT_FALSE(parse_json(declined)["decided_at"].is_null());
    EXPECT_TRUE(kommune_properties(k_other_ags).at("member_since").is_null());
    EXPECT_TRUE(network().at("members").empty());

    EXPECT_EQ(decide(Who::Admin, id, "decline").status, 200);
    const HttpResponse accepted = decide(Who::Admin, id, "accept");
    ASSERT_EQ(accepted.status, 409) << accepted.body;
    EXPECT_EQ(parse_json(accepted)["code"], "membership_request_decided");
    EXPECT_TRUE(kommune_properties(k_other_ags).at("member_since").is_null());
    EXPECT_EQ(decide(Who::Admin, 999999, "decline").status, 404);
}

TEST_F(Membership, AKommuneNotInTheAtlasIsAcceptedUnderTheAgsTheAdminNames) {
    json body = a_request("");
    body["kommune"] = nullptr;
    body["kommune_name"] = "Musterstadt";
    ASSERT_EQ(submit(body).status, 202);
    const json request = requests_as_admin()[0];
    EXPECT_TRUE(request["kommune_ags"].is_null());
    EXPECT_EQ(request["kommune_name"], "Musterstadt");
    const std::int64_t id = request["id"];

    const HttpResponse without = decide(Who::Admin, id, "accept");
    ASSERT_EQ(without.status, 400) << without.body;
    EXPECT_EQ(parse_json(without)["errors"][0]["field"], "kommune");
    EXPECT_EQ(parse_json(without)["errors"][0]["code"], "required");
    const HttpResponse unknown = decide(Who::Admin, id, "accept", json{{"kommune", "12345678"}});
    ASSERT_EQ(unknown.status, 400) << unknown.body;
    EXPECT_EQ(parse_json(unknown)["errors"][0]["code"], "unknown_kommune");
    EXPECT_EQ(requests_as_admin()[0]["status"], "pending") << "nothing is written by a refusal";

    const HttpResponse accepted = decide(Who::Admin, id, "accept", json{{"kommune", k_other_ags}});
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(parse_json(accepted)["kommune_ags"], k_other_ags);
    EXPECT_EQ(kommune_properties(k_other_ags).at("member_since"), today_utc());
}

TEST_F(Membership, BadRequestsNameEveryFieldWithItsCodeAndStoreNothing) {
    const auto codes = [](const HttpResponse& response) {
        EXPECT_EQ(response.status, 400) << response.body;
        const json problem = parse_json(response);
        EXPECT_EQ(problem.value("code", ""), "invalid_fields");
        std::map<std::string, std::string> by_field;
        for (const json& error : problem.value("errors", json::array()))
            by_field[error["field"]] = error["code"];
        return by_field;
    };
    EXPECT_EQ(codes(submit(json::object())),
              (std::map<std::string, std::string>{
                  {"person", "required"}, {"email", "required"}, {"kommune", "required"}}));
    json bad = a_request("12ab");
    bad["person"] = std::string(201, 'x');
    bad["email"] = "erika at example.org";
    bad["message"] = std::string(5001, 'y');
    bad["role"] = 7;
    bad["extra"] = "?";
    EXPECT_EQ(codes(submit(bad)), (std::map<std::string, std::string>{{"kommune", "not_an_ags"},
                                                                      {"person", "too_long"},
                                                                      {"email", "not_an_email"},
                                                                      {"message", "too_long"},
                                                                      {"role", "wrong_type"},
                                                                      {"extra", "unknown_field"}}));
    EXPECT_EQ(codes(submit(a_request("99999999"))),
              (std::map<std::string, std::string>{{"kommune", "unknown_kommune"}}));
    EXPECT_EQ(codes(submit(json::array())),
              (std::map<std::string, std::string>{{"", "wrong_type"}}));
    // 200 characters are still fine, counted as characters, not bytes.
    json longest = a_request(k_home_ags);
    std::string umlauts;
    for (int i = 0; i < 200; ++i) umlauts += "ä";
    longest["person"] = umlauts;
    EXPECT_EQ(submit(longest).status, 202);
    EXPECT_EQ(stored_count(), "1");
}

TEST_F(Membership, AFilledHoneypotIsAnsweredLikeASuccessButNothingIsStored) {
    const HttpResponse real = submit(a_request(k_home_ags), "198.51.100.7");
    json robot = a_request(k_home_ags, "Spam Bot");
    robot["homepage"] = "https://spam.example";
    const HttpResponse trapped = submit(robot, "198.51.100.8");
    EXPECT_EQ(trapped.status, real.status);
    EXPECT_EQ(trapped.body, real.body);
    EXPECT_EQ(trapped.header("Content-Type"), real.header("Content-Type"));
    // Even with fields that would be refused: a robot learns nothing from the answer.
    json sloppy = json{{"homepage", "x"}, {"email", "no"}};
    EXPECT_EQ(submit(sloppy, "198.51.100.8").status, 202);
    EXPECT_EQ(stored_count(), "1");
    EXPECT_EQ(requests_as_admin()[0]["person"], "Erika Muster");
}

TEST_F(Membership, TooManyRequestsFromOneClientGet429WithACodeOthersNot) {
    for (int i = 0; i < 5; ++i)
        ASSERT_EQ(submit(a_request(k_home_ags), "203.0.113.5").status, 202) << i;
    const HttpResponse limited = submit(a_request(k_home_ags), "203.0.113.5");
    ASSERT_EQ(limited.status, 429) << limited.body;
    EXPECT_EQ(parse_json(limited)["code"], "too_many_membership_requests");
    EXPECT_GT(std::stoi(limited.header("Retry-After")), 3000);  // the hour-long window
    // The robot's honeypot counts too, and a locked client stays locked.
    json robot = a_request(k_home_ags);
    robot["homepage"] = "x";
    EXPECT_EQ(submit(robot, "203.0.113.5").status, 429);
    // Another client (named by the trusted proxy) is not locked by this one.
    EXPECT_EQ(submit(a_request(k_other_ags), "203.0.113.6").status, 202);
    EXPECT_EQ(stored_count(), "6");
}

TEST_F(Membership, OnlyAdminsListAndDecide) {
    ASSERT_EQ(submit(a_request(k_home_ags)).status, 202);
    const std::int64_t id = requests_as_admin()[0]["id"];
    EXPECT_EQ(call(Who::Anonymous, "GET", "/api/membership-requests").status, 401);
    for (Who who : {Who::Planner, Who::Editor, Who::EditorOther}) {
        const HttpResponse list = call(who, "GET", "/api/membership-requests");
        EXPECT_EQ(list.status, 403) << who_name(who);
        EXPECT_EQ(list.body.find("Erika"), std::string::npos);
        EXPECT_EQ(decide(who, id, "accept").status, 403) << who_name(who);
        EXPECT_EQ(decide(who, id, "decline").status, 403) << who_name(who);
    }
    EXPECT_EQ(decide(Who::Anonymous, id, "accept").status, 401);
    EXPECT_EQ(decide(Who::Anonymous, id, "decline").status, 401);
    EXPECT_EQ(requests_as_admin()[0]["status"], "pending");
    EXPECT_TRUE(kommune_properties(k_home_ags).at("member_since").is_null());
    // No request data in the public outputs.
    for (const char* path : {"/api/network", "/collections/kommunen/items?skipGeometry=true"}) {
        const HttpResponse answer = call(Who::Anonymous, "GET", path);
        EXPECT_EQ(answer.body.find("Erika"), std::string::npos) << path;
        EXPECT_EQ(answer.body.find("erika.muster"), std::string::npos) << path;
    }
}

TEST_F(Membership, PersonalDataIsDeletedTheRetentionTimeAfterTheDecisionButTheDecisionStays) {
    for (const char* person : {"Anna Alt", "Berta Mittel", "Clara Offen"})
        ASSERT_EQ(submit(a_request(k_home_ags, person)).status, 202);
    std::map<std::string, std::int64_t> ids;
    for (const json& request : requests_as_admin()) ids[request["person"]] = request["id"];
    ASSERT_EQ(decide(Who::Admin, ids["Anna Alt"], "accept").status, 200);
    ASSERT_EQ(decide(Who::Admin, ids["Berta Mittel"], "decline").status, 200);
    // Decided 91 and 89 days ago; the open one was sent 200 days ago.
    const auto move = [&](const std::string& column, std::int64_t id, int days) {
        spatial_sql(db(), "UPDATE membership_requests SET " + column + " = strftime('%Y-%m-%dT" +
                              "%H:%M:%SZ', 'now', '-" + std::to_string(days) +
                              " days') WHERE id = " + std::to_string(id));
    };
    move("decided_at", ids["Anna Alt"], 91);
    move("decided_at", ids["Berta Mittel"], 89);
    move("created_at", ids["Clara Offen"], 200);

    // The job runs when the server starts (and then every hour): the default is 90 days.
    restart_with({});
    const auto by_id = [&](std::int64_t id) {
        for (const json& request : requests_as_admin())
            if (request["id"] == id) return request;
        return json();
    };
    const json anna = by_id(ids["Anna Alt"]);
    for (const char* field : {"person", "role", "email", "message"})
        EXPECT_TRUE(anna[field].is_null()) << field << ": " << anna[field];
    EXPECT_FALSE(anna["personal_data_deleted_at"].is_null());
    EXPECT_EQ(anna["status"], "accepted");
    EXPECT_FALSE(anna["decided_at"].is_null());
    EXPECT_EQ(anna["decided_by"], user_name(Who::Admin));
    EXPECT_EQ(anna["kommune_ags"], k_home_ags);
    EXPECT_EQ(by_id(ids["Berta Mittel"])["person"], "Berta Mittel");
    EXPECT_EQ(by_id(ids["Clara Offen"])["person"], "Clara Offen");
    EXPECT_EQ(spatial_sql(db(),
                          "SELECT count(*) FROM membership_requests WHERE email LIKE "
                          "'%example.org' OR person = 'Anna Alt'"),
              "2");
    EXPECT_EQ(kommune_properties(k_home_ags).at("member_since"), today_utc());

    // A shorter time, as `serve --membership-retention-days` sets it.
    restart_with({"--membership-retention-days", "30"});
    EXPECT_TRUE(by_id(ids["Berta Mittel"])["person"].is_null());
    EXPECT_EQ(by_id(ids["Berta Mittel"])["status"], "declined");
    EXPECT_EQ(by_id(ids["Clara Offen"])["email"], "erika.muster@example.org");
}

}  // namespace
}  // namespace leerstand::test
