#include "data/connection.hpp"

#include <sqlite3.h>

#include <ctime>
#include <limits>
#include <string>
#include <thread>

#include "common/address_key.hpp"
#include "common/error.hpp"

namespace leerstand::data {

namespace detail {
void DbClose::operator()(sqlite3* db) const noexcept {
    // close_v2: statements still alive are finalized later without leaking the handle.
    sqlite3_close_v2(db);
}
void StmtFinalize::operator()(sqlite3_stmt* stmt) const noexcept {
    sqlite3_finalize(stmt);
}
}  // namespace detail

namespace {

std::string constraint_description(int extended_rc) {
    switch (extended_rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return "a record with the same key already exists";
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            return "it refers to a record that does not exist, or the record is still referenced";
        case SQLITE_CONSTRAINT_CHECK:
            return "a value is not one of the allowed values";
        case SQLITE_CONSTRAINT_NOTNULL:
            return "a required value is missing";
        case SQLITE_CONSTRAINT_TRIGGER:
            // SpatiaLite's geometry column triggers raise this for a wrong type or SRID.
            return "a geometry has the wrong type or coordinate system";
        default:
            return "it conflicts with the stored data";
    }
}

// First words of a statement, enough to tell which one failed in a log line.
std::string sql_head(std::string_view sql) {
    constexpr std::size_t max_length = 60;
    std::string head(sql.substr(0, max_length));
    for (char& c : head)
        if (c == '\n' || c == '\t') c = ' ';
    return sql.size() > max_length ? head + "..." : head;
}

int to_int_length(std::size_t size) {
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw InvalidInput("value too large to store (over 2 GiB)");
    return static_cast<int>(size);
}

}  // namespace

void throw_sqlite_error(sqlite3* db, int rc, std::string_view context) {
    const int primary = rc & 0xff;
    const std::string what(context);
    // StorageBusy and Conflict texts reach users, so they carry no SQL; InternalError texts go
    // to the log only and may include the library's message.
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        throw StorageBusy("the database is busy with another change; try again in a moment");
    if (primary == SQLITE_CONSTRAINT)
        throw Conflict("cannot save the change: " + constraint_description(rc));
    // InternalError text goes to the log only, so the library message may be included.
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw InternalError("SQLite error while " + what + ": " + detail + " (code " +
                        std::to_string(rc) + ")");
}

// ---------------------------------------------------------------------------------------------
// Statement

Statement::Statement(sqlite3* db, std::string_view sql) : m_db(db), m_sql_head(sql_head(sql)) {
    sqlite3_stmt* raw = nullptr;
    // PERSISTENT: statements here are usually reused for many rows.
    const int rc = sqlite3_prepare_v3(db, sql.data(), to_int_length(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    m_stmt.reset(raw);
    if (rc != SQLITE_OK) throw_sqlite_error(db, rc, "preparing \"" + m_sql_head + "\"");
    if (!m_stmt) throw InternalError("SQLite: empty statement \"" + m_sql_head + "\"");
}

namespace {
void check_bind(sqlite3* db, int rc, const std::string& sql, int index) {
    if (rc != SQLITE_OK)
        throw_sqlite_error(db, rc,
                           "binding parameter " + std::to_string(index) + " of \"" + sql + "\"");
}
}  // namespace

Statement& Statement::bind(int index, std::int64_t value) {
    check_bind(m_db, sqlite3_bind_int64(m_stmt.get(), index, value), m_sql_head, index);
    return *this;
}

Statement& Statement::bind(int index, double value) {
    check_bind(m_db, sqlite3_bind_double(m_stmt.get(), index, value), m_sql_head, index);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    const int rc = sqlite3_bind_text(m_stmt.get(), index, text.data(), to_int_length(text.size()),
                                     SQLITE_TRANSIENT);
    check_bind(m_db, rc, m_sql_head, index);
    return *this;
}

Statement& Statement::bind_text_or_null(int index, std::string_view text) {
    return text.empty() ? bind_null(index) : bind(index, text);
}

Statement& Statement::bind_blob(int index, std::span<const unsigned char> bytes) {
    // A zero-length blob would bind as NULL with a null pointer; keep it a blob.
    static const unsigned char empty = 0;
    const void* data = bytes.empty() ? &empty : bytes.data();
    const int rc =
        sqlite3_bind_blob(m_stmt.get(), index, data, to_int_length(bytes.size()), SQLITE_TRANSIENT);
    check_bind(m_db, rc, m_sql_head, index);
    return *this;
}

Statement& Statement::bind_null(int index) {
    check_bind(m_db, sqlite3_bind_null(m_stmt.get(), index), m_sql_head, index);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // Read the message before reset() clears it.
    try {
        throw_sqlite_error(m_db, rc, "running \"" + m_sql_head + "\"");
    } catch (...) {
        sqlite3_reset(m_stmt.get());
        throw;
    }
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() noexcept {
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
}

bool Statement::column_is_null(int column) const {
    return sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
    return sqlite3_column_int64(m_stmt.get(), column);
}

double Statement::column_double(int column) const {
    return sqlite3_column_double(m_stmt.get(), column);
}

std::string Statement::column_text(int column) const {
    const auto* text = sqlite3_column_text(m_stmt.get(), column);
    if (text == nullptr) return {};
    const int size = sqlite3_column_bytes(m_stmt.get(), column);
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::vector<unsigned char> Statement::column_blob(int column) const {
    const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(m_stmt.get(), column));
    if (data == nullptr) return {};
    const int size = sqlite3_column_bytes(m_stmt.get(), column);
    return std::vector<unsigned char>(data, data + size);
}

std::span<const unsigned char> Statement::column_blob_view(int column) const {
    const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(m_stmt.get(), column));
    if (data == nullptr) return {};
    return {data, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt.get(), column))};
}

Statement::ColumnKind Statement::column_kind(int column) const {
    switch (sqlite3_column_type(m_stmt.get(), column)) {
        case SQLITE_INTEGER:
            return ColumnKind::Integer;
        case SQLITE_FLOAT:
            return ColumnKind::Real;
        case SQLITE_TEXT:
            return ColumnKind::Text;
        case SQLITE_BLOB:
            return ColumnKind::Blob;
        default:
            return ColumnKind::Null;
    }
}

int Statement::column_count() const {
    return sqlite3_column_count(m_stmt.get());
}

std::string Statement::column_name(int column) const {
    const char* name = sqlite3_column_name(m_stmt.get(), column);
    return name ? name : "";
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
    if (column_is_null(column)) return std::nullopt;
    return column_int64(column);
}

std::optional<std::string> Statement::column_optional_text(int column) const {
    if (column_is_null(column)) return std::nullopt;
    return column_text(column);
}

int Statement::parameter_count() const {
    return sqlite3_bind_parameter_count(m_stmt.get());
}

// ---------------------------------------------------------------------------------------------
// Connection

Connection::Connection(const DatabaseLocation& location, ConnectionOptions options) {
    if (location.is_postgres())
        throw InternalError("PostgreSQL is not yet supported: " + location.display());
    const std::filesystem::path& path = location.file();
    sqlite3* raw = nullptr;
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    // Even on failure SQLite usually returns a handle that must be closed.
    m_db.reset(raw);
    if (rc != SQLITE_OK) {
        if (!m_db) throw InternalError("cannot open database " + path.string() + ": out of memory");
        throw_sqlite_error(m_db.get(), rc, "opening database " + path.string());
    }
    sqlite3_extended_result_codes(m_db.get(), 1);
    // The timeout comes first: the pragmas below may already need a lock.
    sqlite3_busy_timeout(m_db.get(), static_cast<int>(options.busy_timeout.count()));
    enable_wal(options.busy_timeout);
    // NORMAL is durable across application crashes in WAL mode and avoids an fsync per commit.
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    // Sorting for index builds and big deletes stays in RAM instead of temp files.
    exec("PRAGMA temp_store=MEMORY");
    // A big import grows the WAL to its size; cut the file back after checkpoints.
    exec("PRAGMA journal_size_limit=67108864");
    if (options.load_spatialite) {
        load_spatialite();
        // SpatiaLite's init installs its own 5 s busy timeout; ours must win.
        sqlite3_busy_timeout(m_db.get(), static_cast<int>(options.busy_timeout.count()));
    }
    register_functions();
}

void Connection::enable_wal(std::chrono::milliseconds timeout) {
    // WAL: readers never block the writer. A ":memory:" database answers "memory", which is fine.
    // Switching the journal mode of a new file needs an exclusive lock, and SQLite reports
    // SQLITE_BUSY for it without calling the busy handler when two processes open the same new
    // file at once; so wait here, for as long as the busy timeout allows.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        try {
            query_text("PRAGMA journal_mode=WAL");
            return;
        } catch (const StorageBusy&) {
            if (std::chrono::steady_clock::now() >= deadline) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
}

void Connection::load_spatialite() {
    sqlite3* db = m_db.get();
    // Enable the C API only (not the SQL function load_extension()), and only for this call.
    int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, nullptr);
    if (rc != SQLITE_OK) throw_sqlite_error(db, rc, "enabling extension loading");
    char* error = nullptr;
    rc = sqlite3_load_extension(db, "mod_spatialite", nullptr, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
    if (rc != SQLITE_OK)
        throw InternalError("cannot load SpatiaLite (mod_spatialite): " + message +
                            "; install the package libsqlite3-mod-spatialite");
}

namespace {

std::string_view text_argument(sqlite3_value* value) {
    const auto* text = sqlite3_value_text(value);
    if (text == nullptr) return {};
    return {reinterpret_cast<const char*>(text),
            static_cast<std::size_t>(sqlite3_value_bytes(value))};
}

/// address_matches(street, housenumber, searched street key, searched number key): 1 when the
/// building's address is one the search asks for (common/address_key.hpp), else 0.
void address_matches_function(sqlite3_context* context, int, sqlite3_value** arguments) {
    const AddressSearch search{std::string(text_argument(arguments[2])),
                               std::string(text_argument(arguments[3]))};
    sqlite3_result_int(
        context,
        address_matches(search, text_argument(arguments[0]), text_argument(arguments[1])) ? 1 : 0);
}

}  // namespace

void Connection::register_functions() {
    // The same answer for the same arguments and no side effects: SQLite may factor it out
    // of loops, and it is harmless wherever SQL may call it (SQLITE_INNOCUOUS).
    const int rc = sqlite3_create_function_v2(
        m_db.get(), "address_matches", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
        nullptr, address_matches_function, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw_sqlite_error(m_db.get(), rc, "registering address_matches");
}

void Connection::exec(std::string_view sql) {
    char* error = nullptr;
    const std::string text(sql);  // sqlite3_exec needs a terminated string
    const int rc = sqlite3_exec(m_db.get(), text.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error);  // sqlite3_errmsg still holds the message
    if (rc != SQLITE_OK) throw_sqlite_error(m_db.get(), rc, "running \"" + sql_head(sql) + "\"");
}

Statement Connection::prepare(std::string_view sql) {
    return Statement(m_db.get(), sql);
}

std::int64_t Connection::query_int64(std::string_view sql) {
    Statement statement = prepare(sql);
    if (!statement.step()) throw InternalError("SQLite: no result from \"" + sql_head(sql) + "\"");
    return statement.column_int64(0);
}

std::string Connection::query_text(std::string_view sql) {
    Statement statement = prepare(sql);
    if (!statement.step()) throw InternalError("SQLite: no result from \"" + sql_head(sql) + "\"");
    return statement.column_text(0);
}

sqlite3* Connection::sqlite_handle() const {
    return m_db.get();
}

std::int64_t Connection::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(m_db.get());
}

std::int64_t Connection::changes() const {
    return sqlite3_changes64(m_db.get());
}

bool Connection::in_transaction() const {
    return sqlite3_get_autocommit(m_db.get()) == 0;
}

std::string Connection::now() const {
    return m_pinned_time ? *m_pinned_time : utc_now_iso8601();
}

// ---------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Connection& connection) : m_connection(connection) {
    // Nesting would need savepoints; no caller needs them, so catch the mistake early.
    if (connection.in_transaction())
        throw InternalError("a transaction is already open on this connection");
    connection.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (m_done || !m_connection.in_transaction()) return;
    // Errors are ignored: a failed rollback leaves nothing we could repair here, and SQLite
    // rolls back an open transaction when the connection closes anyway.
    sqlite3_exec(m_connection.sqlite_handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    m_connection.exec("COMMIT");
    m_done = true;
}

}  // namespace leerstand::data
