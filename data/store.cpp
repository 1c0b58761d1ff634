#include "data/store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <utility>

#include "common/ags.hpp"
#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/geometry_blobs.hpp"
#include "data/migrations.hpp"
#include "data/profile_store.hpp"
#include "data/rtree_bulk_load.hpp"
#include "data/sql_conditions.hpp"
#include "data/tile_store.hpp"

namespace leerstand::data {

namespace {

// ---------------------------------------------------------------------------------------------
// WKB checks. SpatiaLite's geometry triggers answer a wrong geometry type with
// RAISE(ROLLBACK), which would silently end a whole import, so types are checked here first.

enum class WkbKind { Polygon, MultiPolygon, Other };

WkbKind wkb_kind(const Wkb& wkb) {
    if (wkb.size() < 9 || wkb[0] > 1) return WkbKind::Other;
    std::uint32_t type = 0;
    if (wkb[0] == 1) {  // little endian
        type = std::uint32_t{wkb[1]} | std::uint32_t{wkb[2]} << 8 | std::uint32_t{wkb[3]} << 16 |
               std::uint32_t{wkb[4]} << 24;
    } else {
        type = std::uint32_t{wkb[4]} | std::uint32_t{wkb[3]} << 8 | std::uint32_t{wkb[2]} << 16 |
               std::uint32_t{wkb[1]} << 24;
    }
    // Only 2D types: the columns are XY, and ISO/EWKB Z or M variants have other codes.
    if (type == 3) return WkbKind::Polygon;
    if (type == 6) return WkbKind::MultiPolygon;
    return WkbKind::Other;
}

WkbKind require_areal(const Wkb& wkb, const std::string& what) {
    const WkbKind kind = wkb_kind(wkb);
    if (kind == WkbKind::Other)
        throw InvalidGeometry(what + " must be a 2D Polygon or MultiPolygon (WKB)");
    return kind;
}

// PostGIS's WKB reader (ST_GeomFromWKB, and the geometry column's binary input that a COPY
// uses) refuses a ring that is open or has fewer than 4 points. On PostgreSQL such a footprint
// is refused by itself here, as the per-row INSERT did through GeomFromWKB's NULL, instead of
// failing the whole COPY at its end. Closed means the first and last points are the same bytes,
// as PostGIS compares them. @pre `wkb` passed detail::extend_box_by_wkb (a readable 2D Polygon
// or MultiPolygon).
bool rings_closed(const Wkb& wkb) {
    std::size_t at = 0;
    bool little_endian = true;
    const auto u32 = [&] {
        std::uint32_t value = 0;
        for (int i = 0; i < 4; ++i) {
            const int shift = little_endian ? 8 * i : 8 * (3 - i);
            value |= std::uint32_t{wkb[at + static_cast<std::size_t>(i)]} << shift;
        }
        at += 4;
        return value;
    };
    const auto header = [&] {
        little_endian = wkb[at++] == 1;
        return u32();
    };
    const auto polygon = [&] {
        constexpr std::size_t point_size = 16;
        for (std::uint32_t rings = u32(); rings > 0; --rings) {
            const std::size_t points = u32();
            if (points < 4 || at + points * point_size > wkb.size()) return false;
            const std::size_t last = at + (points - 1) * point_size;
            if (!std::equal(wkb.begin() + static_cast<std::ptrdiff_t>(at),
                            wkb.begin() + static_cast<std::ptrdiff_t>(at + point_size),
                            wkb.begin() + static_cast<std::ptrdiff_t>(last)))
                return false;
            at += points * point_size;
        }
        return true;
    };
    if (header() == 3) return polygon();
    for (std::uint32_t polygons = u32(); polygons > 0; --polygons) {
        header();
        if (!polygon()) return false;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// uploads rows

constexpr const char* k_insert_upload_sql =
    "INSERT INTO uploads (\"user\", file_name, format, layer, kommune_ags, mode, crs, encoding, "
    "features_read, stored, rejected, errors, report, state, progress, created_at, finished_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
    "RETURNING id";

constexpr const char* k_update_upload_sql =
    "UPDATE uploads SET \"user\" = ?1, file_name = ?2, format = ?3, layer = ?4, kommune_ags = ?5, "
    "mode = ?6, crs = ?7, encoding = ?8, features_read = ?9, stored = ?10, rejected = ?11, "
    "errors = ?12, report = ?13, state = ?14, progress = ?15, finished_at = ?16 WHERE id = ?17";

// Binds ?1..?13 from the record; the caller binds state, progress and times.
void bind_upload(Statement& statement, const UploadRecord& upload) {
    statement.bind_text_or_null(1, upload.user)
        .bind_text_or_null(2, upload.file_name)
        .bind_text_or_null(3, upload.format)
        .bind_text_or_null(4, upload.layer)
        .bind_text_or_null(5, upload.kommune_ags)
        .bind_text_or_null(6, upload.mode)
        .bind_text_or_null(7, upload.crs)
        .bind_text_or_null(8, upload.encoding)
        .bind(9, upload.features_read)
        .bind(10, upload.stored)
        .bind(11, upload.rejected)
        .bind(12, upload.errors_json.empty() ? std::string("[]") : upload.errors_json)
        .bind(13, upload.report_json.empty() ? std::string("{}") : upload.report_json);
}

void update_upload(Connection& connection, std::int64_t id, const UploadRecord& upload,
                   const std::string& state, bool finished) {
    Statement statement = connection.prepare(k_update_upload_sql);
    bind_upload(statement, upload);
    statement.bind(14, state).bind(15, finished ? 1.0 : 0.0).bind(17, id);
    if (finished)
        statement.bind(16, connection.now());
    else
        statement.bind_null(16);
    statement.run();
    if (connection.changes() != 1)
        throw InternalError("uploads row " + std::to_string(id) + " vanished during the import");
}

/// Inserts the row, or for a row made earlier by create_upload (upload.id set) updates it.
/// In a transaction of its own unless the caller has one: on PostgreSQL only a transaction
/// takes the write lock, and writes stay one at a time as on SQLite.
std::int64_t insert_upload(Connection& connection, const UploadRecord& upload,
                           const std::string& state, bool finished) {
    OwnTransaction transaction(connection);
    if (upload.id != 0) {
        update_upload(connection, upload.id, upload, state, finished);
        transaction.commit();
        return upload.id;
    }
    Statement statement = connection.prepare(k_insert_upload_sql);
    bind_upload(statement, upload);
    const std::string now = connection.now();
    statement.bind(14, state).bind(15, finished ? 1.0 : 0.0).bind(16, now);
    if (finished)
        statement.bind(17, now);
    else
        statement.bind_null(17);
    statement.step();
    const std::int64_t id = statement.column_int64(0);
    statement.reset();  // ends the statement now, before the commit
    transaction.commit();
    return id;
}

void finish_upload(Connection& connection, std::int64_t id, const UploadRecord& upload,
                   const std::string& state) {
    update_upload(connection, id, upload, state, true);
}

bool kommune_known(Connection& connection, const std::string& ags) {
    Statement statement = connection.prepare("SELECT 1 FROM kommunen WHERE ags = ?");
    statement.bind(1, ags);
    return statement.step();
}

DatabaseLocation prepare_location(const DatabaseLocation& location) {
    if (location.is_postgres()) return location;
    const std::filesystem::path& db_path = location.file();
    const std::string text = db_path.string();
    // In-memory databases and URIs have no folder to create.
    if (text.empty() || text == ":memory:" || text.rfind("file:", 0) == 0) return db_path;
    const auto parent = db_path.parent_path();
    if (!parent.empty()) {
        std::error_code error;
        std::filesystem::create_directories(parent, error);
        if (error)
            throw InvalidInput("cannot create the folder " + parent.string() +
                               " for the database: " + error.message() +
                               "; check the path and its permissions");
    }
    return db_path;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Store

struct Store::Impl {
    Impl(const DatabaseLocation& location, const StoreOptions& options)
        : connection(prepare_location(location), ConnectionOptions{options.busy_timeout, true}) {
        apply_migrations(connection);
    }
    Connection connection;

    /// The last counts and what the database looked like then (see Store::counts).
    struct CountsSeen {
        std::int64_t data_version = 0;
        std::int64_t own_changes = 0;
        StoreCounts counts;
    };
    std::optional<CountsSeen> counts_seen;
};

Store::Store(const DatabaseLocation& location, StoreOptions options)
    : m_impl(std::make_unique<Impl>(location, options)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Connection& Store::connection() {
    return m_impl->connection;
}

int Store::schema_version() const {
    return current_schema_version(m_impl->connection);
}

StoreCounts Store::counts() const {
    // Counting a million buildings takes ~10 ms, and /health asks on every call. The counts
    // stand while no connection has committed: data_version moves with commits of others,
    // total_changes with our own.
    Connection& db = m_impl->connection;
    // PostgreSQL has no data_version: it counts every time, until the change log of issue 24
    // tells when the counts moved.
    const bool cacheable = db.dialect() == Dialect::spatialite;
    const std::int64_t data_version = cacheable ? db.query_int64("PRAGMA data_version") : 0;
    const std::int64_t own_changes = cacheable ? sqlite3_total_changes64(db.sqlite_handle()) : 0;
    auto& seen = m_impl->counts_seen;
    // Inside a transaction the counts include what a rollback may still take back (and a
    // rollback changes neither number): neither use nor keep them there.
    const bool in_transaction = db.in_transaction();
    if (cacheable && !in_transaction && seen && seen->data_version == data_version &&
        seen->own_changes == own_changes)
        return seen->counts;
    Statement statement = db.prepare(
        "SELECT (SELECT count(*) FROM kommunen), (SELECT count(*) FROM buildings), "
        "(SELECT count(*) FROM vacancies), (SELECT count(*) FROM zukunftsorte), "
        "(SELECT count(*) FROM uploads), (SELECT count(*) FROM users)");
    statement.step();
    StoreCounts counts;
    counts.kommunen = statement.column_int64(0);
    counts.buildings = statement.column_int64(1);
    counts.vacancies = statement.column_int64(2);
    counts.zukunftsorte = statement.column_int64(3);
    counts.uploads = statement.column_int64(4);
    counts.users = statement.column_int64(5);
    if (in_transaction)
        seen.reset();
    else
        seen = Impl::CountsSeen{data_version, own_changes, counts};
    return counts;
}

std::int64_t Store::upsert_kommunen(const std::vector<KommuneRecord>& kommunen,
                                    const UploadRecord& upload) {
    // Check everything before writing so a bad record names itself, not a constraint.
    for (const KommuneRecord& kommune : kommunen) {
        if (!Ags::parse(kommune.ags))
            throw InvalidInput("Kommune key (AGS) '" + kommune.ags + "' must have 5 or 8 digits");
        if (kommune.name.empty())
            throw InvalidInput("Kommune " + kommune.ags + " has no name (GEN)");
        if (!kommune.boundary.empty())
            require_areal(kommune.boundary, "the boundary of Kommune " + kommune.ags);
    }
    Connection& db = m_impl->connection;
    OwnTransaction transaction(db);
    const std::int64_t upload_id = insert_upload(db, upload, "done", true);
    // Upsert, not INSERT OR REPLACE: REPLACE deletes the row first, which would break the
    // buildings that reference it and lose the profile fields kept by the network team.
    Statement statement = db.prepare(
        "INSERT INTO kommunen (ags, name, bez, parent_ags, area_m2, boundary, created_at, "
        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, CastToMultiPolygon(GeomFromWKB(?6, 4326)), ?7, "
        "?7) "
        "ON CONFLICT (ags) DO UPDATE SET name = excluded.name, bez = excluded.bez, "
        "parent_ags = excluded.parent_ags, area_m2 = excluded.area_m2, "
        "boundary = excluded.boundary, updated_at = excluded.updated_at, "
        // The profile shows the name: its ETag must move with it (and with nothing else).
        "profile_version = kommunen.profile_version + "
        "CASE WHEN kommunen.name = excluded.name THEN 0 ELSE 1 END");
    // GeomFromWKB gives NULL for bytes it cannot parse; the boundary column allows NULL (a
    // Kommune may be created before its boundary is known), so check explicitly.
    Statement readable = db.prepare("SELECT GeomFromWKB(?, 4326) IS NOT NULL");
    const std::string now = db.now();
    for (const KommuneRecord& kommune : kommunen) {
        if (!kommune.boundary.empty()) {
            readable.bind_blob(1, kommune.boundary).step();
            const bool ok = readable.column_int64(0) == 1;
            readable.reset();
            if (!ok)
                throw InvalidGeometry("the boundary of Kommune " + kommune.ags +
                                      " is not readable WKB");
        }
        statement.bind(1, kommune.ags)
            .bind(2, kommune.name)
            .bind_text_or_null(3, kommune.bez)
            .bind_text_or_null(4, kommune.parent_ags)
            .bind(5, kommune.area_m2)
            .bind(7, now);
        if (kommune.boundary.empty())
            statement.bind_null(6);
        else
            statement.bind_blob(6, kommune.boundary);
        statement.run();
        statement.reset();
    }
    assign_kommune_slugs(db);
    transaction.commit();
    return upload_id;
}

std::vector<KommuneBoundary> Store::kommune_boundaries() const {
    Statement statement = m_impl->connection.prepare(
        "SELECT ags, AsBinary(boundary), name FROM kommunen WHERE boundary IS NOT NULL "
        "ORDER BY ags");
    std::vector<KommuneBoundary> result;
    while (statement.step())
        result.push_back(KommuneBoundary{statement.column_text(0), statement.column_blob(1),
                                         statement.column_text(2)});
    return result;
}

void Store::pin_time(std::optional<std::string> time) {
    m_impl->connection.pin_time(std::move(time));
}

bool Store::kommune_exists(const std::string& ags) const {
    return kommune_known(m_impl->connection, ags);
}

std::int64_t Store::record_failed_upload(const UploadRecord& upload) {
    return insert_upload(m_impl->connection, upload, "failed", true);
}

std::int64_t Store::record_finished_upload(const UploadRecord& upload) {
    return insert_upload(m_impl->connection, upload, upload.state, true);
}

std::int64_t Store::create_upload(const UploadRecord& upload) {
    UploadRecord fresh = upload;
    fresh.id = 0;
    return insert_upload(m_impl->connection, fresh, "queued", false);
}

void Store::set_upload_state(std::int64_t id, const std::string& state) {
    Statement statement = m_impl->connection.prepare("UPDATE uploads SET state = ?1 WHERE id = ?2");
    statement.bind(1, state).bind(2, id).run();
    if (m_impl->connection.changes() != 1)
        throw NotFound("upload " + std::to_string(id) + " does not exist");
}

std::optional<UploadRecord> Store::upload(std::int64_t id) const {
    Statement statement = m_impl->connection.prepare(
        "SELECT id, \"user\", file_name, format, layer, kommune_ags, mode, crs, encoding, "
        "features_read, stored, rejected, errors, report, state, created_at, finished_at "
        "FROM uploads WHERE id = ?1");
    statement.bind(1, id);
    if (!statement.step()) return std::nullopt;
    UploadRecord record;
    record.id = statement.column_int64(0);
    record.user = statement.column_text(1);
    record.file_name = statement.column_text(2);
    record.format = statement.column_text(3);
    record.layer = statement.column_text(4);
    record.kommune_ags = statement.column_text(5);
    record.mode = statement.column_text(6);
    record.crs = statement.column_text(7);
    record.encoding = statement.column_text(8);
    record.features_read = statement.column_int64(9);
    record.stored = statement.column_int64(10);
    record.rejected = statement.column_int64(11);
    record.errors_json = statement.column_text(12);
    record.report_json = statement.column_text(13);
    record.state = statement.column_text(14);
    record.created_at = statement.column_text(15);
    record.finished_at = statement.column_text(16);
    return record;
}

// ---------------------------------------------------------------------------------------------
// BuildingImport

namespace {

constexpr const char* k_insert_building_head =
    "INSERT INTO buildings (kommune_ags, upload_id, source_ref, function, floors, name, street, "
    "housenumber, postcode, city, attributes, area_m2, created_at, footprint) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ";

// The same columns for PostgreSQL's binary COPY, in the order BuildingImport::Impl::copy_row
// sends them.
const std::vector<std::string> k_building_copy_columns = {
    "kommune_ags", "upload_id", "source_ref", "function",   "floors",  "name",       "street",
    "housenumber", "postcode",  "city",       "attributes", "area_m2", "created_at", "footprint"};

// The EWKB header put before a footprint's WKB for the geometry column's binary input, which
// reads EWKB: a MultiPolygon with SRID 4326. For a MultiPolygon it replaces the WKB's own
// header (byte order, type) and keeps its byte order, since the polygon count after it is in
// that order; a Polygon becomes the only member of a little-endian MultiPolygon, the polygon's
// WKB following unchanged (each member of a collection carries its own byte order).
struct EwkbHeader {
    std::array<unsigned char, 13> bytes{};
    std::size_t size = 0;
    std::size_t wkb_skipped = 0;  // bytes of the WKB the header replaces
};

EwkbHeader multipolygon_4326_header(const Wkb& wkb, WkbKind kind) {
    constexpr std::uint32_t ewkb_srid_flag = 0x20000000;
    constexpr std::uint32_t multipolygon = 6;
    constexpr std::uint32_t srid = 4326;
    EwkbHeader header;
    const bool little_endian = kind == WkbKind::Polygon || wkb[0] == 1;
    auto put = [&](std::uint32_t value) {
        for (int i = 0; i < 4; ++i) {
            const int shift = little_endian ? 8 * i : 8 * (3 - i);
            header.bytes[header.size++] = static_cast<unsigned char>((value >> shift) & 0xff);
        }
    };
    header.bytes[header.size++] = little_endian ? 1 : 0;
    put(multipolygon | ewkb_srid_flag);
    put(srid);
    if (kind == WkbKind::Polygon)
        put(1);  // one member: the whole polygon WKB follows
    else
        header.wkb_skipped = 5;
    return header;
}

// Why: SpatiaLite's per-row triggers on buildings.footprint cost most of an import (measured
// with 200k buildings: about 16k/s with them; its R*Tree trigger even formats and parses SQL
// text for every row). During an import they are dropped inside the import's own transaction
// and their work is done in bulk at commit: the type/SRID check by require_areal() plus
// GeomFromWKB(?, 4326), the R*Tree by one INSERT ... SELECT (or a bulk-loaded new tree), the
// geometry_columns_time stamps by one UPDATE each. The triggers are re-created from their
// stored SQL before COMMIT. DDL is transactional in SQLite, so a rollback or a kill restores
// them too, and other connections never see the table without them.
// All or nothing: if SpatiaLite ever names its triggers differently, none are touched and the
// import simply runs the slow, trigger-driven way.
class FootprintTriggerSuspension {
  public:
    explicit FootprintTriggerSuspension(Connection& db) : m_db(db) {
        // PostgreSQL has none of these triggers: its GiST index is the server's to maintain.
        if (db.dialect() == Dialect::postgres) return;
        static const std::set<std::string> k_expected = {
            "ggi_buildings_footprint", "ggu_buildings_footprint", "tmi_buildings_footprint",
            "tmu_buildings_footprint", "tmd_buildings_footprint", "gii_buildings_footprint",
            "giu_buildings_footprint", "gid_buildings_footprint"};
        Statement statement = db.prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
            "'buildings'");
        std::set<std::string> found;
        while (statement.step()) {
            std::string name = statement.column_text(0);
            if (!k_expected.contains(name)) continue;
            found.insert(name);
            // Only the insert and delete triggers matter: an import never updates rows.
            if (name.starts_with("ggi_") || name.starts_with("tmi_") || name.starts_with("tmd_") ||
                name.starts_with("gii_") || name.starts_with("gid_"))
                m_triggers.emplace_back(std::move(name), statement.column_text(1));
        }
        if (found != k_expected) {
            m_triggers.clear();
            return;
        }
        for (const auto& trigger : m_triggers) db.exec("DROP TRIGGER \"" + trigger.first + "\"");
    }

    /// True when the import maintains the spatial index and time stamps itself.
    bool active() const { return !m_triggers.empty(); }

    void restore() {
        for (const auto& trigger : m_triggers) m_db.exec(trigger.second);
        m_triggers.clear();
    }

  private:
    Connection& m_db;
    std::vector<std::pair<std::string, std::string>> m_triggers;  // name, CREATE TRIGGER sql
};

}  // namespace

struct Store::BuildingImport::Impl {
    Impl(Connection& db, const UploadRecord& upload, bool replace_mode, std::string kommune)
        : connection(db), replace(replace_mode), replace_kommune(std::move(kommune)) {
        transaction.emplace(db);
        upload_id = insert_upload(db, upload, "running", false);
        triggers.emplace(db);
        // PostgreSQL takes the rows by binary COPY (copy_row), SQLite by a prepared INSERT.
        if (db.dialect() == Dialect::spatialite)
            insert_multipolygon.emplace(
                db.prepare(std::string(k_insert_building_head) + "GeomFromWKB(?14, 4326))"));
        created_at = db.now();
    }

    // Why: one INSERT per row costs a round trip to the server each; binary COPY streams the
    // rows (measured in docs/benchmarks.md). A statement in between (a Kommune lookup, counts)
    // ends the running COPY and the next row starts another; each Kommune is looked up once
    // per import, so a file makes few of them.
    void copy_row(const BuildingRecord& building, WkbKind kind) {
        if (!copy) copy.emplace(connection.copy_in("buildings", k_building_copy_columns));
        const EwkbHeader header = multipolygon_4326_header(building.footprint, kind);
        const std::span<const unsigned char> wkb(building.footprint);
        copy->add_text(building.kommune_ags)
            .add_int64(upload_id)
            .add_text_or_null(building.source_ref)
            .add_text_or_null(building.function)
            .add_int64(building.floors)
            .add_text_or_null(building.name)
            .add_text_or_null(building.street)
            .add_text_or_null(building.housenumber)
            .add_text_or_null(building.postcode)
            .add_text_or_null(building.city)
            .add_text(building.attributes_json.empty() ? std::string_view("{}")
                                                       : std::string_view(building.attributes_json))
            .add_double(building.area_m2)
            .add_text(created_at)
            .add_bytes(std::span(header.bytes).first(header.size), wkb.subspan(header.wkb_skipped));
        copy->end_row();
    }

    // SQLite: one prepared INSERT per row (the triggers are suspended; see above).
    void insert_row(const BuildingRecord& building, WkbKind kind) {
        Statement& statement = insert_for(kind);
        statement.bind(1, building.kommune_ags)
            .bind(2, upload_id)
            .bind_text_or_null(3, building.source_ref)
            .bind_text_or_null(4, building.function)
            .bind(5, building.floors)
            .bind_text_or_null(6, building.name)
            .bind_text_or_null(7, building.street)
            .bind_text_or_null(8, building.housenumber)
            .bind_text_or_null(9, building.postcode)
            .bind_text_or_null(10, building.city)
            .bind(11, building.attributes_json.empty() ? std::string_view("{}")
                                                       : std::string_view(building.attributes_json))
            .bind(12, building.area_m2)
            .bind(13, created_at)
            .bind_blob(14, building.footprint);
        try {
            statement.step();
        } catch (const Conflict&) {
            statement.reset();
            // The only NOT NULL column a caller can leave unset is the footprint: SpatiaLite gives
            // NULL for WKB it cannot parse, even where our reader could. Say so instead of naming
            // a constraint.
            Statement probe = connection.prepare("SELECT GeomFromWKB(?, 4326) IS NULL");
            probe.bind_blob(1, building.footprint);
            if (probe.step() && probe.column_int64(0) == 1)
                throw InvalidGeometry("the footprint of building '" + building.source_ref +
                                      "' is not readable WKB");
            throw;
        }
        statement.reset();
    }

    /// Whether the Kommune exists, asked of the database once per import: no writer can add
    /// one while the import holds the write lock.
    bool kommune_exists(const std::string& ags) {
        if (const auto known = checked_kommunen.find(ags); known != checked_kommunen.end())
            return known->second;
        const bool exists = kommune_known(connection, ags);
        checked_kommunen.emplace(ags, exists);
        return exists;
    }

    // Polygons are rare (callers pass MultiPolygons), so this statement is made on first use.
    Statement& insert_for(WkbKind kind) {
        if (kind == WkbKind::MultiPolygon) return *insert_multipolygon;
        if (!insert_polygon)
            insert_polygon.emplace(
                connection.prepare(std::string(k_insert_building_head) +
                                   "CastToMultiPolygon(GeomFromWKB(?14, 4326)))"));
        return *insert_polygon;
    }

    void require_open(const char* action) const {
        if (committed)
            throw InternalError(std::string("building import already committed; cannot ") + action);
        // A trigger's RAISE(ROLLBACK) or an I/O error can end the transaction under us; writing
        // on would commit row by row, so the import is dead from here on.
        if (!connection.in_transaction())
            throw InternalError(std::string("building import transaction was aborted; cannot ") +
                                action);
    }

    // Everything commit() does before the final uploads update.
    void finish_buildings() {
        std::set<std::string> targets;
        if (replace) {
            targets = kommunen;
            if (!replace_kommune.empty()) targets.insert(replace_kommune);
        }
        record_tile_changes(targets);
        if (!triggers->active()) {
            delete_earlier(targets);  // the triggers keep index and stamps up to date
            return;
        }
        const std::int64_t doomed = count_earlier(targets);
        // Rows in the table after the import, its own included.
        const std::int64_t kept = connection.query_int64("SELECT count(*) FROM buildings") - doomed;
        if (rebuild_pays(kept, doomed)) {
            delete_earlier(targets);
            rebuild_index(kept);
        } else {
            unindex_earlier(targets);
            delete_earlier(targets);
            index_rows("WHERE upload_id = ?1");
        }
        const std::string now = connection.now();
        if (added > 0) stamp_geometry_time("last_insert", now);
        if (deleted > 0) stamp_geometry_time("last_delete", now);
        triggers->restore();
    }

    // Why: SQLite's R*Tree costs 11-20 us per entry inserted or deleted one by one, whatever the
    // order, while a bulk load (rtree_bulk_load.hpp) writes a whole index for 1.4-1.8 us per
    // remaining entry, reading the boxes and dropping the old index included (measured with
    // 780k buildings). So the index is rebuilt when the entries to change one by one are more
    // than about a sixth of the remaining ones: a first import, a replace of a big part of the
    // table, or a big append. Beyond what a bulk load holds in memory, only when SQLite's own
    // inserts into a fresh index are cheaper, as before bulk loading.
    bool rebuild_pays(std::int64_t kept, std::int64_t doomed) const {
        constexpr std::int64_t bulk_advantage = 6;
        if (kept > k_rtree_bulk_load_max_entries) return kept <= doomed + added;
        return kept <= bulk_advantage * (doomed + added);
    }

    // A new index over every remaining row; the suspended triggers leave the old one untouched
    // by delete_earlier(), and it all happens inside the import's transaction.
    void rebuild_index(std::int64_t rows) {
        Statement boxes = connection.prepare(
            "SELECT id, MbrMinX(footprint), MbrMaxX(footprint), MbrMinY(footprint), "
            "MbrMaxY(footprint) FROM buildings WHERE footprint IS NOT NULL");
        if (rows <= k_rtree_bulk_load_max_entries &&
            bulk_load_rtree(connection, "idx_buildings_footprint", boxes, rows))
            return;
        // Declined without a change (see bulk_load_rtree): SQLite's own inserts into a fresh
        // table, the way the index was rebuilt before bulk loading.
        const std::string create_index = connection.query_text(
            "SELECT sql FROM sqlite_master WHERE name = 'idx_buildings_footprint'");
        connection.exec("DROP TABLE idx_buildings_footprint");
        connection.exec(create_index);
        index_rows("");
    }

    // Cached tiles under the new buildings and under those a replace deletes go stale: one
    // change row per Kommune for each (see migration 3), in this transaction.
    void record_tile_changes(const std::set<std::string>& targets) {
        for (const auto& [ags, box] : added_boxes) record_tile_change(connection, 2, box);
        Statement earlier = connection.prepare(
            detail::extent_sql(connection.dialect(), "buildings", "footprint", k_earlier_rows));
        for (const std::string& ags : targets) {
            earlier.bind(1, ags).bind(2, upload_id).step();
            if (earlier.column_int64(4) > 0)
                record_tile_change(connection, 2,
                                   Bbox{earlier.column_double(0), earlier.column_double(1),
                                        earlier.column_double(2), earlier.column_double(3)});
            earlier.reset();
        }
    }

    // Earlier buildings of the target Kommunen: rows of other (or no) uploads.
    static constexpr const char* k_earlier_rows =
        "WHERE kommune_ags = ?1 AND (upload_id IS NULL OR upload_id <> ?2)";

    std::int64_t count_earlier(const std::set<std::string>& targets) {
        Statement count =
            connection.prepare(std::string("SELECT count(*) FROM buildings ") + k_earlier_rows);
        std::int64_t total = 0;
        for (const std::string& ags : targets) {
            count.bind(1, ags).bind(2, upload_id).step();
            total += count.column_int64(0);
            count.reset();
        }
        return total;
    }

    void unindex_earlier(const std::set<std::string>& targets) {
        Statement unindex = connection.prepare(
            std::string("DELETE FROM idx_buildings_footprint WHERE pkid IN (SELECT id FROM "
                        "buildings ") +
            k_earlier_rows + ")");
        for (const std::string& ags : targets) {
            unindex.bind(1, ags).bind(2, upload_id).run();
            unindex.reset();
        }
    }

    void delete_earlier(const std::set<std::string>& targets) {
        Statement remove =
            connection.prepare(std::string("DELETE FROM buildings ") + k_earlier_rows);
        for (const std::string& ags : targets) {
            remove.bind(1, ags).bind(2, upload_id).run();
            deleted += connection.changes();
            remove.reset();
        }
    }

    // What the R*Tree insert trigger does row by row, as one statement.
    void index_rows(const std::string& where) {
        Statement index = connection.prepare(
            "INSERT INTO idx_buildings_footprint (pkid, xmin, xmax, ymin, ymax) "
            "SELECT id, MbrMinX(footprint), MbrMaxX(footprint), MbrMinY(footprint), "
            "MbrMaxY(footprint) FROM buildings " +
            where);
        if (index.parameter_count() > 0) index.bind(1, upload_id);
        index.run();
    }

    void stamp_geometry_time(const std::string& column, const std::string& now) {
        Statement stamp = connection.prepare(
            "UPDATE geometry_columns_time SET " + column +
            " = ?1 WHERE f_table_name = 'buildings' AND f_geometry_column = 'footprint'");
        stamp.bind(1, now).run();
    }

    Connection& connection;
    bool replace;
    std::string replace_kommune;
    std::int64_t upload_id = 0;
    std::int64_t added = 0;
    std::int64_t deleted = 0;
    std::string created_at;
    bool committed = false;
    std::set<std::string> kommunen;                // every Kommune this import stored buildings for
    std::map<std::string, Bbox> added_boxes;       // per Kommune: the box of its new buildings
    std::map<std::string, bool> checked_kommunen;  // Kommune key → exists
    // Declared before the statements, so the statements are finalized (and a running COPY is
    // cancelled) before the rollback.
    std::optional<OwnTransaction> transaction;
    std::optional<FootprintTriggerSuspension> triggers;
    std::optional<Statement> insert_multipolygon;
    std::optional<Statement> insert_polygon;
    std::optional<CopyWriter> copy;  // PostgreSQL: the COPY of the rows since the last lookup
};

Store::BuildingImport::BuildingImport(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Store::BuildingImport::BuildingImport(BuildingImport&&) noexcept = default;
Store::BuildingImport::~BuildingImport() = default;

void Store::BuildingImport::add(const BuildingRecord& building) {
    Impl& impl = *m_impl;
    impl.require_open("add a building");
    // Not require_areal(): its message string would cost an allocation for every row.
    const WkbKind kind = wkb_kind(building.footprint);
    if (kind == WkbKind::Other)
        require_areal(building.footprint,
                      "the footprint of building '" + building.source_ref + "'");
    // On PostgreSQL a failed INSERT ends the whole transaction, so what SpatiaLite would
    // answer with NULL or a constraint error is found first: the WKB is read here (its box is
    // needed anyway) and each Kommune is looked up once.
    Bbox footprint_box;
    bool has_footprint_box = false;
    if (!detail::extend_box_by_wkb(building.footprint, footprint_box, has_footprint_box))
        throw InvalidGeometry("the footprint of building '" + building.source_ref +
                              "' is not readable WKB");
    if (!impl.kommune_exists(building.kommune_ags))
        throw InvalidInput("building '" + building.source_ref + "' belongs to Kommune '" +
                           building.kommune_ags + "', which is not in the store");
    if (impl.connection.dialect() == Dialect::postgres) {
        if (!rings_closed(building.footprint))
            throw InvalidGeometry("the footprint of building '" + building.source_ref +
                                  "' has a ring that is open or has fewer than 4 points");
        impl.copy_row(building, kind);
    } else {
        impl.insert_row(building, kind);
    }
    ++impl.added;
    impl.kommunen.insert(building.kommune_ags);
    auto [box, created] = impl.added_boxes.try_emplace(building.kommune_ags, footprint_box);
    if (!created)
        box->second = {std::min(box->second.min_lon, footprint_box.min_lon),
                       std::min(box->second.min_lat, footprint_box.min_lat),
                       std::max(box->second.max_lon, footprint_box.max_lon),
                       std::max(box->second.max_lat, footprint_box.max_lat)};
}

std::int64_t Store::BuildingImport::commit(const UploadRecord& upload) {
    Impl& impl = *m_impl;
    impl.require_open("commit");
    impl.insert_multipolygon.reset();
    impl.insert_polygon.reset();
    // The server's verdict on the rows (a bad geometry, a broken constraint) arrives here.
    if (impl.copy) impl.copy->finish();
    impl.finish_buildings();
    // A committed import is "done" whatever the record says; failures are recorded with
    // record_failed_upload() after the rollback.
    finish_upload(impl.connection, impl.upload_id, upload, "done");
    impl.transaction->commit();
    impl.committed = true;
    return impl.upload_id;
}

Store::BuildingImport Store::begin_building_import(const UploadRecord& upload, bool replace,
                                                   const std::string& replace_kommune) {
    auto impl = std::make_unique<BuildingImport::Impl>(m_impl->connection, upload, replace,
                                                       replace_kommune);
    return BuildingImport(std::move(impl));
}

}  // namespace leerstand::data
