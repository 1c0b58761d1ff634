// SummaryService: every figure of a Kommune, a Landkreis and the network against hand-computed
// values and an independent SQL oracle (LIKE instead of the store's ranges, plain GROUP BY),
// exact figures for callers with internal rights and suppressed ones for everyone else, and
// the monthly trend from vacancy_history, with history rows placed in past months by SQL.
// The activation loop's figures (issue 23) likewise, with offers, inquiries, needs and matches
// inserted by SQL. The demo data in a test::TestDatabase, on the backend the run picks.
#include "server/services/summary_service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/store.hpp"
#include "data/vacancy_records.hpp"
#include "data/vacancy_store.hpp"
#include "server/services/caller.hpp"
#include "server/services/demo_service.hpp"
#include "server/services/privacy.hpp"
#include "tests/support/test_database.hpp"
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
const Caller planner_all = make_caller(Role::Planner, "pia", {});
const Caller planner_kreis = make_caller(Role::Planner, "paul", {kreis});
const Caller planner_wunsiedel = make_caller(Role::Planner, "pit", {wunsiedel});
const Caller editor_angermuende = make_caller(Role::Editor, "eva", {angermuende});
const Caller editor_herzberg = make_caller(Role::Editor, "emil", {herzberg});

/// Months "YYYY-MM" from `first` to `last`, both included.
std::vector<std::string> months_between(const std::string& first, const std::string& last) {
    std::vector<std::string> months;
    int year = std::stoi(first.substr(0, 4)), month = std::stoi(first.substr(5, 2));
    for (;;) {
        char text[32];
        std::snprintf(text, sizeof text, "%04d-%02d", year, month);
        months.emplace_back(text);
        if (months.back() == last) return months;
        if (++month == 13) month = 1, ++year;
        if (year > 2100) ADD_FAILURE() << "no month " << last << " after " << first;
        if (year > 2100) return months;
    }
}

class SummaryServiceTest : public ::testing::Test {
  protected:
    // The demo's Kommunen and buildings without its reports: each test files its own.
    void SetUp() override {
        DemoOptions options;
        options.buildings_only = true;
        generate_demo(m_store, options);
    }

    data::Connection raw() { return data::Connection(m_database.location()); }

    std::int64_t building(const std::string& ags, int n) {
        auto db = raw();
        auto select = db.prepare(
            "SELECT id FROM buildings WHERE kommune_ags = ?1 ORDER BY id LIMIT 1 OFFSET ?2");
        select.bind(1, ags).bind(2, n);
        EXPECT_TRUE(select.step()) << "no building " << n << " in " << ags;
        return select.column_int64(0);
    }

    std::int64_t add(const std::string& ags, const std::string& status, const std::string& use,
                     std::optional<int> building_n = {}, std::optional<double> floor = {},
                     std::optional<std::string> vacant_since = {}) {
        data::VacancyRecord record;
        record.vacant_since = std::move(vacant_since);
        record.lon = 13.99;
        record.lat = 53.01;
        record.kommune_ags = ags;
        record.status = status;
        record.use = use;
        record.floor_area_m2 = floor;
        if (building_n) record.building_id = building(ags, *building_n);
        return m_vacancies.insert_vacancy(record, "test").id;
    }

    /// Sets changed_at of the newest history row (the write just made).
    void dated(const std::string& changed_at) {
        auto db = raw();
        auto update = db.prepare(
            "UPDATE vacancy_history SET changed_at = ?1 "
            "WHERE id = (SELECT max(id) FROM vacancy_history)");
        update.bind(1, changed_at).run();
    }

    std::int64_t oracle(const std::string& sql) { return raw().query_int64(sql); }
    double oracle_double(const std::string& sql) {
        auto db = raw();
        auto select = db.prepare(sql);
        EXPECT_TRUE(select.step());
        return select.column_double(0);
    }

    /// The Angermünde mix used by several tests (see InternalCallersGetExactFigures).
    void add_angermuende_mix() {
        add(angermuende, "gemeldet", "wohnen", 0, 100.0);
        add(angermuende, "gemeldet", "wohnen", 1, 50.0);
        add(angermuende, "gemeldet", "wohnen", 2);
        add(angermuende, "bestaetigt", "laden", 2, 30.0);  // same building as the one before
        add(angermuende, "in_aktivierung", "gewerbe", std::nullopt, 20.0);
        add(angermuende, "aktiviert", "wohnen", 3, 999.0);
        add(angermuende, "aktiviert", "gemischt", 4);
        add(angermuende, "abgerissen", "sonstiges", 5, 70.0);
        data::ZukunftsortRecord place;
        place.name = "Kulturbahnhof";
        place.lon = 13.99;
        place.lat = 53.01;
        place.kommune_ags = angermuende;
        m_vacancies.insert_zukunftsort(place);
    }

    /// The public summary of `area` ("" for the network) as it will read next month: the
    /// public sees the state at the start of the month, so what a test adds now shows then.
    json public_summary(const std::string& area, const Caller& caller = anonymous) {
        return area.empty() ? m_service.network_summary(caller, next_month())
                            : m_service.kommune_summary(area, caller, next_month());
    }

    static std::string next_month() { return month_from_now(1); }

    /// "YYYY-MM" of the month `months` months after this one (UTC; negative: before it).
    static std::string month_from_now(int months) {
        const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
        const std::chrono::year_month_day date{today};
        const int index = static_cast<int>(date.year()) * 12 +
                          static_cast<int>(static_cast<unsigned>(date.month())) - 1 + months;
        char text[32];
        std::snprintf(text, sizeof text, "%04d-%02d", index / 12, index % 12 + 1);
        return text;
    }

    /// Publishes vacancy `id` (the owner agreed).
    void publish(std::int64_t id) {
        auto record = *m_vacancies.vacancy(id);
        record.consent_publish = true;
        m_vacancies.update_vacancy(record, record.version, "test");
    }

    test::TestDatabase m_database;  // a SpatiaLite file, or PostgreSQL (docs/testing.md)
    data::Store m_store{m_database.location()};
    data::VacancyStore m_vacancies{m_store};
    SummaryService m_service{m_store};
};

TEST(SeesExactFigures, FollowsInternalRights) {
    EXPECT_FALSE(sees_exact_figures(anonymous, angermuende));
    EXPECT_FALSE(sees_exact_figures(anonymous, ""));
    EXPECT_TRUE(sees_exact_figures(admin, ""));
    EXPECT_TRUE(sees_exact_figures(planner_all, ""));
    EXPECT_FALSE(sees_exact_figures(planner_kreis, ""));
    EXPECT_TRUE(sees_exact_figures(planner_kreis, kreis));
    EXPECT_TRUE(sees_exact_figures(planner_kreis, wunsiedel));
    EXPECT_FALSE(sees_exact_figures(planner_wunsiedel, kreis));
    EXPECT_TRUE(sees_exact_figures(editor_angermuende, angermuende));
    EXPECT_FALSE(sees_exact_figures(editor_angermuende, herzberg));
    EXPECT_FALSE(sees_exact_figures(editor_angermuende, ""));
}

TEST_F(SummaryServiceTest, InternalCallersGetExactFigures) {
    add_angermuende_mix();
    for (const Caller* caller : {&admin, &planner_all, &editor_angermuende}) {
        SCOPED_TRACE(caller->name);
        const json s = m_service.kommune_summary(angermuende, *caller);
        EXPECT_EQ(s["ags"], angermuende);
        EXPECT_EQ(s["exact"], true);
        const std::int64_t buildings =
            oracle("SELECT count(*) FROM buildings WHERE kommune_ags = '12073008'");
        ASSERT_GT(buildings, 100);
        EXPECT_EQ(s["buildings"], buildings);
        EXPECT_NEAR(s["footprint_area_m2"].get<double>(),
                    oracle_double("SELECT sum(area_m2) FROM buildings WHERE kommune_ags = "
                                  "'12073008'"),
                    0.01);
        EXPECT_EQ(s["vacancies"], 8);
        EXPECT_EQ(s["by_status"], (json{{"gemeldet", 3},
                                        {"bestaetigt", 1},
                                        {"in_aktivierung", 1},
                                        {"aktiviert", 2},
                                        {"abgerissen", 1},
                                        {"kein_leerstand", 0}}));
        EXPECT_EQ(s["open_vacancies"], 5);
        EXPECT_EQ(s["by_use"], (json{{"wohnen", 3},
                                     {"gewerbe", 1},
                                     {"laden", 1},
                                     {"gemischt", 0},
                                     {"oeffentlich", 0},
                                     {"landwirtschaft", 0},
                                     {"sonstiges", 0}}));
        // Buildings 0, 1, 2 (2 has two open reports; the in_aktivierung one has no building).
        EXPECT_EQ(s["vacant_buildings"], 3);
        EXPECT_NEAR(s["vacancy_rate"].get<double>(), 3.0 / static_cast<double>(buildings), 1e-4);
        EXPECT_NEAR(s["vacant_floor_area_m2"].get<double>(), 200.0, 1e-9);
        EXPECT_EQ(s["reactivated"], 2);
        EXPECT_EQ(s["zukunftsorte"], 1);
        ASSERT_EQ(s["trend"].size(), 24u);
        // History rows are written now: the current month sees every open vacancy.
        EXPECT_EQ(s["trend"].back()["open"], 5);
        EXPECT_EQ(s["trend"][22]["open"], 0);
    }
}

TEST_F(SummaryServiceTest, FiguresAgreeWithSqlOracle) {
    add_angermuende_mix();
    add(herzberg, "gemeldet", "wohnen", 0, 12.5);
    add(wunsiedel, "bestaetigt", "oeffentlich", 0, 40.0);
    add(marktredwitz, "kein_leerstand", "laden", 1);
    for (const std::string area : {angermuende, herzberg, kreis, wunsiedel, ""}) {
        SCOPED_TRACE(area);
        const json s = area.empty() ? m_service.network_summary(admin)
                                    : m_service.kommune_summary(area, admin);
        const std::string where = "kommune_ags LIKE '" + area + "%'";
        const std::string open = " AND status IN ('gemeldet', 'bestaetigt', 'in_aktivierung')";
        EXPECT_EQ(s["buildings"], oracle("SELECT count(*) FROM buildings WHERE " + where));
        EXPECT_NEAR(s["footprint_area_m2"].get<double>(),
                    oracle_double("SELECT coalesce(sum(area_m2), 0) FROM buildings WHERE " + where),
                    0.01);
        EXPECT_EQ(s["vacancies"], oracle("SELECT count(*) FROM vacancies WHERE " + where));
        for (const auto status : data::k_vacancy_statuses)
            EXPECT_EQ(s["by_status"][std::string(status)],
                      oracle("SELECT count(*) FROM vacancies WHERE " + where + " AND status = '" +
                             std::string(status) + "'"))
                << status;
        for (const auto use : data::k_vacancy_uses)
            EXPECT_EQ(s["by_use"][std::string(use)],
                      oracle("SELECT count(*) FROM vacancies WHERE " + where + open +
                             " AND use = '" + std::string(use) + "'"))
                << use;
        EXPECT_EQ(s["open_vacancies"],
                  oracle("SELECT count(*) FROM vacancies WHERE " + where + open));
        EXPECT_EQ(
            s["vacant_buildings"],
            oracle("SELECT count(DISTINCT building_id) FROM vacancies WHERE " + where + open));
        EXPECT_NEAR(s["vacant_floor_area_m2"].get<double>(),
                    oracle_double("SELECT coalesce(sum(floor_area_m2), 0) FROM vacancies WHERE " +
                                  where + open),
                    0.01);
        EXPECT_EQ(s["reactivated"], oracle("SELECT count(*) FROM vacancies WHERE " + where +
                                           " AND status = 'aktiviert'"));
        EXPECT_EQ(s["zukunftsorte"], oracle("SELECT count(*) FROM zukunftsorte WHERE " + where));
    }
}

TEST_F(SummaryServiceTest, PublicFiguresSuppressSmallCounts) {
    add_angermuende_mix();
    for (const Caller* caller : {&anonymous, &editor_herzberg, &planner_kreis}) {
        SCOPED_TRACE(caller->name);
        const json s = public_summary(angermuende, *caller);
        EXPECT_EQ(s["exact"], false);
        EXPECT_EQ(s["buildings"], oracle("SELECT count(*) FROM buildings WHERE kommune_ags = "
                                         "'12073008'"));
        // Aggregates over every report, consented or not, where no small count shows.
        EXPECT_EQ(s["vacancies"], 8);
        EXPECT_EQ(s["open_vacancies"], 5);
        EXPECT_EQ(s["reactivated"], "<3");
        // Statuses 1, 1, 2, 1 and uses 1, 1: neither breakdown is shown, in part or whole.
        for (const auto& [status, value] : s["by_status"].items())
            EXPECT_TRUE(value.is_null()) << status;
        for (const auto& [use, value] : s["by_use"].items()) EXPECT_TRUE(value.is_null()) << use;
        // 3 buildings for 5 open reports: 2 reports would show without a building of their own.
        EXPECT_TRUE(s["vacant_buildings"].is_null());
        EXPECT_TRUE(s["vacancy_rate"].is_null());
        EXPECT_EQ(s["vacant_floor_area_m2"], 200.0);
        EXPECT_EQ(s["zukunftsorte"], 1);  // public places, never hidden
        EXPECT_EQ(s["trend"].back()["open"], 5);
        EXPECT_EQ(s["withheld"], true);
    }

    // Two open reports in Herzberg: count, rate and floor area could point at the owners.
    add(herzberg, "gemeldet", "wohnen", 0, 80.0);
    add(herzberg, "bestaetigt", "laden", 1, 40.0);
    const json pub = public_summary(herzberg);
    EXPECT_EQ(pub["vacancies"], "<3");
    EXPECT_EQ(pub["open_vacancies"], "<3");
    EXPECT_EQ(pub["vacant_buildings"], "<3");
    EXPECT_TRUE(pub["vacancy_rate"].is_null());
    EXPECT_TRUE(pub["vacant_floor_area_m2"].is_null());
    EXPECT_EQ(pub["trend"].back()["open"], "<3");
    EXPECT_EQ(pub["trend"].front()["open"], 0);
    const json internal = m_service.kommune_summary(herzberg, editor_herzberg);
    EXPECT_EQ(internal["exact"], true);
    EXPECT_EQ(internal["vacancies"], 2);
    EXPECT_EQ(internal["vacant_buildings"], 2);
    EXPECT_NEAR(internal["vacant_floor_area_m2"].get<double>(), 120.0, 1e-9);
    EXPECT_NEAR(internal["vacancy_rate"].get<double>(),
                2.0 / static_cast<double>(internal["buildings"].get<std::int64_t>()), 1e-4);
    EXPECT_EQ(internal["trend"].back()["open"], 2);

    // Nothing anywhere in the response of a public caller is a 1 or a 2 vacancy count.
    for (const auto& [key, value] : pub.items()) {
        if (key == "buildings" || key == "footprint_area_m2" || key == "months") continue;
        if (!value.is_number_integer()) continue;
        EXPECT_FALSE(value.get<std::int64_t>() == 1 || value.get<std::int64_t>() == 2) << key;
    }
}

TEST_F(SummaryServiceTest, PublishedReportsDoNotGiveTheHiddenOnesAway) {
    // Four open reports, three published: everyone can list the three, so a count of 4 would
    // tell that exactly one report is unpublished.
    for (int i = 0; i < 4; ++i) {
        const std::int64_t id = add(herzberg, "gemeldet", "wohnen", i, 50.0);
        if (i < 3) publish(id);
    }
    const json four = public_summary(herzberg);
    EXPECT_TRUE(four["open_vacancies"].is_null());
    EXPECT_TRUE(four["vacancies"].is_null());
    EXPECT_TRUE(four["vacant_floor_area_m2"].is_null());
    EXPECT_TRUE(four["trend"].back()["open"].is_null());
    // With three unpublished ones the figures show again.
    for (int i = 4; i < 6; ++i) add(herzberg, "gemeldet", "wohnen", i, 50.0);
    const json six = public_summary(herzberg);
    EXPECT_EQ(six["open_vacancies"], 6);
    EXPECT_EQ(six["by_status"]["gemeldet"], 6);
    EXPECT_EQ(six["vacant_buildings"], 6);
    EXPECT_EQ(six["vacant_floor_area_m2"], 300.0);
    // Three published, nothing hidden: shown as they are.
    for (int i = 0; i < 3; ++i) publish(add(angermuende, "gemeldet", "laden", i));
    const json published_only = public_summary(angermuende);
    EXPECT_EQ(published_only["open_vacancies"], 3);
    EXPECT_EQ(published_only["by_use"]["laden"], 3);
}

TEST_F(SummaryServiceTest, ThePublicSeesTheStateOfTheMonthsStartAllMonthLong) {
    add_angermuende_mix();
    // This month's reports are not yet in this month's public figures.
    const json now = m_service.kommune_summary(angermuende, anonymous);
    EXPECT_EQ(now["open_vacancies"], 0);
    EXPECT_EQ(now["vacancies"], 0);
    EXPECT_EQ(now["trend"].size(), 24u);
    EXPECT_NE(now["trend"].back()["month"],
              m_service.kommune_summary(angermuende, admin)["trend"].back()["month"])
        << "the public trend ends with the last month that is over";
    EXPECT_EQ(now["as_of"].get<std::string>().substr(8), "01T00:00:00Z");
    // Next month it shows them.
    EXPECT_EQ(public_summary(angermuende)["open_vacancies"], 5);
}

TEST_F(SummaryServiceTest, KreisCoversItsGemeindenAndNetworkCoversAll) {
    add(wunsiedel, "gemeldet", "wohnen", 0, 10.0);
    add(wunsiedel, "gemeldet", "wohnen", 1, 10.0);
    add(marktredwitz, "bestaetigt", "gewerbe", 0, 5.0);
    add(marktredwitz, "aktiviert", "gewerbe", 1);
    add(angermuende, "gemeldet", "laden", 0);

    const json k = m_service.kommune_summary(kreis, planner_kreis);
    EXPECT_EQ(k["exact"], true);
    EXPECT_EQ(k["name"], "Wunsiedel i. Fichtelgebirge");
    EXPECT_EQ(k["vacancies"], 4);
    EXPECT_EQ(k["open_vacancies"], 3);
    EXPECT_EQ(k["vacant_buildings"], 3);
    EXPECT_EQ(k["reactivated"], 1);
    EXPECT_NEAR(k["vacant_floor_area_m2"].get<double>(), 25.0, 1e-9);
    EXPECT_EQ(k["buildings"], oracle("SELECT count(*) FROM buildings WHERE kommune_ags LIKE "
                                     "'09479%'"));
    EXPECT_GT(k["buildings"].get<std::int64_t>(),
              oracle("SELECT count(*) FROM buildings WHERE kommune_ags = '09479169'"));
    EXPECT_EQ(k["trend"].back()["open"], 3);

    const json g = m_service.kommune_summary(wunsiedel, planner_wunsiedel);
    EXPECT_EQ(g["exact"], true);
    EXPECT_EQ(g["vacancies"], 2);
    EXPECT_EQ(g["trend"].back()["open"], 2);
    // A planner of one Gemeinde sees the Kreis only as the public does: each Gemeinde has 2
    // reports ("<3"), and the Kreis adds only what its Gemeinden show.
    const json k_public = public_summary(kreis, planner_wunsiedel);
    EXPECT_EQ(k_public["exact"], false);
    EXPECT_EQ(public_summary(wunsiedel)["vacancies"], "<3");
    EXPECT_EQ(public_summary(marktredwitz)["vacancies"], "<3");
    EXPECT_EQ(k_public["vacancies"], 0);
    EXPECT_EQ(k_public["reactivated"], 0);
    EXPECT_EQ(k_public["withheld"], true);
    // With more reports a Gemeinde shows, and the Kreis with it.
    add(wunsiedel, "gemeldet", "wohnen", 2, 10.0);
    EXPECT_EQ(public_summary(wunsiedel)["open_vacancies"], 3);
    EXPECT_EQ(public_summary(kreis)["open_vacancies"], 3);

    for (const Caller* caller : {&admin, &planner_all}) {
        const json n = m_service.network_summary(*caller);
        EXPECT_EQ(n["exact"], true);
        EXPECT_TRUE(n["ags"].is_null());
        EXPECT_EQ(n["buildings"], oracle("SELECT count(*) FROM buildings"));
        EXPECT_EQ(n["vacancies"], 6);
        EXPECT_EQ(n["open_vacancies"], 5);
        EXPECT_EQ(n["by_use"]["laden"], 1);
        EXPECT_EQ(n["trend"].back()["open"], 5);
    }
    for (const Caller* caller : {&anonymous, &planner_kreis, &editor_angermuende}) {
        const json n = public_summary("", *caller);
        EXPECT_EQ(n["exact"], false);
        // Wunsiedel's 3 open reports; Marktredwitz and Angermünde show none.
        EXPECT_EQ(n["open_vacancies"], 3);
        EXPECT_EQ(n["by_use"]["wohnen"], 3);
        EXPECT_EQ(n["by_use"]["laden"], 0);
        EXPECT_EQ(n["reactivated"], 0);
    }
    EXPECT_EQ(m_service.exact_summary(std::nullopt), m_service.network_summary(admin));
    EXPECT_EQ(m_service.exact_summary(std::string(kreis)), m_service.kommune_summary(kreis, admin));
}

TEST_F(SummaryServiceTest, UnknownAreasAndBadMonthsAreRefused) {
    EXPECT_THROW(m_service.kommune_summary("12345678", admin), NotFound);
    EXPECT_THROW(m_service.kommune_summary("1207300", admin), NotFound);
    EXPECT_THROW(m_service.kommune_summary("abcdefgh", anonymous), NotFound);
    EXPECT_THROW(m_service.kommune_summary("", anonymous), NotFound);
    EXPECT_THROW(m_service.exact_summary(std::string("99999")), NotFound);
    EXPECT_THROW(m_service.network_summary(admin, std::string("2025-13")), InvalidInput);
    EXPECT_THROW(m_service.network_summary(admin, std::string("2025-1")), InvalidInput);
    const json empty = public_summary(herzberg);
    EXPECT_EQ(empty["vacancies"], 0);
    EXPECT_EQ(empty["vacancy_rate"], 0.0);
    EXPECT_EQ(empty["vacant_floor_area_m2"], 0.0);
}

// Trend window: 2024-07 .. 2026-06. Every history row is placed by SQL; the expected values are
// written out by hand as the months each vacancy was open in each Kommune.
TEST_F(SummaryServiceTest, TrendFollowsHistoryIncludingDeletesAndMoves) {
    const std::string last = "2026-06";
    // A: open since before the window, aktiviert on 2025-03-15 (closed from March).
    const std::int64_t a = add(angermuende, "gemeldet", "wohnen", 0);
    dated("2024-05-10T08:00:00Z");
    auto va = *m_vacancies.vacancy(a);
    va.status = "aktiviert";
    m_vacancies.update_vacancy(va, va.version, "test");
    dated("2025-03-15T10:00:00Z");

    // B: reported in the last second of January 2025, deleted at the first second of August.
    const std::int64_t b = add(angermuende, "gemeldet", "laden", 1);
    dated("2025-01-31T23:59:59Z");
    m_vacancies.remove_vacancy(b, 1, "test");
    dated("2025-08-01T00:00:00Z");

    // C: open from October 2025; a later edit of another field keeps it open.
    const std::int64_t c = add(angermuende, "bestaetigt", "gewerbe", 2);
    dated("2025-10-05T12:00:00Z");
    auto vc = *m_vacancies.vacancy(c);
    vc.use = "laden";
    m_vacancies.update_vacancy(vc, vc.version, "test");
    dated("2025-12-01T00:00:00Z");

    // D: reported as already reactivated (never open), then reopened after the window.
    const std::int64_t d = add(angermuende, "aktiviert", "wohnen", 3);
    dated("2026-06-30T23:59:59Z");
    auto vd = *m_vacancies.vacancy(d);
    vd.status = "gemeldet";
    m_vacancies.update_vacancy(vd, vd.version, "test");
    dated("2026-07-02T00:00:00Z");

    // E: reported in Angermünde in April 2025, moved to Herzberg in September 2025.
    const std::int64_t e = add(angermuende, "in_aktivierung", "wohnen", 4);
    dated("2025-04-10T09:00:00Z");
    auto ve = *m_vacancies.vacancy(e);
    ve.kommune_ags = herzberg;
    ve.building_id.reset();
    m_vacancies.update_vacancy(ve, ve.version, "test");
    dated("2025-09-10T09:00:00Z");

    // F: Herzberg from February 2025, still open.
    add(herzberg, "gemeldet", "wohnen", 0);
    dated("2025-02-01T00:00:00Z");

    const auto window = months_between("2024-07", last);
    ASSERT_EQ(window.size(), 24u);
    std::map<std::string, int> angermuende_open, herzberg_open;
    auto open_in = [&](std::map<std::string, int>& counts, const std::string& from,
                       const std::string& to) {
        for (const auto& month : months_between(from, to)) ++counts[month];
    };
    open_in(angermuende_open, "2024-07", "2025-02");  // A
    open_in(angermuende_open, "2025-01", "2025-07");  // B
    open_in(angermuende_open, "2025-10", last);       // C
    open_in(angermuende_open, "2025-04", "2025-08");  // E
    open_in(herzberg_open, "2025-09", last);          // E
    open_in(herzberg_open, "2025-02", last);          // F

    auto check = [&](const json& summary, const std::map<std::string, int>& expected) {
        ASSERT_EQ(summary["months"], 24);
        ASSERT_EQ(summary["trend"].size(), 24u);
        for (std::size_t i = 0; i < window.size(); ++i) {
            const json& point = summary["trend"][i];
            EXPECT_EQ(point["month"], window[i]);
            const auto it = expected.find(window[i]);
            EXPECT_EQ(point["open"], it == expected.end() ? 0 : it->second) << window[i];
        }
    };
    {
        SCOPED_TRACE("Angermünde");
        check(m_service.kommune_summary(angermuende, admin, last), angermuende_open);
    }
    {
        SCOPED_TRACE("Herzberg");
        check(m_service.kommune_summary(herzberg, admin, last), herzberg_open);
    }
    std::map<std::string, int> network = angermuende_open;
    for (const auto& [month, n] : herzberg_open) network[month] += n;
    {
        SCOPED_TRACE("network");
        check(m_service.network_summary(planner_all, last), network);
    }
    // The hand counts themselves, at a few telling months.
    EXPECT_EQ(angermuende_open["2025-02"], 2);  // A, B
    EXPECT_EQ(angermuende_open["2025-04"], 2);  // B, E (A aktiviert in March)
    EXPECT_EQ(angermuende_open["2025-08"], 1);  // E (B deleted on the first of August)
    EXPECT_EQ(network["2025-10"], 3);           // C; E now in Herzberg; F

    // The public sees the same trend with 1 and 2 hidden, once the last month is over.
    const json pub = m_service.kommune_summary(angermuende, anonymous, "2026-07");
    for (std::size_t i = 0; i < window.size(); ++i) {
        const int n = angermuende_open[window[i]];
        EXPECT_EQ(pub["trend"][i]["open"], n == 1 || n == 2 ? json("<3") : json(n)) << window[i];
    }
}

// Reports entered today about buildings vacant for years count from their vacant_since month,
// not as a spike in the current month; a report closed today counts up to last month; one
// entered as closed never counts. Checked against the month counts written out by hand and
// against the SQL oracle, for a Gemeinde, its Kreis and the network, exact and public.
TEST_F(SummaryServiceTest, TrendCountsBackDatedReportsFromTheirVacantSince) {
    const std::string this_month = month_from_now(0);
    // Five months ago, so that a date inside the window is tested whatever today is.
    const std::string recent = month_from_now(-5);
    add(angermuende, "gemeldet", "wohnen", 0, std::nullopt, "2021-03-15");
    add(angermuende, "bestaetigt", "laden", 1, std::nullopt, "2024-11-30");
    add(angermuende, "gemeldet", "gewerbe", 2);  // no date: counts from today
    const std::int64_t closed =
        add(angermuende, "gemeldet", "wohnen", 3, std::nullopt, recent + "-20");
    auto record = *m_vacancies.vacancy(closed);
    record.status = "aktiviert";
    m_vacancies.update_vacancy(record, record.version, "test");
    add(angermuende, "aktiviert", "wohnen", 4, std::nullopt, "2022-01-01");  // entered closed
    add(wunsiedel, "in_aktivierung", "wohnen", 0, std::nullopt, "2025-06-10");
    add(herzberg, "kein_leerstand", "laden", 0, std::nullopt, "2023-02-01");

    const auto window = months_between(month_from_now(-23), this_month);
    ASSERT_EQ(window.size(), 24u);
    std::map<std::string, int> angermuende_open, wunsiedel_open;
    for (const std::string& month : window) {
        // Month texts compare as the months do.
        angermuende_open[month] = int{month >= "2021-03"} + int{month >= "2024-11"} +
                                  int{month == this_month} +
                                  int{month >= recent && month < this_month};
        wunsiedel_open[month] = int{month >= "2025-06"};
    }
    // The month before this one already holds the reports entered today.
    EXPECT_GE(angermuende_open[window[22]], 3);
    EXPECT_EQ(angermuende_open[this_month], 3);

    // The instant each trend point stands for: the first of the month after it.
    std::vector<std::string> ends;
    for (std::size_t i = 1; i < window.size(); ++i) ends.push_back(window[i] + "-01T00:00:00Z");
    ends.push_back(next_month() + "-01T00:00:00Z");
    const auto open_in = [&](const std::string& area, std::size_t i) {
        return oracle(test::open_vacancies_oracle_sql(area, ends[i]));
    };
    // A public count: 1 and 2 read "<3" (nothing here is published, so the hidden count is the
    // count itself); an area of several Kommune keys adds the keys' shown counts only.
    const auto shown = [](std::int64_t n) { return n == 1 || n == 2 ? json("<3") : json(n); };
    const auto added = [](std::int64_t n) { return n == 1 || n == 2 ? 0 : n; };

    const std::map<std::string, const std::map<std::string, int>*> by_hand = {
        {angermuende, &angermuende_open}, {wunsiedel, &wunsiedel_open}, {kreis, &wunsiedel_open}};
    for (const std::string area : {angermuende, herzberg, kreis, wunsiedel, ""}) {
        SCOPED_TRACE(area.empty() ? "network" : area);
        const json exact = area.empty() ? m_service.network_summary(admin)
                                        : m_service.kommune_summary(area, admin);
        const json pub = public_summary(area);
        ASSERT_EQ(exact["trend"].size(), 24u);
        ASSERT_EQ(pub["trend"].size(), 24u);
        for (std::size_t i = 0; i < window.size(); ++i) {
            SCOPED_TRACE(window[i]);
            const std::int64_t n = open_in(area, i);
            EXPECT_EQ(exact["trend"][i]["month"], window[i]);
            EXPECT_EQ(exact["trend"][i]["open"], n);
            EXPECT_EQ(pub["trend"][i]["month"], window[i]);
            // Every area here but the network holds the reports of one Kommune key.
            EXPECT_EQ(pub["trend"][i]["open"], area.empty() ? json(added(open_in(angermuende, i)) +
                                                                   added(open_in(wunsiedel, i)) +
                                                                   added(open_in(herzberg, i)))
                                                            : shown(n));
            if (const auto hand = by_hand.find(area); hand != by_hand.end()) {
                EXPECT_EQ(n, hand->second->at(window[i])) << "the oracle against the hand count";
            }
        }
    }
}

// -- the activation loop (issue 23, part "figures") ------------------------------------------
//
// Offers, inquiries, needs and matches inserted by SQL with the timestamps a test needs
// (migration 14's tables) on reports filed through the store: exact figures for callers with
// internal rights, the small-count rule for everyone else, at Gemeinde, Kreis and network
// level, with their trend months.

class ActivationFiguresTest : public SummaryServiceTest {
  protected:
    /// An instant in the middle of the month `months` from now.
    static std::string mid_month(int months) { return month_from_now(months) + "-15T10:00:00Z"; }

    /// Runs an INSERT or UPDATE of one row and returns the row's id.
    std::int64_t insert(const std::string& sql, const std::vector<std::string>& values) {
        auto db = raw();
        auto statement = db.prepare(sql + " RETURNING id");  // PostgreSQL has no last rowid
        for (std::size_t i = 0; i < values.size(); ++i)
            statement.bind(static_cast<int>(i + 1), values[i]);
        EXPECT_TRUE(statement.step()) << sql;
        const std::int64_t id = statement.column_int64(0);
        statement.reset();
        return id;
    }

    /// An offer on a new report of `ags` (published unless `published` is false), created at
    /// `at`.
    std::int64_t offer(const std::string& ags, const std::string& at,
                       const std::string& status = "offen", bool published = true) {
        const std::int64_t on = add(ags, "gemeldet", "wohnen");
        if (published) publish(on);
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

    /// A match of `offer_id` with a new need (confirmed then), accepted at `accepted` and,
    /// when `finished` is given, finished then.
    void match(std::int64_t offer_id, const std::string& status, const std::string& accepted,
               const std::optional<std::string>& finished = {}) {
        const std::int64_t with = need("[\"12073008\"]", accepted, "vermittelt");
        const std::int64_t id = insert(
            "INSERT INTO vermittlungen (angebot_id, gesuch_id, status, score, match, "
            "accepted_at, created_at, updated_at) VALUES (?1, ?2, ?3, 80, '{}', ?4, ?4, ?4)",
            {std::to_string(offer_id), std::to_string(with), status, accepted});
        if (finished)
            insert("UPDATE vermittlungen SET finished_at = ?1 WHERE id = " + std::to_string(id),
                   {*finished});
    }

    /// The trend entry of month `months` from now in a summary.
    static json month_of(const json& summary, int months) {
        for (const json& entry : summary["trend"])
            if (entry["month"] == month_from_now(months)) return entry;
        ADD_FAILURE() << "no trend month " << month_from_now(months);
        return json::object();
    }
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
