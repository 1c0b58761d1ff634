#pragma once

#include <cstdint>

#include "demo/dataset.hpp"

namespace leerstand::data {
class Store;
}

/// The demo-data use case behind `leerstand demo`; the generator itself is demo/.
namespace leerstand::services {

/// What to generate.
using DemoOptions = demo::Options;

/// What generate_demo stored.
struct DemoReport {
    int kommunen = 0;
    std::int64_t buildings = 0;
    std::int64_t upload_id_kommunen = 0;
    std::int64_t upload_id_buildings = 0;
};

/// Fills an empty store with a deterministic demo dataset at the real locations of the four
/// founding members of the Starke Orte network (demo::make_dataset). Refuses
/// (leerstand::Conflict) if the store already has Kommunen or buildings. Kommunen and
/// buildings are written as two uploads by the user "demo".
DemoReport generate_demo(data::Store& store, const DemoOptions& options);

}  // namespace leerstand::services
