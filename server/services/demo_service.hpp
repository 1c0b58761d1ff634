#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/records.hpp"

namespace leerstand::data {
class Store;
}

/// The demo-data use case behind `leerstand demo`.
namespace leerstand::services {

/// What to generate.
struct DemoOptions {
    std::uint64_t seed = 1;
    /// Buildings for each Kommune that gets buildings (the three founding Gemeinden and each
    /// Landkreis town); 0 = the default mix, about 4,500 buildings in total. At most 3000.
    int buildings_per_kommune = 0;
};

/// What generate_demo stored.
struct DemoReport {
    int kommunen = 0;
    std::int64_t buildings = 0;
    std::int64_t upload_id_kommunen = 0;
    std::int64_t upload_id_buildings = 0;
};

/// One generated Kommune: the store record and its boundary as WKT (lon/lat, 7 decimals).
struct DemoKommune {
    data::KommuneRecord record;
    std::string wkt;
};

/// One generated building: the store record, its footprint as WKT (lon/lat, 7 decimals) and
/// a point that lies inside the footprint.
struct DemoBuilding {
    data::BuildingRecord record;
    std::string wkt;
    double anchor_lon = 0.0;
    double anchor_lat = 0.0;
};

/// The whole demo dataset, in generation order (Kommunen first, parents before children).
struct DemoDataset {
    std::uint64_t seed = 0;
    std::vector<DemoKommune> kommunen;
    std::vector<DemoBuilding> buildings;
};

/// Largest accepted DemoOptions::buildings_per_kommune.
inline constexpr int max_demo_buildings_per_kommune = 3000;

/// Builds the demo dataset without touching a store: plausible boundaries and footprints at
/// the real locations of the four founding members of the Starke Orte network (Angermünde,
/// Herzberg (Elster), Neukirchen/Erzgeb., Landkreis Wunsiedel i. Fichtelgebirge with three of
/// its towns). Every footprint lies inside the Kommune named by its kommune_ags, towns lie
/// inside their Landkreis, and the same seed gives byte-identical WKT on every platform (the
/// generator uses only its own random numbers and IEEE basic arithmetic).
/// Throws InvalidInput for options out of range.
DemoDataset make_demo_dataset(const DemoOptions& options);

/// Fills an empty store with a deterministic demo dataset at the real locations of the four
/// founding members of the Starke Orte network. Refuses (leerstand::Conflict) if the store
/// already has Kommunen or buildings. Kommunen and buildings are written as two uploads by
/// the user "demo".
DemoReport generate_demo(data::Store& store, const DemoOptions& options);

}  // namespace leerstand::services
