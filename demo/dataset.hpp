#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/records.hpp"

/// The demo generator: plausible Kommune boundaries and building footprints at the real places
/// of the founding members of the Starke Orte network, the same bytes for the same seed.
/// Everything below `detail` is the generator's own; this header is its door.
namespace leerstand::demo {

/// What to generate.
struct Options {
    std::uint64_t seed = 1;
    /// Buildings for each Kommune that gets buildings (the three founding Gemeinden and each
    /// Landkreis town); 0 = the default mix, about 4,500 buildings in total. At most 3000.
    int buildings_per_kommune = 0;
};

/// Largest accepted Options::buildings_per_kommune.
inline constexpr int k_max_buildings_per_kommune = 3000;

/// One generated Kommune: the store record and its boundary as WKT (lon/lat, 7 decimals).
struct Kommune {
    data::KommuneRecord record;
    std::string wkt;
};

/// One generated building: the store record, its footprint as WKT (lon/lat, 7 decimals) and
/// a point that lies inside the footprint.
struct Building {
    data::BuildingRecord record;
    std::string wkt;
    double anchor_lon = 0.0;
    double anchor_lat = 0.0;
};

/// The whole demo dataset, in generation order (Kommunen first, parents before children).
struct Dataset {
    std::uint64_t seed = 0;
    std::vector<Kommune> kommunen;
    std::vector<Building> buildings;
};

/// Throws InvalidInput for options out of range.
void check_options(const Options& options);

/// Builds the demo dataset without touching a store: plausible boundaries and footprints at
/// the real locations of the four founding members of the Starke Orte network (Angermünde,
/// Herzberg (Elster), Neukirchen/Erzgeb., Landkreis Wunsiedel i. Fichtelgebirge with three of
/// its towns). Every footprint lies inside the Kommune named by its kommune_ags, towns lie
/// inside their Landkreis, and the same seed gives byte-identical WKT on every platform (the
/// generator uses only its own random numbers and IEEE basic arithmetic).
/// Throws InvalidInput for options out of range.
Dataset make_dataset(const Options& options);

}  // namespace leerstand::demo
