#pragma once

#include <string>

#include "data/records.hpp"
#include "geo/feature_reader.hpp"

/// How the attribute tables that Kommunen actually have (ALKIS Hausumringe, OSM exports,
/// VG250/VG5000 boundaries) map onto our records. Field names match case-insensitively.
namespace leerstand::services {

/// Source reference, function, floors, name and address from the usual field names, plus all
/// non-empty attributes as a JSON object. Footprint, area and Kommune are left to the caller.
data::BuildingRecord building_from_attributes(const geo::Attributes& attributes);

/// The Kommune fields of a VG250/VG5000-style feature.
struct KommuneFields {
    data::KommuneRecord record;  ///< ags, name, bez, parent_ags set
    bool keep = true;            ///< false for water/coast parts (GF other than 4, or 9 in VG5000)
    std::string gf;
    std::string problem;  ///< why the feature is unusable (missing AGS, ...)
    bool ok() const { return problem.empty(); }
};

KommuneFields kommune_fields(const geo::Attributes& attributes);

}  // namespace leerstand::services
