#pragma once

#include <string_view>

#include "data/connection.hpp"

// Forward declaration keeps sqlite3.h out of the files that include this header.
struct sqlite3_stmt;

/// SQLite pieces shared by the SQLite backend (data/sqlite_connection.cpp) and the SQLite-only
/// code of data/ that owns its own handles (backup). Internal to data/.
namespace leerstand::data {

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

/// A statement on a handle the caller owns (backup's read-only files), which must outlive it.
Statement sqlite_statement(sqlite3* db, std::string_view sql);

}  // namespace leerstand::data
