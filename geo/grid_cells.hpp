#pragma once

#include <vector>

#include "common/geometry.hpp"

namespace leerstand::geo {

/// A square grid cell given by its centre in EPSG:3035 (ETRS89-LAEA, the INSPIRE grid's CRS).
struct LaeaCell {
    double x = 0;
    double y = 0;
};

/// The cells (centre ± `half_size` metres) as closed lon/lat rings (EPSG:4326): their four
/// corners projected with PROJ, in the order of `cells`.
/// @throws Unprocessable when PROJ cannot project them.
std::vector<LonLatRing> laea_cells_to_lonlat(const std::vector<LaeaCell>& cells, double half_size);

}  // namespace leerstand::geo
