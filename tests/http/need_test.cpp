// Needs (Gesuche) over real HTTP with a real local SMTP relay: the public form, its mail with
// the confirmation link, the confirmation, what the public and each role sees, the bounds, the
// limit per client, the honeypot, staff entry, and the deletion of personal data.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/store.hpp"
#include "server/services/need_service.hpp"
#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

/// What a founder fills in on the form: a café in or around Angermünde.
json a_need(const std::string& name = "Frieda Gründerin") {
    return {{"title", "Ladenlokal für ein Café"},
            {"description", "Wir suchen Räume für ein Nachbarschaftscafé mit Werkstatt."},
            {"uses", {"laden", "gewerbe"}},
            {"kinds", {"miete", "zwischennutzung"}},
            {"min_area_m2", 60},
            {"max_area_m2", 150},
            {"kommunen", {k_home_ags}},
            {"needed_from", "2027-03-01"},
            {"common_good", true},
            {"contact_name", name},
            {"contact_email", "frieda@example.org"},
            {"contact_phone", "+49 3331 123456"}};
}

/// The same need as staff enter it, as a Feature of the collection.
json a_feature(json properties) {
    return {{"type", "Feature"}, {"geometry", nullptr}, {"properties", std::move(properties)}};
}

std::map<std::string, std::string> field_codes(const HttpResponse& response) {
    std::map<std::string, std::string> codes;
    EXPECT_EQ(response.status, 400) << response.body;
    const json problem = parse_json(response);
    EXPECT_EQ(problem.value("code", ""), "invalid_fields") << response.body;
    for (const json& error : problem.value("errors", json::array()))
        codes[error["field"]] = error["code"];
    return codes;
}

class Needs : public AtlasServerTest {
  protected:
    void SetUp() override {
        fs::create_directories(m_dir.path() / "smtp");
        m_sink.emplace(m_dir.path() / "smtp");
        m_extra_args = {"--trusted-proxy", "127.0.0.1",   "--smtp-url",
                        m_sink->url(),     "--mail-from", "atlas@leerstand.example"};
        AtlasServerTest::SetUp();
    }

    std::vector<std::string> extra_serve_args() const override { return m_extra_args; }

    HttpResponse submit(const json& body, const std::string& address = "198.51.100.1") {
        return call(Who::Anonymous, "POST", "/api/gesuche", body, {{"X-Real-IP", address}},
                    "application/json");
    }

    HttpResponse confirm(const std::string& token) {
        return call(Who::Anonymous, "POST", "/api/gesuche/bestaetigung", json{{"token", token}}, {},
                    "application/json");
    }

    /// The token of the link in `mail`, checked to point at the atlas' confirmation page.
    std::string token_of(const json& mail) {
        const std::string text = mail.at("text");
        const std::string page =
            "http://127.0.0.1:" + std::to_string(port()) + "/gesuche/bestaetigen?token=";
        const auto at = text.find(page);
        EXPECT_NE(at, std::string::npos) << text;
        if (at == std::string::npos) return "";
        const auto start = at + page.size();
        return text.substr(start, text.find_first_of(" \n", start) - start);
    }

    json items(Who who, const std::string& query = "") {
        const HttpResponse answer = call(who, "GET", "/collections/gesuche/items" + query);
        EXPECT_EQ(answer.status, 200) << answer.body;
        return parse_json(answer);
    }

    std::string stored_count() { return spatial_sql(db(), "SELECT count(*) FROM gesuche"); }

    HttpResponse create(Who who, const json& properties) {
        return call(who, "POST", "/collections/gesuche/items", a_feature(properties));
    }

    std::int64_t created_id(Who who, const json& properties) {
        const HttpResponse created = create(who, properties);
        EXPECT_EQ(created.status, 201) << created.body;
        return parse_json(created).value("id", std::int64_t{0});
    }

    void restart_with(std::vector<std::string> args) {
        m_extra_args = std::move(args);
        restart_server();
    }

    std::optional<SmtpSink> m_sink;
    std::vector<std::string> m_extra_args;
};

TEST_F(Needs, APostedNeedIsConfirmedByItsMailedLinkAndListedWithoutContactData) {
    const json empty = items(Who::Anonymous);
    ASSERT_EQ(empty["numberMatched"], 0);

    const HttpResponse sent = submit(a_need());
    ASSERT_EQ(sent.status, 202) << sent.body;
    EXPECT_EQ(parse_json(sent)["status"], "confirmation_sent");
    EXPECT_FALSE(parse_json(sent).contains("id")) << "an id would name an unconfirmed need";

    const auto mails = m_sink->wait_for_mails(1);
    ASSERT_EQ(mails.size(), 1U);
    const json& mail = mails[0];
    EXPECT_EQ(mail["rcpt_tos"], json::array({"frieda@example.org"}));
    EXPECT_EQ(mail["subject"], "Bitte bestätigen Sie Ihr Gesuch im Leerstandsatlas");
    const std::string text = mail["text"];
    EXPECT_NE(text.find("Guten Tag Frieda Gründerin"), std::string::npos) << text;
    EXPECT_NE(text.find("Ladenlokal für ein Café"), std::string::npos) << text;
    const std::string token = token_of(mail);
    ASSERT_GE(token.size(), 40U);
    // Only its hash is kept: a copy of the database confirms nothing.
    EXPECT_EQ(spatial_sql(
                  db(), "SELECT count(*) FROM gesuche WHERE confirm_token_hash = '" + token + "'"),
              "0");

    const std::string id = spatial_sql(db(), "SELECT id FROM gesuche");
    EXPECT_EQ(call(Who::Anonymous, "GET", "/collections/gesuche/items/" + id).status, 404);
    EXPECT_EQ(items(Who::Anonymous)["numberMatched"], 0);

    const HttpResponse confirmed = confirm(token);
    ASSERT_EQ(confirmed.status, 200) << confirmed.body;
    EXPECT_EQ(std::to_string(parse_json(confirmed)["id"].get<std::int64_t>()), id);
    // The link works once; a used token is as unknown as one never sent.
    const HttpResponse again = confirm(token);
    EXPECT_EQ(again.status, 404);
    EXPECT_EQ(parse_json(again)["code"], "unknown_confirmation");
    const HttpResponse guessed = confirm("a" + token.substr(1));
    EXPECT_EQ(guessed.status, 404);
    EXPECT_EQ(parse_json(guessed)["code"], "unknown_confirmation");
    EXPECT_EQ(parse_json(guessed)["detail"], parse_json(again)["detail"]);

    const json listed = items(Who::Anonymous);
    ASSERT_EQ(listed["numberMatched"], 1);
    const json& feature = listed["features"][0];
    const json& properties = feature["properties"];
    EXPECT_EQ(properties["title"], "Ladenlokal für ein Café");
    EXPECT_EQ(properties["status"], "offen");
    EXPECT_EQ(properties["uses"], json::array({"laden", "gewerbe"}));
    EXPECT_EQ(properties["kinds"], json::array({"miete", "zwischennutzung"}));
    EXPECT_EQ(properties["kommunen"], json::array({k_home_ags}));
    EXPECT_TRUE(properties["radius"].is_null());
    EXPECT_EQ(properties["common_good"], true);
    EXPECT_EQ(properties["needed_from"], "2027-03-01");
    // The map point: the centre of Angermünde's box (about 14.0° E, 53.0° N).
    ASSERT_EQ(feature["geometry"]["type"], "Point");
    EXPECT_NEAR(feature["geometry"]["coordinates"][0].get<double>(), 14.0, 0.3);
    EXPECT_NEAR(feature["geometry"]["coordinates"][1].get<double>(), 53.0, 0.2);
    for (const char* hidden :
         {"contact_name", "contact_email", "contact_phone", "author", "source", "confirmed_at"})
        EXPECT_FALSE(properties.contains(hidden)) << hidden;
    for (const std::string& path :
         {std::string("/collections/gesuche/items"), "/collections/gesuche/items/" + id}) {
        const HttpResponse answer = call(Who::Anonymous, "GET", path);
        EXPECT_EQ(answer.status, 200);
        EXPECT_EQ(answer.body.find("Frieda"), std::string::npos) << path;
        EXPECT_EQ(answer.body.find("frieda@"), std::string::npos) << path;
        EXPECT_EQ(answer.body.find("3331"), std::string::npos) << path;
    }

    // Only admins see the contact data of a need from the form (it has no author).
    const json as_admin = parse_json(call(Who::Admin, "GET", "/collections/gesuche/items/" + id));
    EXPECT_EQ(as_admin["properties"]["contact_email"], "frieda@example.org");
    EXPECT_EQ(as_admin["properties"]["source"], "formular");
    EXPECT_FALSE(as_admin["properties"]["confirmed_at"].is_null());
    for (Who who : {Who::Editor, Who::Planner}) {
        const HttpResponse answer = call(who, "GET", "/collections/gesuche/items/" + id);
        EXPECT_EQ(answer.body.find("frieda@"), std::string::npos) << who_name(who);
    }
}

TEST_F(Needs, AnUnconfirmedNeedIsNeverSeenByThePublicNorCountedNorInTheExtent) {
    // One confirmed need far away (Herzberg), one unconfirmed around Angermünde.
    json herzberg = a_need();
    herzberg["kommunen"] = json::array({k_other_ags});
    ASSERT_EQ(submit(herzberg).status, 202);
    ASSERT_EQ(confirm(token_of(m_sink->wait_for_mails(1).at(0))).status, 200);
    const HttpResponse public_collection = call(Who::Anonymous, "GET", "/collections/gesuche");
    ASSERT_EQ(public_collection.status, 200) << public_collection.body;
    const json extent_before = parse_json(public_collection)["extent"];

    json hidden = a_need("Hanna Heimlich");
    hidden["radius"] = {{"lon", 14.0}, {"lat", 53.0}, {"km", 10}, {"place_name", "Angermünde"}};
    hidden.erase("kommunen");
    ASSERT_EQ(submit(hidden, "198.51.100.2").status, 202);
    ASSERT_EQ(m_sink->wait_for_mails(2).size(), 2U);
    const std::string id =
        spatial_sql(db(), "SELECT id FROM gesuche WHERE status = 'unbestaetigt'");
    ASSERT_FALSE(id.empty());

    // Nobody has vouched for it yet: only admins see it, not even staff of its Kommune.
    for (Who who : {Who::Anonymous, Who::Planner, Who::Editor}) {
        EXPECT_EQ(call(who, "GET", "/collections/gesuche/items/" + id).status, 404)
            << who_name(who);
        const json list = items(who);
        EXPECT_EQ(list["numberMatched"], 1) << who_name(who);
        EXPECT_EQ(list.dump().find("Hanna"), std::string::npos);
        EXPECT_EQ(items(who, "?status=unbestaetigt")["numberMatched"], 0);
        EXPECT_EQ(items(who, "?kommune=" + k_home_ags)["numberMatched"], 0);
    }
    EXPECT_EQ(parse_json(call(Who::Anonymous, "GET", "/collections/gesuche"))["extent"],
              extent_before);
    EXPECT_EQ(parse_json(call(Who::Anonymous, "GET", "/collections")).dump().find("Hanna"),
              std::string::npos);
    // Admins see it, with its status, to help a caller who lost the mail.
    const json staff = items(Who::Admin, "?status=unbestaetigt");
    ASSERT_EQ(staff["numberMatched"], 1);
    EXPECT_EQ(staff["features"][0]["properties"]["radius"]["km"], 10);
}

TEST_F(Needs, FiltersFindNeedsByKommuneUseAndBox) {
    json kommunen = a_need();
    kommunen["kommunen"] = json::array({k_other_ags});
    kommunen["uses"] = json::array({"wohnen"});
    const std::int64_t in_herzberg = created_id(Who::Editor, kommunen);
    json circle = a_need();
    circle.erase("kommunen");
    circle["uses"] = json::array();  // any use
    // 10 km around a point in Angermünde: it reaches Angermünde, not Herzberg.
    const auto [lon, lat] = building_point(k_home_ags);
    circle["radius"] = {{"lon", lon}, {"lat", lat}, {"km", 10}, {"place_name", "Angermünde"}};
    const std::int64_t around_angermuende = created_id(Who::Editor, circle);

    const auto ids = [&](const std::string& query) {
        std::vector<std::int64_t> found;
        const json page = items(Who::Anonymous, query);
        for (const json& feature : page["features"]) found.push_back(feature["id"]);
        return found;
    };
    EXPECT_EQ(ids("?kommune=" + k_other_ags), std::vector<std::int64_t>{in_herzberg});
    EXPECT_EQ(ids("?kommune=" + k_home_ags), std::vector<std::int64_t>{around_angermuende});
    EXPECT_EQ(ids("?kommune=12"), (std::vector<std::int64_t>{in_herzberg, around_angermuende}));
    EXPECT_EQ(ids("?use=wohnen"), (std::vector<std::int64_t>{in_herzberg, around_angermuende}));
    EXPECT_EQ(ids("?use=laden"), std::vector<std::int64_t>{around_angermuende});
    EXPECT_EQ(ids("?bbox=13.5,52.8,14.5,53.3"), std::vector<std::int64_t>{around_angermuende});
    const HttpResponse bad = call(Who::Anonymous, "GET", "/collections/gesuche/items?use=schloss");
    EXPECT_EQ(bad.status, 400) << bad.body;
    const HttpResponse queryables = call(Who::Anonymous, "GET", "/collections/gesuche/queryables");
    EXPECT_EQ(queryables.status, 200) << queryables.body;
}

TEST_F(Needs, BadNeedsNameEveryFieldWithItsCodeAndNothingIsStoredOrSent) {
    EXPECT_EQ(field_codes(submit(json::object())),
              (std::map<std::string, std::string>{{"title", "required"},
                                                  {"kommunen", "required"},
                                                  {"contact_name", "required"},
                                                  {"contact_email", "required"}}));
    json bad = a_need();
    bad["title"] = "ab";
    bad["description"] = std::string(4001, 'x');
    bad["uses"] = json::array({"schloss"});
    bad["kinds"] = json::array({"tausch"});
    bad["min_area_m2"] = 0;
    bad["kommunen"] = json::array({"99999999"});
    bad["needed_from"] = "2027-13-01";
    bad["contact_email"] = "frieda at example.org";
    bad["status"] = "offen";
    bad["common_good"] = "ja";
    EXPECT_EQ(field_codes(submit(bad)),
              (std::map<std::string, std::string>{{"title", "too_short"},
                                                  {"description", "too_long"},
                                                  {"uses", "not_one_of"},
                                                  {"kinds", "not_one_of"},
                                                  {"min_area_m2", "out_of_range"},
                                                  {"kommunen", "unknown_kommune"},
                                                  {"needed_from", "not_a_date"},
                                                  {"contact_email", "not_an_email"},
                                                  {"status", "unknown_field"},
                                                  {"common_good", "wrong_type"}}));
    json place = a_need();
    place["title"] = std::string(121, 't');
    place["min_area_m2"] = 200;  // above max_area_m2 150
    place["radius"] = {{"lon", 14.0}, {"lat", 53.0}, {"km", 10}};
    EXPECT_EQ(
        field_codes(submit(place)),
        (std::map<std::string, std::string>{
            {"title", "too_long"}, {"max_area_m2", "out_of_range"}, {"radius", "not_applicable"}}));
    json circle = a_need();
    circle.erase("kommunen");
    circle["radius"] = {{"lon", 14.0}, {"lat", 53.0}, {"km", 201}};
    EXPECT_EQ(field_codes(submit(circle)),
              (std::map<std::string, std::string>{{"radius", "out_of_range"}}));
    circle["radius"] = {{"lon", 190.0}, {"lat", 53.0}, {"km", 1}};
    EXPECT_EQ(field_codes(submit(circle)),
              (std::map<std::string, std::string>{{"radius", "out_of_range"}}));
    EXPECT_EQ(field_codes(submit(json::array())),
              (std::map<std::string, std::string>{{"", "wrong_type"}}));
    // The bounds themselves are fine: 3 and 120 characters, 1 and 200 km.
    json edges = a_need();
    edges["title"] = "Bar";
    edges.erase("kommunen");
    edges["radius"] = {{"lon", 14.0}, {"lat", 53.0}, {"km", 200}};
    EXPECT_EQ(submit(edges, "198.51.100.3").status, 202);
    edges["title"] = std::string(120, 'T');
    edges["radius"]["km"] = 1;
    EXPECT_EQ(submit(edges, "198.51.100.3").status, 202);
    EXPECT_EQ(stored_count(), "2");
    EXPECT_EQ(m_sink->wait_for_mails(2).size(), 2U);
}

TEST_F(Needs, TooManyNeedsFromOneClientGet429AndAFilledHoneypotStoresNothing) {
    json robot = a_need("Spam Bot");
    robot["homepage"] = "https://spam.example";
    const HttpResponse trapped = submit(robot, "203.0.113.4");
    const HttpResponse real = submit(a_need(), "203.0.113.9");
    EXPECT_EQ(trapped.status, 202);
    EXPECT_EQ(trapped.body, real.body);
    EXPECT_EQ(stored_count(), "1");
    EXPECT_EQ(m_sink->wait_for_mails(1).size(), 1U);

    for (int i = 0; i < 4; ++i) ASSERT_EQ(submit(a_need(), "203.0.113.5").status, 202) << i;
    json sloppy = {{"homepage", "x"}};  // the honeypot counts too
    ASSERT_EQ(submit(sloppy, "203.0.113.5").status, 202);
    const HttpResponse limited = submit(a_need(), "203.0.113.5");
    ASSERT_EQ(limited.status, 429) << limited.body;
    EXPECT_EQ(parse_json(limited)["code"], "too_many_needs");
    EXPECT_GT(std::stoi(limited.header("Retry-After")), 3000);
    EXPECT_EQ(submit(a_need(), "203.0.113.6").status, 202);
    EXPECT_EQ(stored_count(), "6");
    EXPECT_EQ(m_sink->wait_for_mails(6).size(), 6U);
}

TEST_F(Needs, WithoutARelayOrWhenItFailsNothingIsStored) {
    restart_with({"--trusted-proxy", "127.0.0.1"});
    const HttpResponse unconfigured = submit(a_need());
    ASSERT_EQ(unconfigured.status, 409) << unconfigured.body;
    EXPECT_EQ(parse_json(unconfigured)["code"], "mail_not_configured");
    EXPECT_EQ(stored_count(), "0");

    // A relay that is not there: port 9 (discard) on this machine refuses connections.
    restart_with({"--smtp-url", "smtp://127.0.0.1:9", "--mail-from", "atlas@leerstand.example"});
    const HttpResponse failed = submit(a_need());
    ASSERT_EQ(failed.status, 502) << failed.body;
    EXPECT_EQ(parse_json(failed)["code"], "mail_not_sent");
    EXPECT_EQ(stored_count(), "0");
}

TEST_F(Needs, StaffEnterNeedsForCallersAndOnlyAdminsAndTheAuthorSeeTheContact) {
    EXPECT_EQ(create(Who::Anonymous, a_need()).status, 401);
    EXPECT_EQ(create(Who::Planner, a_need()).status, 403);
    json staff_need = a_need("Karl Anrufer");
    staff_need["contact_email"] = "karl@example.org";
    const HttpResponse created = create(Who::Editor, staff_need);
    ASSERT_EQ(created.status, 201) << created.body;
    const json feature = parse_json(created);
    const std::string path =
        "/collections/gesuche/items/" + std::to_string(feature["id"].get<int>());
    EXPECT_EQ(created.header("Location"), path);
    EXPECT_EQ(feature["properties"]["status"], "offen");
    EXPECT_EQ(feature["properties"]["source"], "redaktion");
    EXPECT_EQ(feature["properties"]["author"], user_name(Who::Editor));
    EXPECT_EQ(feature["properties"]["contact_email"], "karl@example.org");
    EXPECT_EQ(m_sink->mails().size(), 0U) << "staff entries need no confirmation";

    const auto contact = [&](Who who) {
        const HttpResponse answer = call(who, "GET", path);
        EXPECT_EQ(answer.status, 200) << who_name(who);
        return parse_json(answer)["properties"].value("contact_email", json()).dump();
    };
    EXPECT_EQ(contact(Who::Editor), "\"karl@example.org\"");
    EXPECT_EQ(contact(Who::Admin), "\"karl@example.org\"");
    for (Who who : {Who::Anonymous, Who::Planner, Who::EditorOther})
        EXPECT_EQ(contact(who), "null") << who_name(who);

    // Another editor closes it; the contact it was not shown stays as it was.
    json replaced = staff_need;
    for (const char* field : {"contact_name", "contact_email", "contact_phone"})
        replaced.erase(field);
    replaced["title"] = "Ladenlokal für ein Café (vermittelt)";
    replaced["status"] = "vermittelt";
    const HttpResponse put =
        call(Who::EditorOther, "PUT", path, a_feature(replaced), {{"If-Match", etag_of(path)}});
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(parse_json(put)["properties"]["status"], "vermittelt");
    EXPECT_FALSE(parse_json(put)["properties"]["closed_at"].is_null());
    EXPECT_EQ(contact(Who::Admin), "\"karl@example.org\"");
    EXPECT_EQ(call(Who::Anonymous, "GET", path).status, 404) << "closed needs are not public";

    const HttpResponse reopened =
        call(Who::Editor, "PATCH", path, json{{"properties", {{"status", "offen"}}}},
             {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
    ASSERT_EQ(reopened.status, 200) << reopened.body;
    EXPECT_TRUE(parse_json(reopened)["properties"]["closed_at"].is_null());
    EXPECT_EQ(parse_json(reopened)["properties"]["title"], "Ladenlokal für ein Café (vermittelt)");
    EXPECT_EQ(call(Who::Editor, "PATCH", path, json{{"properties", {{"status", "offen"}}}}, {},
                   "application/merge-patch+json")
                  .status,
              428);
    EXPECT_EQ(
        call(Who::Planner, "DELETE", path, std::nullopt, {{"If-Match", etag_of(path)}}).status,
        403);
    EXPECT_EQ(call(Who::Admin, "DELETE", path, std::nullopt, {{"If-Match", etag_of(path)}}).status,
              204);
    EXPECT_EQ(call(Who::Admin, "GET", path).status, 404);
}

TEST_F(Needs, ContactDataIsDeletedTheRetentionTimeAfterClosingAndUnconfirmedNeedsAfterAWeek) {
    const std::int64_t old_closed = created_id(Who::Editor, a_need("Olga Alt"));
    const std::int64_t new_closed = created_id(Who::Editor, a_need("Nora Neu"));
    for (const std::int64_t id : {old_closed, new_closed}) {
        const std::string path = "/collections/gesuche/items/" + std::to_string(id);
        ASSERT_EQ(
            call(Who::Editor, "PATCH", path, json{{"properties", {{"status", "geschlossen"}}}},
                 {{"If-Match", etag_of(path)}}, "application/merge-patch+json")
                .status,
            200);
    }
    ASSERT_EQ(submit(a_need("Ulla Unbestätigt")).status, 202);
    ASSERT_EQ(submit(a_need("Frida Frisch"), "198.51.100.2").status, 202);
    // A message to Olga through the atlas (part "matches" writes these).
    spatial_sql(db(),
                "INSERT INTO nachrichten (gesuch_id, text, author, sent_at) VALUES (" +
                    std::to_string(old_closed) +
                    ", 'Liebe Olga, wir haben ein Angebot.', 'editor', '2026-01-01T00:00:00Z')");
    // Closed 181 and 179 days ago; Ulla sent hers 8 days ago.
    const auto move = [&](const std::string& column, const std::string& where, int days) {
        spatial_sql(db(), "UPDATE gesuche SET " + column +
                              " = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-" + std::to_string(days) +
                              " days') WHERE " + where);
    };
    move("closed_at", "id = " + std::to_string(old_closed), 181);
    move("closed_at", "id = " + std::to_string(new_closed), 179);
    move("created_at", "contact_name = 'Ulla Unbestätigt'", 8);

    // The use case the server's retention job calls, on the same database file.
    {
        data::Store store(db());
        EXPECT_EQ(services::NeedService(store).delete_expired_personal_data(std::chrono::days(180)),
                  2);
    }
    const auto properties = [&](std::int64_t id) {
        const HttpResponse answer =
            call(Who::Admin, "GET", "/collections/gesuche/items/" + std::to_string(id));
        EXPECT_EQ(answer.status, 200) << answer.body;
        return parse_json(answer)["properties"];
    };
    const json olga = properties(old_closed);
    for (const char* field : {"contact_name", "contact_email", "contact_phone"})
        EXPECT_TRUE(olga[field].is_null()) << field;
    EXPECT_FALSE(olga["personal_data_deleted_at"].is_null());
    EXPECT_EQ(olga["title"], "Ladenlokal für ein Café");
    EXPECT_EQ(properties(new_closed)["contact_name"], "Nora Neu");
    EXPECT_EQ(spatial_sql(db(), "SELECT count(*) FROM nachrichten WHERE text IS NOT NULL"), "0");
    EXPECT_EQ(spatial_sql(db(),
                          "SELECT group_concat(contact_name) FROM gesuche WHERE status = "
                          "'unbestaetigt'"),
              "Frida Frisch");
    EXPECT_EQ(spatial_sql(db(),
                          "SELECT count(*) FROM gesuche WHERE contact_name LIKE 'Olga%' OR "
                          "contact_name LIKE 'Ulla%'"),
              "0");
}

}  // namespace
}  // namespace leerstand::test
