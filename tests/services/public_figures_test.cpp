// The public figures of issue 19 as a property: for thousands of made-up Kommunen (reports with
// random statuses, uses, buildings and consent), no combination of the figures the public sees
// adds up to a count of 1 or 2 reports, nor to 1 or 2 unpublished ones (what is left after
// subtracting the published reports everyone can list). The combinations are those the
// privacy rules name (docs/privacy.md): every shown figure, every difference of shown totals,
// every sum of shown breakdown cells, and every sum over Kommunen of an area.
#include "server/services/public_figures.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "data/summary_store.hpp"
#include "data/vacancy_records.hpp"

namespace leerstand::services {
namespace {

using data::Tally;

struct Report {
    std::string status;
    std::string use;
    std::optional<int> building;
    bool published = false;
    double floor_area_m2 = 0;
};

/// The state the store would replay for `reports` (as SummaryStore::states_before sums).
data::KommuneState state_of(const std::vector<Report>& reports) {
    data::KommuneState state;
    for (const auto status : data::k_vacancy_statuses) state.by_status[std::string(status)] = {};
    for (const auto use : data::k_vacancy_uses) state.open_by_use[std::string(use)] = {};
    std::map<int, bool> buildings;
    for (const Report& r : reports) {
        const Tally one{1, r.published ? 0 : 1};
        state.by_status[r.status] += one;
        if (!data::is_open_vacancy_status(r.status)) continue;
        state.open_by_use[r.use] += one;
        state.vacant_floor_area_m2 += r.floor_area_m2;
        if (r.building) buildings[*r.building] = buildings[*r.building] || r.published;
    }
    for (const auto& [building, published] : buildings)
        state.vacant_buildings += Tally{1, published ? 0 : 1};
    return state;
}

std::vector<Report> random_reports(std::mt19937& random) {
    std::uniform_int_distribution<int> count(0, 14), status(0, 5), use(0, 6), building(-3, 8),
        coin(0, 3);
    std::vector<Report> reports(static_cast<std::size_t>(count(random)));
    for (Report& r : reports) {
        r.status = std::string(data::k_vacancy_statuses[static_cast<std::size_t>(status(random))]);
        r.use = std::string(data::k_vacancy_uses[static_cast<std::size_t>(use(random))]);
        if (const int b = building(random); b >= 0) r.building = b;
        r.published = coin(random) == 0;
        r.floor_area_m2 = 10.0 * coin(random);
    }
    return reports;
}

/// 0 or at least 3, in total and unpublished.
bool safe(const Tally& t) {
    return !(t.total == 1 || t.total == 2) && !(t.hidden == 1 || t.hidden == 2);
}

/// A figure the public sees with the record set behind it.
struct Seen {
    std::string name;
    Tally tally;
};

/// Every combination the public can form from the figures of one key that counts reports.
std::vector<Seen> combinations(const PublicFigures& f, const data::KommuneState& s,
                               const std::vector<Tally>& months) {
    std::vector<Seen> seen;
    const Tally all = s.reports(), open = s.open_reports(),
                reactivated = s.by_status.at("aktiviert"), buildings = s.vacant_buildings;
    const auto add = [&](const std::string& name, const Tally& t, bool shown) {
        if (shown) seen.push_back({name, t});
    };
    add("vacancies", all, f.vacancies.shown());
    add("open", open, f.open_vacancies.shown());
    add("reactivated", reactivated, f.reactivated.shown());
    add("vacant buildings", buildings, f.vacant_buildings.shown());
    add("all - open", all - open, f.vacancies.shown() && f.open_vacancies.shown());
    add("all - reactivated", all - reactivated, f.vacancies.shown() && f.reactivated.shown());
    add("all - open - reactivated", all - open - reactivated,
        f.vacancies.shown() && f.open_vacancies.shown() && f.reactivated.shown());
    add("open - buildings", open - buildings,
        f.open_vacancies.shown() && f.vacant_buildings.shown());
    // Every sum of shown cells of a breakdown, and every such sum taken from its total.
    const auto subsets = [&](const std::map<std::string, Tally>& cells,
                             const std::map<std::string, PublicCount>& shown, const Tally& total,
                             bool total_shown, const std::string& what) {
        std::vector<std::string> names;
        for (const auto& [name, count] : shown)
            if (count.shown()) names.push_back(name);
        for (unsigned mask = 1; mask < (1u << names.size()); ++mask) {
            Tally sum;
            for (std::size_t i = 0; i < names.size(); ++i)
                if (mask & (1u << i)) sum += cells.at(names[i]);
            add(what + " cells " + std::to_string(mask), sum, true);
            add(what + " total less cells " + std::to_string(mask), total - sum, total_shown);
        }
    };
    subsets(s.by_status, f.by_status, all, f.vacancies.shown(), "status");
    subsets(s.open_by_use, f.by_use, open, f.open_vacancies.shown(), "use");
    for (std::size_t m = 0; m < months.size(); ++m)
        add("month " + std::to_string(m), months[m], f.trend[m].shown());
    return seen;
}

TEST(PublicFigures, NoCombinationOfShownFiguresRevealsASmallCount) {
    std::mt19937 random(20261207);
    int shown_something = 0;
    for (int round = 0; round < 5000; ++round) {
        const std::vector<Report> reports = random_reports(random);
        const data::KommuneState state = state_of(reports);
        // The trend: the same reports a month before, fewer of them open.
        std::vector<Report> earlier = reports;
        if (!earlier.empty()) earlier.pop_back();
        const std::vector<Tally> months = {state_of(earlier).open_reports(), state.open_reports()};
        const PublicFigures figures = public_figures_of_key(state, months, 100);
        for (const Seen& seen : combinations(figures, state, months)) {
            EXPECT_TRUE(safe(seen.tally))
                << "round " << round << ": " << seen.name << " = " << seen.tally.total << " ("
                << seen.tally.hidden << " unpublished)";
        }
        // A shown figure is the exact one; "<3" only for 1 or 2.
        if (figures.vacancies.shown()) {
            EXPECT_EQ(figures.vacancies.value, state.reports().total);
        }
        if (figures.open_vacancies.kind == PublicCount::Kind::Small) {
            EXPECT_GE(state.open_reports().total, 1);
            EXPECT_LE(state.open_reports().total, 2);
        }
        if (figures.open_vacancies.shown()) {
            EXPECT_EQ(figures.open_vacancies.value, state.open_reports().total);
            ++shown_something;
        }
        if (::testing::Test::HasFailure()) return;
    }
    // The rules must not withhold everything: most made-up Kommunen show their open reports.
    EXPECT_GT(shown_something, 1500);
}

TEST(PublicFigures, AnAreaAddsOnlyWhatItsKommunenShow) {
    std::mt19937 random(7);
    for (int round = 0; round < 500; ++round) {
        std::vector<PublicFigures> keys;
        std::int64_t open_shown = 0, all_shown = 0, laden_shown = 0;
        bool withheld = false;
        for (int k = 0; k < 4; ++k) {
            const data::KommuneState state = state_of(random_reports(random));
            keys.push_back(public_figures_of_key(state, {state.open_reports()}, 50));
            const PublicFigures& key = keys.back();
            if (key.open_vacancies.shown()) open_shown += key.open_vacancies.value;
            if (key.vacancies.shown()) all_shown += key.vacancies.value;
            if (key.by_use.at("laden").shown()) laden_shown += key.by_use.at("laden").value;
            withheld = withheld || key.something_withheld;
        }
        const PublicFigures area = public_figures_of_area(keys, 1, 200);
        // The area less its Kommunen' shown figures is 0: nothing hidden comes back.
        EXPECT_EQ(area.open_vacancies.value, open_shown);
        EXPECT_EQ(area.vacancies.value, all_shown);
        EXPECT_EQ(area.by_use.at("laden").value, laden_shown);
        EXPECT_EQ(area.trend[0].value, open_shown);
        EXPECT_EQ(area.something_withheld, withheld);
        if (::testing::Test::HasFailure()) return;
    }
}

TEST(PublicFigures, SmallCountsReadBelowThreeAndWithheldOnesNull) {
    // Two open reports, hidden: "<3"; a withheld one: null; shown ones as numbers.
    const data::KommuneState two =
        state_of({{"gemeldet", "laden", 1, false, 50}, {"gemeldet", "laden", 2, false, 70}});
    const PublicFigures small = public_figures_of_key(two, {two.open_reports()}, 10);
    EXPECT_EQ(small.open_vacancies.json(), "<3");
    EXPECT_EQ(small.trend[0].json(), "<3");
    EXPECT_TRUE(small.vacancy_rate().is_null());
    EXPECT_FALSE(small.vacant_floor_area_m2);
    EXPECT_TRUE(small.by_status.at("gemeldet").json().is_null());
    // Four, one of them hidden: the count is withheld (4 less the 3 published is 1).
    const data::KommuneState four = state_of({{"gemeldet", "laden", 1, true, 0},
                                              {"gemeldet", "laden", 2, true, 0},
                                              {"gemeldet", "laden", 3, true, 0},
                                              {"gemeldet", "laden", 4, false, 0}});
    EXPECT_TRUE(public_figures_of_key(four, {}, 10).open_vacancies.json().is_null());
    // Three hidden in three buildings: everything shown.
    const data::KommuneState three = state_of({{"gemeldet", "laden", 1, false, 140},
                                               {"gemeldet", "laden", 2, false, 0},
                                               {"gemeldet", "laden", 3, false, 0}});
    const PublicFigures shown = public_figures_of_key(three, {three.open_reports()}, 300);
    EXPECT_EQ(shown.open_vacancies.json(), 3);
    EXPECT_EQ(shown.by_use.at("laden").json(), 3);
    EXPECT_EQ(shown.vacancy_rate(), 0.01);
    EXPECT_EQ(*shown.vacant_floor_area_m2, 100.0);  // 140 m² to the nearest 100
    EXPECT_FALSE(shown.something_withheld);
}

}  // namespace
}  // namespace leerstand::services
