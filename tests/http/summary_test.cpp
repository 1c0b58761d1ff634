// Summaries over real HTTP: `GET /api/kommunen/{ags}/summary` and `GET /api/summary` from the
// real `leerstand serve`, exact for callers with internal rights, suppressed for the public and
// for editors of other Kommunen, checked against the database with the sqlite3 shell; and
// `leerstand stats` printing the same JSON.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

class SummaryApiTest : public AtlasServerTest {
  protected:
    json summary(Who who, const std::string& target, int expected_status = 200) {
        const HttpResponse response = call(who, "GET", target);
        EXPECT_EQ(response.status, expected_status)
            << who_name(who) << " " << target << ": " << response.body;
        return json::parse(response.body, nullptr, false);
    }

    std::int64_t sql_count(const std::string& query) {
        return std::stoll(spatial_sql(db(), query));
    }
};

TEST_F(SummaryApiTest, PublicFiguresAreSuppressedAndInternalOnesExact) {
    // Two reports in Angermünde (fewer than 3), three in Herzberg.
    create_vacancy({{"status", "gemeldet"}, {"use", "wohnen"}, {"floor_area_m2", 80}}, k_home_ags,
                   0);
    create_vacancy({{"status", "gemeldet"}, {"use", "laden"}, {"floor_area_m2", 40}}, k_home_ags,
                   1);
    for (int n = 0; n < 3; ++n)
        create_vacancy({{"status", "gemeldet"}, {"use", "wohnen"}}, k_other_ags, n);
    // The public sees the state at the start of the month: put these writes before it.
    move_history_before_this_month();

    const std::string home = "/api/kommunen/" + k_home_ags + "/summary";
    const std::int64_t buildings =
        sql_count("SELECT count(*) FROM buildings WHERE kommune_ags = '" + k_home_ags + "'");
    ASSERT_GT(buildings, 0);

    for (Who who : {Who::Anonymous, Who::EditorOther}) {
        SCOPED_TRACE(who_name(who));
        const json s = summary(who, home);
        ASSERT_TRUE(s.is_object());
        EXPECT_EQ(s["ags"], k_home_ags);
        EXPECT_EQ(s["exact"], false);
        EXPECT_EQ(s["buildings"], buildings);
        EXPECT_EQ(s["vacancies"], "<3");
        // A breakdown with a small cell is withheld whole.
        EXPECT_TRUE(s["by_status"]["gemeldet"].is_null());
        EXPECT_TRUE(s["by_status"]["aktiviert"].is_null());
        EXPECT_EQ(s["vacant_buildings"], "<3");
        EXPECT_TRUE(s["vacancy_rate"].is_null());
        EXPECT_TRUE(s["vacant_floor_area_m2"].is_null());
        EXPECT_EQ(s["trend"].back()["open"], "<3");
    }
    for (Who who : {Who::Editor, Who::Planner, Who::Admin}) {
        SCOPED_TRACE(who_name(who));
        const json s = summary(who, home);
        EXPECT_EQ(s["exact"], true);
        EXPECT_EQ(s["buildings"], buildings);
        EXPECT_EQ(s["vacancies"], 2);
        EXPECT_EQ(s["by_use"]["laden"], 1);
        EXPECT_EQ(s["vacant_buildings"], 2);
        EXPECT_NEAR(s["vacancy_rate"].get<double>(), 2.0 / static_cast<double>(buildings), 1e-4);
        EXPECT_NEAR(s["vacant_floor_area_m2"].get<double>(), 120.0, 1e-9);
        EXPECT_EQ(s["trend"].size(), 24u);
        EXPECT_EQ(s["trend"].back()["open"], 2);
    }

    // Three reports may be shown to everyone.
    const json other = summary(Who::Anonymous, "/api/kommunen/" + k_other_ags + "/summary");
    EXPECT_EQ(other["vacancies"], 3);
    EXPECT_EQ(other["vacant_buildings"], 3);
    EXPECT_TRUE(other["vacancy_rate"].is_number());

    // The network: exact for the unscoped planner and the admin only.
    // The public network adds what its Kommunen show: Herzberg's 3, not Angermünde's "<3".
    const json network_public = summary(Who::Editor, "/api/summary");
    EXPECT_EQ(network_public["exact"], false);
    EXPECT_EQ(network_public["vacancies"], 3);
    EXPECT_EQ(network_public["by_use"]["laden"], 0);
    EXPECT_EQ(network_public["withheld"], true);
    const json network = summary(Who::Planner, "/api/summary");
    EXPECT_EQ(network["exact"], true);
    EXPECT_EQ(network["by_use"]["laden"], 1);
    EXPECT_EQ(network["buildings"], sql_count("SELECT count(*) FROM buildings"));
    EXPECT_EQ(network["vacancies"], sql_count("SELECT count(*) FROM vacancies"));

    // `leerstand stats` prints the exact figures, the same as the admin gets over HTTP.
    const CommandResult stats =
        run_leerstand({"stats", "--kommune", k_home_ags, "--db", db().string()});
    ASSERT_EQ(stats.exit_code, 0) << stats.err;
    EXPECT_EQ(json::parse(stats.out, nullptr, false), summary(Who::Admin, home));
    const CommandResult all = run_leerstand({"stats", "--db", db().string()});
    ASSERT_EQ(all.exit_code, 0) << all.err;
    EXPECT_EQ(json::parse(all.out, nullptr, false), summary(Who::Admin, "/api/summary"));
}

TEST_F(SummaryApiTest, FollowsEveryWriteAndVariesByCaller) {
    const std::string home = "/api/kommunen/" + k_home_ags + "/summary";
    EXPECT_EQ(summary(Who::Admin, home)["vacancies"], 0);
    const std::int64_t id = create_vacancy({{"status", "gemeldet"}}, k_home_ags, 0);
    EXPECT_EQ(summary(Who::Admin, home)["open_vacancies"], 1);
    const std::string item = "/collections/vacancies/items/" + std::to_string(id);
    const HttpResponse removed =
        call(Who::Admin, "DELETE", item, std::nullopt, {{"If-Match", etag_of(item)}});
    ASSERT_EQ(removed.status, 204) << removed.body;
    EXPECT_EQ(summary(Who::Admin, home)["open_vacancies"], 0);
    EXPECT_EQ(summary(Who::Admin, home)["trend"].back()["open"], 0);

    const HttpResponse response = call(Who::Anonymous, "GET", home);
    EXPECT_NE(response.header("Vary").find("Authorization"), std::string::npos);
    EXPECT_NE(response.header("Content-Type").find("application/json"), std::string::npos);
}

// Reports entered today over the API about buildings vacant since 2021-03-15 and 2024-11-30,
// one without a date and one closed at once: the trend of staff and of `leerstand stats` counts
// each from its vacant_since month to its closing, as the SQL oracle (run by the sqlite3
// shell) says, instead of all four in the current month.
TEST_F(SummaryApiTest, TrendCountsReportsFromTheirVacantSince) {
    create_vacancy({{"status", "gemeldet"}, {"vacant_since", "2021-03-15"}}, k_home_ags, 0);
    create_vacancy({{"status", "bestaetigt"}, {"vacant_since", "2024-11-30"}}, k_home_ags, 1);
    create_vacancy({{"status", "gemeldet"}}, k_home_ags, 2);
    const std::int64_t closed =
        create_vacancy({{"status", "gemeldet"}, {"vacant_since", "2025-02-01"}}, k_home_ags, 3);
    const std::string item = "/collections/vacancies/items/" + std::to_string(closed);
    const HttpResponse closing =
        call(Who::Admin, "PATCH", item, json{{"properties", {{"status", "abgerissen"}}}},
             {{"If-Match", etag_of(item)}}, "application/merge-patch+json");
    ASSERT_EQ(closing.status, 200) << closing.body;

    for (const std::string& area : {k_home_ags, std::string()}) {
        SCOPED_TRACE(area);
        const json s = summary(
            Who::Admin, area.empty() ? "/api/summary" : "/api/kommunen/" + area + "/summary");
        ASSERT_EQ(s["trend"].size(), 24u);
        std::int64_t before_this_month = 0;
        for (std::size_t i = 0; i < s["trend"].size(); ++i) {
            const std::string month = s["trend"][i]["month"];
            // A trend point stands for the end of its month: the first instant of the next.
            int year = std::stoi(month.substr(0, 4));
            int next = std::stoi(month.substr(5, 2)) + 1;
            if (next == 13) next = 1, ++year;
            char end[32];
            std::snprintf(end, sizeof end, "%04d-%02d-01T00:00:00Z", year, next);
            EXPECT_EQ(s["trend"][i]["open"], sql_count(open_vacancies_oracle_sql(area, end)))
                << month;
            if (i == 22) before_this_month = s["trend"][i]["open"].get<std::int64_t>();
        }
        // 2021-03, 2024-11 and the closed one were open last month; the undated one is not.
        EXPECT_EQ(before_this_month, 3);
        EXPECT_EQ(s["trend"].back()["open"], 3);
        const CommandResult stats =
            run_leerstand(area.empty() ? std::vector<std::string>{"stats", "--db", db().string()}
                                       : std::vector<std::string>{"stats", "--kommune", area,
                                                                  "--db", db().string()});
        ASSERT_EQ(stats.exit_code, 0) << stats.err;
        EXPECT_EQ(json::parse(stats.out, nullptr, false)["trend"], s["trend"]);
    }
}

// Part "figures" (issue 23): the activation loop in the summaries of the real server. An offer
// on a published report, three inquiries, an accepted match and an open need, put into last
// month by SQL (as the other parts would write them): the public sees the offer and the need
// exactly, the three inquiries, and the single match as "<3"; staff and `leerstand stats` see
// every figure exactly.
TEST_F(SummaryApiTest, ActivationFiguresFollowTheSmallCountRule) {
    const std::int64_t vacancy = create_vacancy(
        {{"status", "gemeldet"}, {"use", "wohnen"}, {"consent_publish", true}}, k_home_ags, 0);
    const std::string last_month = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-40 days')";
    spatial_sql(db(),
                "INSERT INTO angebote (vacancy_id, title, kinds, contact_role, created_at, "
                "updated_at) VALUES (" +
                    std::to_string(vacancy) + ", 'Altes Haus', '[\"miete\"]', 'Bauamt', " +
                    last_month + ", " + last_month + ")");
    spatial_sql(db(),
                "INSERT INTO anfragen (angebot_id, intended_use, created_at, updated_at) "
                "SELECT a.id, 'wohnen', " +
                    last_month + ", " + last_month +
                    " FROM angebote a, (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)");
    spatial_sql(db(),
                "INSERT INTO gesuche (title, kommunen, status, source, created_at, "
                "updated_at) VALUES ('Werkstatt', '[\"" +
                    k_home_ags + "\"]', 'offen', 'redaktion', " + last_month + ", " + last_month +
                    ")");
    spatial_sql(db(),
                "INSERT INTO vermittlungen (angebot_id, gesuch_id, status, score, match, "
                "accepted_at, created_at, updated_at) SELECT (SELECT id FROM angebote), "
                "(SELECT id FROM gesuche), 'angenommen', 80, '{}', " +
                    last_month + ", " + last_month + ", " + last_month);
    move_history_before_this_month();

    const std::string home = "/api/kommunen/" + k_home_ags + "/summary";
    for (Who who : {Who::Anonymous, Who::EditorOther}) {
        SCOPED_TRACE(who_name(who));
        const json s = summary(who, home);
        EXPECT_EQ(s["exact"], false);
        EXPECT_EQ(s["activation"], (json{{"offers_open", 1},
                                         {"offers_published", "<3"},
                                         {"inquiries", 3},
                                         {"needs_open", 1},
                                         {"matches", "<3"},
                                         {"activations", 0},
                                         {"withheld", true}}));
        std::int64_t inquiries = 0;
        for (const json& month : s["trend"])
            if (month["inquiries"].is_number()) inquiries += month["inquiries"].get<std::int64_t>();
        EXPECT_EQ(inquiries, 3);
    }
    const json exact = summary(Who::Admin, home);
    EXPECT_EQ(exact["activation"], (json{{"offers_open", 1},
                                         {"offers_published", 1},
                                         {"inquiries", 3},
                                         {"needs_open", 1},
                                         {"matches", 1},
                                         {"activations", 0}}));
    EXPECT_EQ(summary(Who::Editor, home)["activation"], exact["activation"]);
    // Only Angermünde has events: the network shows what Angermünde shows.
    EXPECT_EQ(summary(Who::Anonymous, "/api/summary")["activation"]["matches"], "<3");
    EXPECT_EQ(summary(Who::Admin, "/api/summary")["activation"]["matches"], 1);

    const CommandResult stats =
        run_leerstand({"stats", "--kommune", k_home_ags, "--db", db().string()});
    ASSERT_EQ(stats.exit_code, 0) << stats.err;
    EXPECT_EQ(json::parse(stats.out, nullptr, false)["activation"], exact["activation"]);
}

TEST_F(SummaryApiTest, UnknownKommuneIsNotFound) {
    for (const std::string ags : {"99999999", "abc", "1207300"}) {
        const HttpResponse response = call(Who::Admin, "GET", "/api/kommunen/" + ags + "/summary");
        EXPECT_EQ(response.status, 404) << ags << ": " << response.body;
        EXPECT_NE(response.header("Content-Type").find("problem+json"), std::string::npos);
    }
    const CommandResult stats =
        run_leerstand({"stats", "--kommune", "99999", "--db", db().string()});
    EXPECT_EQ(stats.exit_code, 1);
    EXPECT_NE(stats.err.find("99999"), std::string::npos) << stats.err;
    EXPECT_EQ(run_leerstand({"stats", "--bogus"}).exit_code, 2);
}

}  // namespace
}  // namespace leerstand::test
