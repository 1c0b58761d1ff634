#include "server/http/export_routes.hpp"

#include <pistache/http.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <system_error>

#include "common/error.hpp"
#include "server/http/routing.hpp"
#include "server/http/transport/paced_body.hpp"
#include "server/http/transport/response_headers.hpp"
#include "server/services/export_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
namespace fs = std::filesystem;

// Next to the database (same disk), named after it as SQLite names its -wal file.
fs::path spool_dir(const ApiContext& context) {
    fs::path dir = fs::absolute(context.db);
    dir += "-export-spool";
    return dir;
}

constexpr std::string_view k_spool_prefix = "export-";

/// A spool file that removes itself, so a failed export leaves nothing behind.
class SpoolFile {
  public:
    explicit SpoolFile(const fs::path& dir, std::string_view extension) {
        static std::atomic<std::uint64_t> counter{0};
        fs::create_directories(dir);
        m_path = dir / (std::string(k_spool_prefix) + std::to_string(::getpid()) + "-" +
                        std::to_string(++counter) + "." + std::string(extension));
    }
    ~SpoolFile() {
        std::error_code ignored;
        fs::remove(m_path, ignored);
    }
    SpoolFile(const SpoolFile&) = delete;
    SpoolFile& operator=(const SpoolFile&) = delete;
    const fs::path& path() const { return m_path; }

  private:
    fs::path m_path;
};

/// "buildings.geojson" → ("buildings", GeoJson). @throws NotFound for other names.
std::pair<std::string, geo::ExportFormat> parse_file_name(const std::string& file) {
    const auto dot = file.rfind('.');
    geo::ExportFormat format{};
    if (dot == std::string::npos || !geo::parse_export_format(file.substr(dot + 1), format))
        throw NotFound("there is no export '" + file +
                       "'; exports are {collection}.geojson, .gpkg or .csv");
    return {file.substr(0, dot), format};
}

/// Sends `path` as the body, paced to the client (it may read slowly).
void send_file(Http::ResponseWriter& writer, const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InternalError("the export file vanished");
    // Gone from the folder before the first byte leaves (the open stream keeps reading it):
    // a client that has the whole file never sees the spool file linger.
    const std::uint64_t size = fs::file_size(path);
    std::error_code ignored;
    fs::remove(path, ignored);
    send_paced(writer, in, size);
}

void get_export(const ApiContext& context, const Rest::Request& request,
                Http::ResponseWriter& writer) {
    const auto [collection, format] = parse_file_name(request.param(":file").as<std::string>());
    const services::Caller caller = request_caller(request, context);
    const services::ItemsQuery query = services::parse_export_query(query_params(request));

    const SpoolFile spool(spool_dir(context), geo::file_extension(format));
    auto& exports = services::thread_service<services::ExportService>(context.db);
    const std::int64_t count = exports.write(collection, format, query, caller, spool.path());

    set_caller_cache_headers(writer, caller);
    set_header(
        writer, "Content-Disposition",
        "attachment; filename=\"" + services::export_file_name(collection, format, query) + "\"");
    set_header(writer, "X-Feature-Count", std::to_string(count));
    writer.headers().add<Http::Header::ContentType>(
        Http::Mime::MediaType::fromString(std::string(geo::media_type(format))));
    send_file(writer, spool.path());
}

}  // namespace

void add_export_routes(Rest::Router& router, const ApiContext& context) {
    // Spool files left by a process that was killed mid-export; only ours are touched.
    std::error_code error;
    for (fs::directory_iterator it(spool_dir(context), error), end; !error && it != end;
         it.increment(error))
        if (it->path().filename().string().starts_with(k_spool_prefix))
            fs::remove(it->path(), error);
    add_routes(router, "/export/:file",
               {{Http::Method::Get,
                 [&context](const Rest::Request& request, Http::ResponseWriter& writer,
                            const std::string&) { get_export(context, request, writer); }}},
               // The export is made and sent on a download thread: it may take long.
               Lane::Download);
}

}  // namespace leerstand::http
