#include "data/summary_store.hpp"

#include <algorithm>

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

constexpr const char* open_status_list = "('gemeldet', 'bestaetigt', 'in_aktivierung')";

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

bool is_open_vacancy_status(std::string_view status) {
    return std::find(open_vacancy_statuses.begin(), open_vacancy_statuses.end(), status) !=
           open_vacancy_statuses.end();
}

SummaryStore::SummaryStore(Store& store) : m_db(store.connection()) {}

std::optional<std::string> SummaryStore::kommune_name(const std::string& ags) {
    Statement select = m_db.prepare("SELECT name FROM kommunen WHERE ags = ?1");
    select.bind(1, ags);
    if (!select.step()) return std::nullopt;
    return select.column_text(0);
}

SummaryCounts SummaryStore::counts(const std::string& prefix) {
    const std::string upper = upper_bound_of(prefix);
    SummaryCounts counts;
    for (const auto status : vacancy_statuses) counts.by_status[std::string(status)] = 0;
    for (const auto use : vacancy_uses) counts.open_by_use[std::string(use)] = 0;

    // buildings_kommune_area covers this: no table row is read, even for a large Kommune.
    Statement buildings = m_db.prepare(
        "SELECT count(*), total(area_m2) FROM buildings "
        "WHERE kommune_ags >= ?1 AND kommune_ags < ?2");
    buildings.bind(1, prefix).bind(2, upper);
    if (buildings.step()) {
        counts.buildings = buildings.column_int64(0);
        counts.footprint_area_m2 = buildings.column_double(1);
    }

    Statement vacancies = m_db.prepare(
        "SELECT status, use, count(*), total(floor_area_m2) FROM vacancies "
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
                     open_status_list);
    vacant_buildings.bind(1, prefix).bind(2, upper);
    if (vacant_buildings.step()) counts.vacant_buildings = vacant_buildings.column_int64(0);

    Statement places = m_db.prepare(
        "SELECT count(*) FROM zukunftsorte WHERE kommune_ags >= ?1 AND kommune_ags < ?2");
    places.bind(1, prefix).bind(2, upper);
    if (places.step()) counts.zukunftsorte = places.column_int64(0);
    return counts;
}

std::vector<std::int64_t> SummaryStore::open_before(const std::string& prefix,
                                                    const std::vector<std::string>& instants) {
    std::vector<std::int64_t> open(instants.size(), 0);
    if (instants.empty()) return open;
    // Every row of every vacancy that was ever in the area, so a move out of it is seen too.
    // Rows after the last instant cannot matter.
    std::string sql =
        "SELECT vacancy_id, kommune_ags, action, json_extract(new_values, '$.status'), "
        "changed_at FROM vacancy_history WHERE changed_at < ?3";
    if (!prefix.empty())
        sql +=
            " AND vacancy_id IN (SELECT vacancy_id FROM vacancy_history "
            "WHERE kommune_ags >= ?1 AND kommune_ags < ?2 AND changed_at < ?3)";
    sql += " ORDER BY vacancy_id, changed_at, id";
    Statement rows = m_db.prepare(sql);
    if (!prefix.empty()) rows.bind(1, prefix).bind(2, upper_bound_of(prefix));
    rows.bind(3, instants.back());

    struct Row {
        std::string kommune_ags;
        std::string action;
        std::optional<std::string> status;
        std::string changed_at;
    };
    std::vector<Row> history;  // the rows of one vacancy
    // Walks one vacancy's rows once, counting it at every instant where it was open.
    auto count_vacancy = [&] {
        std::optional<std::string> status;
        std::string kommune;
        bool deleted = false;
        std::size_t next = 0;
        for (std::size_t k = 0; k < instants.size(); ++k) {
            for (; next < history.size() && history[next].changed_at < instants[k]; ++next) {
                const Row& row = history[next];
                kommune = row.kommune_ags;
                deleted = row.action == "delete";
                // A create carries every field; an update only the changed ones.
                if (row.status) status = row.status;
            }
            if (next == 0 || deleted || !status || !is_open_vacancy_status(*status)) continue;
            if (starts_with(kommune, prefix)) ++open[k];
        }
        history.clear();
    };

    std::int64_t current = 0;
    bool any = false;
    while (rows.step()) {
        const std::int64_t id = rows.column_int64(0);
        if (any && id != current) count_vacancy();
        current = id;
        any = true;
        Row row;
        if (!rows.column_is_null(1)) row.kommune_ags = rows.column_text(1);
        row.action = rows.column_text(2);
        if (!rows.column_is_null(3)) row.status = rows.column_text(3);
        row.changed_at = rows.column_text(4);
        history.push_back(std::move(row));
    }
    if (any) count_vacancy();
    return open;
}

}  // namespace leerstand::data
