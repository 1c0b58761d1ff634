#include "data/summary_store.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "data/connection.hpp"
#include "data/store.hpp"
#include "data/vacancy_records.hpp"

namespace leerstand::data {

namespace {

// Rows of an area are those with prefix <= kommune_ags < upper: a range the kommune_ags
// indexes answer directly (LIKE and GLOB would not use them everywhere). AGS keys are digits
// only (CHECK on kommunen), so raising the last character of the prefix bounds the range.
std::string upper_bound_of(const std::string& prefix) {
    if (prefix.empty()) return "~";
    std::string upper = prefix;
    upper.back() = static_cast<char>(upper.back() + 1);
    return upper;
}

constexpr const char* k_open_status_list = "('gemeldet', 'bestaetigt', 'in_aktivierung')";

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Tally KommuneState::reports() const {
    Tally sum;
    for (const auto& [status, tally] : by_status) sum += tally;
    return sum;
}

Tally KommuneState::open_reports() const {
    Tally sum;
    for (const auto& [status, tally] : by_status)
        if (is_open_vacancy_status(status)) sum += tally;
    return sum;
}

bool is_open_vacancy_status(std::string_view status) {
    return std::find(k_open_vacancy_statuses.begin(), k_open_vacancy_statuses.end(), status) !=
           k_open_vacancy_statuses.end();
}

SummaryStore::SummaryStore(Store& store) : m_db(store.connection()) {}

std::optional<std::string> SummaryStore::kommune_name(const std::string& ags) {
    Statement select = m_db.prepare("SELECT name FROM kommunen WHERE ags = ?1");
    select.bind(1, ags);
    if (!select.step()) return std::nullopt;
    return select.column_text(0);
}

std::vector<std::string> SummaryStore::kommune_keys() {
    Statement select = m_db.prepare("SELECT ags FROM kommunen ORDER BY ags");
    std::vector<std::string> keys;
    while (select.step()) keys.push_back(select.column_text(0));
    return keys;
}

SummaryCounts SummaryStore::counts(const std::string& prefix) {
    const std::string upper = upper_bound_of(prefix);
    SummaryCounts counts;
    for (const auto status : k_vacancy_statuses) counts.by_status[std::string(status)] = 0;
    for (const auto use : k_vacancy_uses) counts.open_by_use[std::string(use)] = 0;

    // buildings_kommune_area covers this: no table row is read, even for a large Kommune.
    Statement buildings = m_db.prepare(
        "SELECT count(*), coalesce(sum(area_m2), 0) FROM buildings "
        "WHERE kommune_ags >= ?1 AND kommune_ags < ?2");
    buildings.bind(1, prefix).bind(2, upper);
    if (buildings.step()) {
        counts.buildings = buildings.column_int64(0);
        counts.footprint_area_m2 = buildings.column_double(1);
    }

    Statement vacancies = m_db.prepare(
        "SELECT status, use, count(*), coalesce(sum(floor_area_m2), 0) FROM vacancies "
        "WHERE kommune_ags >= ?1 AND kommune_ags < ?2 GROUP BY status, use");
    vacancies.bind(1, prefix).bind(2, upper);
    while (vacancies.step()) {
        const std::string status = vacancies.column_text(0);
        const std::int64_t n = vacancies.column_int64(2);
        counts.vacancies += n;
        counts.by_status[status] += n;
        if (!is_open_vacancy_status(status)) continue;
        counts.open_vacancies += n;
        counts.open_by_use[vacancies.column_text(1)] += n;
        counts.vacant_floor_area_m2 += vacancies.column_double(3);
    }

    Statement vacant_buildings =
        m_db.prepare(std::string("SELECT count(DISTINCT building_id) FROM vacancies "
                                 "WHERE kommune_ags >= ?1 AND kommune_ags < ?2 AND status IN ") +
                     k_open_status_list);
    vacant_buildings.bind(1, prefix).bind(2, upper);
    if (vacant_buildings.step()) counts.vacant_buildings = vacant_buildings.column_int64(0);

    counts.zukunftsorte = zukunftsorte(prefix);
    return counts;
}

std::int64_t SummaryStore::zukunftsorte(const std::string& prefix) {
    Statement places = m_db.prepare(
        "SELECT count(*) FROM zukunftsorte WHERE kommune_ags >= ?1 AND kommune_ags < ?2");
    places.bind(1, prefix).bind(2, upper_bound_of(prefix));
    return places.step() ? places.column_int64(0) : 0;
}

namespace {

/// One report as its history rows say it was at some instant.
struct ReplayedReport {
    bool exists = false;  ///< created and not deleted
    std::string kommune_ags;
    std::string status;
    std::string use;
    std::optional<std::int64_t> building_id;
    double floor_area_m2 = 0.0;
    bool published = false;
};

/// One row of vacancy_history, with the fields a state needs; a field absent from the row's
/// new values is nullopt (a create lists every field that is not null, an update the changed
/// ones, null included).
struct HistoryRow {
    std::string kommune_ags;
    std::string action;
    std::string changed_at;
    std::optional<std::string> status, use;
    std::optional<std::optional<std::int64_t>> building_id;
    std::optional<double> floor_area_m2;  ///< given (a null sets 0: no area to add)
    std::optional<bool> consent_publish;
    std::optional<std::optional<std::string>> vacant_since;
};

/// The history rows before the instant ?1 of every report, in the order a replay needs; the
/// columns are those read_history_row() reads. `area_clause`: "" for every report, or a
/// further condition (which may use ?2 and ?3; ?1 is the instant). PostgreSQL must type every
/// parameter up to the highest it sees, so the one every query uses comes first.
std::string history_rows_sql(const std::string& area_clause) {
    std::string sql =
        "SELECT vacancy_id, kommune_ags, action, changed_at, new_values "
        "FROM vacancy_history WHERE changed_at < ?1";
    sql += area_clause;
    sql += " ORDER BY vacancy_id, changed_at, id";
    return sql;
}

// The new values are parsed here rather than with SQL JSON functions: SQLite's and
// PostgreSQL's differ, and only here does a field given as null differ from one not given.
HistoryRow read_history_row(const Statement& rows) {
    HistoryRow row;
    if (!rows.column_is_null(1)) row.kommune_ags = rows.column_text(1);
    row.action = rows.column_text(2);
    row.changed_at = rows.column_text(3);
    if (rows.column_is_null(4)) return row;  // a delete records no new values
    const nlohmann::json values = nlohmann::json::parse(rows.column_text(4));
    if (!values.is_object()) return row;
    if (const auto status = values.find("status"); status != values.end() && status->is_string())
        row.status = status->get<std::string>();
    if (const auto use = values.find("use"); use != values.end() && use->is_string())
        row.use = use->get<std::string>();
    if (const auto building = values.find("building_id"); building != values.end())
        row.building_id = building->is_number_integer()
                              ? std::optional<std::int64_t>(building->get<std::int64_t>())
                              : std::optional<std::int64_t>();
    if (const auto area = values.find("floor_area_m2"); area != values.end())
        row.floor_area_m2 = area->is_number() ? area->get<double>() : 0.0;
    if (const auto consent = values.find("consent_publish"); consent != values.end())
        row.consent_publish = consent->is_boolean() && consent->get<bool>();
    if (const auto since = values.find("vacant_since"); since != values.end())
        row.vacant_since = since->is_string()
                               ? std::optional<std::string>(since->get<std::string>())
                               : std::optional<std::string>();
    return row;
}

void replay(ReplayedReport& report, const HistoryRow& row) {
    if (row.action == "delete") {
        report.exists = false;
        return;
    }
    if (row.action == "create") report = ReplayedReport{};  // absent fields are null
    report.exists = true;
    report.kommune_ags = row.kommune_ags;
    if (row.status) report.status = *row.status;
    if (row.use) report.use = *row.use;
    if (row.building_id) report.building_id = *row.building_id;
    if (row.floor_area_m2) report.floor_area_m2 = *row.floor_area_m2;
    if (row.consent_publish) report.published = *row.consent_publish;
}

/// The instant a report counts from: the first of the month of its vacant_since (the last
/// value its rows give), or its first row where that is earlier or no date is given. Reports
/// are often entered long after the building fell vacant; counting them from their entry
/// would pile years of vacancy into the month they were typed in.
std::string counted_from(const std::vector<HistoryRow>& rows) {
    std::optional<std::string> vacant_since;
    for (const HistoryRow& row : rows)
        if (row.vacant_since) vacant_since = *row.vacant_since;
    const std::string& first_row = rows.front().changed_at;
    if (!vacant_since || vacant_since->size() < 7) return first_row;
    return std::min(vacant_since->substr(0, 7) + "-01T00:00:00Z", first_row);
}

/// Reads the rows `rows` selects (history_rows_sql) and replays each report for each of
/// `instants` (ascending), calling visit(k, report) for every instant k where it counts: from
/// counted_from() on; before its first row in the state that row records (so a report entered
/// as closed never counts before it), after that as its rows before the instant say, while it
/// exists.
template <typename Visit>
void replay_reports(Statement& rows, const std::vector<std::string>& instants, Visit visit) {
    std::vector<HistoryRow> history;  // the rows of one report
    auto replay_one = [&] {
        const std::string start = counted_from(history);
        ReplayedReport first;
        replay(first, history.front());
        ReplayedReport report;
        std::size_t next = 0;
        for (std::size_t k = 0; k < instants.size(); ++k) {
            for (; next < history.size() && history[next].changed_at < instants[k]; ++next)
                replay(report, history[next]);
            const bool before_first_row = next == 0;
            if (before_first_row && !(start < instants[k])) continue;
            const ReplayedReport& then = before_first_row ? first : report;
            if (then.exists && !then.status.empty()) visit(k, then);
        }
        history.clear();
    };
    std::int64_t current = 0;
    while (rows.step()) {
        const std::int64_t id = rows.column_int64(0);
        if (!history.empty() && id != current) replay_one();
        current = id;
        history.push_back(read_history_row(rows));
    }
    if (!history.empty()) replay_one();
}

/// Where vacant buildings are counted while states are summed: building → published.
using OpenBuildings = std::map<std::string, std::map<std::int64_t, bool>>;

void add_report(const ReplayedReport& report, StatesByKommune& states, OpenBuildings& buildings) {
    KommuneState& state = states[report.kommune_ags];
    if (state.by_status.empty()) {
        for (const auto status : k_vacancy_statuses) state.by_status[std::string(status)] = {};
        for (const auto use : k_vacancy_uses) state.open_by_use[std::string(use)] = {};
    }
    const Tally one{1, report.published ? 0 : 1};
    state.by_status[report.status] += one;
    if (!is_open_vacancy_status(report.status)) return;
    state.open_by_use[report.use] += one;
    state.vacant_floor_area_m2 += report.floor_area_m2;
    if (report.building_id) {
        bool& published = buildings[report.kommune_ags][*report.building_id];
        published = published || report.published;
    }
}

void count_buildings(StatesByKommune& states, const OpenBuildings& buildings) {
    for (const auto& [ags, published_of] : buildings)
        for (const auto& [building, published] : published_of)
            states[ags].vacant_buildings += Tally{1, published ? 0 : 1};
}

}  // namespace

std::vector<std::int64_t> SummaryStore::open_before(const std::string& prefix,
                                                    const std::vector<std::string>& instants) {
    std::vector<std::int64_t> open(instants.size(), 0);
    if (instants.empty()) return open;
    // Every row of every vacancy that was ever in the area, so a move out of it is seen too.
    // Rows after the last instant cannot matter.
    Statement rows = m_db.prepare(history_rows_sql(
        prefix.empty() ? ""
                       : " AND vacancy_id IN (SELECT vacancy_id FROM vacancy_history "
                         "WHERE kommune_ags >= ?2 AND kommune_ags < ?3 AND changed_at < ?1)"));
    rows.bind(1, instants.back());
    if (!prefix.empty()) rows.bind(2, prefix).bind(3, upper_bound_of(prefix));
    replay_reports(rows, instants, [&](std::size_t k, const ReplayedReport& report) {
        if (is_open_vacancy_status(report.status) && starts_with(report.kommune_ags, prefix))
            ++open[k];
    });
    return open;
}

std::vector<StatesByKommune> SummaryStore::states_before(const std::vector<std::string>& instants) {
    std::vector<StatesByKommune> states(instants.size());
    if (instants.empty()) return states;
    std::vector<OpenBuildings> buildings(instants.size());
    Statement rows = m_db.prepare(history_rows_sql(""));
    rows.bind(1, instants.back());
    replay_reports(rows, instants, [&](std::size_t k, const ReplayedReport& report) {
        add_report(report, states[k], buildings[k]);
    });
    for (std::size_t k = 0; k < instants.size(); ++k) count_buildings(states[k], buildings[k]);
    return states;
}

HistoryStamp SummaryStore::history_before(const std::string& instant) {
    Statement select = m_db.prepare(
        "SELECT count(*), coalesce(max(id), 0) FROM vacancy_history WHERE changed_at < ?1");
    select.bind(1, instant);
    select.step();
    return {select.column_int64(0), select.column_int64(1)};
}

std::map<std::string, KommuneBuildings> SummaryStore::buildings_by_kommune(
    const std::string& prefix) {
    // buildings_kommune_area covers this, as in counts(): no table row is read.
    Statement select = m_db.prepare(
        "SELECT kommune_ags, count(*), coalesce(sum(area_m2), 0) FROM buildings "
        "WHERE kommune_ags >= ?1 AND kommune_ags < ?2 GROUP BY kommune_ags");
    select.bind(1, prefix).bind(2, upper_bound_of(prefix));
    std::map<std::string, KommuneBuildings> buildings;
    while (select.step())
        buildings[select.column_text(0)] = {select.column_int64(1), select.column_double(2)};
    return buildings;
}

}  // namespace leerstand::data
