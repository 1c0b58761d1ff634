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
    std::int64_t vacancies = 0;
    std::int64_t zukunftsorte = 0;
    std::int64_t upload_id_kommunen = 0;
    std::int64_t upload_id_buildings = 0;
};

/// Fills an empty store with a deterministic demo dataset (demo::make_dataset): the real
/// outlines of the founding members of the Starke Orte network, buildings, and unless
/// buildings_only the members' profiles, vacancy reports with two years of history and
/// Zukunftsorte. Every write is stamped with the time the dataset gives it, so the same
/// options give the same rows. Refuses (leerstand::Conflict) a store that already has
/// Kommunen, buildings, reports or Zukunftsorte. Kommunen and buildings are written as two
/// uploads by the user "demo"; everything in one transaction, so a failure leaves the store
/// as it was.
DemoReport generate_demo(data::Store& store, const DemoOptions& options);

}  // namespace leerstand::services
