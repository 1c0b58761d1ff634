#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace leerstand::geo {

/// Most vertices (all rings together) a building footprint may have. Real footprints have
/// far fewer: at most 104 in the OSM buildings of shared/data (Lauf a.d. Pegnitz, a relation
/// of 6 rings; 49 in Bayreuth, 12 in Harsdorf), and one OSM way has at most 2,000 nodes. Ten
/// thousand leaves room for ALKIS outlines of large complexes and for relations of several
/// long ways, while a footprint stays small enough for a tile to clip it in well under a
/// millisecond (one of 1,000,000 vertices cost ~70 ms a cold tile and 1.1 GB to import).
inline constexpr std::size_t k_max_footprint_vertices = 10'000;

/// A polygonal geometry ready for the store: a valid 2D MultiPolygon in EPSG:4326, lon/lat order.
struct Footprint {
    std::vector<unsigned char> wkb;  ///< ISO WKB, little endian, MultiPolygon, EPSG:4326 lon/lat
    double area_m2 = 0.0;            ///< area in the UTM zone of the anchor point (metric CRS)
    double anchor_lon = 0.0;         ///< point on surface: always inside the polygon
    double anchor_lat = 0.0;
    bool repaired = false;  ///< true when the input was invalid and GEOS made it valid
};

/// Builds a footprint from WKT in EPSG:4326 (lon/lat), with the same repair, area and anchor
/// rules as the file reader. Throws InvalidGeometry when the result is empty or not polygonal.
Footprint footprint_from_wkt(std::string_view wkt_lonlat);

/// Area in m² of a footprint's WKB, computed in the UTM zone of its anchor point.
double area_m2(const std::vector<unsigned char>& wkb_lonlat);

}  // namespace leerstand::geo
