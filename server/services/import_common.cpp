#include "server/services/import_common.hpp"

#include "common/error.hpp"
#include "data/store.hpp"

namespace leerstand::services::detail {

geo::ReadOptions read_options(const ImportOptions& options) {
    geo::ReadOptions read;
    read.forced_epsg = options.srs;
    read.forced_encoding = options.encoding;
    read.layer_name = options.source_layer;
    read.display_name = options.display_name;
    return read;
}

void describe_source(const geo::SourceInfo& info, ImportReport& report) {
    report.format = info.format;
    report.source_layer = info.layer;
    report.crs = info.crs;
    report.crs_name = info.crs_name;
    report.crs_source = info.crs_source;
    report.encoding = info.encoding;
    report.encoding_source = info.encoding_source;
}

ImportReport start_report(const ImportOptions& options, const char* target) {
    ImportReport report;
    report.file =
        options.display_name.empty() ? options.file.filename().string() : options.display_name;
    report.target = target;
    report.mode = options.replace ? "replace" : "append";
    report.kommune = options.kommune.value_or("");
    if (!options.kommune) report.scope = options.scope.value_or(std::vector<std::string>{});
    return report;
}

data::UploadRecord upload_record(const ImportOptions& options, const ImportReport& report) {
    data::UploadRecord upload;
    upload.id = options.upload_id;
    upload.user = options.user;
    upload.file_name = report.file;
    upload.format = report.format;
    upload.layer = report.target;
    upload.kommune_ags = report.kommune;
    upload.mode = report.mode;
    upload.crs = report.crs;
    upload.encoding = report.encoding;
    upload.features_read = report.read;
    upload.stored = report.stored;
    upload.rejected = report.rejected;
    upload.errors_json = errors_to_json(report);
    upload.report_json = report_to_json(report);
    upload.state = report.stored > 0 ? "done" : "failed";
    return upload;
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void check_kommune_option(const data::Store& store, const ImportOptions& options) {
    if (options.kommune && !store.kommune_exists(*options.kommune))
        throw InvalidInput("unknown Kommune " + *options.kommune +
                           ": load its boundary first with `leerstand import-kommunen`");
}

}  // namespace leerstand::services::detail
