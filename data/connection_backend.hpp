#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/connection.hpp"

/// What data/connection.cpp's public classes delegate to: one implementation per database
/// (data/sqlite_connection.cpp, data/postgres_connection.cpp). Internal to data/.
namespace leerstand::data::detail {

/// One prepared statement of a backend. Bind indexes 1-based, columns 0-based.
class StatementBackend {
  public:
    virtual ~StatementBackend() = default;

    virtual void bind_int64(int index, std::int64_t value) = 0;
    virtual void bind_double(int index, double value) = 0;
    virtual void bind_text(int index, std::string_view text) = 0;
    virtual void bind_blob(int index, std::span<const unsigned char> bytes) = 0;
    virtual void bind_null(int index) = 0;
    /// Row by row instead of the whole result at the first step() (see Statement::stream).
    virtual void stream() = 0;

    virtual bool step() = 0;
    virtual void reset() noexcept = 0;

    virtual bool column_is_null(int column) const = 0;
    virtual std::int64_t column_int64(int column) const = 0;
    virtual double column_double(int column) const = 0;
    /// Valid until the next step(), reset() or column call.
    virtual std::string_view column_text(int column) const = 0;
    /// Valid until the next step(), reset() or column call.
    virtual std::span<const unsigned char> column_blob(int column) const = 0;
    virtual ColumnKind column_kind(int column) const = 0;
    virtual int column_count() const = 0;
    virtual std::string column_name(int column) const = 0;
    virtual int parameter_count() const = 0;
};

/// One binary COPY of a backend (see CopyWriter); its destructor cancels an unfinished one.
class CopyBackend {
  public:
    virtual ~CopyBackend() = default;

    virtual void add_int64(std::int64_t value) = 0;
    virtual void add_double(double value) = 0;
    virtual void add_bytes(std::span<const unsigned char> head,
                           std::span<const unsigned char> tail) = 0;
    virtual void add_null() = 0;
    virtual void end_row() = 0;
    virtual std::int64_t finish() = 0;
};

/// One open database connection of a backend.
class ConnectionBackend {
  public:
    virtual ~ConnectionBackend() = default;

    virtual Dialect dialect() const noexcept = 0;
    virtual void exec(std::string_view sql) = 0;
    virtual std::unique_ptr<StatementBackend> prepare(std::string_view sql) = 0;
    /// A binary COPY into `columns` of `table`; InternalError where there is none (SQLite).
    virtual std::unique_ptr<CopyBackend> copy_in(std::string_view table,
                                                 const std::vector<std::string>& columns) = 0;
    virtual std::int64_t last_insert_rowid() const = 0;
    virtual std::int64_t changes() const = 0;
    virtual bool in_transaction() const = 0;
    /// Opens a write transaction holding the one write lock of the database.
    virtual void begin_write() = 0;
    /// Commits the transaction begin_write() opened.
    virtual void commit() = 0;
    /// Rolls an open transaction back; errors are swallowed (called from destructors).
    virtual void rollback() noexcept = 0;
    virtual sqlite3* sqlite_handle() const = 0;
    /// LISTEN and waiting for NOTIFY (see Connection::listen); SQLite has neither.
    virtual void listen(std::string_view channel);
    virtual bool wait_for_notification(std::chrono::milliseconds timeout);
};

std::unique_ptr<ConnectionBackend> open_sqlite(const std::filesystem::path& path,
                                               const ConnectionOptions& options);
std::unique_ptr<ConnectionBackend> open_postgres(const DatabaseLocation& location,
                                                 const ConnectionOptions& options);

/// Why a write broke a constraint, as both backends tell it.
enum class ConstraintKind { unique, foreign_key, check, not_null, geometry, other };

/// The Conflict both backends throw for a broken constraint; its text is shown to users.
[[noreturn]] void throw_constraint_conflict(ConstraintKind kind);

/// The StorageBusy both backends throw when a lock was not granted in time; its text is shown
/// to users.
[[noreturn]] void throw_busy();

/// The first words of a statement, enough to tell which one failed in a log line.
std::string sql_head(std::string_view sql);

/// `sql` with each `?` parameter outside '...' strings, "..." identifiers, -- and /* */
/// comments and $tag$...$tag$ quoting replaced by $1, $2, ... (PostgreSQL's placeholders).
struct NumberedSql {
    std::string text;
    int parameter_count = 0;
};
NumberedSql number_placeholders(std::string_view sql);

}  // namespace leerstand::data::detail
