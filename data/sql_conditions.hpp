#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "data/bbox.hpp"
#include "data/connection.hpp"
#include "data/vacancy_records.hpp"

/// Building WHERE clauses with their binds for the list queries of data/. Internal to data/.
namespace leerstand::data::detail {

/// A WHERE clause with its binds, in order.
struct Conditions {
    std::string sql;
    std::vector<std::variant<std::int64_t, double, std::string>> binds;

    void add(const std::string& condition) {
        sql += (sql.empty() ? "WHERE " : " AND ") + condition;
    }

    /// Binds everything from index 1; returns the next free index.
    int bind_all(Statement& statement) const {
        int index = 1;
        for (const auto& value : binds)
            std::visit([&](const auto& v) { statement.bind(index++, v); }, value);
        return index;
    }
};

/// `column` starts with `prefix`, as a range so that an index on `column` serves it (AGS are
/// digits, and ':' sorts right after '9').
inline std::string prefix_condition(Conditions& where, const std::string& column,
                                    const std::string& prefix) {
    where.binds.emplace_back(prefix);
    where.binds.emplace_back(prefix + ":");
    return "(" + column + " >= ? AND " + column + " < ?)";
}

inline void add_prefix(Conditions& where, const std::string& column, const std::string& prefix) {
    where.add(prefix_condition(where, column, prefix));
}

/// The vacancies (alias `alias`) that `visibility` lets a caller see: everything, or the
/// consented ones plus everything in the Kommunen whose internal data the caller reads.
/// Empty for everything.
inline std::string visibility_condition(Conditions& where, const VacancyVisibility& visibility,
                                        const std::string& alias) {
    if (visibility.all) return "";
    std::string visible = "(" + alias + ".consent_publish = 1";
    for (const std::string& prefix : visibility.internal_prefixes) {
        if (prefix.empty()) continue;
        visible += " OR " + prefix_condition(where, alias + ".kommune_ags", prefix);
    }
    return visible + ")";
}

/// Adds visibility_condition() for vacancies aliased `v` (nothing when everything is visible).
inline void add_visible(Conditions& where, const VacancyVisibility& visibility) {
    if (const std::string visible = visibility_condition(where, visibility, "v"); !visible.empty())
        where.add(visible);
}

/// `column` (YYYY-MM-DD text) lies in `range`; NULL never does.
inline void add_date_range(Conditions& where, const std::string& column, const DateRange& range) {
    where.add(column + " IS NOT NULL");
    if (range.from) {
        where.add(column + " >= ?");
        where.binds.emplace_back(*range.from);
    }
    if (range.to) {
        where.add(column + " <= ?");
        where.binds.emplace_back(*range.to);
    }
}

/// "xmin <= ? AND ..." over an R*Tree's columns (each prefixed by `prefix`, e.g. "r."): the
/// boxes that meet `box`; its binds go into `where`.
inline std::string rtree_box_condition(Conditions& where, const std::string& prefix,
                                       const Bbox& box) {
    where.binds.emplace_back(box.max_lon);
    where.binds.emplace_back(box.min_lon);
    where.binds.emplace_back(box.max_lat);
    where.binds.emplace_back(box.min_lat);
    return prefix + "xmin <= ? AND " + prefix + "xmax >= ? AND " + prefix + "ymin <= ? AND " +
           prefix + "ymax >= ?";
}

/// `alias.column && box` on PostgreSQL: the GiST index finds the rows whose box meets `box`.
inline std::string gist_box_condition(Conditions& where, const std::string& alias,
                                      const std::string& column, const Bbox& box) {
    where.binds.emplace_back(box.min_lon);
    where.binds.emplace_back(box.min_lat);
    where.binds.emplace_back(box.max_lon);
    where.binds.emplace_back(box.max_lat);
    return alias + "." + column + " && ST_MakeEnvelope(?, ?, ?, ?, 4326)";
}

/// Rows of `table` (alias `alias`) whose `column`'s box meets `box`, from its spatial index:
/// the R*Tree SpatiaLite keeps for it, or PostgreSQL's GiST index. The R*Tree holds 32-bit
/// floats rounded outwards: callers add an exact test.
inline void add_rtree_candidates(Dialect dialect, Conditions& where, const std::string& table,
                                 const std::string& alias, const std::string& column,
                                 const Bbox& box) {
    if (dialect == Dialect::postgres) {
        where.add(gist_box_condition(where, alias, column, box));
        return;
    }
    const std::string inside = rtree_box_condition(where, "", box);
    where.add(alias + ".ROWID IN (SELECT pkid FROM idx_" + table + "_" + column + " WHERE " +
              inside + ")");
}

/// The same rows as a FROM clause that walks the R*Tree (alias r) and fetches each row by its
/// rowid; the box goes into `where`. For reads of many rows (tiles): `ROWID IN (SELECT pkid
/// ...)` first copies every pkid into a temporary b-tree, a tenth of the instructions of a
/// dense tile. CROSS JOIN keeps SQLite to this order. On PostgreSQL the table itself, with
/// the GiST condition in `where` (its planner walks the index).
inline std::string rtree_driven_from(Dialect dialect, Conditions& where, const std::string& table,
                                     const std::string& alias, const std::string& column,
                                     const Bbox& box) {
    if (dialect == Dialect::postgres) {
        where.add(gist_box_condition(where, alias, column, box));
        return table + " " + alias + " ";
    }
    where.add(rtree_box_condition(where, "r.", box));
    return "idx_" + table + "_" + column + " r CROSS JOIN " + table + " " + alias + " ON " + alias +
           ".ROWID = r.pkid ";
}

/// One row: min x, min y, max x, max y of the boxes of `table`'s `column`, and the number of
/// rows with a geometry (the box columns are NULL when there is none). `rows_where` ("" for
/// all, else e.g. "WHERE kommune_ags = ?1") picks the rows. On SpatiaLite read from the
/// R*Tree, so no geometry is read (its boxes are 32-bit floats rounded outwards); on
/// PostgreSQL ST_Extent, exact.
inline std::string extent_sql(Dialect dialect, const std::string& table, const std::string& column,
                              const std::string& rows_where = "") {
    if (dialect == Dialect::postgres)
        return "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), n FROM (SELECT "
               "ST_Extent(" +
               column + ") AS e, count(" + column + ") AS n FROM " + table + " " + rows_where +
               ") AS extent";
    std::string sql = "SELECT min(xmin), min(ymin), max(xmax), max(ymax), count(*) FROM idx_" +
                      table + "_" + column;
    if (!rows_where.empty())
        sql += " WHERE pkid IN (SELECT ROWID FROM " + table + " " + rows_where + ")";
    return sql;
}

}  // namespace leerstand::data::detail
