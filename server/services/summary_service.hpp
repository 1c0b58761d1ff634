#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "data/summary_store.hpp"
#include "server/services/caller.hpp"
#include "server/services/public_figures.hpp"

namespace leerstand::data {
class Store;
}

/// Summaries of a Kommune, a Landkreis or the whole network (issue 4, "Summaries"), computed on
/// request from the store, so they are current after every write.
///
/// The JSON (every count an integer; for the public also "<3" or null, see below):
///   ags, name (null for the network), exact (true: exact figures; false: public figures),
///   buildings, footprint_area_m2 (rounded to 0.01),
///   vacancies (every vacancy, any status), by_status {status: n} (every status listed),
///   open_vacancies (status gemeldet, bestaetigt or in_aktivierung),
///   by_use {use: n} (open vacancies by use; every use listed),
///   vacant_buildings (distinct buildings with an open vacancy), vacancy_rate
///   (vacant_buildings / buildings, rounded to 1e-4; null without buildings),
///   vacant_floor_area_m2 (sum over open vacancies), reactivated (status aktiviert),
///   zukunftsorte, open_statuses, months, trend [{month: "YYYY-MM", open: n}] (oldest first),
///   baseline: the official Zensus 2022 figure of the area (zensus_baseline.hpp; a Kreis: its
///   Gemeinden's, the network: its Kommunen's), or null.
///   activation: the activation loop's figures, and each trend month its events
///   (activation_summary.hpp, issue 23).
///
/// Trend: for each of the `months` months ending with the current one (UTC), the vacancies
/// open at the end of that month, from vacancy_history only (data::SummaryStore::open_before
/// with the first instant of the next month). For the current month that is "open now".
/// A vacancy counts from its vacant_since month (or its first report where that is earlier or
/// none is given) to its closing, so a report entered today about a building empty since 2021
/// counts back to 2021. A deleted vacancy stops being open at its delete time; one moved to
/// another Kommune counts where it was at the time.
///
/// Privacy (privacy.hpp, public_figures.hpp): callers for whom sees_exact_figures() holds get
/// exact figures of the state now ("as_of": null). Everyone else gets the public figures of
/// the state when the current month began ("as_of"; the trend ends with the last month that is
/// over), with small counts and what would give them away shown as "<3" or null, and "withheld"
/// telling whether anything was left out. Buildings, footprint area and Zukunftsorte (public
/// places) are never suppressed. The public state is replayed from vacancy_history once per
/// month and kept (each SummaryService, that is each thread, keeps its own).
namespace leerstand::services {

/// The 404 of an AGS no Kommune has (or a malformed one): code "unknown_kommune".
NotFound unknown_kommune(const std::string& ags);

/// How many months the trend covers.
inline constexpr int k_summary_trend_months = 24;

class SummaryService {
  public:
    explicit SummaryService(data::Store& store);
    ~SummaryService();

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

    /// Within one reading (a page or an export of many Kommunen) the public snapshot is checked
    /// against the history once, not again for each Kommune: the check reads every history row
    /// before the snapshot, and a page of all 11,000 Gemeinden spent seconds on it.
    class Reading {
      public:
        explicit Reading(SummaryService& summaries);
        ~Reading();
        Reading(const Reading&) = delete;
        Reading& operator=(const Reading&) = delete;

      private:
        SummaryService& m_summaries;
    };

  private:
    /// A Kommune key's reports at the public snapshot and at each trend month's end.
    struct PublicKey {
        data::KommuneState state;
        std::vector<data::Tally> open_per_month;
    };
    /// The state of every Kommune key when a month began, which the public sees all month.
    struct PublicSnapshot {
        std::string as_of;
        data::HistoryStamp stamp;
        std::map<std::string, PublicKey> keys;
    };

    nlohmann::json summary(const std::string& area, const std::optional<std::string>& name,
                           bool exact, const std::optional<std::string>& current_month);
    /// `month`: "YYYY-MM", the month that is now.
    nlohmann::json exact_figures(const std::string& area, const std::optional<std::string>& name,
                                 const std::string& month);
    nlohmann::json public_figures_json(const std::string& area,
                                       const std::optional<std::string>& name,
                                       const std::string& month);
    /// What the public sees of an area: the public figures of its reports at `as_of`, and its
    /// buildings and Zukunftsorte (public anyway) now. Reads no report as it is now.
    struct PublicArea {
        PublicFigures figures;
        std::int64_t buildings = 0;
        double footprint_area_m2 = 0.0;
        std::int64_t zukunftsorte = 0;
    };
    PublicArea public_area(const std::string& area, const std::string& as_of);
    const PublicSnapshot& public_snapshot(const std::string& as_of);

    data::Store& m_store;
    std::optional<PublicSnapshot> m_snapshot;
    int m_readings = 0;                 ///< Readings alive
    bool m_checked_in_reading = false;  ///< the snapshot was checked within them
};

}  // namespace leerstand::services
