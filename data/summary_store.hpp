#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leerstand::data {

class Store;
class Connection;

/// The statuses of a vacancy that is still open (a building still vacant): reported,
/// confirmed, being reactivated. aktiviert, abgerissen and kein_leerstand are closed.
inline constexpr std::array<std::string_view, 3> k_open_vacancy_statuses = {
    "gemeldet", "bestaetigt", "in_aktivierung"};

/// True for the statuses in k_open_vacancy_statuses.
bool is_open_vacancy_status(std::string_view status);

/// Exact figures of one area (an AGS prefix), before any privacy filter.
struct SummaryCounts {
    std::int64_t buildings = 0;
    double footprint_area_m2 = 0.0;  ///< sum of buildings.area_m2 (NULL counts as 0)
    std::int64_t vacancies = 0;      ///< every vacancy, any status
    /// Every vacancy by status; every status of k_vacancy_statuses is present (0 if none).
    std::map<std::string, std::int64_t> by_status;
    /// Open vacancies by use; every use of k_vacancy_uses is present (0 if none).
    std::map<std::string, std::int64_t> open_by_use;
    std::int64_t open_vacancies = 0;
    /// Distinct buildings (building_id not NULL) with at least one open vacancy.
    std::int64_t vacant_buildings = 0;
    double vacant_floor_area_m2 = 0.0;  ///< sum of floor_area_m2 of open vacancies
    std::int64_t zukunftsorte = 0;
};

/// A number of reports, and how many of them were not published (hidden from the public).
struct Tally {
    std::int64_t total = 0;
    std::int64_t hidden = 0;

    Tally& operator+=(const Tally& other) {
        total += other.total;
        hidden += other.hidden;
        return *this;
    }
    friend Tally operator+(Tally a, const Tally& b) { return a += b; }
    friend Tally operator-(const Tally& a, const Tally& b) {
        return {a.total - b.total, a.hidden - b.hidden};
    }
    bool operator==(const Tally&) const = default;
};

/// The reports of one Kommune key (a vacancy's kommune_ags) at one instant, as vacancy_history
/// says they were then.
struct KommuneState {
    /// Every report by status; every status of k_vacancy_statuses is present.
    std::map<std::string, Tally> by_status;
    /// Open reports by use; every use of k_vacancy_uses is present.
    std::map<std::string, Tally> open_by_use;
    /// Distinct buildings with an open report; hidden: those none of whose open reports was
    /// published.
    Tally vacant_buildings;
    double vacant_floor_area_m2 = 0.0;  ///< sum over open reports

    Tally reports() const;       ///< every report
    Tally open_reports() const;  ///< reports of an open status
};

/// The buildings of one Kommune key: how many, and their footprint area (NULL counts 0).
struct KommuneBuildings {
    std::int64_t count = 0;
    double area_m2 = 0.0;
};

/// KommuneState of every Kommune key that had a report then.
using StatesByKommune = std::map<std::string, KommuneState>;

/// The history rows written before an instant: how many, and the newest id among them. Rows
/// are written at the time of the change, so it stays the same once the instant has passed,
/// unless rows are put into the past by other means (a restored backup, SQL by hand).
struct HistoryStamp {
    std::int64_t rows = 0;
    std::int64_t max_id = 0;
    bool operator==(const HistoryStamp&) const = default;
};

/// Aggregates for summaries, computed on request with indexed queries (so never stale).
/// An area is an AGS prefix: a Gemeinde key, a Kreis key (covers its Gemeinden) or "" (all).
/// Construct one on the thread's Store whenever needed (it holds only a reference).
class SummaryStore {
  public:
    explicit SummaryStore(Store& store);

    /// The name of Kommune `ags`; nullopt when there is no such Kommune.
    std::optional<std::string> kommune_name(const std::string& ags);
    /// The AGS of every Kommune (Gemeinden and Kreise), in order.
    std::vector<std::string> kommune_keys();

    /// The figures of every row whose kommune_ags starts with `prefix`.
    SummaryCounts counts(const std::string& prefix);

    /// For each of `instants` (ISO 8601 UTC text like "2024-06-01T00:00:00Z", ascending):
    /// the number of vacancies open just before it, from vacancy_history alone (its rows
    /// before the last instant). A vacancy counts from its start: the first of the month of
    /// the last vacant_since its rows give, or its first row where that is earlier or no date
    /// is given. From its start it is open before instant T when, among its history rows with
    /// changed_at < T (ties in id order), the last row is not a 'delete', the last status
    /// recorded in new_values is one of k_open_vacancy_statuses, and the kommune_ags of the
    /// last row starts with `prefix` (so a vacancy moved to another Kommune counts where it
    /// was at the time); before its first row it counts as that row records it (a vacancy
    /// entered as closed never counts).
    std::vector<std::int64_t> open_before(const std::string& prefix,
                                          const std::vector<std::string>& instants);

    /// For each of `instants` (ascending), the state of the reports of every Kommune key just
    /// before it, replayed from vacancy_history alone (status, use, building, floor area,
    /// consent and Kommune of each report, from its start, as open_before() does for the
    /// status). Only rows before the last instant are read, so what is written after it
    /// changes none of the states.
    std::vector<StatesByKommune> states_before(const std::vector<std::string>& instants);

    /// HistoryStamp of the rows before `instant`; reads only those rows' index entries.
    HistoryStamp history_before(const std::string& instant);

    /// The buildings of each Kommune key that starts with `prefix`.
    std::map<std::string, KommuneBuildings> buildings_by_kommune(const std::string& prefix);

    /// The Zukunftsorte of every Kommune whose key starts with `prefix`.
    std::int64_t zukunftsorte(const std::string& prefix);

  private:
    Connection& m_db;
};

}  // namespace leerstand::data
