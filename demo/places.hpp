#pragma once

// The places the demo stands at: the founding members of the Starke Orte network, with the
// measured figures the generator shapes its made-up boundaries by.

#include <array>

namespace leerstand::demo::detail {

/// A real Kommune. Centre (centroid), bounding-box size and area are rounded values measured
/// with ogrinfo/SpatiaLite on BKG VG5000 2021 (shared data
/// kommunen/founding_kommunen_and_neighbours_vg5000.geojson; the Landkreis from
/// vg5000_2021/VG5000_KRS), © GeoBasis-DE / BKG 2021. The town centre is the place's published
/// coordinate at arc-minute precision; the generator pulls it inwards if it is too near the
/// demo boundary.
struct PlaceSpec {
    const char* ags;
    const char* name;
    const char* bez;
    double centre_lon, centre_lat;
    double width_km, height_km;
    double area_km2;
    double town_lon, town_lat;
    const char* postcode;
    int default_buildings;
};

inline constexpr std::array<PlaceSpec, 3> k_founding_gemeinden = {{
    {"12073008", "Angermünde", "Stadt", 13.9698, 53.0428, 23.8, 25.3, 325.0, 14.0000, 53.0167,
     "16278", 1500},
    {"12062224", "Herzberg (Elster)", "Stadt", 13.1938, 51.6726, 19.7, 17.8, 149.0, 13.2333,
     51.6833, "04916", 900},
    {"14521410", "Neukirchen/Erzgeb.", "Gemeinde", 12.8647, 50.7700, 6.3, 7.3, 19.4, 12.8667,
     50.7833, "09221", 600},
}};

inline constexpr PlaceSpec k_landkreis_wunsiedel = {"09479",     "Wunsiedel i. Fichtelgebirge",
                                                    "Landkreis", 12.0418,
                                                    50.0901,     34.7,
                                                    28.7,        607.3,
                                                    12.0418,     50.0901,
                                                    "",          0};

/// Three member towns of the Landkreis, so nesting (Gemeinde inside Landkreis) is exercised.
inline constexpr std::array<PlaceSpec, 3> k_landkreis_towns = {{
    {"09479136", "Marktredwitz", "Stadt", 12.1011, 50.0103, 10.3, 7.4, 48.7, 12.0833, 50.0000,
     "95615", 500},
    {"09479152", "Selb", "Stadt", 12.1329, 50.1651, 13.9, 11.5, 85.7, 12.1333, 50.1667, "95100",
     500},
    {"09479169", "Wunsiedel", "Stadt", 12.0158, 50.0456, 11.7, 10.1, 55.7, 12.0000, 50.0333,
     "95632", 500},
}};

}  // namespace leerstand::demo::detail
