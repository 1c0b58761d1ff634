#pragma once

// The Gemeinden the demo puts buildings in: the founding members of the Starke Orte network and
// three towns of the founding Landkreis. Their outlines, names and kinds come from the shipped
// VG5000 file (demo/outlines.hpp); this is what the outline does not say.

#include <array>

namespace leerstand::demo::detail {

/// The town centre is the place's published coordinate at arc-minute precision; the generator
/// pulls it inwards if it is too near the boundary.
struct PlaceSpec {
    const char* ags;
    double town_lon, town_lat;
    const char* postcode;
    int default_buildings;
};

inline constexpr const char* k_landkreis_ags = "09479";

/// Angermünde is the largest place of the four, so it gets the most buildings.
inline constexpr std::array<PlaceSpec, 6> k_places_with_buildings = {{
    {"12073008", 14.0000, 53.0167, "16278", 1500},  // Angermünde
    {"12062224", 13.2333, 51.6833, "04916", 900},   // Herzberg (Elster)
    {"14521410", 12.8667, 50.7833, "09221", 600},   // Neukirchen/Erzgeb.
    {"09479136", 12.0833, 50.0000, "95615", 500},   // Marktredwitz
    {"09479152", 12.1333, 50.1667, "95100", 500},   // Selb
    {"09479169", 12.0000, 50.0333, "95632", 500},   // Wunsiedel
}};

}  // namespace leerstand::demo::detail
