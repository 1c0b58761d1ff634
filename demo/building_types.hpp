#pragma once

// The kinds of building the demo puts up: sizes, floors and how often each is L-shaped.

#include <vector>

#include "demo/deterministic.hpp"

namespace leerstand::demo::detail {

struct BuildingType {
    const char* function;
    double len_min, len_max;      // along the street
    double depth_min, depth_max;  // away from the street
    int floors_min, floors_max;
    double l_shape_chance;
};

inline constexpr BuildingType k_stadthaus{"Wohnhaus", 10, 16, 9, 12, 2, 3, 0.25};
inline constexpr BuildingType k_einfamilienhaus{"Wohnhaus", 9, 13, 8, 11, 1, 2, 0.3};
inline constexpr BuildingType k_bauernhaus{"Wohnhaus", 10, 16, 8, 11, 1, 2, 0.2};
inline constexpr BuildingType k_wohn_geschaeft{
    "Wohn- und Geschäftshaus", 12, 20, 10, 14, 3, 4, 0.3};
inline constexpr BuildingType k_oeffentlich{"Öffentliches Gebäude", 16, 24, 12, 16, 2, 3, 0.4};
inline constexpr BuildingType k_gewerbe{"Gewerbe", 15, 25, 12, 22, 1, 2, 0.3};
inline constexpr BuildingType k_landwirtschaft{
    "Landwirtschaftliches Betriebsgebäude", 14, 24, 10, 14, 1, 1, 0.2};
inline constexpr BuildingType k_scheune{"Scheune", 12, 24, 8, 12, 1, 2, 0.15};
inline constexpr BuildingType k_stall{"Stall", 10, 20, 8, 10, 1, 1, 0.0};
inline constexpr BuildingType k_garage{"Garage", 8, 10, 5, 7, 1, 1, 0.0};
inline constexpr BuildingType k_schuppen{"Schuppen", 8, 10, 5, 6, 1, 1, 0.0};

struct Weighted {
    const BuildingType* type;
    double weight;
};

/// One type from the mix, chosen with the mix's weights.
const BuildingType& pick(const std::vector<Weighted>& mix, Rng& rng);

}  // namespace leerstand::demo::detail
