#pragma once

#include <cstdint>
#include <filesystem>

/// Copies of the whole database: made while the server runs (SQLite online backup API) and
/// put back while it is stopped.
namespace leerstand::data {

/// What a backup or restore wrote.
struct BackupSummary {
    std::filesystem::path path;  ///< the file written (the backup, or the restored database)
    std::uintmax_t bytes = 0;    ///< its size
    int schema_version = 0;      ///< schema version of the data in it
};

/// Copies the database `source` to `out` as one consistent snapshot, while other processes
/// (the server) keep reading and writing it: the copy holds exactly the transactions committed
/// before it started. The copy goes to `out` + ".partial", passes `PRAGMA integrity_check`, is
/// made a single file (rollback journal, no -wal), is synced and is then renamed to `out`, which
/// is never overwritten; on any error no `out` appears and the partial file is removed.
/// @throws InvalidInput when `out` exists or `source` is not a Leerstandsatlas database,
///         NotFound when `source` does not exist, StorageBusy when the source stays locked,
///         InternalError for I/O and library errors.
BackupSummary backup_database(const std::filesystem::path& source,
                              const std::filesystem::path& out);

/// Replaces the database `target` with the backup `in`. @pre no process has `target` open
/// (the server is stopped); a connection found on it gives StorageBusy before anything changes.
/// `in` is copied next to the target, checked there (integrity_check, `schema_migrations`,
/// a schema version this build knows), synced, and renamed over `target`; the target's -wal and
/// -shm are folded in and removed first. Interrupted or refused at any point, `target` stays the
/// old database (with all its committed data) or, after the rename, is the new one.
/// @throws NotFound when `in` does not exist, InvalidInput when it is not a (sound)
///         Leerstandsatlas database, Unsupported when its schema is newer than this build's,
///         StorageBusy when `target` is in use, InternalError for I/O and library errors.
BackupSummary restore_database(const std::filesystem::path& in,
                               const std::filesystem::path& target);

}  // namespace leerstand::data
