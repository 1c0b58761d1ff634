#include "server/services/summary_service.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "common/error.hpp"
#include "data/store.hpp"
#include "data/summary_store.hpp"
#include "server/services/privacy.hpp"

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

Month this_month_utc() {
    const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::chrono::year_month_day date{today};
    return {static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month()))};
}

Month parse_month(const std::string& text) {
    int year = 0, month = 0;
    char tail = 0;
    if (text.size() != 7 || std::sscanf(text.c_str(), "%4d-%2d%c", &year, &month, &tail) != 2 ||
        year < 1900 || month < 1 || month > 12)
        throw InvalidInput("the month must be YYYY-MM, not '" + text + "'");
    return {year, month};
}

double rounded(double value, double unit) {
    return std::round(value / unit) * unit;
}

bool is_ags(const std::string& text) {
    if (text.size() != 5 && text.size() != 8) return false;
    for (const char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

/// The figures a choropleth needs, through the one rule of exact versus public figures.
json headline_figures(const data::SummaryCounts& counts, bool exact) {
    // The one place where exact figures become public ones.
    auto count = [exact](std::int64_t n) { return exact ? json(n) : public_count(n); };
    const bool rate_withheld = !exact && count_is_suppressed(counts.vacant_buildings);
    json rate = nullptr;
    if (counts.buildings > 0 && !rate_withheld)
        rate = rounded(
            static_cast<double>(counts.vacant_buildings) / static_cast<double>(counts.buildings),
            1e-4);
    const auto reactivated = counts.by_status.find("aktiviert");
    return {
        {"exact", exact},
        {"buildings", counts.buildings},
        {"open_vacancies", count(counts.open_vacancies)},
        {"vacant_buildings", count(counts.vacant_buildings)},
        {"vacancy_rate", rate},
        {"reactivated", count(reactivated == counts.by_status.end() ? 0 : reactivated->second)},
        {"zukunftsorte", counts.zukunftsorte},
    };
}

}  // namespace

SummaryService::SummaryService(data::Store& store) : m_store(store) {}

json SummaryService::kommune_summary(const std::string& ags, const Caller& caller,
                                     const std::optional<std::string>& current_month) {
    data::SummaryStore store(m_store);
    const auto name = is_ags(ags) ? store.kommune_name(ags) : std::nullopt;
    if (!name) throw NotFound("there is no Kommune with AGS '" + ags + "'");
    return summary(ags, name, sees_exact_figures(caller, ags), current_month);
}

json SummaryService::headline(const std::string& ags, const Caller& caller) {
    data::SummaryStore store(m_store);
    return headline_figures(store.counts(ags), sees_exact_figures(caller, ags));
}

json SummaryService::network_summary(const Caller& caller,
                                     const std::optional<std::string>& current_month) {
    return summary("", std::nullopt, sees_exact_figures(caller, ""), current_month);
}

json SummaryService::exact_summary(const std::optional<std::string>& ags,
                                   const std::optional<std::string>& current_month) {
    if (!ags) return summary("", std::nullopt, true, current_month);
    data::SummaryStore store(m_store);
    const auto name = is_ags(*ags) ? store.kommune_name(*ags) : std::nullopt;
    if (!name) throw NotFound("there is no Kommune with AGS '" + *ags + "'");
    return summary(*ags, name, true, current_month);
}

json SummaryService::summary(const std::string& area, const std::optional<std::string>& name,
                             bool exact, const std::optional<std::string>& current_month) {
    // Parse first: a bad month must not cost any query.
    const Month last = current_month ? parse_month(*current_month) : this_month_utc();
    std::vector<Month> months(summary_trend_months);
    Month month = last;
    for (int i = summary_trend_months - 1; i >= 0; --i, month = month.previous())
        months[static_cast<std::size_t>(i)] = month;
    std::vector<std::string> ends;
    for (const Month& m : months) ends.push_back(m.next().first_instant());

    data::SummaryStore store(m_store);
    const data::SummaryCounts counts = store.counts(area);
    const std::vector<std::int64_t> open = store.open_before(area, ends);

    const json figures = headline_figures(counts, exact);
    auto count = [exact](std::int64_t n) { return exact ? json(n) : public_count(n); };
    auto withheld = [exact](std::int64_t basis) { return !exact && count_is_suppressed(basis); };

    json by_status = json::object();
    for (const auto& [status, n] : counts.by_status) by_status[status] = count(n);
    json by_use = json::object();
    for (const auto& [use, n] : counts.open_by_use) by_use[use] = count(n);
    json trend = json::array();
    for (std::size_t i = 0; i < months.size(); ++i)
        trend.push_back({{"month", months[i].text()}, {"open", count(open[i])}});

    json floor_area = nullptr;
    if (!withheld(counts.open_vacancies)) floor_area = rounded(counts.vacant_floor_area_m2, 0.01);
    json open_statuses = json::array();
    for (const auto status : data::open_vacancy_statuses) open_statuses.push_back(status);

    return json{
        {"ags", area.empty() ? json(nullptr) : json(area)},
        {"name", name ? json(*name) : json(nullptr)},
        {"exact", exact},
        {"buildings", counts.buildings},
        {"footprint_area_m2", rounded(counts.footprint_area_m2, 0.01)},
        {"vacancies", count(counts.vacancies)},
        {"by_status", by_status},
        {"open_vacancies", count(counts.open_vacancies)},
        {"by_use", by_use},
        {"vacant_buildings", figures["vacant_buildings"]},
        {"vacancy_rate", figures["vacancy_rate"]},
        {"vacant_floor_area_m2", floor_area},
        {"reactivated", figures["reactivated"]},
        {"zukunftsorte", counts.zukunftsorte},
        {"open_statuses", open_statuses},
        {"months", summary_trend_months},
        {"trend", trend},
    };
}

}  // namespace leerstand::services
