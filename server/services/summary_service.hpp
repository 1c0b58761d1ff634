#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/services/caller.hpp"

namespace leerstand::data {
class Store;
}

/// Summaries of a Kommune, a Landkreis or the whole network (issue 4, "Summaries"), computed on
/// request from the store, so they are current after every write.
///
/// The JSON (every count an integer, or "<3" for the public, see below):
///   ags, name (null for the network), exact (true: exact figures; false: public figures),
///   buildings, footprint_area_m2 (rounded to 0.01),
///   vacancies (every vacancy, any status), by_status {status: n} (every status listed),
///   open_vacancies (status gemeldet, bestaetigt or in_aktivierung),
///   by_use {use: n} (open vacancies by use; every use listed),
///   vacant_buildings (distinct buildings with an open vacancy), vacancy_rate
///   (vacant_buildings / buildings, rounded to 1e-4; null without buildings),
///   vacant_floor_area_m2 (sum over open vacancies), reactivated (status aktiviert),
///   zukunftsorte, open_statuses, months, trend [{month: "YYYY-MM", open: n}] (oldest first).
///
/// Trend: for each of the `months` months ending with the current one (UTC), the vacancies
/// open at the end of that month, from vacancy_history only (data::SummaryStore::open_before
/// with the first instant of the next month). For the current month that is "open now".
/// A deleted vacancy stops being open at its delete time; one moved to another Kommune counts
/// where it was at the time.
///
/// Privacy (one rule, privacy.hpp): callers for whom sees_exact_figures() holds get exact
/// figures. Everyone else gets the same aggregates over all vacancies (aggregation is the
/// point), but every vacancy count of 1 or 2 (including by_status, by_use, reactivated and
/// each trend value) reads "<3", and vacancy_rate / vacant_floor_area_m2 are null when
/// vacant_buildings / open_vacancies is such a count. Buildings, footprint area and
/// Zukunftsorte (public places) are never suppressed.
namespace leerstand::services {

/// How many months the trend covers.
inline constexpr int summary_trend_months = 24;

class SummaryService {
  public:
    explicit SummaryService(data::Store& store);

    /// The summary of Kommune `ags` (a Kreis key covers its Gemeinden).
    /// @param current_month "YYYY-MM" that ends the trend; default: this month (UTC).
    /// @throws NotFound for a malformed or unknown AGS; InvalidInput for a bad current_month.
    nlohmann::json kommune_summary(const std::string& ags, const Caller& caller,
                                   const std::optional<std::string>& current_month = {});

    /// The headline figures of Kommune `ags` for a choropleth, under the same privacy rule:
    /// exact, buildings, open_vacancies, vacant_buildings, vacancy_rate, reactivated,
    /// zukunftsorte. No trend, so it is cheap enough for every Kommune of a page.
    /// @pre `ags` is a Kommune's key (not checked: the caller lists existing Kommunen).
    nlohmann::json headline(const std::string& ags, const Caller& caller);

    /// The summary of every Kommune together.
    nlohmann::json network_summary(const Caller& caller,
                                   const std::optional<std::string>& current_month = {});

    /// Exact figures for an operator with the database file (`leerstand stats`): the Kommune
    /// `ags`, or the network when nullopt.
    nlohmann::json exact_summary(const std::optional<std::string>& ags,
                                 const std::optional<std::string>& current_month = {});

  private:
    nlohmann::json summary(const std::string& area, const std::optional<std::string>& name,
                           bool exact, const std::optional<std::string>& current_month);
    data::Store& m_store;
};

}  // namespace leerstand::services
