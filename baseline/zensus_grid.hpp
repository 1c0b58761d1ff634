#pragma once

#include <cstdint>
#include <istream>
#include <vector>

/// The Zensus 2011 1 km grid of the share of vacant dwellings (Statistische Ämter des Bundes
/// und der Länder, dl-de/by-2-0): cell centres in ETRS89-LAEA (EPSG:3035), the cell being the
/// square of ±500 m around its centre. An operator imports it (`leerstand import-zensus-grid`);
/// it is not compiled in (177,000 rows).
namespace leerstand::baseline {

inline constexpr const char* k_zensus2011_grid_attribution =
    "Statistische Ämter des Bundes und der Länder, Zensus 2011 (Daten verändert)";
/// Half the side of a cell in metres.
inline constexpr double k_zensus_grid_half_cell_m = 500.0;

struct ZensusGridCell {
    /// The INSPIRE cell's key: kilometres east and north of the origin (x / 1000 * 100000 +
    /// y / 1000), the same for the same cell in every import.
    std::int64_t id = 0;
    double x = 0;                ///< centre, EPSG:3035 metres east
    double y = 0;                ///< centre, metres north
    double leerstandsquote = 0;  ///< per cent, 0–100
};

/// Reads the grid CSV (header x_mp_1km,y_mp_1km,leerstandsquote). Every row must be valid:
/// @throws InvalidInput with the line number and what is wrong of the first bad row (a centre
/// that is not a 1 km cell's centre in Germany's range, a share outside 0–100, a cell twice).
std::vector<ZensusGridCell> read_zensus_grid(std::istream& in);

}  // namespace leerstand::baseline
