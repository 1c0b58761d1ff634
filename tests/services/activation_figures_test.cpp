// The figures of the activation loop in the summaries (issue 23, part "figures"): offers,
// inquiries, needs, matches and activations, exact for callers with internal rights and under
// the small-count rule for everyone else, at Gemeinde, Kreis and network level, with their
// trend months. Offers, inquiries, needs and matches are inserted by SQL with the timestamps a
// test needs (migration 14's tables), on vacancies made through the store; real SpatiaLite
// files with the demo's Kommunen and buildings in a TempDir.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/connection.hpp"
#include "data/store.hpp"
#include "data/vacancy_records.hpp"
#include "data/vacancy_store.hpp"
#include "server/services/caller.hpp"
#include "server/services/demo_service.hpp"
#include "server/services/summary_service.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::services {
namespace {

using nlohmann::json;

constexpr const char* angermuende = "12073008";
constexpr const char* herzberg = "12062224";
constexpr const char* kreis = "09479";
constexpr const char* wunsiedel = "09479169";
constexpr const char* marktredwitz = "09479136";

Caller make_caller(Role role, const std::string& name, std::vector<std::string> kommunen) {
    Caller caller;
    caller.role = role;
    caller.user_id = 1;
    caller.name = name;
    caller.kommunen = std::move(kommunen);
    return caller;
}

const Caller anonymous = Caller::anonymous();
const Caller admin = make_caller(Role::Admin, "ada", {});
const Caller editor_angermuende = make_caller(Role::Editor, "eva", {angermuende});
const Caller planner_kreis = make_caller(Role::Planner, "paul", {kreis});

/// "YYYY-MM" of the month `months` months after this one (UTC; negative: before it).
std::string month_from_now(int months) {
    const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::chrono::year_month_day date{today};
    const int index = static_cast<int>(date.year()) * 12 +
                      static_cast<int>(static_cast<unsigned>(date.month())) - 1 + months;
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d", index / 12, index % 12 + 1);
    return text;
}

/// An instant in the middle of the month `months` from now.
std::string mid_month(int months) {
    return month_from_now(months) + "-15T10:00:00Z";
}

class ActivationFiguresTest : public ::testing::Test {
  protected:
    void SetUp() override {
        DemoOptions options;
        options.buildings_only = true;
        generate_demo(m_store, options);
    }

    data::Connection raw() { return data::Connection(m_dir / "atlas.sqlite"); }

    std::int64_t vacancy(const std::string& ags, bool published = true,
                         const std::string& status = "gemeldet") {
        data::VacancyRecord record;
        record.lon = 13.99;
        record.lat = 53.01;
        record.kommune_ags = ags;
        record.status = status;
        record.use = "wohnen";
        record.consent_publish = published;
        return m_vacancies.insert_vacancy(record, "test").id;
    }

    std::int64_t insert(const std::string& sql, const std::vector<std::string>& values) {
        auto db = raw();
        auto statement = db.prepare(sql);
        for (std::size_t i = 0; i < values.size(); ++i)
            statement.bind(static_cast<int>(i + 1), values[i]);
        statement.run();
        return db.last_insert_rowid();
    }

    /// An offer on a new vacancy of `ags`, created at `at`.
    std::int64_t offer(const std::string& ags, const std::string& at,
                       const std::string& status = "offen", bool published = true) {
        const std::int64_t on = vacancy(ags, published);
        return insert(
            "INSERT INTO angebote (vacancy_id, title, kinds, contact_role, status, created_at, "
            "updated_at) VALUES (?1, 'Altes Haus', '[\"miete\"]', 'Bauamt', ?2, ?3, ?3)",
            {std::to_string(on), status, at});
    }

    void inquiries(std::int64_t offer_id, int n, const std::string& at) {
        for (int i = 0; i < n; ++i)
            insert(
                "INSERT INTO anfragen (angebot_id, name, email, message, intended_use, "
                "created_at, updated_at) VALUES (?1, 'Ida', 'ida@example.org', 'Hallo', "
                "'wohnen', ?2, ?2)",
                {std::to_string(offer_id), at});
    }

    /// A need naming `kommunen` (a JSON array), confirmed at `at`.
    std::int64_t need(const std::string& kommunen, const std::string& at,
                      const std::string& status = "offen") {
        return insert(
            "INSERT INTO gesuche (title, kommunen, status, source, confirmed_at, created_at, "
            "updated_at) VALUES ('Werkstatt', ?1, ?2, 'formular', ?3, ?3, ?3)",
            {kommunen, status, at});
    }

    std::int64_t need_around(double lon, double lat, double radius_km, const std::string& at) {
        return insert(
            "INSERT INTO gesuche (title, centre_lon, centre_lat, radius_km, status, source, "
            "created_at, updated_at) VALUES ('Atelier', ?1, ?2, ?3, 'offen', 'redaktion', ?4, "
            "?4)",
            {std::to_string(lon), std::to_string(lat), std::to_string(radius_km), at});
    }

    /// A match of `offer_id` with a new need, accepted at `accepted` and, for abgeschlossen,
    /// finished at `finished`.
    void match(std::int64_t offer_id, const std::string& status, const std::string& accepted,
               const std::optional<std::string>& finished = {}) {
        const std::int64_t with = need("[\"12073008\"]", accepted, "vermittelt");
        insert(
            "INSERT INTO vermittlungen (angebot_id, gesuch_id, status, score, match, "
            "accepted_at, finished_at, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, 80, '{}', ?4, ?5, ?4, ?4)",
            {std::to_string(offer_id), std::to_string(with), status, accepted,
             finished.value_or(accepted)});
        if (!finished) {
            auto db = raw();
            db.exec("UPDATE vermittlungen SET finished_at = NULL WHERE status <> 'abgeschlossen'");
        }
    }

    /// The public summary as it reads next month (the public sees the month's start).
    json public_summary(const std::string& area, const Caller& caller = anonymous) {
        return area.empty() ? m_service.network_summary(caller, month_from_now(1))
                            : m_service.kommune_summary(area, caller, month_from_now(1));
    }

    /// The trend entry of month `months` from now in a summary.
    static json month_of(const json& summary, int months) {
        for (const json& entry : summary["trend"])
            if (entry["month"] == month_from_now(months)) return entry;
        ADD_FAILURE() << "no trend month " << month_from_now(months);
        return json::object();
    }

    test::TempDir m_dir;
    data::Store m_store{m_dir / "atlas.sqlite"};
    data::VacancyStore m_vacancies{m_store};
    SummaryService m_service{m_store};
};

TEST_F(ActivationFiguresTest, InternalCallersSeeEveryEventExactly) {
    const std::int64_t house = offer(angermuende, mid_month(-3));
    offer(angermuende, mid_month(-3), "zurueckgezogen");
    inquiries(house, 2, mid_month(-2));
    inquiries(house, 1, mid_month(0));
    const std::int64_t finished = offer(angermuende, mid_month(-5), "vermittelt");
    match(finished, "abgeschlossen", mid_month(-4), mid_month(-2));
    match(house, "angenommen", mid_month(-1));
    match(house, "abgelehnt", mid_month(-1));
    need("[\"12073008\"]", mid_month(-1));
    need("[\"12073008\"]", mid_month(0), "unbestaetigt");

    for (const Caller* caller : {&admin, &editor_angermuende}) {
        SCOPED_TRACE(caller->name);
        const json s = m_service.kommune_summary(angermuende, *caller);
        ASSERT_EQ(s["exact"], true);
        EXPECT_EQ(s["activation"], (json{{"offers_open", 1},
                                         {"offers_published", 3},
                                         {"inquiries", 3},
                                         {"needs_open", 1},
                                         {"matches", 2},
                                         {"activations", 1}}));
        EXPECT_EQ(month_of(s, -3)["offers"], 2);
        EXPECT_EQ(month_of(s, -5)["offers"], 1);
        EXPECT_EQ(month_of(s, -2)["inquiries"], 2);
        EXPECT_EQ(month_of(s, 0)["inquiries"], 1);  // exact figures are live
        EXPECT_EQ(month_of(s, -4)["matches"], 1);
        EXPECT_EQ(month_of(s, -1)["matches"], 1);
        EXPECT_EQ(month_of(s, -2)["activations"], 1);
        // Three needs were confirmed last month: the open one and those of two matches (the
        // helper confirms a match's need when it is accepted), all naming Angermünde.
        EXPECT_EQ(month_of(s, -1)["needs"], 3);
        EXPECT_EQ(month_of(s, -4)["needs"], 1);
        EXPECT_EQ(month_of(s, 0)["needs"], 0);  // unconfirmed: not public, not counted
        EXPECT_EQ(s["trend"].back()["open"], s["open_vacancies"]);  // the old series stays
    }
}

TEST_F(ActivationFiguresTest, PublicSeesSmallEventCountsAsLessThanThree) {
    const std::int64_t house = offer(herzberg, mid_month(-2));
    inquiries(house, 2, mid_month(-1));
    match(house, "angenommen", mid_month(-1));
    for (const Caller* caller : {&anonymous, &editor_angermuende}) {
        SCOPED_TRACE(caller->name);
        const json s = public_summary(herzberg, *caller);
        ASSERT_EQ(s["exact"], false);
        const json& a = s["activation"];
        EXPECT_EQ(a["offers_open"], 1);  // anyone can list it: shown exactly
        EXPECT_EQ(a["offers_published"], "<3");
        EXPECT_EQ(a["inquiries"], "<3");
        EXPECT_EQ(a["matches"], "<3");
        EXPECT_EQ(a["activations"], 0);
        EXPECT_EQ(a["withheld"], true);
        EXPECT_EQ(month_of(s, -1)["inquiries"], "<3");
        EXPECT_EQ(month_of(s, -2)["offers"], "<3");
        EXPECT_EQ(month_of(s, -2)["inquiries"], 0);
    }

    // A third inquiry in the same month: 3 is safe, shown in the month and as the total.
    inquiries(house, 1, mid_month(-1));
    const json s = public_summary(herzberg);
    EXPECT_EQ(s["activation"]["inquiries"], 3);
    EXPECT_EQ(month_of(s, -1)["inquiries"], 3);
}

TEST_F(ActivationFiguresTest, PublicSeesTheStateWhenTheMonthBegan) {
    const std::int64_t house = offer(angermuende, mid_month(-2));
    inquiries(house, 3, mid_month(-1));
    inquiries(house, 4, mid_month(0));  // this month: the public sees them next month
    const json now = m_service.kommune_summary(angermuende, anonymous);
    EXPECT_EQ(now["as_of"], month_from_now(0) + "-01T00:00:00Z");
    EXPECT_EQ(now["activation"]["inquiries"], 3);
    EXPECT_EQ(now["trend"].back()["month"], month_from_now(-1));
    EXPECT_EQ(now["trend"].back()["inquiries"], 3);
    EXPECT_EQ(public_summary(angermuende)["activation"]["inquiries"], 7);
    EXPECT_EQ(m_service.kommune_summary(angermuende, editor_angermuende)["activation"]["inquiries"],
              7);
}

TEST_F(ActivationFiguresTest, TotalLessShownMonthsGivesNoSmallCountBack) {
    // 3 inquiries last month and 1 the month before: 4 − 3 would give the single one back.
    const std::int64_t house = offer(angermuende, mid_month(-30));
    inquiries(house, 3, mid_month(-1));
    inquiries(house, 1, mid_month(-2));
    json s = public_summary(angermuende);
    EXPECT_EQ(month_of(s, -1)["inquiries"], 3);
    EXPECT_EQ(month_of(s, -2)["inquiries"], "<3");
    EXPECT_TRUE(s["activation"]["inquiries"].is_null());

    // Two more before the trend window (with the one above: 3 left over, safe).
    inquiries(house, 2, mid_month(-28));
    s = public_summary(angermuende);
    EXPECT_EQ(s["activation"]["inquiries"], 6);
    EXPECT_EQ(m_service.kommune_summary(angermuende, admin)["activation"]["inquiries"], 6);
}

TEST_F(ActivationFiguresTest, MatchesLessActivationsStaySafe) {
    // 3 finished and 1 accepted: 4 matches less 3 activations is the one accepted match.
    for (int i = 0; i < 3; ++i) {
        const std::int64_t given = offer(herzberg, mid_month(-6), "vermittelt");
        match(given, "abgeschlossen", mid_month(-5), mid_month(-3));
    }
    const std::int64_t house = offer(herzberg, mid_month(-6));
    match(house, "angenommen", mid_month(-5));
    const json s = public_summary(herzberg);
    EXPECT_EQ(s["activation"]["activations"], 3);
    EXPECT_TRUE(s["activation"]["matches"].is_null());
    EXPECT_EQ(month_of(s, -5)["matches"], 4);  // a month of 4 says nothing of the 1 alone
    EXPECT_EQ(m_service.kommune_summary(herzberg, admin)["activation"]["matches"], 4);
}

TEST_F(ActivationFiguresTest, OffersNoLongerPublicAreNotGivenAway) {
    // Everyone lists the 3 open offers; a total of 4 would say that one offer is gone.
    for (int i = 0; i < 3; ++i) offer(herzberg, mid_month(-2));
    offer(herzberg, mid_month(-2), "zurueckgezogen");
    json s = public_summary(herzberg);
    EXPECT_EQ(s["activation"]["offers_open"], 3);
    EXPECT_TRUE(s["activation"]["offers_published"].is_null());
    EXPECT_EQ(month_of(s, -2)["offers"], 4);
    // An offer whose vacancy is not published is not public either.
    offer(herzberg, mid_month(-2), "offen", false);
    offer(herzberg, mid_month(-2), "zurueckgezogen");
    s = public_summary(herzberg);
    EXPECT_EQ(s["activation"]["offers_open"], 3);
    EXPECT_EQ(s["activation"]["offers_published"], 6);
}

TEST_F(ActivationFiguresTest, KreisSumDoesNotGiveAGemeindeBack) {
    const std::int64_t in_wunsiedel = offer(wunsiedel, mid_month(-40));
    const std::int64_t in_marktredwitz = offer(marktredwitz, mid_month(-40));
    inquiries(in_wunsiedel, 3, mid_month(-1));
    inquiries(in_marktredwitz, 2, mid_month(-1));
    const json w = public_summary(wunsiedel);
    const json m = public_summary(marktredwitz);
    const json k = public_summary(kreis);
    const json network = public_summary("");
    EXPECT_EQ(w["activation"]["inquiries"], 3);
    EXPECT_EQ(m["activation"]["inquiries"], "<3");
    // The Kreis and the network add the shown figures: less Wunsiedel that is 0, never the 2.
    EXPECT_EQ(k["activation"]["inquiries"], 3);
    EXPECT_EQ(month_of(k, -1)["inquiries"], 3);
    EXPECT_EQ(k["activation"]["withheld"], true);
    EXPECT_EQ(network["activation"]["inquiries"], 3);
    EXPECT_EQ(k["activation"]["offers_open"], 2);  // public offers: exact at every level
    // A planner of the Kreis sees it exactly.
    const json exact = m_service.kommune_summary(kreis, planner_kreis);
    EXPECT_EQ(exact["exact"], true);
    EXPECT_EQ(exact["activation"]["inquiries"], 5);
    EXPECT_EQ(month_of(exact, -1)["inquiries"], 5);
}

TEST_F(ActivationFiguresTest, NeedsCountWhereTheirPlaceReaches) {
    need("[\"09479\"]", mid_month(-2));                    // the Kreis: its Gemeinden too
    need("[\"09479169\"]", mid_month(-2));                 // Wunsiedel: and so its Kreis
    need("[\"12073008\"]", mid_month(-2), "geschlossen");  // confirmed, closed since
    need("[\"09479136\"]", mid_month(-2), "unbestaetigt");
    // Centre of Herzberg (Elster) as the store has it, with 5 km; one far out at sea.
    auto db = raw();
    auto centre = db.prepare(
        "SELECT ST_X(ST_Centroid(boundary)), ST_Y(ST_Centroid(boundary)) FROM kommunen "
        "WHERE ags = '12062224'");
    ASSERT_TRUE(centre.step());
    need_around(centre.column_double(0) + 0.05, centre.column_double(1), 5.0, mid_month(-1));
    need_around(5.0, 55.0, 50.0, mid_month(-1));

    const auto open_needs = [&](const std::string& area) {
        return public_summary(area)["activation"]["needs_open"];
    };
    EXPECT_EQ(open_needs(wunsiedel), 2);
    EXPECT_EQ(open_needs(marktredwitz), 1);
    EXPECT_EQ(open_needs(kreis), 2);
    EXPECT_EQ(open_needs(herzberg), 1);
    EXPECT_EQ(open_needs(angermuende), 0);
    EXPECT_EQ(open_needs(""), 3);  // the far one reaches no Kommune of the atlas
    // Confirmed needs by month, the closed one included: it was public when confirmed.
    const json a = public_summary(angermuende);
    EXPECT_EQ(month_of(a, -2)["needs"], 1);
    const json all = public_summary("");
    EXPECT_EQ(month_of(all, -2)["needs"], 3);
    EXPECT_EQ(month_of(all, -1)["needs"], 1);
    EXPECT_EQ(m_service.network_summary(admin)["activation"]["needs_open"], 3);
}

TEST_F(ActivationFiguresTest, NoEventsShowZerosAndWithholdNothing) {
    const json s = public_summary(angermuende);
    EXPECT_EQ(s["activation"], (json{{"offers_open", 0},
                                     {"offers_published", 0},
                                     {"inquiries", 0},
                                     {"needs_open", 0},
                                     {"matches", 0},
                                     {"activations", 0},
                                     {"withheld", false}}));
    ASSERT_EQ(s["trend"].size(), 24u);
    for (const json& entry : s["trend"])
        for (const char* name : {"offers", "inquiries", "needs", "matches", "activations"})
            EXPECT_EQ(entry[name], 0) << entry["month"] << " " << name;
}

}  // namespace
}  // namespace leerstand::services
