#include "server/http/export_spool.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <string>
#include <system_error>

#include "common/error.hpp"
#include "server/http/transport/paced_body.hpp"

namespace leerstand::http {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_spool_prefix = "export-";

}  // namespace

SpoolFile::SpoolFile(const fs::path& dir, std::string_view extension) {
    static std::atomic<std::uint64_t> counter{0};
    fs::create_directories(dir);
    m_path = dir / (std::string(k_spool_prefix) + std::to_string(::getpid()) + "-" +
                    std::to_string(++counter) + "." + std::string(extension));
}

SpoolFile::~SpoolFile() {
    std::error_code ignored;
    fs::remove(m_path, ignored);
}

void remove_stale_spool_files(const fs::path& dir) {
    std::error_code error;
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error))
        if (it->path().filename().string().starts_with(k_spool_prefix))
            fs::remove(it->path(), error);
}

void send_spool_file(Pistache::Http::ResponseWriter& writer, const SpoolFile& file) {
    std::ifstream in(file.path(), std::ios::binary);
    if (!in) throw InternalError("the export file vanished");
    // Gone from the folder before the first byte leaves (the open stream keeps reading it):
    // a client that has the whole file never sees the spool file linger.
    const std::uint64_t size = fs::file_size(file.path());
    std::error_code ignored;
    fs::remove(file.path(), ignored);
    send_paced(writer, in, size);
}

}  // namespace leerstand::http
