#include "server/services/import_report.hpp"

#include <nlohmann/json.hpp>

namespace leerstand::services {

void ImportReport::reject(long long index, const std::string& reason) {
    ++rejected;
    ++rejected_by_reason[reason];
    if (errors.size() < k_max_listed_errors) errors.push_back({index, reason});
}

namespace {

nlohmann::json errors_json(const ImportReport& report) {
    auto list = nlohmann::json::array();
    for (const auto& e : report.errors)
        list.push_back({{"feature", e.index}, {"reason", e.reason}});
    return list;
}

nlohmann::json zensus_gaps_json(const ZensusGaps& gaps) {
    auto first = nlohmann::json::array();
    for (const auto& [ags, name] : gaps.first) first.push_back({{"ags", ags}, {"name", name}});
    return {{"count", gaps.count}, {"first", std::move(first)}};
}

}  // namespace

std::string errors_to_json(const ImportReport& report) {
    return errors_json(report).dump();
}

std::string report_to_json(const ImportReport& report) {
    nlohmann::json j = {
        {"file", report.file},
        {"target", report.target},
        {"format", report.format},
        {"source_layer", report.source_layer},
        {"crs", report.crs},
        {"crs_source", report.crs_source},
        {"encoding", report.encoding},
        {"encoding_source", report.encoding_source},
        {"mode", report.mode},
        {"kommune",
         report.kommune.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.kommune)},
        {"read", report.read},
        {"stored", report.stored},
        {"rejected", report.rejected},
        {"repaired", report.repaired},
        {"rejected_by_reason", report.rejected_by_reason},
        {"stored_by_kommune", report.stored_by_kommune},
        {"errors", errors_json(report)},
        {"errors_listed", report.errors.size()},
        {"seconds", report.seconds},
        {"upload_id", report.upload_id},
    };
    if (report.target == "kommunen") j["without_zensus2022"] = zensus_gaps_json(report.zensus_gaps);
    return j.dump();
}

}  // namespace leerstand::services
