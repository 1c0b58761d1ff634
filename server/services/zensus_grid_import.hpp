#pragma once

#include <cstdint>
#include <filesystem>

namespace leerstand::data {
class Store;
}

namespace leerstand::services {

struct ZensusGridReport {
    std::int64_t cells = 0;
    double seconds = 0;
};

/// `leerstand import-zensus-grid FILE`: replaces the Zensus 2011 1 km grid (table
/// zensus2011_grid) with the cells of FILE (x_mp_1km,y_mp_1km,leerstandsquote; EPSG:3035 cell
/// centres), each the square of ±500 m around its centre, projected to lon/lat. All or
/// nothing: every row is checked before anything is written, in one transaction.
/// @throws InvalidInput "FILE: line N: ..." for the first bad row; nothing is stored.
ZensusGridReport import_zensus_grid(data::Store& store, const std::filesystem::path& file);

}  // namespace leerstand::services
