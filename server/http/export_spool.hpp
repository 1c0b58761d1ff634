#pragma once

#include <pistache/http.h>

#include <filesystem>
#include <string_view>

/// Where an export waits between being written and being sent: a file in the node's spool folder
/// (node_folders in server.hpp: next to a SpatiaLite file, or under --work-dir).
namespace leerstand::http {

/// A spool file that removes itself, so a failed export leaves nothing behind.
class SpoolFile {
  public:
    /// A new name in the spool folder `dir` (made if missing), ending in `.extension`.
    SpoolFile(const std::filesystem::path& dir, std::string_view extension);
    ~SpoolFile();
    SpoolFile(const SpoolFile&) = delete;
    SpoolFile& operator=(const SpoolFile&) = delete;

    const std::filesystem::path& path() const { return m_path; }

  private:
    std::filesystem::path m_path;
};

/// Removes the spool files in `dir` that a process killed mid-export left behind; only ours are
/// touched.
void remove_stale_spool_files(const std::filesystem::path& dir);

/// Sends `file` as the body (status 200, the writer's headers), paced to the client (it may
/// read slowly). The file leaves the folder before the first byte does.
/// @throws InternalError when the file is gone.
void send_spool_file(Pistache::Http::ResponseWriter& writer, const SpoolFile& file);

}  // namespace leerstand::http
