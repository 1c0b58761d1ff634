#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

/// The official Zensus 2022 baseline (baseline/zensus2022.hpp) as the outputs of the atlas
/// show it beside its own figures. Official public figures: no privacy rule hides them, and
/// nothing in them depends on data the public may not see (they come from the compiled-in
/// table and the public list of Kommunen).
namespace leerstand::services {

/// The `baseline` member of a summary for the Gemeinden `keys` cover (a Gemeinde's AGS, a
/// Kreis' 5 digits; the network passes every Kommune's key):
/// {"source": "Zensus 2022", "year": 2022, "vacancy_rate": 0.113 (a fraction, dwelling-weighted
/// over the Gemeinden with a figure), "dwellings": n, "attribution": "...", "license":
/// {"name": "dl-de/by-2-0", "url": "..."}}, or null when none of them has a figure.
nlohmann::json zensus_baseline_json(const std::vector<std::string>& keys);

/// Adds zensus2022_leerstandsquote (per cent, as the census gives it) and zensus2022_wohnungen
/// to the properties of Kommune `ags` (null for a Kreis' own row, and where the census has no
/// row or no figure for the AGS).
void add_zensus_properties(nlohmann::json& properties, const std::string& ags);

/// The Gemeinden of an import whose AGS has no row in the Zensus 2022 table (a Gemeinde merged
/// or renamed since the census, or a gemeindefreies Gebiet): their count and the first few.
struct ZensusGaps {
    std::int64_t count = 0;
    std::vector<std::pair<std::string, std::string>> first;  ///< (AGS, name)
    static constexpr std::size_t k_listed = 10;

    /// Notes Gemeinde `ags` (8 digits; Kreise are left out) when the census has no row for it.
    void check(const std::string& ags, const std::string& name);
};

}  // namespace leerstand::services
