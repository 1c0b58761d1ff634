#pragma once

#include <vector>

#include "geo/tile_builder.hpp"

namespace leerstand::geo {

/// Checks the polygons of one tile feature (rings as TileFeature keeps them) with GEOS and,
/// when they are not valid, replaces them by GEOS MakeValid's polygons, rounded to the grid
/// again. Rings that collapse are dropped, so the result may be empty.
std::vector<TileRing> repaired_polygon_rings(std::vector<TileRing> rings);

/// True when GEOS finds the polygons valid (OGC rules: no self-intersection, holes inside).
bool tile_polygons_are_valid(const std::vector<TileRing>& rings);

}  // namespace leerstand::geo
