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

// Forward declaration for Connection::sqlite_handle(); sqlite3.h and libpq-fe.h stay inside
// the backends (data/sqlite_connection.cpp, data/postgres_connection.cpp).
struct sqlite3;

/// The one connection layer of data/, over SQLite (with SpatiaLite) or PostgreSQL (libpq).
/// Every database error becomes a leerstand error right after the call: busy or locked past
/// the timeout, and a lost PostgreSQL connection → StorageBusy; a broken constraint →
/// Conflict; anything else → InternalError (message for the log).
namespace leerstand::data {

/// The SQL dialect behind a Connection, for the few places where the two differ (spatial
/// index reads, string aggregation): each such difference lives in one helper in data/.
enum class Dialect { spatialite, postgres };

/// How a connection is opened.
struct ConnectionOptions {
    /// How long a statement waits for another connection's lock before StorageBusy
    /// (SQLite's busy_timeout, PostgreSQL's lock_timeout).
    std::chrono::milliseconds busy_timeout{5000};
    /// Load mod_spatialite into the connection (needed for every geometry function). SQLite
    /// only: PostGIS lives in the database.
    bool load_spatialite = true;
};

/// The storage class of a column value, as SQLite names them. On PostgreSQL it follows the
/// column's type: integers and booleans Integer, floating and numeric Real, bytea and
/// geometry Blob, everything else Text.
enum class ColumnKind { Null, Integer, Real, Text, Blob };

namespace detail {
class StatementBackend;
class ConnectionBackend;
class CopyBackend;
}  // namespace detail

/// A prepared statement. Bind indexes are 1-based, column indexes 0-based (as in SQLite);
/// parameters are written `?` in the SQL on both backends. Not copyable; reuse it with
/// reset() for many rows. It must not outlive its Connection.
///
/// On PostgreSQL the parameters travel as text and the server types them from their context
/// (write CAST(? AS TEXT) where the context does not tell), and the first step() fetches the
/// whole result, so other statements may run while the rows are read; stream() fetches row by
/// row instead.
class Statement {
  public:
    using ColumnKind = data::ColumnKind;

    explicit Statement(std::unique_ptr<detail::StatementBackend> backend);
    Statement(Statement&&) noexcept;
    Statement& operator=(Statement&&) noexcept;
    ~Statement();

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    /// The text is copied, so the argument may die after the call.
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

    /// Reads the rows one at a time instead of all at the first step(), for results too big to
    /// hold (exports of millions of rows). On PostgreSQL the connection is busy until the last
    /// row was read or the statement is reset: any other statement on it meanwhile throws
    /// InternalError. SQLite always reads row by row, so this changes nothing there.
    Statement& stream();

    /// Runs one step. Returns true when a row is available, false when done.
    bool step();
    /// Steps to the end, for statements that return no rows.
    void run();
    /// Makes the statement ready for the next row; clears all bindings.
    void reset() noexcept;

    bool column_is_null(int column) const;
    /// Booleans read as 0 and 1.
    std::int64_t column_int64(int column) const;
    double column_double(int column) const;
    std::string column_text(int column) const;
    std::vector<unsigned char> column_blob(int column) const;
    std::optional<std::int64_t> column_optional_int64(int column) const;
    /// The text, or nullopt for NULL (optional text columns).
    std::optional<std::string> column_optional_text(int column) const;
    /// The blob without a copy; valid until the next step(), reset() or column call on it.
    std::span<const unsigned char> column_blob_view(int column) const;

    ColumnKind column_kind(int column) const;
    int column_count() const;
    /// The column's name as the SQL gave it (its alias, if any).
    std::string column_name(int column) const;

    /// Number of the SQL parameters, for checks in tests.
    int parameter_count() const;

  private:
    std::unique_ptr<detail::StatementBackend> m_backend;
};

/// Rows sent into one table with PostgreSQL's binary `COPY ... FROM STDIN`: the fastest way in
/// (one round trip per few hundred rows, no parsing of text on the server). Each row gives one
/// field per column named to Connection::copy_in, in that order, each in the column's exact
/// binary type (add_int64 for bigint, add_double for double precision, add_text for text,
/// add_bytes for bytea and for geometry as EWKB). Until finish() the connection runs no other
/// statement (InternalError). Destroyed unfinished, the COPY is cancelled, which fails the
/// open transaction as a failed statement would: the caller rolls back.
class CopyWriter {
  public:
    explicit CopyWriter(std::unique_ptr<detail::CopyBackend> backend);
    CopyWriter(CopyWriter&&) noexcept;
    CopyWriter& operator=(CopyWriter&&) noexcept;
    ~CopyWriter();

    CopyWriter& add_int64(std::int64_t value);
    CopyWriter& add_double(double value);
    /// UTF-8 text.
    CopyWriter& add_text(std::string_view text);
    /// NULL for an empty string: for optional text columns.
    CopyWriter& add_text_or_null(std::string_view text);
    /// One binary field made of `head` followed by `tail`, so that a header can be put in
    /// front of stored bytes without copying them (an EWKB header before WKB).
    CopyWriter& add_bytes(std::span<const unsigned char> head,
                          std::span<const unsigned char> tail = {});
    CopyWriter& add_null();
    template <typename T>
    CopyWriter& add_int64(const std::optional<T>& value) {
        return value ? add_int64(static_cast<std::int64_t>(*value)) : add_null();
    }
    /// Ends a row. @throws InternalError when it has not one field per column.
    void end_row();
    /// Sends the end of the data and waits for the server's verdict: the errors of the rows
    /// (a broken constraint → Conflict, bad binary data → InternalError) arrive here.
    /// Returns the number of rows stored.
    std::int64_t finish();

  private:
    std::unique_ptr<detail::CopyBackend> m_backend;
};

/// One database connection. SQLite: SpatiaLite, WAL, foreign keys and a busy timeout, opened
/// SQLITE_OPEN_NOMUTEX. PostgreSQL: UTF-8, time zone UTC, lock_timeout as the busy timeout.
/// Either way the connection and its statements are used by one thread at a time.
class Connection {
  public:
    /// Opens a SpatiaLite file (creating it if missing; ":memory:" gives a private database)
    /// or connects to PostgreSQL. @throws StorageBusy when the PostgreSQL server cannot be
    /// reached (the details go to the log), InvalidInput for a malformed conninfo.
    explicit Connection(const DatabaseLocation& location, ConnectionOptions options = {});
    Connection(Connection&&) noexcept;
    Connection& operator=(Connection&&) noexcept;
    ~Connection();

    Dialect dialect() const noexcept;

    /// Runs one or more SQL statements that return no rows we need.
    void exec(std::string_view sql);
    /// Prepares one statement.
    Statement prepare(std::string_view sql);
    /// Runs a statement that returns a single integer (e.g. count(*), a pragma).
    std::int64_t query_int64(std::string_view sql);
    /// Runs a statement that returns a single text value.
    std::string query_text(std::string_view sql);
    /// Starts a binary COPY of rows into `columns` of `table` (see CopyWriter). PostgreSQL
    /// only: @throws InternalError on SQLite, which has no COPY (its prepared INSERTs are as
    /// fast there, with no round trips to save).
    CopyWriter copy_in(std::string_view table, const std::vector<std::string>& columns);

    /// SQLite only: @throws InternalError on PostgreSQL, where `INSERT ... RETURNING id` gives
    /// the id on both.
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

    /// The raw SQLite handle, for the few SQLite-only places in data/ (backup, R*Tree bulk
    /// load, data_version). @throws InternalError on PostgreSQL.
    sqlite3* sqlite_handle() const;

    /// PostgreSQL only: subscribes this session to `channel` (LISTEN), so that
    /// wait_for_notification() learns of every NOTIFY on it committed from now on.
    /// @pre `channel` is a plain SQL identifier. @throws InternalError on SQLite, which has
    /// one process per database and nothing to notify.
    void listen(std::string_view channel);
    /// PostgreSQL only: waits up to `timeout` for notifications on the channels listened to
    /// and takes all that arrived; true when there was at least one. @throws StorageBusy when
    /// the connection is lost (notifications may have been missed: the caller must assume
    /// anything changed), InternalError on SQLite.
    bool wait_for_notification(std::chrono::milliseconds timeout);

  private:
    friend class Transaction;
    std::unique_ptr<detail::ConnectionBackend> m_backend;
    std::optional<std::string> m_pinned_time;
};

/// Takes the database's one write lock on construction (SQLite: BEGIN IMMEDIATE; PostgreSQL:
/// BEGIN plus a transaction-level advisory lock), so a busy store fails here rather than
/// halfway through and writers run one at a time on both; rolls back in the destructor unless
/// commit() succeeded.
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

/// Write transactions (Transaction::commit) this process has committed, on any connection and
/// either backend: a node's own writes, for caches that otherwise wait to be notified of
/// changes (services::TileCache), so that a user sees their own write at once.
std::uint64_t committed_writes() noexcept;

/// Current time as ISO 8601 UTC text, e.g. "2024-05-01T09:30:00Z" (common/utc_time.hpp).
using leerstand::utc_now_iso8601;

}  // namespace leerstand::data
