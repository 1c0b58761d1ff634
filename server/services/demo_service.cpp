#include "server/services/demo_service.hpp"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "data/store.hpp"

namespace leerstand::services {
namespace {

data::UploadRecord demo_upload(const std::string& layer, const DemoOptions& options,
                               std::int64_t count, const nlohmann::json& report) {
    data::UploadRecord upload;
    upload.user = "demo";
    upload.file_name = "demo (seed " + std::to_string(options.seed) + ")";
    upload.format = "demo";
    upload.layer = layer;
    upload.mode = "append";
    upload.crs = "EPSG:4326";
    upload.encoding = "UTF-8";
    upload.features_read = count;
    upload.stored = count;
    upload.report_json = report.dump();
    upload.state = "done";
    return upload;
}

}  // namespace

DemoReport generate_demo(data::Store& store, const DemoOptions& options) {
    demo::check_options(options);
    const data::StoreCounts counts = store.counts();
    if (counts.kommunen > 0 || counts.buildings > 0) {
        throw Conflict("the store already holds " + std::to_string(counts.kommunen) +
                       " Kommunen and " + std::to_string(counts.buildings) +
                       " buildings; load the demo only into a new, empty database");
    }
    // Generate everything before writing anything, so a failure leaves the store untouched.
    const demo::Dataset dataset = demo::make_dataset(options);

    std::vector<data::KommuneRecord> kommunen;
    nlohmann::json per_kommune = nlohmann::json::object();
    for (const demo::Kommune& k : dataset.kommunen) {
        kommunen.push_back(k.record);
        per_kommune[k.record.ags] = 0;
    }
    for (const demo::Building& b : dataset.buildings) {
        per_kommune[b.record.kommune_ags] = per_kommune[b.record.kommune_ags].get<int>() + 1;
    }
    const nlohmann::json report_json = {{"generator", "leerstand demo"},
                                        {"seed", options.seed},
                                        {"kommunen", dataset.kommunen.size()},
                                        {"buildings", dataset.buildings.size()},
                                        {"buildings_per_kommune", per_kommune}};
    const auto n_kommunen = static_cast<std::int64_t>(dataset.kommunen.size());
    const auto n_buildings = static_cast<std::int64_t>(dataset.buildings.size());

    DemoReport report;
    report.upload_id_kommunen =
        store.upsert_kommunen(kommunen, demo_upload("kommunen", options, n_kommunen, report_json));

    data::UploadRecord building_upload =
        demo_upload("buildings", options, n_buildings, report_json);
    data::UploadRecord running = building_upload;
    running.state = "running";
    running.stored = 0;
    auto import = store.begin_building_import(running, false, "");
    for (const demo::Building& b : dataset.buildings) import.add(b.record);

    report.kommunen = static_cast<int>(n_kommunen);
    report.buildings = n_buildings;
    report.upload_id_buildings = import.commit(building_upload);
    return report;
}

}  // namespace leerstand::services
