#include "data/sqlite_connection.hpp"

#include <sqlite3.h>

#include <limits>
#include <string>
#include <thread>

#include "common/address_key.hpp"
#include "common/error.hpp"
#include "data/connection_backend.hpp"

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

detail::ConstraintKind constraint_kind(int extended_rc) {
    using detail::ConstraintKind;
    switch (extended_rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return ConstraintKind::unique;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            return ConstraintKind::foreign_key;
        case SQLITE_CONSTRAINT_CHECK:
            return ConstraintKind::check;
        case SQLITE_CONSTRAINT_NOTNULL:
            return ConstraintKind::not_null;
        case SQLITE_CONSTRAINT_TRIGGER:
            // SpatiaLite's geometry column triggers raise this for a wrong type or SRID.
            return ConstraintKind::geometry;
        default:
            return ConstraintKind::other;
    }
}

int to_int_length(std::size_t size) {
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw InvalidInput("value too large to store (over 2 GiB)");
    return static_cast<int>(size);
}

}  // namespace

void throw_sqlite_error(sqlite3* db, int rc, std::string_view context) {
    const int primary = rc & 0xff;
    // StorageBusy and Conflict texts reach users, so they carry no SQL; InternalError texts go
    // to the log only and may include the library's message.
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) detail::throw_busy();
    if (primary == SQLITE_CONSTRAINT) detail::throw_constraint_conflict(constraint_kind(rc));
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw InternalError("SQLite error while " + std::string(context) + ": " + message + " (code " +
                        std::to_string(rc) + ")");
}

namespace {

// Every call goes straight to the C API: the building import binds ~15 values per row for a
// million rows, so nothing here allocates per bind or per column read.
class SqliteStatement final : public detail::StatementBackend {
  public:
    SqliteStatement(sqlite3* db, std::string_view sql)
        : m_db(db), m_sql_head(detail::sql_head(sql)) {
        sqlite3_stmt* raw = nullptr;
        // PERSISTENT: statements here are usually reused for many rows.
        const int rc = sqlite3_prepare_v3(db, sql.data(), to_int_length(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
        m_stmt.reset(raw);
        if (rc != SQLITE_OK) throw_sqlite_error(db, rc, "preparing \"" + m_sql_head + "\"");
        if (!m_stmt) throw InternalError("SQLite: empty statement \"" + m_sql_head + "\"");
    }

    void bind_int64(int index, std::int64_t value) override {
        check_bind(sqlite3_bind_int64(m_stmt.get(), index, value), index);
    }
    void bind_double(int index, double value) override {
        check_bind(sqlite3_bind_double(m_stmt.get(), index, value), index);
    }
    void bind_text(int index, std::string_view text) override {
        check_bind(sqlite3_bind_text(m_stmt.get(), index, text.data(), to_int_length(text.size()),
                                     SQLITE_TRANSIENT),
                   index);
    }
    void bind_blob(int index, std::span<const unsigned char> bytes) override {
        // A zero-length blob would bind as NULL with a null pointer; keep it a blob.
        static const unsigned char empty = 0;
        const void* data = bytes.empty() ? &empty : bytes.data();
        check_bind(sqlite3_bind_blob(m_stmt.get(), index, data, to_int_length(bytes.size()),
                                     SQLITE_TRANSIENT),
                   index);
    }
    void bind_null(int index) override {
        check_bind(sqlite3_bind_null(m_stmt.get(), index), index);
    }
    void stream() override {}  // SQLite reads row by row anyway

    bool step() override {
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
    void reset() noexcept override {
        sqlite3_reset(m_stmt.get());
        sqlite3_clear_bindings(m_stmt.get());
    }

    bool column_is_null(int column) const override {
        return sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL;
    }
    std::int64_t column_int64(int column) const override {
        return sqlite3_column_int64(m_stmt.get(), column);
    }
    double column_double(int column) const override {
        return sqlite3_column_double(m_stmt.get(), column);
    }
    std::string_view column_text(int column) const override {
        const auto* text = sqlite3_column_text(m_stmt.get(), column);
        if (text == nullptr) return {};
        return {reinterpret_cast<const char*>(text),
                static_cast<std::size_t>(sqlite3_column_bytes(m_stmt.get(), column))};
    }
    std::span<const unsigned char> column_blob(int column) const override {
        const auto* data =
            static_cast<const unsigned char*>(sqlite3_column_blob(m_stmt.get(), column));
        if (data == nullptr) return {};
        return {data, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt.get(), column))};
    }
    ColumnKind column_kind(int column) const override {
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
    int column_count() const override { return sqlite3_column_count(m_stmt.get()); }
    std::string column_name(int column) const override {
        const char* name = sqlite3_column_name(m_stmt.get(), column);
        return name ? name : "";
    }
    int parameter_count() const override { return sqlite3_bind_parameter_count(m_stmt.get()); }

  private:
    void check_bind(int rc, int index) const {
        if (rc != SQLITE_OK)
            throw_sqlite_error(
                m_db, rc,
                "binding parameter " + std::to_string(index) + " of \"" + m_sql_head + "\"");
    }

    sqlite3* m_db = nullptr;  // non-owning: the connection outlives its statements
    std::unique_ptr<sqlite3_stmt, detail::StmtFinalize> m_stmt;
    std::string m_sql_head;  // first words of the SQL, for error messages
};

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

class SqliteConnection final : public detail::ConnectionBackend {
  public:
    SqliteConnection(const std::filesystem::path& path, const ConnectionOptions& options) {
        sqlite3* raw = nullptr;
        const int flags =
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
        const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
        // Even on failure SQLite usually returns a handle that must be closed.
        m_db.reset(raw);
        if (rc != SQLITE_OK) {
            if (!m_db)
                throw InternalError("cannot open database " + path.string() + ": out of memory");
            throw_sqlite_error(m_db.get(), rc, "opening database " + path.string());
        }
        sqlite3_extended_result_codes(m_db.get(), 1);
        // The timeout comes first: the pragmas below may already need a lock.
        const int timeout_ms = static_cast<int>(options.busy_timeout.count());
        sqlite3_busy_timeout(m_db.get(), timeout_ms);
        enable_wal(options.busy_timeout);
        // NORMAL is durable across application crashes in WAL mode and avoids an fsync per
        // commit.
        exec("PRAGMA synchronous=NORMAL");
        exec("PRAGMA foreign_keys=ON");
        // Sorting for index builds and big deletes stays in RAM instead of temp files.
        exec("PRAGMA temp_store=MEMORY");
        // A big import grows the WAL to its size; cut the file back after checkpoints.
        exec("PRAGMA journal_size_limit=67108864");
        if (options.load_spatialite) {
            load_spatialite();
            // SpatiaLite's init installs its own 5 s busy timeout; ours must win.
            sqlite3_busy_timeout(m_db.get(), timeout_ms);
        }
        register_functions();
    }

    Dialect dialect() const noexcept override { return Dialect::spatialite; }

    void exec(std::string_view sql) override {
        char* error = nullptr;
        const std::string text(sql);  // sqlite3_exec needs a terminated string
        const int rc = sqlite3_exec(m_db.get(), text.c_str(), nullptr, nullptr, &error);
        sqlite3_free(error);  // sqlite3_errmsg still holds the message
        if (rc != SQLITE_OK)
            throw_sqlite_error(m_db.get(), rc, "running \"" + detail::sql_head(sql) + "\"");
    }

    std::unique_ptr<detail::StatementBackend> prepare(std::string_view sql) override {
        return std::make_unique<SqliteStatement>(m_db.get(), sql);
    }

    std::unique_ptr<detail::CopyBackend> copy_in(std::string_view table,
                                                 const std::vector<std::string>&) override {
        throw InternalError("binary COPY into " + std::string(table) +
                            " is PostgreSQL's; SQLite takes prepared INSERTs");
    }

    std::int64_t last_insert_rowid() const override {
        return sqlite3_last_insert_rowid(m_db.get());
    }
    std::int64_t changes() const override { return sqlite3_changes64(m_db.get()); }
    bool in_transaction() const override { return sqlite3_get_autocommit(m_db.get()) == 0; }

    void begin_write() override { exec("BEGIN IMMEDIATE"); }
    void commit() override { exec("COMMIT"); }
    void rollback() noexcept override {
        sqlite3_exec(m_db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }

    sqlite3* sqlite_handle() const override { return m_db.get(); }

  private:
    std::string query_text(const char* sql) {
        SqliteStatement statement(m_db.get(), sql);
        if (!statement.step()) return {};
        return std::string(statement.column_text(0));
    }

    void enable_wal(std::chrono::milliseconds timeout) {
        // WAL: readers never block the writer. A ":memory:" database answers "memory", which
        // is fine. Switching the journal mode of a new file needs an exclusive lock, and SQLite
        // reports SQLITE_BUSY for it without calling the busy handler when two processes open
        // the same new file at once; so wait here, for as long as the busy timeout allows.
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

    void load_spatialite() {
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

    /// The SQL functions of the atlas itself (address_matches, for the search by address).
    /// SQLite only: the PostgreSQL migrations define a SQL function of the same name.
    void register_functions() {
        // The same answer for the same arguments and no side effects: SQLite may factor it
        // out of loops, and it is harmless wherever SQL may call it (SQLITE_INNOCUOUS).
        const int rc = sqlite3_create_function_v2(
            m_db.get(), "address_matches", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
            nullptr, address_matches_function, nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) throw_sqlite_error(m_db.get(), rc, "registering address_matches");
    }

    std::unique_ptr<sqlite3, detail::DbClose> m_db;
};

}  // namespace

Statement sqlite_statement(sqlite3* db, std::string_view sql) {
    return Statement(std::make_unique<SqliteStatement>(db, sql));
}

std::unique_ptr<detail::ConnectionBackend> detail::open_sqlite(const std::filesystem::path& path,
                                                               const ConnectionOptions& options) {
    return std::make_unique<SqliteConnection>(path, options);
}

}  // namespace leerstand::data
