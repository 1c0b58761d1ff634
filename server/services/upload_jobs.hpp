#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/database_location.hpp"
#include "server/services/caller.hpp"

/// Uploads over HTTP: the file is saved, an `uploads` row is made in state "queued", and a job
/// thread runs the same import as the CLI. Progress lives in memory while the job runs; state
/// and the final report live in the `uploads` row. A failed upload changes nothing else.
namespace leerstand::services {

struct UploadLimits {
    std::uint64_t max_body_bytes = 64ull << 20;       ///< whole request (413 above)
    std::uint64_t max_unpacked_bytes = 512ull << 20;  ///< sum of a zip's entries (413 above)
    std::uint64_t max_zip_entries = 1000;             ///< files in a zip (413 above)
    std::size_t max_files = 5;  ///< files in one request: a shapefile's .shp .shx .dbf .prj .cpg
};

/// One more file of an upload, sent beside the first.
struct UploadFile {
    std::string name;          ///< as sent by the client; only its extension is used
    std::string_view content;  ///< read only while submit() runs, like UploadRequest::content
};

struct UploadRequest {
    std::string file_name;  ///< as sent by the client; only its extension is used
    /// The file's bytes, read only while submit() runs (it saves them to a file): a view into
    /// the request body, which the HTTP server holds anyway, not a copy of up to 64 MB.
    std::string_view content;
    /// The other parts of a shapefile chosen together with its .shp (.shx, .dbf, .prj, .cpg),
    /// so that it need not be zipped; any one of the parts may come first.
    std::vector<UploadFile> more_files;
    std::string kommune;  ///< AGS; empty with `automatic`
    /// Buildings only: each goes to the Gemeinde it lies in, within the caller's area (an
    /// admin's: every Kommune), as the CLI does without --kommune.
    bool automatic = false;
    std::string layer;  ///< "buildings" or "vacancies"
    std::optional<int> srs;
    std::optional<std::string> encoding;
    std::string mode = "append";  ///< "append" or "replace"
};

class UploadJobs {
  public:
    /// `db`: the store each job opens; `work_dir`: where uploaded files wait (emptied of a job's
    /// file when it ends). Starts one job thread; stop() or the destructor joins it.
    UploadJobs(data::DatabaseLocation db, std::filesystem::path work_dir, UploadLimits limits);
    ~UploadJobs();
    UploadJobs(const UploadJobs&) = delete;
    UploadJobs& operator=(const UploadJobs&) = delete;

    const UploadLimits& limits() const;

    /// Checks rights (editor of `request.kommune` or, for automatic assignment, of some
    /// Kommune; or admin), the layer, mode, format (415 for unknown extensions or content),
    /// a shapefile's parts (all of .shp, .shx, .dbf; field code incomplete_shapefile with the
    /// `missing` ones) and limits (TooLarge), saves the file(s), records the queued upload and
    /// returns its id at once.
    std::int64_t submit(UploadRequest request, const Caller& caller);

    /// `{"id", "state": queued|running|done|failed, "progress": {"done", "total"},
    ///   "kommune", "layer", "file_name", "report": {...} when finished; when failed "error"
    ///   (English), "error_code" (error_code::k_*, or a kind's code) and "error_values" (what a
    ///   client's own sentence needs: `read`, `file`, `missing`, or a field error's `errors`)}`.
    /// Its uploader, planners/editors in scope of the upload's Kommune and admins; for anyone
    /// else signed in
    /// NotFound, as for an unknown id (a 403 would confirm that the upload exists).
    nlohmann::json status(std::int64_t upload_id, const Caller& caller);

    /// Lets the running job finish, drops queued ones (marked failed: "server stopped") and
    /// joins the thread.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
