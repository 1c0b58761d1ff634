#include <pistache/http.h>

#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "server/http/export_spool.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/export_service.hpp"
#include "server/services/site.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

/// "buildings.geojson" → ("buildings", GeoJson). @throws NotFound for other names.
std::pair<std::string, geo::ExportFormat> parse_file_name(const std::string& file) {
    const auto dot = file.rfind('.');
    geo::ExportFormat format{};
    if (dot == std::string::npos || !geo::parse_export_format(file.substr(dot + 1), format))
        throw NotFound("there is no export '" + file +
                       "'; exports are {collection}.geojson, .gpkg or .csv");
    return {file.substr(0, dot), format};
}

/// `Link` with a `rel="license"` target per licence (RFC 8288): the one place a CSV file's
/// licence can travel, and the same for every format.
std::string license_link_header(const std::vector<License>& licenses) {
    std::string value;
    for (const License& license : licenses)
        value += (value.empty() ? "<" : ", <") + license.url + ">; rel=\"license\"";
    return value;
}

void get_export(const ApiContext& context, const Rest::Request& request,
                Http::ResponseWriter& writer) {
    const auto [collection, format] = parse_file_name(path_param(request, ":file"));
    const services::Caller caller = request_caller(request, context);
    const services::ItemsQuery query = services::parse_export_query(query_params(request));

    const SpoolFile spool(context.export_spool_dir, geo::file_extension(format));
    auto& exports = services::thread_service<services::ExportService>(context.db);
    const License& own = context.site->data_license;
    const std::int64_t count = exports.write(collection, format, query, caller, spool.path(), own);

    set_caller_cache_headers(writer, caller);
    set_header(
        writer, "Content-Disposition",
        "attachment; filename=\"" + services::export_file_name(collection, format, query) + "\"");
    set_header(writer, "X-Feature-Count", std::to_string(count));
    set_header(writer, "Link", license_link_header(services::licenses_of(collection, own)));
    writer.headers().add<Http::Header::ContentType>(
        Http::Mime::MediaType::fromString(std::string(geo::media_type(format))));
    send_spool_file(writer, spool);
}

}  // namespace

void add_export_routes(Rest::Router& router, const ApiContext& context) {
    remove_stale_spool_files(context.export_spool_dir);
    // The export is made and sent on a download thread: it may take long.
    add_route_table(router, context,
                    {{"/export/:file", Http::Method::Get, get_export, Lane::Download}});
}

}  // namespace leerstand::http
