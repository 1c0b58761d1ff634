#include "data/collection_store.hpp"

#include <cmath>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/sql_conditions.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

using namespace detail;

// RFC 7946 wants counter-clockwise outer rings; 7 decimals are about 1 cm.
std::string geometry_expression(const std::string& column, GeometryText text) {
    switch (text) {
        case GeometryText::Wkt:
            return "AsWKT(" + column + ", 7)";
        case GeometryText::Wkb:
            return "AsBinary(ST_ForcePolygonCCW(" + column + "))";
        case GeometryText::GeoJson:
            break;
    }
    return "AsGeoJSON(ST_ForcePolygonCCW(" + column + "), 7)";
}

std::string building_columns(GeometryText text = GeometryText::GeoJson) {
    return "SELECT b.id, b.kommune_ags, b.source_ref, b.function, b.floors, b.name, b.street, "
           "b.housenumber, b.postcode, b.city, b.area_m2, " +
           geometry_expression("b.footprint", text) + " FROM buildings b ";
}

std::string kommune_columns(GeometryText text = GeometryText::GeoJson) {
    return "SELECT k.ags, k.name, k.bez, k.parent_ags, k.area_m2, " +
           geometry_expression("k.boundary", text) +
           ", k.member_since, k.founding_member FROM kommunen k ";
}

/// Column `column` as text, or as the bytes of a blob (WKB).
std::string geometry_column(const Statement& row, int column, bool blob) {
    if (!blob) return row.column_text(column);
    const std::vector<unsigned char> bytes = row.column_blob(column);
    return std::string(bytes.begin(), bytes.end());
}

std::optional<double> optional_double(const Statement& statement, int column) {
    if (statement.column_is_null(column)) return std::nullopt;
    return statement.column_double(column);
}

BuildingItem read_building(const Statement& row, bool blob = false) {
    BuildingItem item;
    item.id = row.column_int64(0);
    item.kommune_ags = row.column_text(1);
    item.source_ref = row.column_optional_text(2);
    item.function = row.column_optional_text(3);
    item.floors = row.column_optional_int64(4);
    item.name = row.column_optional_text(5);
    item.street = row.column_optional_text(6);
    item.housenumber = row.column_optional_text(7);
    item.postcode = row.column_optional_text(8);
    item.city = row.column_optional_text(9);
    item.area_m2 = optional_double(row, 10);
    item.geometry = geometry_column(row, 11, blob);
    return item;
}

KommuneItem read_kommune(const Statement& row, bool blob = false) {
    KommuneItem item;
    item.ags = row.column_text(0);
    item.name = row.column_text(1);
    item.bez = row.column_optional_text(2);
    item.parent_ags = row.column_optional_text(3);
    item.area_m2 = optional_double(row, 4);
    if (!row.column_is_null(5)) item.geometry = geometry_column(row, 5, blob);
    item.member_since = row.column_optional_text(6);
    item.founding_member = row.column_int64(7) != 0;
    return item;
}

/// Rows of `table` (alias `alias`) whose `column` intersects `box`: candidates from the R*Tree
/// SpatiaLite keeps for the column, then an exact test on those few.
void add_bbox(Dialect dialect, Conditions& where, const std::string& table,
              const std::string& alias, const std::string& column, const Bbox& box) {
    add_rtree_candidates(dialect, where, table, alias, column, box);
    // A box without area is a line or a point; BuildMbr would not make a valid polygon of it.
    const bool flat_x = box.min_lon == box.max_lon;
    const bool flat_y = box.min_lat == box.max_lat;
    std::string shape;
    if (flat_x && flat_y)
        shape = "MakePoint(?, ?, 4326)";
    else if (flat_x || flat_y)
        shape = "MakeLine(MakePoint(?, ?, 4326), MakePoint(?, ?, 4326))";
    else
        shape = "BuildMbr(?, ?, ?, ?, 4326)";
    // = TRUE: SpatiaLite answers 1 (or -1 for an error), PostGIS a boolean.
    where.add("ST_Intersects(" + alias + "." + column + ", " + shape + ") = TRUE");
    where.binds.emplace_back(box.min_lon);
    where.binds.emplace_back(box.min_lat);
    if (!(flat_x && flat_y)) {
        where.binds.emplace_back(box.max_lon);
        where.binds.emplace_back(box.max_lat);
    }
}

/// A page in `order` (a unique integer key when `keyset`), after the sort keys of `filter` of
/// `collection`: the count, then the rows.
/// With `keyset`, the first key of the page is found by skipping entries of a narrow index
/// (only the key is read), and the page itself starts at that key: a deep page costs one index
/// walk instead of stepping over every earlier table row.
template <typename Item, typename Reader>
RecordPage<Item> run_page(Connection& db, const std::string& table, const std::string& columns,
                          const std::string& order, bool keyset, const Conditions& where,
                          const CollectionFilter& filter, std::string_view collection,
                          Reader reader) {
    RecordPage<Item> page;
    Statement count = db.prepare("SELECT count(*) FROM " + table + " " + where.sql);
    where.bind_all(count);
    count.step();
    page.number_matched = count.column_int64(0);
    if (filter.offset >= page.number_matched) return page;
    Conditions page_where = where;
    std::int64_t skip = filter.offset;
    // Keys other than the id have no narrow index to skip along: those pages use the offset.
    if (!filter.sort.empty()) keyset = false;
    if (keyset && filter.offset > 0) {
        Statement first = db.prepare("SELECT " + order + " FROM " + table + " " + where.sql +
                                     " ORDER BY " + order + " LIMIT 1 OFFSET ?");
        first.bind(where.bind_all(first), filter.offset);
        if (!first.step()) return page;
        page_where.add(order + " >= ?");
        page_where.binds.emplace_back(first.column_int64(0));
        skip = 0;
    }
    Statement select = db.prepare(columns + page_where.sql +
                                  order_by(collection, filter.sort, order) + " LIMIT ? OFFSET ?");
    const int next = page_where.bind_all(select);
    select.bind(next, filter.limit).bind(next + 1, skip);
    while (select.step()) page.items.push_back(reader(select));
    return page;
}

Conditions building_conditions(Dialect dialect, const CollectionFilter& filter) {
    Conditions where;
    if (filter.kommune_prefix) add_prefix(where, "b.kommune_ags", *filter.kommune_prefix);
    if (filter.bbox) add_bbox(dialect, where, "buildings", "b", "footprint", *filter.bbox);
    return where;
}

Conditions kommune_conditions(Dialect dialect, const CollectionFilter& filter) {
    Conditions where;
    if (filter.kommune_prefix) add_prefix(where, "k.ags", *filter.kommune_prefix);
    if (filter.bbox) add_bbox(dialect, where, "kommunen", "k", "boundary", *filter.bbox);
    return where;
}

}  // namespace

CollectionStore::CollectionStore(Store& store) : m_db(store.connection()) {}

std::optional<Bbox> CollectionStore::extent(const std::string& table,
                                            const VacancyVisibility& visible) {
    Conditions where;
    std::string sql;
    if (table == "vacancies") {
        // The points the caller may see, exactly: the R*Tree holds every vacancy, and its
        // boxes are floats rounded outwards around each point.
        add_visible(where, visible);
        sql =
            "SELECT min(MbrMinX(v.geom)), min(MbrMinY(v.geom)), max(MbrMaxX(v.geom)), "
            "max(MbrMaxY(v.geom)) FROM vacancies v " +
            where.sql;
    } else {
        std::string column;
        if (table == "buildings")
            column = "footprint";
        else if (table == "kommunen")
            column = "boundary";
        else if (table == "zukunftsorte")
            column = "geom";
        else if (table == "zensus2011_grid")
            column = "cell";  // a tile layer, not a collection: only its tilesets ask
        else
            throw InvalidInput("there is no collection '" + table + "'");
        // Public rows: every geometry's box.
        sql = extent_sql(m_db.dialect(), table, column);
    }
    Statement select = m_db.prepare(sql);
    where.bind_all(select);
    if (!select.step() || select.column_is_null(0)) return std::nullopt;
    return Bbox{select.column_double(0), select.column_double(1), select.column_double(2),
                select.column_double(3)};
}

std::optional<DateRange> CollectionStore::temporal_extent(const std::string& table,
                                                          const VacancyVisibility& visible) {
    Conditions where;
    std::string sql;
    if (table == "vacancies") {
        add_visible(where, visible);
        sql = "SELECT min(v.vacant_since), max(v.vacant_since) FROM vacancies v " + where.sql;
    } else if (table == "zukunftsorte") {
        sql = "SELECT min(opened), max(opened) FROM zukunftsorte";
    } else {
        throw InvalidInput("the collection '" + table + "' has no time");
    }
    Statement select = m_db.prepare(sql);
    where.bind_all(select);
    if (!select.step() || select.column_is_null(0)) return std::nullopt;
    return DateRange{select.column_text(0), select.column_text(1)};
}

RecordPage<BuildingItem> CollectionStore::list_buildings(const CollectionFilter& filter) {
    const Conditions where = building_conditions(m_db.dialect(), filter);
    return run_page<BuildingItem>(m_db, "buildings b", building_columns(), "b.id", true, where,
                                  filter, "buildings",
                                  [](const Statement& row) { return read_building(row); });
}

void CollectionStore::for_each_building(const CollectionFilter& filter, GeometryText geometry,
                                        const std::function<void(const BuildingItem&)>& visit) {
    const Conditions where = building_conditions(m_db.dialect(), filter);
    Statement select = m_db.prepare(building_columns(geometry) + where.sql + " ORDER BY b.id");
    where.bind_all(select);
    const bool blob = geometry == GeometryText::Wkb;
    while (select.step()) visit(read_building(select, blob));
}

void CollectionStore::for_each_kommune(const CollectionFilter& filter, GeometryText geometry,
                                       const std::function<void(const KommuneItem&)>& visit) {
    const Conditions where = kommune_conditions(m_db.dialect(), filter);
    Statement select = m_db.prepare(kommune_columns(geometry) + where.sql + " ORDER BY k.ags");
    where.bind_all(select);
    const bool blob = geometry == GeometryText::Wkb;
    while (select.step()) visit(read_kommune(select, blob));
}

std::optional<BuildingItem> CollectionStore::building(std::int64_t id) {
    Statement select = m_db.prepare(building_columns() + "WHERE b.id = ?");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_building(select);
}

RecordPage<KommuneItem> CollectionStore::list_kommunen(const CollectionFilter& filter) {
    const Conditions where = kommune_conditions(m_db.dialect(), filter);
    return run_page<KommuneItem>(m_db, "kommunen k", kommune_columns(), "k.ags", false, where,
                                 filter, "kommunen",
                                 [](const Statement& row) { return read_kommune(row); });
}

std::optional<KommuneItem> CollectionStore::kommune(const std::string& ags) {
    Statement select = m_db.prepare(kommune_columns() + "WHERE k.ags = ?");
    select.bind(1, ags);
    if (!select.step()) return std::nullopt;
    return read_kommune(select);
}

}  // namespace leerstand::data
