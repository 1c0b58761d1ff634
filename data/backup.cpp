#include "data/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/migrations.hpp"
#include "data/sqlite_connection.hpp"

namespace leerstand::data {

namespace {

namespace fs = std::filesystem;

// Backups never need SpatiaLite and must open files with flags Connection does not offer
// (read-only, no WAL switch), so they own plain handles.
using DatabasePtr = std::unique_ptr<sqlite3, detail::DbClose>;

struct BackupFinish {
    void operator()(sqlite3_backup* backup) const noexcept { sqlite3_backup_finish(backup); }
};
using BackupPtr = std::unique_ptr<sqlite3_backup, BackupFinish>;

/// A file descriptor, closed in the destructor.
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) noexcept : m_fd(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (m_fd >= 0) ::close(m_fd);
    }
    int get() const noexcept { return m_fd; }

  private:
    int m_fd;
};

constexpr std::chrono::milliseconds k_busy_timeout{5000};
// Opening the target for a restore waits only briefly: a server holding it will not let go.
constexpr std::chrono::milliseconds k_in_use_timeout{1000};

[[noreturn]] void throw_io_error(const std::string& what, int error) {
    throw InternalError(what + ": " + std::strerror(error));
}

bool is_not_a_database(int rc) {
    const int primary = rc & 0xff;
    return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT;
}

DatabasePtr open_database(const fs::path& path, int flags,
                          std::chrono::milliseconds busy_timeout = k_busy_timeout) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    DatabasePtr db(raw);
    if (rc != SQLITE_OK) {
        if (!db) throw InternalError("cannot open database " + path.string() + ": out of memory");
        throw_sqlite_error(db.get(), rc, "opening database " + path.string());
    }
    sqlite3_extended_result_codes(db.get(), 1);
    sqlite3_busy_timeout(db.get(), static_cast<int>(busy_timeout.count()));
    return db;
}

/// Runs SQL that returns no rows we need; a file that is not a database becomes InvalidInput.
void exec(sqlite3* db, const std::string& sql, const fs::path& file) {
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return;
    if (is_not_a_database(rc))
        throw InvalidInput(file.string() + " is not a SQLite database (or it is damaged)");
    throw_sqlite_error(db, rc, "running \"" + sql + "\" on " + file.string());
}

/// The single text value of `sql`.
std::string query_text(sqlite3* db, const std::string& sql) {
    Statement statement = sqlite_statement(db, sql);
    if (!statement.step()) throw InternalError("SQLite: no result from \"" + sql + "\"");
    return statement.column_text(0);
}

/// The schema version of a Leerstandsatlas database: InvalidInput for any other database.
int schema_version(sqlite3* db, const fs::path& file) {
    // Reading the schema first tells "not a database" apart from "not ours".
    exec(db, "SELECT count(*) FROM sqlite_master", file);
    const std::string tables =
        query_text(db,
                   "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                   "'schema_migrations'");
    const std::string version =
        tables == "1" ? query_text(db, "SELECT coalesce(max(version), 0) FROM schema_migrations")
                      : "0";
    if (version == "0")
        throw InvalidInput(file.string() +
                           " is not a Leerstandsatlas database (it has no schema_migrations)");
    return std::stoi(version);
}

/// Fails unless `PRAGMA integrity_check` of the database says "ok".
void check_integrity(sqlite3* db, const fs::path& file, const std::string& name) {
    exec(db, "SELECT count(*) FROM sqlite_master", file);
    Statement check = sqlite_statement(db, "PRAGMA integrity_check(1)");
    std::string result;
    try {
        result = check.step() ? check.column_text(0) : "no result";
    } catch (const InternalError&) {
        // A damaged file can make the check itself fail (SQLITE_CORRUPT).
        result = "the file is damaged";
    }
    if (result != "ok")
        throw InvalidInput(name + " failed the integrity check: " + result.substr(0, 200));
}

/// Copies every page of `from` into `to` in one step, so it reads one snapshot.
void copy_pages(sqlite3* from, sqlite3* to, const fs::path& source_file) {
    BackupPtr backup(sqlite3_backup_init(to, "main", from, "main"));
    if (!backup) throw_sqlite_error(to, sqlite3_errcode(to), "starting the backup");
    const auto deadline = std::chrono::steady_clock::now() + k_busy_timeout;
    for (;;) {
        const int rc = sqlite3_backup_step(backup.get(), -1);
        if (rc == SQLITE_DONE) break;
        const int primary = rc & 0xff;
        if ((primary == SQLITE_BUSY || primary == SQLITE_LOCKED) &&
            std::chrono::steady_clock::now() < deadline) {
            sqlite3_sleep(50);
            continue;
        }
        backup.reset();
        if (is_not_a_database(rc))
            throw InvalidInput(source_file.string() +
                               " is not a SQLite database (or it is damaged)");
        throw_sqlite_error(from, rc, "copying " + source_file.string());
    }
    const int rc = sqlite3_backup_finish(backup.release());
    if (rc != SQLITE_OK) throw_sqlite_error(to, rc, "finishing the backup");
}

/// Holds a read transaction: everything read through the connection until the destructor
/// comes from the snapshot its first read saw, whatever other connections commit meanwhile.
class ReadSnapshot {
  public:
    ReadSnapshot(sqlite3* db, const fs::path& file) : m_db(db) {
        exec(db, "BEGIN", file);
        // BEGIN is deferred: the first read opens the read transaction (and fixes the snapshot).
        exec(db, "SELECT count(*) FROM sqlite_master", file);
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;
    ~ReadSnapshot() { sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr); }

  private:
    sqlite3* m_db;
};

/// A file being written under a temporary name: removed (with any -wal, -shm, -journal of
/// SQLite's) in the destructor unless keep() was called.
class PartialFile {
  public:
    explicit PartialFile(fs::path path) : m_path(std::move(path)) { remove_all(); }
    PartialFile(const PartialFile&) = delete;
    PartialFile& operator=(const PartialFile&) = delete;
    ~PartialFile() {
        if (!m_kept) remove_all();
    }
    const fs::path& path() const noexcept { return m_path; }
    void keep() noexcept { m_kept = true; }

  private:
    void remove_all() noexcept {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            fs::remove(m_path.string() + suffix, ignored);
    }
    fs::path m_path;
    bool m_kept = false;
};

void fsync_path(const fs::path& path, int flags) {
    FileDescriptor fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (fd.get() < 0) throw_io_error("cannot open " + path.string(), errno);
    if (::fsync(fd.get()) != 0) throw_io_error("cannot sync " + path.string(), errno);
}

/// Syncs the folder holding `file`, so a rename in it survives a power cut.
void fsync_folder_of(const fs::path& file) {
    const fs::path folder = file.has_parent_path() ? file.parent_path() : fs::path(".");
    fsync_path(folder, O_RDONLY | O_DIRECTORY);
}

/// Makes a finished copy self-contained (rollback journal: one file, no -wal/-shm needed to
/// read it), checks it and returns its schema version.
int finish_copy(const fs::path& copy, const std::string& name) {
    DatabasePtr db = open_database(copy, SQLITE_OPEN_READWRITE);
    if (query_text(db.get(), "PRAGMA journal_mode=DELETE") != "delete")
        throw InternalError("cannot switch " + copy.string() + " to a rollback journal");
    check_integrity(db.get(), copy, name);
    return schema_version(db.get(), copy);
}

/// Renames `from` to `to` unless `to` exists (atomically: no check-then-rename race).
void rename_no_replace(const fs::path& from, const fs::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
    int error = errno;
    if (error == EINVAL || error == ENOSYS) {
        // A file system without RENAME_NOREPLACE: link() refuses an existing name as well.
        if (::link(from.c_str(), to.c_str()) == 0) {
            ::unlink(from.c_str());
            return;
        }
        error = errno;
    }
    if (error == EEXIST)
        throw InvalidInput(to.string() + " already exists; a backup never overwrites a file");
    throw_io_error("cannot rename " + from.string() + " to " + to.string(), error);
}

/// Folds the target's WAL into the file and leaves it in rollback-journal mode, so no -wal of
/// the old database can be applied to the new one. Switching out of WAL needs every other
/// connection gone, which is the check that the server is stopped.
void detach_wal(const fs::path& target) {
    DatabasePtr db = open_database(target, SQLITE_OPEN_READWRITE, k_in_use_timeout);
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db.get(), "PRAGMA journal_mode=DELETE", -1, &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, detail::StmtFinalize> statement(raw);
    std::string mode;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(statement.get());
        if (rc == SQLITE_ROW) {
            const auto* text = sqlite3_column_text(statement.get(), 0);
            mode = text ? reinterpret_cast<const char*>(text) : "";
            rc = SQLITE_OK;
        }
    }
    // A damaged database is what a restore is for; its files are replaced below.
    if (is_not_a_database(rc)) return;
    const int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || (rc == SQLITE_OK && mode != "delete"))
        throw StorageBusy("the database " + target.string() +
                          " is in use: stop the server before a restore");
    if (rc != SQLITE_OK) throw_sqlite_error(db.get(), rc, "checkpointing " + target.string());
}

}  // namespace

BackupSummary backup_database(const fs::path& source, const fs::path& out) {
    if (!fs::exists(source)) throw NotFound("there is no database at " + source.string());
    if (fs::exists(fs::symlink_status(out)))
        throw InvalidInput(out.string() + " already exists; a backup never overwrites a file");
    PartialFile partial(out.string() + ".partial");
    int version = 0;
    {
        // Read-only: a backup never writes to the live database.
        DatabasePtr from = open_database(source, SQLITE_OPEN_READONLY);
        DatabasePtr to = open_database(partial.path(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        ReadSnapshot snapshot(from.get(), source);
        version = schema_version(from.get(), source);
        copy_pages(from.get(), to.get(), source);
    }
    if (finish_copy(partial.path(), "the copy") != version)
        throw InternalError("the copy's schema version differs from its source's");
    fsync_path(partial.path(), O_RDONLY);
    rename_no_replace(partial.path(), out);
    partial.keep();
    fsync_folder_of(out);
    return {out, fs::file_size(out), version};
}

BackupSummary restore_database(const fs::path& in, const fs::path& target) {
    if (!fs::exists(in)) throw NotFound("there is no backup at " + in.string());
    const bool replacing = fs::exists(target);
    std::error_code ignored;
    if (replacing && fs::equivalent(in, target, ignored))
        throw InvalidInput(in.string() + " is the database itself");
    // Refuse a running server before copying anything.
    if (replacing) detach_wal(target);

    if (target.has_parent_path()) fs::create_directories(target.parent_path());
    PartialFile partial(target.string() + ".restoring");
    {
        DatabasePtr from = open_database(in, SQLITE_OPEN_READONLY);
        DatabasePtr to = open_database(partial.path(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        copy_pages(from.get(), to.get(), in);
    }
    const int version = finish_copy(partial.path(), in.string());
    if (version > latest_schema_version())
        throw Unsupported(in.string() + " was made by a newer Leerstandsatlas (schema version " +
                          std::to_string(version) + "; this build knows up to " +
                          std::to_string(latest_schema_version()) + ")");
    fsync_path(partial.path(), O_RDONLY);
    // detach_wal() folded them in; whatever is left belongs to the old file and must not be
    // applied to the new one.
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
        const fs::path stale = target.string() + suffix;
        if (fs::exists(stale)) {
            if (::unlink(stale.c_str()) != 0)
                throw_io_error("cannot remove " + stale.string(), errno);
        }
    }
    if (::rename(partial.path().c_str(), target.c_str()) != 0)
        throw_io_error("cannot rename " + partial.path().string() + " to " + target.string(),
                       errno);
    partial.keep();
    fsync_folder_of(target);
    return {target, fs::file_size(target), version};
}

}  // namespace leerstand::data
