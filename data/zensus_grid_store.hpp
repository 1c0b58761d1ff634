#pragma once

#include <cstdint>
#include <vector>

#include "common/geometry.hpp"

namespace leerstand::data {

class Store;

/// One cell of the Zensus 2011 1 km grid as the atlas keeps it (table zensus2011_grid,
/// migration 12): its stable key, the share of vacant dwellings and the cell in lon/lat.
struct ZensusGridCellRecord {
    std::int64_t id = 0;
    double leerstandsquote = 0;  ///< per cent
    LonLatRing cell;             ///< closed ring
};

/// Replaces the whole grid with `cells` in one transaction (all or nothing) and marks the
/// grid's tiles as changed. @returns the number of cells stored.
std::int64_t replace_zensus_grid(Store& store, const std::vector<ZensusGridCellRecord>& cells);

}  // namespace leerstand::data
