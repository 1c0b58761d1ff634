// Suggestions (Vorschläge) and their recorded outcomes (Vermittlungen) over real HTTP: the
// ranking on a small stored fixture against orders worked out by hand, who may see and record
// them, the mail to a need's author through a real local SMTP relay, and what accepting and
// finishing a match change (vacancy, offer, need, a new Zukunftsort), all or nothing.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

/// Herzberg (Elster): outside the editor's scope, and outside every Angermünde need.
const std::string& k_herzberg = k_other_ags;

std::string sql_text(const std::optional<std::string>& value) {
    return value ? "'" + *value + "'" : "NULL";
}

/// An offer row as part "offers" stores it (written with SQL: that part's API is built in
/// parallel).
struct OfferRow {
    std::string title{};
    std::string kinds{};  ///< JSON array
    std::optional<std::string> area{};
    std::optional<std::string> available_from{};
    std::string status = "offen";
};

/// A need row as part "needs" stores it.
struct NeedRow {
    std::string title{};
    std::string uses = "[]";
    std::string kinds = "[]";
    std::optional<std::string> min_area{};
    std::optional<std::string> max_area{};
    std::optional<std::string> kommunen{};  ///< JSON array; none: the radius below
    std::optional<std::string> centre_lon{};
    std::optional<std::string> centre_lat{};
    std::optional<std::string> radius_km{};
    std::optional<std::string> needed_from{};
    bool common_good = false;
    std::string status = "offen";
    std::optional<std::string> email = std::string("initiative@example.org");
};

class MatchesBase : public AtlasServerTest {
  protected:
    void make_database() override {
        AtlasServerTest::make_database();
        // Whatever demo data other parts add: the test's fixture alone is ranked.
        spatial_sql(db(),
                    "DELETE FROM vermittlungen; DELETE FROM nachrichten; "
                    "DELETE FROM angebote; DELETE FROM gesuche;");
    }

    /// A vacancy (made through the API) with an offer on it; returns the offer's id.
    std::int64_t offer(const OfferRow& row, const std::string& use, const std::string& ags,
                       const std::string& vacancy_status = "gemeldet") {
        const std::int64_t vacancy =
            create_vacancy({{"status", vacancy_status}, {"use", use}, {"consent_publish", true}},
                           ags, m_building++);
        m_vacancy_of_next = vacancy;
        const std::string id = spatial_sql(
            db(),
            "INSERT INTO angebote (vacancy_id, title, kinds, floor_area_m2, available_from, "
            "contact_role, contact_email, status, created_at, updated_at) VALUES (" +
                std::to_string(vacancy) + ", '" + row.title + "', '" + row.kinds + "', " +
                row.area.value_or("NULL") + ", " + sql_text(row.available_from) +
                ", 'Wirtschaftsförderung', 'wirtschaft@kommune.example', '" + row.status +
                "', '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z'); SELECT last_insert_rowid();");
        const std::int64_t offer_id = std::stoll(id);
        m_vacancy[offer_id] = vacancy;
        return offer_id;
    }

    std::int64_t need(const NeedRow& row) {
        const std::string id = spatial_sql(
            db(),
            "INSERT INTO gesuche (title, uses, kinds, min_area_m2, max_area_m2, kommunen, "
            "centre_lon, centre_lat, radius_km, needed_from, common_good, contact_name, "
            "contact_email, status, source, created_at, updated_at) VALUES ('" +
                row.title + "', '" + row.uses + "', '" + row.kinds + "', " +
                row.min_area.value_or("NULL") + ", " + row.max_area.value_or("NULL") + ", " +
                sql_text(row.kommunen) + ", " + row.centre_lon.value_or("NULL") + ", " +
                row.centre_lat.value_or("NULL") + ", " + row.radius_km.value_or("NULL") + ", " +
                sql_text(row.needed_from) + ", " + (row.common_good ? "1" : "0") +
                ", 'Erika Muster', " + sql_text(row.email) + ", '" + row.status +
                "', 'formular', '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z'); "
                "SELECT last_insert_rowid();");
        return std::stoll(id);
    }

    HttpResponse suggestions(Who who, const std::string& side, std::int64_t id) {
        return call(who, "GET", "/api/" + side + "/" + std::to_string(id) + "/vorschlaege");
    }

    /// The ids of the other side, in the order suggested.
    std::vector<std::int64_t> order(const json& answer, const std::string& other) {
        std::vector<std::int64_t> ids;
        for (const json& entry : answer.at("suggestions"))
            ids.push_back(entry.at(other).at("id").get<std::int64_t>());
        return ids;
    }

    HttpResponse record(Who who, const json& body) {
        return call(who, "POST", "/api/vermittlungen", body, {}, "application/json");
    }

    HttpResponse change(Who who, std::int64_t id, const json& body, const std::string& etag) {
        HeaderList headers;
        if (!etag.empty()) headers.emplace_back("If-Match", etag);
        return call(who, "PATCH", "/api/vermittlungen/" + std::to_string(id), body, headers,
                    "application/json");
    }

    std::string offer_status(std::int64_t id) {
        return spatial_sql(db(),
                           "SELECT status || '|' || (closed_at IS NOT NULL) FROM angebote "
                           "WHERE id = " +
                               std::to_string(id));
    }
    std::string need_status(std::int64_t id) {
        return spatial_sql(db(),
                           "SELECT status || '|' || (closed_at IS NOT NULL) FROM gesuche "
                           "WHERE id = " +
                               std::to_string(id));
    }
    std::string vacancy_status(std::int64_t vacancy) {
        return spatial_sql(db(),
                           "SELECT status FROM vacancies WHERE id = " + std::to_string(vacancy));
    }
    std::string count(const std::string& table) {
        return spatial_sql(db(), "SELECT count(*) FROM " + table);
    }

    int m_building = 0;
    std::int64_t m_vacancy_of_next = 0;
    std::map<std::int64_t, std::int64_t> m_vacancy;  ///< offer id -> vacancy id
};

/// With a real local SMTP relay.
class Matches : public MatchesBase {
  protected:
    void SetUp() override {
        m_sink = std::make_unique<SmtpSink>(m_mail_dir.path());
        MatchesBase::SetUp();
    }
    std::vector<std::string> extra_serve_args() const override {
        return {"--smtp-url", m_sink->url(), "--mail-from", "atlas@leerstand.example"};
    }
    TempDir m_mail_dir;
    std::unique_ptr<SmtpSink> m_sink;
};

/// The shop in Angermünde: laden, 120 m², Miete, from 1 March 2027.
const OfferRow k_shop = {"Ladenlokal am Markt", R"(["miete"])", "120", "2027-03-01"};

TEST_F(Matches, TheNeedsOfAnOfferComeInTheOrderTheScoreGives) {
    const std::int64_t shop = offer(k_shop, "laden", k_home_ags);
    // Points: use 30, size 25, place 20, kind 15, timing 10 (docs/matching.md).
    // n1: laden, 80–150, Angermünde, Miete, from 1 March 2027: 30+25+20+15+10 = 100.
    const std::int64_t n1 = need({.title = "Weltladen",
                                  .uses = R"(["laden"])",
                                  .kinds = R"(["miete"])",
                                  .min_area = "80",
                                  .max_area = "150",
                                  .kommunen = R"(["12073008"])",
                                  .needed_from = "2027-03-01",
                                  .common_good = true});
    // n2: gewerbe (related to laden: 15), 100–200 (25), the Kreis Uckermark (20), any kind
    // (15), no date (10) = 85.
    const std::int64_t n2 = need({.title = "Werkstatt",
                                  .uses = R"(["gewerbe"])",
                                  .min_area = "100",
                                  .max_area = "200",
                                  .kommunen = R"(["12073"])"});
    // n3: laden (30), 200–300: 80 m² short, 25 × (1 − 160/200) = 5; Angermünde (20); Miete
    // among Miete, Kauf (15); needed from 30 January 2027, available 30 days later:
    // 10 × (1 − 30/365) = 9.17 → 9. Total 79.
    const std::int64_t n3 = need({.title = "Großer Laden",
                                  .uses = R"(["laden"])",
                                  .kinds = R"(["miete","kauf"])",
                                  .min_area = "200",
                                  .max_area = "300",
                                  .kommunen = R"(["12073008"])",
                                  .needed_from = "2027-01-30"});
    // n4: wohnen (not related to laden: 0), no size (25), Angermünde (20), any (15), no date
    // (10) = 70.
    const std::int64_t n4 =
        need({.title = "Wohnprojekt", .uses = R"(["wohnen"])", .kommunen = R"(["12073008"])"});
    // n5: any use (30), at most 100: 20 m² too large, 25 × (1 − 20/100) = 20; Angermünde (20);
    // Miete (15); needed from December 2027, available before (10) = 95.
    const std::int64_t n5 = need({.title = "Repair-Café",
                                  .kinds = R"(["miete"])",
                                  .max_area = "100",
                                  .kommunen = R"(["12073008"])",
                                  .needed_from = "2027-12-01"});
    // n6 wants to buy only: excluded. n7 looks in Herzberg only: excluded. n8 is not
    // confirmed: no suggestion yet.
    need({.title = "Kauf gesucht", .kinds = R"(["kauf"])", .kommunen = R"(["12073008"])"});
    need({.title = "In Herzberg", .kommunen = R"(["12062224"])"});
    need({.title = "Unbestätigt", .kommunen = R"(["12073008"])", .status = "unbestaetigt"});
    // n9: within 500 km of Berlin (13.4, 52.52). Angermünde's centre lies about 68 km away
    // (55 km north, 40 km east): 20 × (1 − 68/1000) = 18.6 → 18; with any use, size, kind and
    // date 30+25+15+10 = 80, total 98 (96..99 for any centre 50..200 km from Berlin).
    const std::int64_t n9 = need(
        {.title = "Um Berlin", .centre_lon = "13.4", .centre_lat = "52.52", .radius_km = "500"});

    const HttpResponse answer = suggestions(Who::Editor, "angebote", shop);
    ASSERT_EQ(answer.status, 200) << answer.body;
    const json body = parse_json(answer);
    EXPECT_EQ(order(body, "need"), (std::vector<std::int64_t>{n1, n9, n5, n2, n3, n4}));
    const json& entries = body.at("suggestions");
    const std::vector<int> totals = {100, -1, 95, 85, 79, 70};
    for (std::size_t i = 0; i < totals.size(); ++i) {
        if (totals[i] >= 0) {
            EXPECT_EQ(entries[i]["match"]["total"], totals[i]) << i;
        }
    }
    EXPECT_GE(entries[1]["match"]["total"].get<int>(), 96);
    EXPECT_LE(entries[1]["match"]["total"].get<int>(), 99);
    const json& place = entries[1]["match"]["components"][2];
    EXPECT_EQ(place["reason"]["code"], "distance_km");
    EXPECT_EQ(entries[1]["kommune_names"][k_home_ags], "Angermünde");
    EXPECT_TRUE(entries[0]["match"]["common_good"].get<bool>());
    EXPECT_TRUE(entries[0]["vermittlung"].is_null());
    // The author's contact data never reach staff through the suggestions.
    EXPECT_EQ(answer.body.find("initiative@example.org"), std::string::npos);
    EXPECT_EQ(answer.body.find("Erika Muster"), std::string::npos);
}

TEST_F(Matches, TheOffersOfANeedAreThoseTheCallerMayChangeInScoreOrder) {
    // The need: gewerbe, 100–200 m², the Kreis Uckermark or Herzberg, any kind, no date.
    const std::int64_t werkstatt = need({.title = "Werkstatt",
                                         .uses = R"(["gewerbe"])",
                                         .min_area = "100",
                                         .max_area = "200",
                                         .kommunen = R"(["12073", "12062224"])"});
    // o1 the shop: laden is related (15), 120 (25), 20, 15, 10 = 85.
    const std::int64_t o1 = offer(k_shop, "laden", k_home_ags);
    // o2: gewerbe 150 m², Kauf: 30+25+20+15+10 = 100.
    const std::int64_t o2 = offer({"Halle", R"(["kauf"])", "150", {}}, "gewerbe", k_home_ags);
    // o3: gemischt (related: 15), no area (10), 20, 15, 10 = 70.
    const std::int64_t o3 = offer({"Altes Haus", R"(["miete"])", {}, {}}, "gemischt", k_home_ags);
    // o4: wohnen (0), 90 m²: 10 short, 25 × (1 − 20/100) = 20; 20, 15, 10 = 65.
    const std::int64_t o4 = offer({"Wohnung", R"(["miete"])", "90", {}}, "wohnen", k_home_ags);
    // o5: gewerbe (30), 300 m²: 100 too large, 25 × (1 − 100/200) = 12.5 → 12; 20, 15; the need
    // names no date (10) = 87.
    const std::int64_t o5 =
        offer({"Große Halle", R"(["erbpacht"])", "300", "2027-06-01"}, "gewerbe", k_home_ags);
    // Withdrawn: never suggested. In Herzberg: 100 points, but only for its own editor.
    offer({"Zurückgezogen", R"(["miete"])", "150", {}, "zurueckgezogen"}, "gewerbe", k_home_ags);
    const std::int64_t herzberg =
        offer({"Herzberg", R"(["miete"])", "150", {}}, "gewerbe", k_herzberg);

    const HttpResponse mine = suggestions(Who::Editor, "gesuche", werkstatt);
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_EQ(order(parse_json(mine), "offer"), (std::vector<std::int64_t>{o2, o5, o1, o3, o4}));
    const HttpResponse other = suggestions(Who::EditorOther, "gesuche", werkstatt);
    ASSERT_EQ(other.status, 200) << other.body;
    EXPECT_EQ(order(parse_json(other), "offer"), (std::vector<std::int64_t>{herzberg}));
    // The admin may change all: equal totals by the lower id first.
    const HttpResponse all = suggestions(Who::Admin, "gesuche", werkstatt);
    ASSERT_EQ(all.status, 200) << all.body;
    EXPECT_EQ(order(parse_json(all), "offer"),
              (std::vector<std::int64_t>{o2, herzberg, o5, o1, o3, o4}));
}

TEST_F(Matches, OnlyStaffWhoMayChangeTheOfferSeeAndRecordItsMatches) {
    const std::int64_t shop = offer(k_shop, "laden", k_home_ags);
    const std::int64_t withdrawn =
        offer({"Zurückgezogen", R"(["miete"])", "150", {}, "zurueckgezogen"}, "laden", k_home_ags);
    const std::int64_t weltladen = need({.title = "Weltladen", .kommunen = R"(["12073008"])"});
    const std::int64_t unconfirmed =
        need({.title = "Unbestätigt", .kommunen = R"(["12073008"])", .status = "unbestaetigt"});

    EXPECT_EQ(suggestions(Who::Anonymous, "angebote", shop).status, 401);
    EXPECT_EQ(suggestions(Who::Planner, "angebote", shop).status, 403);
    // The other Kommune's editor sees the public offer but may not change it; a withdrawn one
    // it may not even see, like one that does not exist.
    EXPECT_EQ(suggestions(Who::EditorOther, "angebote", shop).status, 403);
    EXPECT_EQ(suggestions(Who::EditorOther, "angebote", withdrawn).status, 404);
    EXPECT_EQ(suggestions(Who::Editor, "angebote", 999999).status, 404);
    EXPECT_EQ(suggestions(Who::Anonymous, "gesuche", weltladen).status, 401);
    EXPECT_EQ(suggestions(Who::Planner, "gesuche", weltladen).status, 403);
    EXPECT_EQ(suggestions(Who::Editor, "gesuche", unconfirmed).status, 404);

    const json pair = {{"angebot_id", shop}, {"gesuch_id", weltladen}, {"status", "abgelehnt"}};
    EXPECT_EQ(record(Who::Anonymous, pair).status, 401);
    EXPECT_EQ(record(Who::Planner, pair).status, 403);
    EXPECT_EQ(record(Who::EditorOther, pair).status, 403);
    EXPECT_EQ(count("vermittlungen"), "0");
    const HttpResponse recorded = record(Who::Editor, pair);
    ASSERT_EQ(recorded.status, 201) << recorded.body;
    const std::int64_t id = parse_json(recorded).at("id").get<std::int64_t>();
    EXPECT_EQ(change(Who::Anonymous, id, {{"status", "angenommen"}}, "\"1\"").status, 401);
    EXPECT_EQ(change(Who::EditorOther, id, {{"status", "angenommen"}}, "\"1\"").status, 403);
    EXPECT_EQ(change(Who::Editor, 999999, {{"status", "angenommen"}}, "\"1\"").status, 404);
    // The same pair twice: the outcome is changed where it is recorded.
    const HttpResponse twice = record(Who::Editor, pair);
    EXPECT_EQ(twice.status, 409) << twice.body;
    EXPECT_EQ(parse_json(twice)["code"], "match_recorded");
}

TEST_F(Matches, ContactingMailsTheAuthorWithoutShowingTheAddress) {
    const std::int64_t shop = offer(k_shop, "laden", k_home_ags);
    const std::int64_t weltladen = need({.title = "Weltladen",
                                         .uses = R"(["laden"])",
                                         .kommunen = R"(["12073008"])",
                                         .email = "weltladen@example.org"});
    const HttpResponse sent =
        record(Who::Editor, {{"angebot_id", shop},
                             {"gesuch_id", weltladen},
                             {"status", "kontaktiert"},
                             {"message", "Wir hätten da ein Ladenlokal für Sie.\nBis bald!"}});
    ASSERT_EQ(sent.status, 201) << sent.body;
    EXPECT_EQ(sent.body.find("weltladen@example.org"), std::string::npos);
    const json outcome = parse_json(sent);
    EXPECT_EQ(outcome["status"], "kontaktiert");
    EXPECT_EQ(outcome["score"], 100);
    EXPECT_EQ(outcome["messages"], 1);
    EXPECT_EQ(sent.header("ETag"), "\"1\"");

    const auto mails = m_sink->wait_for_mails(1);
    ASSERT_EQ(mails.size(), 1U);
    const json& mail = mails.front();
    EXPECT_EQ(mail["rcpt_tos"], json::array({"weltladen@example.org"}));
    EXPECT_EQ(mail["reply_to"], "wirtschaft@kommune.example");
    EXPECT_NE(mail["subject"].get<std::string>().find("Weltladen"), std::string::npos);
    const std::string text = mail["text"];
    EXPECT_NE(text.find("Leerstandsatlas"), std::string::npos) << text;
    EXPECT_NE(text.find("Ladenlokal am Markt"), std::string::npos) << text;
    EXPECT_NE(text.find("/angebote/" + std::to_string(shop) + "\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Angermünde"), std::string::npos) << text;
    EXPECT_NE(text.find("Wir hätten da ein Ladenlokal für Sie.\nBis bald!"), std::string::npos);
    EXPECT_EQ(spatial_sql(db(),
                          "SELECT count(*) || '|' || min(mailed) || '|' || min(text) FROM "
                          "nachrichten WHERE gesuch_id = " +
                              std::to_string(weltladen)),
              "1|1|Wir hätten da ein Ladenlokal für Sie.\nBis bald!");

    // The suggestion now carries the outcome; a second message goes through PATCH.
    const json listed = parse_json(suggestions(Who::Editor, "angebote", shop));
    EXPECT_EQ(listed["suggestions"][0]["vermittlung"]["status"], "kontaktiert");
    const HttpResponse again =
        change(Who::Editor, outcome["id"], {{"message", "Noch Fragen?"}}, "\"1\"");
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(parse_json(again)["messages"], 2);
    EXPECT_EQ(m_sink->wait_for_mails(2).size(), 2U);

    // Nobody to write to: a need entered by staff for a caller who gave a phone number only.
    const std::int64_t by_phone =
        need({.title = "Anrufer", .kommunen = R"(["12073008"])", .email = std::nullopt});
    const HttpResponse nobody = record(Who::Editor, {{"angebot_id", shop},
                                                     {"gesuch_id", by_phone},
                                                     {"status", "kontaktiert"},
                                                     {"message", "Hallo"}});
    EXPECT_EQ(nobody.status, 422) << nobody.body;
    EXPECT_EQ(parse_json(nobody)["code"], "need_without_email");
    EXPECT_EQ(count("vermittlungen"), "1");
}

TEST_F(Matches, AcceptingAndFinishingCarryTheVacancyToAZukunftsort) {
    const std::int64_t shop = offer(k_shop, "laden", k_home_ags, "gemeldet");
    const std::int64_t vacancy = m_vacancy.at(shop);
    const std::int64_t weltladen = need({.title = "Weltladen", .kommunen = R"(["12073008"])"});
    const HttpResponse contacted = record(
        Who::Editor, {{"angebot_id", shop}, {"gesuch_id", weltladen}, {"status", "kontaktiert"}});
    ASSERT_EQ(contacted.status, 201) << contacted.body;
    const std::int64_t id = parse_json(contacted)["id"];

    // Finishing before accepting is no step of the lifecycle.
    const HttpResponse early =
        change(Who::Editor, id,
               {{"status", "abgeschlossen"}, {"zukunftsort", {{"name", "Weltladen Angermünde"}}}},
               "\"1\"");
    ASSERT_EQ(early.status, 422) << early.body;
    EXPECT_EQ(parse_json(early)["code"], "match_transition");
    EXPECT_EQ(parse_json(early)["allowed"], json::array({"angenommen", "abgelehnt"}));
    EXPECT_EQ(change(Who::Editor, id, {{"status", "angenommen"}}, "").status, 428);
    const HttpResponse stale = change(Who::Editor, id, {{"status", "angenommen"}}, "\"7\"");
    EXPECT_EQ(stale.status, 412) << stale.body;
    EXPECT_EQ(vacancy_status(vacancy), "gemeldet");

    const HttpResponse accepted = change(Who::Editor, id, {{"status", "angenommen"}}, "\"1\"");
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(parse_json(accepted)["status"], "angenommen");
    EXPECT_FALSE(parse_json(accepted)["accepted_at"].is_null());
    EXPECT_EQ(vacancy_status(vacancy), "in_aktivierung");
    EXPECT_EQ(offer_status(shop), "reserviert|0");
    // The history shows the way through bestaetigt, as the lifecycle goes.
    const HttpResponse history = call(
        Who::Editor, "GET", "/collections/vacancies/items/" + std::to_string(vacancy) + "/history");
    ASSERT_EQ(history.status, 200) << history.body;
    std::vector<std::string> statuses;
    const json changes = parse_json(history)["changes"];
    for (const json& change_row : changes)
        if (change_row["new"].contains("status")) statuses.push_back(change_row["new"]["status"]);
    EXPECT_EQ(statuses, (std::vector<std::string>{"gemeldet", "bestaetigt", "in_aktivierung"}));

    const HttpResponse finished = change(Who::Editor, id,
                                         {{"status", "abgeschlossen"},
                                          {"zukunftsort",
                                           {{"name", "Weltladen Angermünde"},
                                            {"kind", "laden"},
                                            {"description", "Fairer Handel am Markt"}}}},
                                         accepted.header("ETag"));
    ASSERT_EQ(finished.status, 200) << finished.body;
    const json outcome = parse_json(finished);
    ASSERT_TRUE(outcome["zukunftsort_id"].is_number_integer()) << finished.body;
    EXPECT_EQ(outcome["allowed"], json::array());
    EXPECT_EQ(vacancy_status(vacancy), "aktiviert");
    EXPECT_EQ(offer_status(shop), "vermittelt|1");
    EXPECT_EQ(need_status(weltladen), "vermittelt|1");
    const HttpResponse place =
        call(Who::Anonymous, "GET",
             "/collections/zukunftsorte/items/" +
                 std::to_string(outcome["zukunftsort_id"].get<std::int64_t>()));
    ASSERT_EQ(place.status, 200) << place.body;
    EXPECT_EQ(parse_json(place)["properties"]["name"], "Weltladen Angermünde");
    EXPECT_EQ(parse_json(place)["properties"]["description"], "Fairer Handel am Markt");

    // Final: nothing follows.
    const HttpResponse after =
        change(Who::Editor, id, {{"status", "abgelehnt"}}, finished.header("ETag"));
    EXPECT_EQ(after.status, 422) << after.body;
    EXPECT_EQ(parse_json(after)["code"], "match_transition");
}

TEST_F(Matches, AFailedStepLeavesNothingHalfDone) {
    // A vacancy that is no vacancy any more cannot go into activation.
    const std::int64_t shop = offer(k_shop, "laden", k_home_ags, "gemeldet");
    const std::int64_t vacancy = m_vacancy.at(shop);
    spatial_sql(db(),
                "UPDATE vacancies SET status = 'abgerissen' WHERE id = " + std::to_string(vacancy));
    const std::int64_t weltladen = need({.title = "Weltladen", .kommunen = R"(["12073008"])"});
    const HttpResponse refused = record(
        Who::Editor, {{"angebot_id", shop}, {"gesuch_id", weltladen}, {"status", "angenommen"}});
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(parse_json(refused)["code"], "status_transition");
    EXPECT_EQ(count("vermittlungen"), "0");
    EXPECT_EQ(offer_status(shop), "offen|0");

    // A Zukunftsort without a name: the finish fails as a whole, the acceptance stays.
    const std::int64_t hall =
        offer({"Halle", R"(["miete"])", "150", {}}, "gewerbe", k_home_ags, "bestaetigt");
    const HttpResponse accepted = record(
        Who::Editor, {{"angebot_id", hall}, {"gesuch_id", weltladen}, {"status", "angenommen"}});
    ASSERT_EQ(accepted.status, 201) << accepted.body;
    EXPECT_EQ(vacancy_status(m_vacancy.at(hall)), "in_aktivierung");
    const std::int64_t id = parse_json(accepted)["id"];
    const std::string zukunftsorte = count("zukunftsorte");
    const HttpResponse nameless = change(
        Who::Editor, id, {{"status", "abgeschlossen"}, {"zukunftsort", {{"kind", "kultur"}}}},
        accepted.header("ETag"));
    EXPECT_EQ(nameless.status, 400) << nameless.body;
    EXPECT_EQ(count("zukunftsorte"), zukunftsorte);
    EXPECT_EQ(vacancy_status(m_vacancy.at(hall)), "in_aktivierung");
    EXPECT_EQ(offer_status(hall), "reserviert|0");
    EXPECT_EQ(need_status(weltladen), "offen|0");
    EXPECT_EQ(spatial_sql(db(), "SELECT status || '|' || version FROM vermittlungen WHERE id = " +
                                    std::to_string(id)),
              "angenommen|1");

    // Declining the acceptance gives the offer and the vacancy back.
    const HttpResponse declined =
        change(Who::Editor, id, {{"status", "abgelehnt"}}, accepted.header("ETag"));
    ASSERT_EQ(declined.status, 200) << declined.body;
    EXPECT_EQ(offer_status(hall), "offen|0");
    EXPECT_EQ(vacancy_status(m_vacancy.at(hall)), "bestaetigt");
}

TEST_F(Matches, BadBodiesNameTheirFields) {
    const std::int64_t shop = offer(k_shop, "laden", k_home_ags);
    const std::int64_t weltladen = need({.title = "Weltladen", .kommunen = R"(["12073008"])"});
    const HttpResponse bad = record(Who::Editor, {{"angebot_id", "eins"},
                                                  {"status", "vermittelt"},
                                                  {"message", std::string(5001, 'x')},
                                                  {"extra", 1}});
    ASSERT_EQ(bad.status, 400) << bad.body;
    std::map<std::string, std::string> codes;
    const json errors = parse_json(bad)["errors"];
    for (const json& error : errors) codes[error["field"]] = error["code"];
    EXPECT_EQ(codes["angebot_id"], "wrong_type");
    EXPECT_EQ(codes["gesuch_id"], "required");
    EXPECT_EQ(codes["status"], "not_one_of");
    EXPECT_EQ(codes["message"], "too_long");
    EXPECT_EQ(codes["extra"], "unknown_field");
    // Excluded pairs are no match to record.
    const std::int64_t buyer =
        need({.title = "Kauf", .kinds = R"(["kauf"])", .kommunen = R"(["12073008"])"});
    const HttpResponse excluded = record(
        Who::Editor, {{"angebot_id", shop}, {"gesuch_id", buyer}, {"status", "kontaktiert"}});
    EXPECT_EQ(excluded.status, 422) << excluded.body;
    EXPECT_EQ(parse_json(excluded)["code"], "match_excluded");
    // Finishing needs an acceptance first, also for a new pair.
    const HttpResponse finish = record(
        Who::Editor, {{"angebot_id", shop}, {"gesuch_id", weltladen}, {"status", "abgeschlossen"}});
    EXPECT_EQ(finish.status, 422) << finish.body;
    EXPECT_EQ(parse_json(finish)["code"], "match_transition");
    EXPECT_EQ(count("vermittlungen"), "0");
}

/// Without a relay, and with one that is not there.
class MatchesWithoutMail : public MatchesBase {
  protected:
    std::vector<std::string> extra_serve_args() const override { return m_args; }
    std::vector<std::string> m_args;
};

TEST_F(MatchesWithoutMail, NoRelayMeansNoContactAndNothingRecorded) {
    const std::int64_t shop = offer(k_shop, "laden", k_home_ags);
    const std::int64_t weltladen = need({.title = "Weltladen", .kommunen = R"(["12073008"])"});
    const HttpResponse refused = record(Who::Editor, {{"angebot_id", shop},
                                                      {"gesuch_id", weltladen},
                                                      {"status", "kontaktiert"},
                                                      {"message", "Hallo"}});
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(parse_json(refused)["code"], "mail_not_configured");
    EXPECT_EQ(count("vermittlungen"), "0");
    EXPECT_EQ(count("nachrichten"), "0");
}

class MatchesWithDeadRelay : public MatchesWithoutMail {
  protected:
    void SetUp() override {
        // Port 9 (discard) has no listener here: the relay cannot be reached.
        m_args = {"--smtp-url", "smtp://127.0.0.1:9", "--mail-from", "atlas@leerstand.example"};
        MatchesWithoutMail::SetUp();
    }
};

TEST_F(MatchesWithDeadRelay, AMailThatIsNotSentRecordsNothing) {
    const std::int64_t shop = offer(k_shop, "laden", k_home_ags);
    const std::int64_t weltladen = need({.title = "Weltladen", .kommunen = R"(["12073008"])"});
    const HttpResponse failed = record(Who::Editor, {{"angebot_id", shop},
                                                     {"gesuch_id", weltladen},
                                                     {"status", "kontaktiert"},
                                                     {"message", "Hallo"}});
    EXPECT_EQ(failed.status, 502) << failed.body;
    EXPECT_EQ(parse_json(failed)["code"], "mail_not_sent");
    EXPECT_EQ(count("vermittlungen"), "0");
    EXPECT_EQ(count("nachrichten"), "0");
}

}  // namespace
}  // namespace leerstand::test
