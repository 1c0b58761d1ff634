#include "data/tile_store.hpp"

#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/geometry_blobs.hpp"
#include "data/sql_conditions.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

using namespace detail;

/// A read transaction in which every statement sees one snapshot, so the change-log number
/// and the features agree: a deferred one on SQLite (WAL), REPEATABLE READ READ ONLY on
/// PostgreSQL (whose default gives each statement its own). Ends with COMMIT (nothing to roll
/// back).
class ReadSnapshot {
  public:
    explicit ReadSnapshot(Connection& db) : m_db(db), m_owned(!db.in_transaction()) {
        if (!m_owned) return;
        m_db.exec(db.dialect() == Dialect::postgres
                      ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                      : "BEGIN");
    }
    ~ReadSnapshot() {
        if (!m_owned) return;
        try {
            m_db.exec("COMMIT");
        } catch (...) {
            // A read-only transaction has nothing to lose; the next BEGIN starts clean.
        }
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

  private:
    Connection& m_db;
    bool m_owned;
};

/// The geometry column as the tiles decode it: SpatiaLite's own BLOB straight from the
/// column (decoding it ourselves is the fast path), WKB on PostgreSQL.
std::string geometry_bytes(Dialect dialect, const std::string& column) {
    return dialect == Dialect::postgres ? "ST_AsBinary(" + column + ")" : column;
}

// Column 0 is the feature id, column 1 the geometry; the rest become properties named by
// their alias. These lists are the whole of what a tile shows: nothing internal is selected.
std::string layer_sql(Dialect dialect, TileSource source, Conditions& where,
                      const VacancyVisibility& visibility, const Bbox& box) {
    switch (source) {
        case TileSource::Kommunen: {
            // `from` first: it adds to `where`, and operands of + have no order.
            const std::string from =
                rtree_driven_from(dialect, where, "kommunen", "k", "boundary", box);
            return "SELECT CAST(k.ags AS INTEGER), " + geometry_bytes(dialect, "k.boundary") +
                   ", k.ags AS ags, k.name AS name, k.bez AS bez FROM " + from + where.sql +
                   " AND k.boundary IS NOT NULL";
        }
        case TileSource::Buildings: {
            // The vacancy a caller may see: an open one before a closed one, then the latest.
            // Index vacancies_building_shown (migration 5) holds exactly this order. The join
            // first asks whether the building has any vacancy (one index probe) and only then
            // runs the subquery: nearly every building has none, and the subquery for each of
            // them was a quarter of a dense tile's query time.
            Conditions visible;
            std::string condition = visibility_condition(visible, visibility, "v");
            condition = condition.empty() ? "" : " AND " + condition;
            where.binds = visible.binds;  // the subquery's come first in the text
            const std::string from =
                rtree_driven_from(dialect, where, "buildings", "b", "footprint", box);
            return "SELECT b.id, " + geometry_bytes(dialect, "b.footprint") +
                   ", b.kommune_ags AS kommune_ags, "
                   "v.id AS vacancy_id, v.status AS vacancy_status FROM " +
                   from +
                   "LEFT JOIN vacancies v ON v.building_id = b.id AND v.id = "
                   "(SELECT v.id FROM vacancies v "
                   "WHERE v.building_id = b.id" +
                   condition +
                   " ORDER BY v.status IN ('aktiviert', 'abgerissen', 'kein_leerstand'), "
                   "v.updated_at DESC, v.id DESC LIMIT 1) " +
                   where.sql;
        }
        case TileSource::Vacancies: {
            if (const std::string visible = visibility_condition(where, visibility, "v");
                !visible.empty())
                where.add(visible);
            const std::string from =
                rtree_driven_from(dialect, where, "vacancies", "v", "geom", box);
            return "SELECT v.id, " + geometry_bytes(dialect, "v.geom") +
                   ", v.status AS status, v.use AS use, "
                   "v.vacant_since AS vacant_since, v.kommune_ags AS kommune_ags, "
                   "v.building_id AS building_id FROM " +
                   from + where.sql;
        }
        case TileSource::Zukunftsorte: {
            const std::string from =
                rtree_driven_from(dialect, where, "zukunftsorte", "z", "geom", box);
            return "SELECT z.id, " + geometry_bytes(dialect, "z.geom") +
                   ", z.name AS name, z.kind AS kind, "
                   "z.kommune_ags AS kommune_ags FROM " +
                   from + where.sql;
        }
        case TileSource::Zensus2011Grid: {
            const std::string from =
                rtree_driven_from(dialect, where, "zensus2011_grid", "g", "cell", box);
            return "SELECT g.id, " + geometry_bytes(dialect, "g.cell") +
                   ", g.leerstandsquote AS leerstandsquote FROM " + from + where.sql;
        }
    }
    throw InternalError("unknown tile source");
}

void read_properties(const Statement& row, const std::vector<std::string>& names,
                     std::vector<FeatureProperty>& out) {
    out.clear();
    for (int column = 2; column < static_cast<int>(names.size()); ++column) {
        switch (row.column_kind(column)) {
            case Statement::ColumnKind::Integer:
                out.push_back({names[column], row.column_int64(column)});
                break;
            case Statement::ColumnKind::Real:
                out.push_back({names[column], row.column_double(column)});
                break;
            case Statement::ColumnKind::Text:
                out.push_back({names[column], row.column_text(column)});
                break;
            default:
                break;  // null: the property is left out
        }
    }
}

}  // namespace

TileStore::TileStore(Store& store) : m_db(store.connection()) {}

std::int64_t TileStore::read_features(TileSource source, const Bbox& box,
                                      const VacancyVisibility& visibility,
                                      const std::function<void(const MapFeature&)>& visit) {
    Conditions where;
    const Dialect dialect = m_db.dialect();
    const std::string sql = layer_sql(dialect, source, where, visibility, box);
    const ReadSnapshot snapshot(m_db);
    const std::int64_t seq = latest_change();
    Statement& select = layer_query(sql);
    // Reset before the snapshot ends, whatever happens: a statement still stepping would keep
    // its read open past the COMMIT.
    struct ResetAtEnd {
        Statement& statement;
        ~ResetAtEnd() { statement.reset(); }
    } const reset_at_end{select};
    where.bind_all(select);
    std::vector<std::string> names;
    for (int i = 0; i < select.column_count(); ++i) names.push_back(select.column_name(i));
    MapFeature feature;
    while (select.step()) {
        if (select.column_is_null(1)) continue;
        feature.id = select.column_int64(0);
        if (dialect == Dialect::postgres)
            decode_wkb(select.column_blob_view(1), feature);
        else
            decode_spatialite_blob(select.column_blob_view(1), feature);
        read_properties(select, names, feature.properties);
        visit(feature);
    }
    return seq;
}

Statement& TileStore::layer_query(const std::string& sql) {
    if (const auto found = m_layer_queries.find(sql); found != m_layer_queries.end())
        return found->second;
    // Callers of many different visibilities (internal readers of different Kommunen) would
    // grow the map without end: start again past a bound.
    if (m_layer_queries.size() >= 32) m_layer_queries.clear();
    return m_layer_queries.emplace(sql, m_db.prepare(sql)).first->second;
}

std::int64_t TileStore::latest_change() {
    // Every tile request asks this, cached tiles too: parsing the SQL each time was a fifth of
    // the time of serving a cached tile.
    if (!m_latest_change)
        m_latest_change.emplace(m_db.prepare("SELECT coalesce(max(seq), 0) FROM tile_changes"));
    Statement& query = *m_latest_change;
    query.reset();
    query.step();
    const std::int64_t seq = query.column_int64(0);
    query.reset();  // ends the statement's read, so the next call sees later commits
    return seq;
}

namespace {

/// The changes after `seq` (those the public sees with `seen_by_public_only`), at most
/// `limit`; nullopt when there are more.
std::optional<std::vector<TileChange>> list_changes(Connection& db, std::int64_t seq,
                                                    std::size_t limit, bool seen_by_public_only) {
    Statement select =
        db.prepare(std::string("SELECT seq, layers, min_lon, min_lat, max_lon, max_lat, public "
                               "FROM tile_changes WHERE seq > ?1") +
                   (seen_by_public_only ? " AND public = 1" : "") + " ORDER BY seq LIMIT ?2");
    select.bind(1, seq).bind(2, static_cast<std::int64_t>(limit) + 1);
    std::vector<TileChange> changes;
    while (select.step()) {
        if (changes.size() == limit) return std::nullopt;
        changes.push_back({select.column_int64(0), static_cast<unsigned>(select.column_int64(1)),
                           Bbox{select.column_double(2), select.column_double(3),
                                select.column_double(4), select.column_double(5)},
                           select.column_int64(6) != 0});
    }
    return changes;
}

}  // namespace

TileChanges TileStore::changes_after(std::int64_t seq, std::size_t limit) {
    TileChanges result;
    const ReadSnapshot snapshot(m_db);
    result.latest = latest_change();
    if (result.latest <= seq) return result;
    // Pruned rows between `seq` and the oldest kept one are unknown changes.
    const std::int64_t oldest = m_db.query_int64("SELECT coalesce(min(seq), 0) FROM tile_changes");
    if (oldest > seq + 1) {
        result.listed = TileChanges::Listed::None;
        return result;
    }
    // Many changes of unpublished vacancies (a large upload) must not cost the public its
    // cached tiles: that would show the public that something hidden happened.
    if (auto all = list_changes(m_db, seq, limit, false)) {
        result.changes = std::move(*all);
    } else if (auto seen = list_changes(m_db, seq, limit, true)) {
        result.listed = TileChanges::Listed::SeenByPublic;
        result.changes = std::move(*seen);
    } else {
        result.listed = TileChanges::Listed::None;
    }
    return result;
}

TileChangeSubscription::TileChangeSubscription(const DatabaseLocation& location)
    : m_connection(location) {
    m_connection.listen(k_tile_change_channel);
}

bool TileChangeSubscription::wait(std::chrono::milliseconds timeout) {
    return m_connection.wait_for_notification(timeout);
}

void record_tile_change(Connection& connection, unsigned layers, const Bbox& box) {
    Statement insert = connection.prepare(
        "INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, static_cast<std::int64_t>(layers))
        .bind(2, box.min_lon)
        .bind(3, box.min_lat)
        .bind(4, box.max_lon)
        .bind(5, box.max_lat)
        .run();
}

}  // namespace leerstand::data
