#include "server/services/zensus_baseline.hpp"

#include "baseline/zensus2022.hpp"

namespace leerstand::services {

using nlohmann::json;

json zensus_baseline_json(const std::vector<std::string>& keys) {
    const auto figure = baseline::zensus2022().figure(keys);
    if (!figure) return nullptr;
    return {{"source", baseline::k_zensus2022_source},
            {"year", baseline::k_zensus2022_year},
            {"vacancy_rate", figure->vacancy_rate},
            {"dwellings", figure->dwellings},
            {"attribution", baseline::k_zensus2022_attribution},
            {"license",
             {{"name", baseline::k_zensus_license_name}, {"url", baseline::k_zensus_license_url}}}};
}

void add_zensus_properties(json& properties, const std::string& ags) {
    const auto* gemeinde = baseline::zensus2022().find(ags);
    properties["zensus2022_leerstandsquote"] =
        gemeinde && gemeinde->leerstandsquote ? json(*gemeinde->leerstandsquote) : json(nullptr);
    properties["zensus2022_wohnungen"] = gemeinde ? json(gemeinde->wohnungen) : json(nullptr);
}

void ZensusGaps::check(const std::string& ags, const std::string& name) {
    if (ags.size() != 8 || baseline::zensus2022().find(ags) != nullptr) return;
    ++count;
    if (first.size() < k_listed) first.emplace_back(ags, name);
}

}  // namespace leerstand::services
