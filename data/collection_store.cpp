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
constexpr const char* building_columns =
    "SELECT b.id, b.kommune_ags, b.source_ref, b.function, b.floors, b.name, b.street, "
    "b.housenumber, b.postcode, b.city, b.area_m2, "
    "AsGeoJSON(ST_ForcePolygonCCW(b.footprint), 7) FROM buildings b ";

constexpr const char* kommune_columns =
    "SELECT k.ags, k.name, k.bez, k.parent_ags, k.area_m2, "
    "AsGeoJSON(ST_ForcePolygonCCW(k.boundary), 7) FROM kommunen k ";

std::optional<std::string> optional_text(const Statement& statement, int column) {
    if (statement.column_is_null(column)) return std::nullopt;
    return statement.column_text(column);
}

std::optional<double> optional_double(const Statement& statement, int column) {
    if (statement.column_is_null(column)) return std::nullopt;
    return statement.column_double(column);
}

BuildingItem read_building(const Statement& row) {
    BuildingItem item;
    item.id = row.column_int64(0);
    item.kommune_ags = row.column_text(1);
    item.source_ref = optional_text(row, 2);
    item.function = optional_text(row, 3);
    item.floors = row.column_optional_int64(4);
    item.name = optional_text(row, 5);
    item.street = optional_text(row, 6);
    item.housenumber = optional_text(row, 7);
    item.postcode = optional_text(row, 8);
    item.city = optional_text(row, 9);
    item.area_m2 = optional_double(row, 10);
    item.geometry_geojson = row.column_text(11);
    return item;
}

KommuneItem read_kommune(const Statement& row) {
    KommuneItem item;
    item.ags = row.column_text(0);
    item.name = row.column_text(1);
    item.bez = optional_text(row, 2);
    item.parent_ags = optional_text(row, 3);
    item.area_m2 = optional_double(row, 4);
    item.geometry_geojson = optional_text(row, 5);
    return item;
}

/// Rows of `table` (alias `alias`) whose `column` intersects `box`: candidates from the R*Tree
/// SpatiaLite keeps for the column, then an exact test on those few.
void add_bbox(Conditions& where, const std::string& table, const std::string& alias,
              const std::string& column, const Bbox& box) {
    add_rtree_candidates(where, table, alias, column, box);
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
    where.add("ST_Intersects(" + alias + "." + column + ", " + shape + ") = 1");
    where.binds.emplace_back(box.min_lon);
    where.binds.emplace_back(box.min_lat);
    if (!(flat_x && flat_y)) {
        where.binds.emplace_back(box.max_lon);
        where.binds.emplace_back(box.max_lat);
    }
}

template <typename Item, typename Reader>
RecordPage<Item> run_page(Connection& db, const std::string& table, const std::string& columns,
                          const std::string& order, const Conditions& where,
                          const CollectionFilter& filter, Reader reader) {
    RecordPage<Item> page;
    Statement count = db.prepare("SELECT count(*) FROM " + table + " " + where.sql);
    where.bind_all(count);
    count.step();
    page.number_matched = count.column_int64(0);
    if (filter.offset >= page.number_matched) return page;
    Statement select = db.prepare(columns + where.sql + " ORDER BY " + order + " LIMIT ? OFFSET ?");
    const int next = where.bind_all(select);
    select.bind(next, filter.limit).bind(next + 1, filter.offset);
    while (select.step()) page.items.push_back(reader(select));
    return page;
}

}  // namespace

CollectionStore::CollectionStore(Store& store) : m_db(store.connection()) {}

std::optional<Bbox> CollectionStore::extent(const std::string& table) {
    std::string column;
    if (table == "buildings")
        column = "footprint";
    else if (table == "kommunen")
        column = "boundary";
    else if (table == "vacancies" || table == "zukunftsorte")
        column = "geom";
    else
        throw InvalidInput("there is no collection '" + table + "'");
    // The R*Tree holds every geometry's box, so this reads no geometry at all.
    Statement select = m_db.prepare("SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM idx_" +
                                    table + "_" + column);
    if (!select.step() || select.column_is_null(0)) return std::nullopt;
    return Bbox{select.column_double(0), select.column_double(1), select.column_double(2),
                select.column_double(3)};
}

RecordPage<BuildingItem> CollectionStore::list_buildings(const CollectionFilter& filter) {
    Conditions where;
    if (filter.kommune_prefix) add_prefix(where, "b.kommune_ags", *filter.kommune_prefix);
    if (filter.bbox) add_bbox(where, "buildings", "b", "footprint", *filter.bbox);
    return run_page<BuildingItem>(m_db, "buildings b", building_columns, "b.id", where, filter,
                                  read_building);
}

std::optional<BuildingItem> CollectionStore::building(std::int64_t id) {
    Statement select = m_db.prepare(std::string(building_columns) + "WHERE b.id = ?");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_building(select);
}

RecordPage<KommuneItem> CollectionStore::list_kommunen(const CollectionFilter& filter) {
    Conditions where;
    if (filter.kommune_prefix) add_prefix(where, "k.ags", *filter.kommune_prefix);
    if (filter.bbox) add_bbox(where, "kommunen", "k", "boundary", *filter.bbox);
    return run_page<KommuneItem>(m_db, "kommunen k", kommune_columns, "k.ags", where, filter,
                                 read_kommune);
}

std::optional<KommuneItem> CollectionStore::kommune(const std::string& ags) {
    Statement select = m_db.prepare(std::string(kommune_columns) + "WHERE k.ags = ?");
    select.bind(1, ags);
    if (!select.step()) return std::nullopt;
    return read_kommune(select);
}

}  // namespace leerstand::data
