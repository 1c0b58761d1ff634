#pragma once

#include <optional>
#include <string>
#include <vector>

namespace leerstand::geo {

/// Bounding box of a layer in its own (unknown) coordinates.
struct Extent {
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
};

/// Outcome of guessing a CRS from coordinate ranges. Either `epsg` is set, or `candidates` lists
/// the codes the ranges allow (possibly none) and `message` says which `--srs` to pass.
struct CrsGuess {
    std::optional<int> epsg;
    std::vector<int> candidates;
    std::string message;
};

/// Guesses the CRS of German data from its extent, among EPSG:4326, 25832, 25833 (also with the
/// zone number prefixed to the easting: 4647, 5650) and Gauss-Krüger 31466–31469.
CrsGuess infer_crs_from_extent(const Extent& extent);

}  // namespace leerstand::geo
