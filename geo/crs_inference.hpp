#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leerstand::geo {

/// Bounding box of a layer in its own (unknown) coordinates.
struct Extent {
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
};

/// How a message of geo ends when the way out is to name the source's coordinate system. It does
/// not say how: the command line takes an option, an upload a form field. A caller that catches
/// such an error adds its own way with `with_crs_hint`.
inline constexpr std::string_view k_name_the_crs = "name the file's coordinate system (EPSG code)";

/// `message` and then " " + `how` ("with --srs EPSG:N") when it ends asking to name the source's
/// coordinate system (k_name_the_crs); any other message unchanged.
std::string with_crs_hint(std::string message, std::string_view how);

/// Outcome of guessing a CRS from coordinate ranges. Either `epsg` is set, or `candidates` lists
/// the codes the ranges allow (possibly none) and `message` says so, ending with k_name_the_crs.
struct CrsGuess {
    std::optional<int> epsg;
    std::vector<int> candidates;
    std::string message;
};

/// Guesses the CRS of German data from its extent, among EPSG:4326, 25832, 25833 (also with the
/// zone number prefixed to the easting: 4647, 5650) and Gauss-Krüger 31466–31469.
CrsGuess infer_crs_from_extent(const Extent& extent);

}  // namespace leerstand::geo
