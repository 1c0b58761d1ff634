#include "data/store_copy.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string_view>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/migrations.hpp"

namespace leerstand::data {

namespace {

/// A table of the schema, in an order that inserts every referenced row before its referrers.
struct TableSpec {
    const char* name;
    /// The primary key, for reading in one order on both backends (integers, or text of
    /// digits and lower-case hex, which every collation sorts alike).
    const char* key;
    /// The identity column whose PostgreSQL sequence must move past the copied ids, or null.
    const char* identity;
};

// tile_changes comes last: the copy's own inserts into kommunen, vacancies and zukunftsorte
// fire the target's tile-change triggers, and those rows are replaced by the source's log.
constexpr TableSpec k_tables[] = {
    {"kommunen", "ags", nullptr},
    {"uploads", "id", "id"},
    {"buildings", "id", "id"},
    {"vacancies", "id", "id"},
    {"vacancy_history", "id", "id"},
    {"zukunftsorte", "id", "id"},
    {"users", "id", "id"},
    {"user_kommunen", "user_id, ags", nullptr},
    {"tokens", "id", "id"},
    {"sessions", "id_hash", nullptr},
    {"images", "id", nullptr},
    {"image_variants", "image_id, size", nullptr},
    {"membership_requests", "id", "id"},
    {"zensus2011_grid", "id", nullptr},
    {"angebote", "id", "id"},
    {"anfragen", "id", "id"},
    {"gesuche", "id", "id"},
    {"vermittlungen", "id", "id"},
    {"nachrichten", "id", "id"},
    {"tile_changes", "seq", "seq"},
};

// Every geometry of the schema is stored in lon/lat (DESIGN.md).
constexpr int k_srid = 4326;
constexpr std::int64_t k_progress_every = 5000;

/// An identifier in double quotes: some column names (use, size) are words of SQL.
std::string sql_name(std::string_view name) {
    return "\"" + std::string(name) + "\"";
}

/// FNV-1a over a row's values, each with its kind and length, so that neither a value's type
/// nor where one value ends and the next begins can be mistaken.
class Checksum {
  public:
    void add_value(const Statement& row, int column) {
        const ColumnKind kind = row.column_kind(column);
        add_byte(static_cast<unsigned char>('0' + static_cast<int>(kind)));
        switch (kind) {
            case ColumnKind::Null:
                return;
            case ColumnKind::Integer:
                return add_sized(std::to_string(row.column_int64(column)));
            case ColumnKind::Real: {
                char buffer[64];
                const auto end =
                    std::to_chars(buffer, buffer + sizeof buffer, row.column_double(column)).ptr;
                return add_sized(std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
            }
            case ColumnKind::Text:
                return add_sized(row.column_text(column));
            case ColumnKind::Blob: {
                const auto bytes = row.column_blob_view(column);
                return add_sized(
                    std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
            }
        }
    }
    std::uint64_t value() const { return m_hash; }

  private:
    void add_byte(unsigned char byte) {
        m_hash ^= byte;
        m_hash *= 0x100000001b3ULL;
    }
    void add_sized(std::string_view bytes) {
        for (char c : std::to_string(bytes.size()) + ":") add_byte(static_cast<unsigned char>(c));
        for (char c : bytes) add_byte(static_cast<unsigned char>(c));
    }
    std::uint64_t m_hash = 0xcbf29ce484222325ULL;
};

/// The columns of `table` in their schema order.
std::vector<std::string> table_columns(Connection& db, const std::string& table) {
    Statement statement = db.prepare(
        db.dialect() == Dialect::postgres
            ? "SELECT column_name FROM information_schema.columns WHERE table_schema = "
              "current_schema() AND table_name = CAST(? AS TEXT) ORDER BY ordinal_position"
            : "SELECT name FROM pragma_table_info(?) ORDER BY cid");
    statement.bind(1, table);
    std::vector<std::string> columns;
    while (statement.step()) columns.push_back(statement.column_text(0));
    if (columns.empty()) throw InternalError("migrate-store: the store has no table " + table);
    return columns;
}

/// The geometry columns of `table`: SpatiaLite's metadata table and PostGIS' view share the
/// name and these columns.
std::set<std::string> geometry_columns(Connection& db, const std::string& table) {
    Statement statement =
        db.prepare(db.dialect() == Dialect::postgres
                       ? "SELECT f_geometry_column FROM geometry_columns WHERE f_table_schema = "
                         "current_schema() AND f_table_name = CAST(? AS TEXT)"
                       : "SELECT f_geometry_column FROM geometry_columns WHERE f_table_name = ?");
    statement.bind(1, table);
    std::set<std::string> columns;
    while (statement.step()) columns.insert(statement.column_text(0));
    return columns;
}

/// A table's columns, the same on both sides, and the SQL that reads and writes its rows.
struct TablePlan {
    std::vector<std::string> columns;
    std::string select_sql;
    std::string insert_sql;
};

TablePlan plan_table(Connection& source, Connection& target, const TableSpec& spec) {
    TablePlan plan;
    plan.columns = table_columns(source, spec.name);
    auto source_set = std::set<std::string>(plan.columns.begin(), plan.columns.end());
    auto target_columns = table_columns(target, spec.name);
    if (source_set != std::set<std::string>(target_columns.begin(), target_columns.end()))
        throw InternalError(std::string("migrate-store: the columns of ") + spec.name +
                            " differ between source and target");
    const auto geometries = geometry_columns(source, spec.name);
    std::string selected;
    std::string names;
    std::string values;
    for (const std::string& column : plan.columns) {
        const bool geometry = geometries.count(column) > 0;
        const char* separator = selected.empty() ? "" : ", ";
        selected +=
            separator + (geometry ? "AsBinary(" + sql_name(column) + ")" : sql_name(column));
        names += separator + sql_name(column);
        values += separator +
                  (geometry ? "GeomFromWKB(?, " + std::to_string(k_srid) + ")" : std::string("?"));
    }
    plan.select_sql =
        "SELECT " + selected + " FROM " + sql_name(spec.name) + " ORDER BY " + spec.key;
    plan.insert_sql =
        "INSERT INTO " + sql_name(spec.name) + " (" + names + ") VALUES (" + values + ")";
    return plan;
}

void bind_value(Statement& insert, int index, const Statement& row, int column) {
    switch (row.column_kind(column)) {
        case ColumnKind::Null:
            insert.bind_null(index);
            return;
        case ColumnKind::Integer:
            insert.bind(index, row.column_int64(column));
            return;
        case ColumnKind::Real:
            insert.bind(index, row.column_double(column));
            return;
        case ColumnKind::Text:
            insert.bind(index, row.column_text(column));
            return;
        case ColumnKind::Blob:
            insert.bind_blob(index, row.column_blob_view(column));
            return;
    }
}

/// Reads every row of a table as copied, in key order: the count and checksum of `db`'s copy.
TableCopyReport summarize(Connection& db, const TableSpec& spec, const TablePlan& plan) {
    TableCopyReport report{spec.name, 0, 0};
    Statement rows = db.prepare(plan.select_sql);
    rows.stream();
    Checksum checksum;
    while (rows.step()) {
        for (int column = 0; column < rows.column_count(); ++column)
            checksum.add_value(rows, column);
        ++report.rows;
    }
    report.checksum = checksum.value();
    return report;
}

/// Copies one table, streaming the source, and returns the count and checksum of what it read.
TableCopyReport copy_table(Connection& source, Connection& target, const TableSpec& spec,
                           const TablePlan& plan, const StoreCopyProgress& progress) {
    TableCopyReport report{spec.name, 0, 0};
    Statement rows = source.prepare(plan.select_sql);
    rows.stream();
    Statement insert = target.prepare(plan.insert_sql);
    Checksum checksum;
    while (rows.step()) {
        for (int column = 0; column < rows.column_count(); ++column) {
            checksum.add_value(rows, column);
            bind_value(insert, column + 1, rows, column);
        }
        insert.run();
        insert.reset();
        if (++report.rows % k_progress_every == 0 && progress) progress(spec.name, report.rows);
    }
    if (progress) progress(spec.name, report.rows);
    report.checksum = checksum.value();
    return report;
}

/// Moves a PostgreSQL identity sequence past the highest copied id, so the next insert gets a
/// new one (SQLite takes max(rowid) + 1 by itself).
void advance_sequence(Connection& target, const TableSpec& spec) {
    if (target.dialect() != Dialect::postgres || !spec.identity) return;
    const std::string column = spec.identity;
    target
        .prepare(
            "SELECT setval(pg_get_serial_sequence(CAST(? AS TEXT), CAST(? AS TEXT)), m) "
            "FROM (SELECT max(" +
            sql_name(column) + ") AS m FROM " + sql_name(spec.name) +
            ") AS highest WHERE m IS NOT NULL")
        .bind(1, std::string(spec.name))
        .bind(2, column)
        .run();
}

/// A source's schema version, refusing anything this build cannot copy as it is.
int checked_source_version(Connection& source, const DatabaseLocation& from) {
    const int version = current_schema_version(source);
    const int latest = latest_schema_version();
    if (version == 0)
        throw InvalidInput(from.display() + " is not a Leerstandsatlas store (no schema)");
    if (version > latest)
        throw Unsupported(from.display() + " was written by a newer Leerstandsatlas (schema " +
                          std::to_string(version) + "); update this program");
    if (version < latest)
        throw InvalidInput(from.display() + " has schema version " + std::to_string(version) +
                           ", this build copies version " + std::to_string(latest) +
                           ": open it once with this build (e.g. leerstand stats --db ...) so "
                           "it is migrated, then copy it");
    return version;
}

/// Refuses a target with rows or of another schema version before anything is written to it.
void check_target_is_new(Connection& target, const DatabaseLocation& to) {
    const int version = current_schema_version(target);
    if (version == 0) return;  // nothing there yet: migrated below
    if (version != latest_schema_version())
        throw Conflict(to.display() + " has schema version " + std::to_string(version) +
                       "; migrate-store writes into a new database only");
    for (const TableSpec& spec : k_tables) {
        const std::int64_t rows = target.query_int64("SELECT count(*) FROM " + sql_name(spec.name));
        if (rows > 0)
            throw Conflict(to.display() + " is not empty (" + spec.name + " has " +
                           std::to_string(rows) +
                           " rows); migrate-store writes into a new database only");
    }
}

}  // namespace

StoreCopyReport copy_store(const DatabaseLocation& from, const DatabaseLocation& to,
                           const StoreCopyProgress& progress) {
    const auto start = std::chrono::steady_clock::now();
    // Opening a missing file would create an empty database and then refuse it as no store.
    if (!from.is_postgres() && !std::filesystem::exists(from.file()))
        throw NotFound("there is no database at " + from.display());
    Connection source(from);
    StoreCopyReport report;
    report.schema_version = checked_source_version(source, from);

    Connection target(to);
    check_target_is_new(target, to);
    apply_migrations(target);

    // One snapshot of the source for the whole copy, so a server writing to it meanwhile
    // cannot make the copy half old, half new; read only, so the copy never writes to it.
    source.exec(source.dialect() == Dialect::postgres
                    ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                    : "BEGIN");
    Transaction transaction(target);
    std::vector<TablePlan> plans;
    for (const TableSpec& spec : k_tables) {
        plans.push_back(plan_table(source, target, spec));
        // The copy's earlier inserts logged tile changes through the target's triggers; the
        // log the source kept replaces them, so the target gets no row the source did not have.
        if (std::string_view(spec.name) == "tile_changes") target.exec("DELETE FROM tile_changes");
        report.tables.push_back(copy_table(source, target, spec, plans.back(), progress));
        advance_sequence(target, spec);
    }
    source.exec("COMMIT");

    // Read back what the target holds now (inside the transaction), after every trigger ran.
    for (std::size_t i = 0; i < report.tables.size(); ++i) {
        const TableCopyReport copied = summarize(target, k_tables[i], plans[i]);
        const TableCopyReport& read = report.tables[i];
        if (copied.rows != read.rows || copied.checksum != read.checksum)
            throw InternalError(
                "migrate-store: the copy of " + read.table + " differs from the source (" +
                std::to_string(read.rows) + " rows read, " + std::to_string(copied.rows) +
                " in the target, checksums " + std::to_string(read.checksum) + " and " +
                std::to_string(copied.checksum) + "); nothing was written");
    }
    transaction.commit();
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace leerstand::data
