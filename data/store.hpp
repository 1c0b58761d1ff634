#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/database_location.hpp"
#include "data/records.hpp"

namespace leerstand::data {

class Connection;

/// How a Store opens its database. The defaults suit the server and the CLI.
struct StoreOptions {
    /// How long a write waits for another writer before StorageBusy.
    std::chrono::milliseconds busy_timeout{5000};
};

/// The SpatiaLite store. Opening it applies pending schema migrations (each exactly once).
/// One Store (and so one connection) per thread: a Store is not shared between threads.
/// Errors: StorageBusy when locked past the busy timeout, InternalError for other SQLite
/// failures (message for the log), InvalidInput/Conflict where the caller's data is at fault.
class Store {
  public:
    /// Opens the database and applies migrations; for a file, creates missing parent folders
    /// and the file. Implicit from a path, so a file path works wherever a Store is made.
    explicit Store(const DatabaseLocation& location, StoreOptions options = {});
    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;
    ~Store();

    /// Highest applied migration.
    int schema_version() const;
    StoreCounts counts() const;

    /// Inserts or replaces Kommunen by AGS, all in one transaction (or the caller's, when one
    /// is open), together with the uploads row describing the import. Returns the upload id.
    std::int64_t upsert_kommunen(const std::vector<KommuneRecord>& kommunen,
                                 const UploadRecord& upload);
    std::vector<KommuneBoundary> kommune_boundaries() const;
    bool kommune_exists(const std::string& ags) const;

    /// Records a failed import (the data transaction was rolled back) and returns its id.
    /// With `upload.id` set, marks that queued row failed instead.
    std::int64_t record_failed_upload(const UploadRecord& upload);

    /// Records a finished import in the state `upload.state` ("done" or "failed"); with
    /// `upload.id` set, fills in that queued row. Joins an open transaction.
    std::int64_t record_finished_upload(const UploadRecord& upload);

    /// Makes an `uploads` row in state "queued" (an HTTP upload waiting for its job) and
    /// returns its id. The import later fills it in: pass the id as UploadRecord::id.
    std::int64_t create_upload(const UploadRecord& upload);
    /// @throws NotFound for an unknown id.
    void set_upload_state(std::int64_t id, const std::string& state);
    std::optional<UploadRecord> upload(std::int64_t id) const;

    /// Writes buildings of one import inside one transaction (or the caller's, when one is
    /// open: then the caller's commit or rollback decides). Destroying it without commit()
    /// rolls everything back, so a broken file, an error or a kill leaves the store unchanged.
    class BuildingImport {
      public:
        BuildingImport(BuildingImport&&) noexcept;
        ~BuildingImport();
        /// Buffered, prepared insert; the upload id is set on commit-time row.
        void add(const BuildingRecord& building);
        /// In replace mode, first deletes the earlier buildings (other uploads) of every Kommune
        /// this import stored buildings for, plus `replace_kommune` if given; all in the same
        /// transaction. Then writes the final report to the uploads row and commits.
        /// Returns the upload id.
        std::int64_t commit(const UploadRecord& upload);

      private:
        friend class Store;
        struct Impl;
        explicit BuildingImport(std::unique_ptr<Impl> impl);
        std::unique_ptr<Impl> m_impl;
    };

    /// Starts an import: opens the transaction and inserts the uploads row (state "running",
    /// invisible to others until commit). `replace`: see BuildingImport::commit.
    BuildingImport begin_building_import(const UploadRecord& upload, bool replace,
                                         const std::string& replace_kommune);

    /// Stamps the writes that follow with `time` (ISO 8601 UTC) instead of the clock's, until
    /// called with nothing; see Connection::pin_time.
    void pin_time(std::optional<std::string> time);

    /// The underlying connection, for code inside data/ only.
    Connection& connection();

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::data
