#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/bbox.hpp"

/// The coordinate reference systems items may be asked in (OGC API – Features Part 2, `crs` and
/// `bbox-crs`). The store keeps CRS84 (lon/lat); answers in another CRS are reprojected from it
/// through PROJ, in the axis order that CRS defines.
namespace leerstand::services {

/// A CRS a client may name by its OGC URI.
struct Crs {
    std::string_view uri;   ///< "http://www.opengis.net/def/crs/EPSG/0/25833"
    std::string_view name;  ///< PROJ's name: "EPSG:25833"
    int decimals;           ///< coordinates are rounded to this: about a centimetre
};

/// OGC's CRS84: WGS 84, longitude first; the default of every answer and of `bbox`.
const Crs& crs84();

/// CRS84, EPSG:4326, EPSG:4258 (latitude first), EPSG:25832, EPSG:25833 (UTM, ETRS89) and
/// EPSG:3857 (web mercator), in the order collection documents list them.
const std::vector<Crs>& supported_crs();

/// The CRS `uri` names exactly; nullptr when the atlas does not offer it.
const Crs* find_crs(std::string_view uri);

/// Reprojects the coordinates of GeoJSON `geometry` (any type, collections too; null stays null)
/// from CRS84 into `crs` in place.
/// @throws std::runtime_error when PROJ fails (our data lies in Germany, where all of them work)
void geometry_to_crs(nlohmann::json& geometry, const Crs& crs);

/// The CRS84 box that holds `box` (min and max of each axis, in `crs`'s axis order): its
/// edges are followed, not only its corners, since a straight edge in one CRS bends in another.
/// nullopt when PROJ cannot map it.
std::optional<data::Bbox> bbox_to_crs84(const std::array<double, 4>& box, const Crs& crs);

}  // namespace leerstand::services
