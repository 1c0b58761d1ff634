#pragma once

// The real Kommune outlines the demo stands on: BKG VG5000 2021 (dl-de/by-2-0, © GeoBasis-DE /
// BKG 2021, Daten verändert), shipped in demo/data and compiled into the program.

#include <string>
#include <string_view>
#include <vector>

#include "demo/plane.hpp"

namespace leerstand::demo::detail {

/// The shipped GeoJSON, as compiled in (demo/outline_data.cpp.in).
extern const std::string_view k_outline_geojson;

/// One Kommune of the shipped file. VG5000 draws each of them as one polygon without holes
/// (outlines() refuses anything else), given in lon/lat without the closing vertex.
struct Outline {
    std::string ags;
    std::string name;  ///< GEN
    std::string bez;   ///< BEZ: Stadt, Gemeinde, Gemeindefreies Gebiet, Landkreis
    std::vector<Vec2> lonlat;
};

/// The shipped outlines in file order (the Landkreis before its Gemeinden).
/// @throws InternalError if the compiled-in file is not what this code reads.
const std::vector<Outline>& outlines();

/// The outline of `ags`. @throws InternalError for a key the file does not hold.
const Outline& outline_of(std::string_view ags);

/// The mean of the ring's vertices: a frame origin near the middle of the Kommune.
Vec2 vertex_mean(const std::vector<Vec2>& lonlat);

}  // namespace leerstand::demo::detail
