#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/utc_time.hpp"
#include "data/database_location.hpp"

// Forward declarations keep sqlite3.h out of every file that includes this header.
struct sqlite3;
struct sqlite3_stmt;

/// Thin RAII layer over the SQLite C API, for code inside data/ only. Every SQLite result code
/// becomes a leerstand error right after the call: SQLITE_BUSY/LOCKED → StorageBusy,
/// SQLITE_CONSTRAINT → Conflict, anything else → InternalError (message for the log).
namespace leerstand::data {

/// The SQL dialect behind a Connection, for the few places where the two differ (spatial
/// index reads, string aggregation): each such difference lives in one helper in data/.
enum class Dialect { spatialite, postgres };

/// How a connection is opened.
struct ConnectionOptions {
    /// How long a statement waits for another connection's lock before StorageBusy.
    std::chrono::milliseconds busy_timeout{5000};
    /// Load mod_spatialite into the connection (needed for every geometry function).
    bool load_spatialite = true;
};

namespace detail {
struct DbClose {
    void operator()(sqlite3* db) const noexcept;
};
struct StmtFinalize {
    void operator()(sqlite3_stmt* stmt) const noexcept;
};
}  // namespace detail

/// Turns a SQLite result code into the matching leerstand error and throws it.
/// `context` says what we were doing; only InternalError messages (for the log) include it,
/// because StorageBusy and Conflict texts are shown to users.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view context);

/// A prepared statement. Bind indexes are 1-based, column indexes 0-based (as in SQLite).
/// Not copyable; reuse it with reset() for many rows.
class Statement {
  public:
    Statement(sqlite3* db, std::string_view sql);
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;
    ~Statement() = default;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    /// Text is copied by SQLite (SQLITE_TRANSIENT), so the argument may die after the call.
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const std::string& text) {
        return bind(index, std::string_view(text));
    }
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind_blob(int index, std::span<const unsigned char> bytes);
    Statement& bind_null(int index);
    /// Binds NULL for an empty optional.
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }
    /// Binds NULL for an empty string: for optional text columns.
    Statement& bind_text_or_null(int index, std::string_view text);

    /// Runs one step. Returns true when a row is available, false when done.
    bool step();
    /// Steps to the end, for statements that return no rows.
    void run();
    /// Makes the statement ready for the next row; clears all bindings.
    void reset() noexcept;

    bool column_is_null(int column) const;
    std::int64_t column_int64(int column) const;
    double column_double(int column) const;
    std::string column_text(int column) const;
    std::vector<unsigned char> column_blob(int column) const;
    std::optional<std::int64_t> column_optional_int64(int column) const;
    /// The text, or nullopt for NULL (optional text columns).
    std::optional<std::string> column_optional_text(int column) const;
    /// The blob without a copy; valid until the next step(), reset() or column call on it.
    std::span<const unsigned char> column_blob_view(int column) const;

    enum class ColumnKind { Null, Integer, Real, Text, Blob };
    ColumnKind column_kind(int column) const;
    int column_count() const;
    /// The column's name as the SQL gave it (its alias, if any).
    std::string column_name(int column) const;

    /// Number of the SQL parameters, for checks in tests.
    int parameter_count() const;

  private:
    sqlite3* m_db = nullptr;  // non-owning: the Connection outlives its statements
    std::unique_ptr<sqlite3_stmt, detail::StmtFinalize> m_stmt;
    std::string m_sql_head;  // first words of the SQL, for error messages
};

/// One SQLite connection with SpatiaLite, WAL, foreign keys and a busy timeout.
/// SQLITE_OPEN_NOMUTEX: the connection and its statements are used by one thread at a time.
class Connection {
  public:
    /// Opens (creating if missing) the database file. ":memory:" gives a private database.
    /// A PostgreSQL location is not supported yet (InternalError).
    explicit Connection(const DatabaseLocation& location, ConnectionOptions options = {});
    Connection(Connection&&) noexcept = default;
    Connection& operator=(Connection&&) noexcept = default;
    ~Connection() = default;

    /// Runs one or more SQL statements that return no rows we need.
    void exec(std::string_view sql);
    /// Prepares one statement.
    Statement prepare(std::string_view sql);
    /// Runs a statement that returns a single integer (e.g. count(*), a pragma).
    std::int64_t query_int64(std::string_view sql);
    /// Runs a statement that returns a single text value.
    std::string query_text(std::string_view sql);

    std::int64_t last_insert_rowid() const;
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    std::int64_t changes() const;
    /// True while a transaction is open on this connection.
    bool in_transaction() const;

    /// The time the writes on this connection are stamped with (ISO 8601 UTC): the clock's,
    /// unless pin_time() fixed one.
    std::string now() const;
    /// Stamps the writes that follow with `time` instead of the clock's, until called with
    /// nothing: for data whose history lies in the past (the demo), and the same bytes on
    /// every run. Only what data/ stamps itself; SQL column defaults keep the clock.
    void pin_time(std::optional<std::string> time) { m_pinned_time = std::move(time); }

    Dialect dialect() const noexcept { return Dialect::spatialite; }

    /// The raw SQLite handle, for the few SQLite-only places in data/ (backup, R*Tree bulk
    /// load, data_version). @throws InternalError on PostgreSQL.
    sqlite3* sqlite_handle() const;

  private:
    void enable_wal(std::chrono::milliseconds timeout);
    void load_spatialite();
    /// The SQL functions of the atlas itself (address_matches, for the search by address).
    void register_functions();
    std::unique_ptr<sqlite3, detail::DbClose> m_db;
    std::optional<std::string> m_pinned_time;
};

/// BEGIN IMMEDIATE on construction (takes the write lock at once, so a busy store fails here
/// rather than halfway through); rolls back in the destructor unless commit() succeeded.
class Transaction {
  public:
    explicit Transaction(Connection& connection);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    void commit();

  private:
    Connection& m_connection;
    bool m_done = false;
};

/// A write's own transaction, unless the caller already opened one: then the caller's commit
/// or rollback decides for all of its writes, so several writes can be made atomic together.
class OwnTransaction {
  public:
    explicit OwnTransaction(Connection& connection) {
        if (!connection.in_transaction()) m_transaction.emplace(connection);
    }
    void commit() {
        if (m_transaction) m_transaction->commit();
    }

  private:
    std::optional<Transaction> m_transaction;
};

/// Current time as ISO 8601 UTC text, e.g. "2024-05-01T09:30:00Z" (common/utc_time.hpp).
using leerstand::utc_now_iso8601;

}  // namespace leerstand::data
