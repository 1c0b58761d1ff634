#include "server/services/summary_service.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

#include "common/ags.hpp"
#include "common/error.hpp"
#include "common/iso_date.hpp"
#include "data/store.hpp"
#include "data/summary_store.hpp"
#include "server/services/activation_summary.hpp"
#include "server/services/privacy.hpp"
#include "server/services/zensus_baseline.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

struct Month {
    int year = 0;
    int month = 0;  // 1..12

    Month next() const { return month == 12 ? Month{year + 1, 1} : Month{year, month + 1}; }
    Month previous() const { return month == 1 ? Month{year - 1, 12} : Month{year, month - 1}; }
    std::string text() const {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%04d-%02d", year, month);
        return buffer;
    }
    /// The first instant of the month, in the format of vacancy_history.changed_at.
    std::string first_instant() const { return text() + "-01T00:00:00Z"; }
};

Month month_of(const IsoDate& date) {
    return {date.year(), static_cast<int>(date.month())};
}

Month this_month_utc() {
    return month_of(IsoDate::today_utc());
}

Month parse_month(const std::string& text) {
    // YYYY-MM is a real month when its first day is a real date.
    const auto first_day = IsoDate::parse(text + "-01");
    if (!first_day || first_day->year() < 1900)
        throw InvalidInput("the month must be YYYY-MM, not '" + text + "'");
    return month_of(*first_day);
}

double rounded(double value, double unit) {
    return std::round(value / unit) * unit;
}

/// The exact figures a choropleth needs.
json exact_headline(const data::SummaryCounts& counts) {
    json rate = nullptr;
    if (counts.buildings > 0)
        rate = rounded(
            static_cast<double>(counts.vacant_buildings) / static_cast<double>(counts.buildings),
            1e-4);
    const auto reactivated = counts.by_status.find("aktiviert");
    return {
        {"exact", true},
        {"buildings", counts.buildings},
        {"open_vacancies", counts.open_vacancies},
        {"vacant_buildings", counts.vacant_buildings},
        {"vacancy_rate", rate},
        {"reactivated", reactivated == counts.by_status.end() ? 0 : reactivated->second},
        {"zukunftsorte", counts.zukunftsorte},
    };
}

/// The public headline of an area: the same names, the public figures.
json public_headline(const PublicFigures& figures, std::int64_t buildings,
                     std::int64_t zukunftsorte) {
    return {
        {"exact", false},
        {"buildings", buildings},
        {"open_vacancies", figures.open_vacancies.json()},
        {"vacant_buildings", figures.vacant_buildings.json()},
        {"vacancy_rate", figures.vacancy_rate()},
        {"reactivated", figures.reactivated.json()},
        {"zukunftsorte", zukunftsorte},
    };
}

/// The `count` months ending with `last`, oldest first.
std::vector<Month> months_ending(Month last, int count) {
    std::vector<Month> months(static_cast<std::size_t>(count));
    for (int i = count - 1; i >= 0; --i, last = last.previous())
        months[static_cast<std::size_t>(i)] = last;
    return months;
}

/// The official baseline of an area ("" the network: every Kommune of the atlas).
json area_baseline(data::Store& store, const std::string& area) {
    return zensus_baseline_json(area.empty() ? data::SummaryStore(store).kommune_keys()
                                             : std::vector<std::string>{area});
}

/// The instants that bound `months` for the activation figures: the first instant of the
/// first month, then the end of each (activation_summary.hpp).
std::vector<std::string> period_boundaries(const std::vector<Month>& months) {
    std::vector<std::string> boundaries{months.front().first_instant()};
    for (const Month& m : months) boundaries.push_back(m.next().first_instant());
    return boundaries;
}

/// Adds the activation figures (issue 23) to a summary: its "activation" object, and each
/// trend month's counts.
void add_activation(json& summary, const ActivationSummary& activation) {
    summary["activation"] = activation.counts;
    json& trend = summary["trend"];
    for (std::size_t i = 0; i < trend.size() && i < activation.months.size(); ++i)
        trend[i].update(activation.months[i]);
}

json open_statuses_json() {
    json list = json::array();
    for (const auto status : data::k_open_vacancy_statuses) list.push_back(status);
    return list;
}

}  // namespace

NotFound unknown_kommune(const std::string& ags) {
    return NotFound(ErrorCode{error_code::k_unknown_kommune},
                    "there is no Kommune with AGS '" + ags + "'");
}

SummaryService::SummaryService(data::Store& store) : m_store(store) {}
SummaryService::~SummaryService() = default;

json SummaryService::kommune_summary(const std::string& ags, const Caller& caller,
                                     const std::optional<std::string>& current_month) {
    data::SummaryStore store(m_store);
    const auto name = Ags::parse(ags) ? store.kommune_name(ags) : std::nullopt;
    if (!name) throw unknown_kommune(ags);
    return summary(ags, name, sees_exact_figures(caller, ags), current_month);
}

json SummaryService::headline(const std::string& ags, const Caller& caller) {
    if (sees_exact_figures(caller, ags))
        return exact_headline(data::SummaryStore(m_store).counts(ags));
    const PublicArea area = public_area(ags, this_month_utc().first_instant());
    return public_headline(area.figures, area.buildings, area.zukunftsorte);
}

json SummaryService::network_summary(const Caller& caller,
                                     const std::optional<std::string>& current_month) {
    return summary("", std::nullopt, sees_exact_figures(caller, ""), current_month);
}

json SummaryService::exact_summary(const std::optional<std::string>& ags,
                                   const std::optional<std::string>& current_month) {
    if (!ags) return summary("", std::nullopt, true, current_month);
    data::SummaryStore store(m_store);
    const auto name = Ags::parse(*ags) ? store.kommune_name(*ags) : std::nullopt;
    if (!name) throw unknown_kommune(*ags);
    return summary(*ags, name, true, current_month);
}

json SummaryService::summary(const std::string& area, const std::optional<std::string>& name,
                             bool exact, const std::optional<std::string>& current_month) {
    // Parse first: a bad month must not cost any query.
    const Month now = current_month ? parse_month(*current_month) : this_month_utc();
    return exact ? exact_figures(area, name, now.text())
                 : public_figures_json(area, name, now.text());
}

json SummaryService::exact_figures(const std::string& area, const std::optional<std::string>& name,
                                   const std::string& month) {
    const Month now = parse_month(month);
    // The trend ends with this month: its last value is "open now".
    const std::vector<Month> months = months_ending(now, k_summary_trend_months);
    std::vector<std::string> ends;
    ends.reserve(months.size());
    for (const Month& m : months) ends.push_back(m.next().first_instant());

    data::SummaryStore store(m_store);
    const data::SummaryCounts counts = store.counts(area);
    const std::vector<std::int64_t> open = store.open_before(area, ends);
    const json figures = exact_headline(counts);

    json by_status = json::object();
    for (const auto& [status, n] : counts.by_status) by_status[status] = n;
    json by_use = json::object();
    for (const auto& [use, n] : counts.open_by_use) by_use[use] = n;
    json trend = json::array();
    for (std::size_t i = 0; i < months.size(); ++i)
        trend.push_back({{"month", months[i].text()}, {"open", open[i]}});

    json summary{
        {"ags", area.empty() ? json(nullptr) : json(area)},
        {"name", name ? json(*name) : json(nullptr)},
        {"exact", true},
        {"as_of", nullptr},  // live: the state now
        {"buildings", counts.buildings},
        {"footprint_area_m2", rounded(counts.footprint_area_m2, 0.01)},
        {"vacancies", counts.vacancies},
        {"by_status", by_status},
        {"open_vacancies", counts.open_vacancies},
        {"by_use", by_use},
        {"vacant_buildings", figures["vacant_buildings"]},
        {"vacancy_rate", figures["vacancy_rate"]},
        {"vacant_floor_area_m2", rounded(counts.vacant_floor_area_m2, 0.01)},
        {"reactivated", figures["reactivated"]},
        {"zukunftsorte", counts.zukunftsorte},
        {"open_statuses", open_statuses_json()},
        {"months", k_summary_trend_months},
        {"trend", trend},
        {"baseline", area_baseline(m_store, area)},
    };
    add_activation(summary, exact_activation(m_store, area, period_boundaries(months)));
    return summary;
}

json SummaryService::public_figures_json(const std::string& area,
                                         const std::optional<std::string>& name,
                                         const std::string& month) {
    const Month now = parse_month(month);
    // The public sees the area as it was when this month began: within a month nothing
    // changes, so two polls tell nothing of what staff did in between (docs/privacy.md).
    const Month last = now.previous();
    const std::vector<Month> months = months_ending(last, k_summary_trend_months);
    const PublicArea seen = public_area(area, now.first_instant());
    const PublicFigures& figures = seen.figures;

    json by_status = json::object();
    for (const auto& [status, count] : figures.by_status) by_status[status] = count.json();
    json by_use = json::object();
    for (const auto& [use, count] : figures.by_use) by_use[use] = count.json();
    json trend = json::array();
    for (std::size_t i = 0; i < months.size(); ++i)
        trend.push_back({{"month", months[i].text()}, {"open", figures.trend[i].json()}});
    json summary{
        {"ags", area.empty() ? json(nullptr) : json(area)},
        {"name", name ? json(*name) : json(nullptr)},
        {"exact", false},
        {"as_of", now.first_instant()},
        {"withheld", figures.something_withheld},
        {"buildings", seen.buildings},
        {"footprint_area_m2", rounded(seen.footprint_area_m2, 0.01)},
        {"vacancies", figures.vacancies.json()},
        {"by_status", by_status},
        {"open_vacancies", figures.open_vacancies.json()},
        {"by_use", by_use},
        {"vacant_buildings", figures.vacant_buildings.json()},
        {"vacancy_rate", figures.vacancy_rate()},
        {"vacant_floor_area_m2",
         figures.vacant_floor_area_m2 ? json(*figures.vacant_floor_area_m2) : json(nullptr)},
        {"reactivated", figures.reactivated.json()},
        {"zukunftsorte", seen.zukunftsorte},
        {"open_statuses", open_statuses_json()},
        {"months", k_summary_trend_months},
        {"trend", trend},
        {"baseline", area_baseline(m_store, area)},
    };
    // The events before as_of, as the vacancy figures: the boundaries end with it.
    add_activation(summary, public_activation(m_store, area, period_boundaries(months)));
    return summary;
}

SummaryService::PublicArea SummaryService::public_area(const std::string& area,
                                                       const std::string& as_of) {
    const PublicSnapshot& snapshot = public_snapshot(as_of);
    data::SummaryStore store(m_store);
    PublicArea result;
    std::int64_t buildings_without_reports = 0;
    const auto buildings = store.buildings_by_kommune(area);
    for (const auto& [ags, of_key] : buildings) {
        result.buildings += of_key.count;
        result.footprint_area_m2 += of_key.area_m2;
        if (!snapshot.keys.contains(ags)) buildings_without_reports += of_key.count;
    }
    // The Kommune keys of the area: the keys that start with its AGS.
    std::vector<PublicFigures> keys;
    for (auto key = snapshot.keys.lower_bound(area);
         key != snapshot.keys.end() && key->first.compare(0, area.size(), area) == 0; ++key) {
        const auto own = buildings.find(key->first);
        keys.push_back(public_figures_of_key(key->second.state, key->second.open_per_month,
                                             own == buildings.end() ? 0 : own->second.count));
    }
    result.figures = public_figures_of_area(keys, static_cast<std::size_t>(k_summary_trend_months),
                                            buildings_without_reports);
    result.zukunftsorte = store.zukunftsorte(area);
    return result;
}

SummaryService::Reading::Reading(SummaryService& summaries) : m_summaries(summaries) {
    ++m_summaries.m_readings;
}

SummaryService::Reading::~Reading() {
    if (--m_summaries.m_readings == 0) m_summaries.m_checked_in_reading = false;
}

const SummaryService::PublicSnapshot& SummaryService::public_snapshot(const std::string& as_of) {
    if (m_snapshot && m_snapshot->as_of == as_of && m_checked_in_reading) return *m_snapshot;
    m_checked_in_reading = m_readings > 0;
    data::SummaryStore store(m_store);
    // History before the snapshot instant does not change (rows are written at "now"), so the
    // snapshot is kept; the stamp catches the exceptions (rows placed in the past by hand or a
    // restored backup) and costs the same whatever happened after the instant.
    const data::HistoryStamp stamp = store.history_before(as_of);
    if (m_snapshot && m_snapshot->as_of == as_of && m_snapshot->stamp == stamp) return *m_snapshot;
    // The month ends of the trend: the first instants of the months after each, the last
    // being the snapshot instant itself.
    Month month = parse_month(as_of.substr(0, 7));
    std::vector<std::string> instants(static_cast<std::size_t>(k_summary_trend_months));
    for (int i = k_summary_trend_months - 1; i >= 0; --i, month = month.previous())
        instants[static_cast<std::size_t>(i)] = month.first_instant();
    const std::vector<data::StatesByKommune> states = store.states_before(instants);
    PublicSnapshot snapshot{as_of, stamp, {}};
    for (const auto& [ags, state] : states.back()) snapshot.keys[ags].state = state;
    for (std::size_t k = 0; k < states.size(); ++k)
        for (const auto& [ags, state] : states[k]) snapshot.keys[ags];  // keys with past reports
    for (auto& [ags, key] : snapshot.keys) {
        key.open_per_month.resize(states.size());
        for (std::size_t k = 0; k < states.size(); ++k)
            if (const auto at = states[k].find(ags); at != states[k].end())
                key.open_per_month[k] = at->second.open_reports();
    }
    m_snapshot = std::move(snapshot);
    return *m_snapshot;
}

}  // namespace leerstand::services
