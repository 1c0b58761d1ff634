#include "server/services/import_report.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace leerstand::services {

void ImportReport::reject(long long index, const std::string& reason) {
    ++rejected;
    ++rejected_by_reason[reason];
    if (errors.size() < k_max_listed_errors) errors.push_back({index, reason});
}

void OutsideFeatures::add(double lon, double lat, const std::optional<std::string>& ags) {
    if (count == 0) {
        west = east = lon;
        south = north = lat;
    } else {
        west = std::min(west, lon);
        east = std::max(east, lon);
        south = std::min(south, lat);
        north = std::max(north, lat);
    }
    ++count;
    if (ags)
        ++by_kommune[*ags];
    else
        ++in_no_kommune;
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

/// `[{"ags", "name", "count"}]` in AGS order; the name is null for a Kommune not loaded.
nlohmann::json named_counts(const std::map<std::string, std::int64_t>& counts,
                            const std::map<std::string, std::string>& names) {
    auto list = nlohmann::json::array();
    for (const auto& [ags, count] : counts) {
        const auto name = names.find(ags);
        list.push_back(
            {{"ags", ags},
             {"name", name == names.end() ? nlohmann::json(nullptr) : nlohmann::json(name->second)},
             {"count", count}});
    }
    return list;
}

nlohmann::json outside_json(const ImportReport& report) {
    const OutsideFeatures& outside = report.outside;
    return {{"count", outside.count},
            {"bbox", outside.count == 0 ? nlohmann::json(nullptr)
                                        : nlohmann::json({outside.west, outside.south, outside.east,
                                                          outside.north})},
            {"kommunen", named_counts(outside.by_kommune, report.kommune_names)},
            {"in_no_kommune", outside.in_no_kommune}};
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
        {"crs_name", report.crs_name},
        {"crs_source", report.crs_source},
        {"encoding", report.encoding},
        {"encoding_source", report.encoding_source},
        {"mode", report.mode},
        {"kommune",
         report.kommune.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.kommune)},
        {"assignment", report.kommune.empty() ? "automatic" : "kommune"},
        {"scope", report.scope},
        {"read", report.read},
        {"stored", report.stored},
        {"rejected", report.rejected},
        {"repaired", report.repaired},
        {"rejected_by_reason", report.rejected_by_reason},
        {"stored_by_kommune", report.stored_by_kommune},
        {"stored_in", named_counts(report.stored_by_kommune, report.kommune_names)},
        {"outside", outside_json(report)},
        {"errors", errors_json(report)},
        {"errors_listed", report.errors.size()},
        {"seconds", report.seconds},
        {"upload_id", report.upload_id},
    };
    if (report.target == "kommunen") j["without_zensus2022"] = zensus_gaps_json(report.zensus_gaps);
    return j.dump();
}

}  // namespace leerstand::services
