#include "server/cli/export_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <ostream>

#include "common/error.hpp"
#include "data/store.hpp"
#include "server/cli/cli_errors.hpp"
#include "server/cli/named_options.hpp"
#include "server/services/export_service.hpp"
#include "server/services/site.hpp"

namespace leerstand::cli {

namespace {

namespace fs = std::filesystem;

/// The filters as the HTTP layer receives them, so both parse them with one function.
services::QueryParams filter_params(const NamedOptions& options) {
    services::QueryParams params;
    for (const char* name : {"kommune", "bbox", "datetime", "status", "use"})
        if (const auto value = options.get(std::string("--") + name))
            params.emplace_back(name, *value);
    return params;
}

/// Writes to `target`, or to a temporary file that is copied to `out` when there is none.
/// The file appears only when the export is complete.
std::int64_t export_to(services::ExportService& exports, const std::string& collection,
                       geo::ExportFormat format, const services::ItemsQuery& query,
                       const std::optional<fs::path>& target, const License& own,
                       std::ostream& out) {
    services::Caller operator_caller;
    operator_caller.role = services::Role::Admin;
    operator_caller.name = "cli";
    const fs::path partial =
        target ? fs::path(target->string() + ".partial")
               : fs::temp_directory_path() / ("leerstand-export-" + std::to_string(::getpid()) +
                                              "." + std::string(geo::file_extension(format)));
    try {
        const std::int64_t count =
            exports.write(collection, format, query, operator_caller, partial, own);
        if (target) {
            fs::rename(partial, *target);
        } else {
            std::ifstream in(partial, std::ios::binary);
            out << in.rdbuf();
            out.flush();
            fs::remove(partial);
        }
        return count;
    } catch (...) {
        std::error_code ignored;
        fs::remove(partial, ignored);
        throw;
    }
}

}  // namespace

int run_export_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    NamedOptions options;
    auto usage = parse_named_options(args,
                                     {"--format", "--out", "--kommune", "--bbox", "--datetime",
                                      "--status", "--use", "--db", "--site"},
                                     1, options);
    geo::ExportFormat format{};
    if (!usage && options.positional.empty())
        usage = "export needs a collection: kommunen, buildings, vacancies or zukunftsorte";
    if (!usage && !geo::parse_export_format(options.get("--format").value_or(""), format))
        usage = "export needs --format geojson, gpkg or csv";
    std::optional<fs::path> target;
    if (const auto out_path = options.get("--out"); out_path && *out_path != "-")
        target = *out_path;
    if (!usage && format == geo::ExportFormat::GeoPackage && !target)
        usage = "a GeoPackage export needs --out FILE";
    if (usage) {
        err << "leerstand: " << *usage << " (see `leerstand help`)\n";
        return k_exit_usage;
    }
    return run_reporting_errors(err, [&] {
        const services::ItemsQuery query = services::parse_export_query(filter_params(options));
        // The file carries the licence of the network's data as the server's exports do.
        const services::SiteConfig site = services::read_site_config(
            options.get("--site").value_or(services::default_site_file().string()));
        data::Store store(existing_database(options));
        services::ExportService exports(store);
        const std::int64_t count = export_to(exports, options.positional[0], format, query, target,
                                             site.data_license, out);
        err << "exported " << count << " features\n";
        return k_exit_ok;
    });
}

}  // namespace leerstand::cli
