#include "geo/crs_inference.hpp"

#include <cmath>
#include <cstdio>

#include "common/geometry.hpp"

namespace leerstand::geo {
namespace {

struct Range {
    double lo, hi;
    bool holds(double a, double b) const { return a >= lo && b <= hi; }
};

// Where Germany lies in each candidate CRS. The limits are Germany's extent (VG5000 2021 land
// area, reprojected with PROJ) widened by about 20 km, rounded:
//   25832 E 280,353–921,262   25833 E −139,648–502,897   N 5,235,878–6,121,023 (both)
//   GK2 E 2,490,648–3,130,491  GK3 E 3,280,341–3,921,505  GK4 E 4,070,161–4,712,334
//   GK5 E 4,860,235–5,503,035  GK N 5,237,533–6,123,022
constexpr Range k_northing{5'200'000, 6'150'000};
constexpr Range k_utm32_east{260'000, 940'000};
// Zone 33 eastings of western Germany are negative and would not be written as 6 digits,
// so 6-digit zone-33 data starts at 100 km; Görlitz, Germany's east end, is at 503 km.
constexpr Range k_utm33_east{100'000, 520'000};

/// Gauss-Krüger: the first digit of the 7-digit easting is the zone (2–5). A zone's eastings
/// spread a little beyond its own million for all of Germany, but data is kept in the zone
/// that holds it, so we require all eastings to share the first digit (GK2 data is used only
/// in the far west, which ends below 3,000,000).
constexpr Range k_gk_east[] = {
    {2'450'000, 2'999'999},  // zone 2, EPSG:31466
    {3'250'000, 3'950'000},  // zone 3, EPSG:31467
    {4'050'000, 4'750'000},  // zone 4, EPSG:31468
    {5'000'000, 5'550'000},  // zone 5, EPSG:31469
};

std::string number(double v) {
    char buffer[64];
    if (std::fabs(v) >= 1000.0) {
        std::snprintf(buffer, sizeof buffer, "%.0f", v);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.6g", v);
    }
    return buffer;
}

std::string describe(const Extent& e) {
    return "(x " + number(e.min_x) + "\u2013" + number(e.max_x) + ", y " + number(e.min_y) +
           "\u2013" + number(e.max_y) + ")";
}

std::string label(int epsg) {
    switch (epsg) {
        case 4326:
            return "WGS 84 lon/lat";
        case 25832:
            return "ETRS89/UTM 32N";
        case 25833:
            return "ETRS89/UTM 33N";
        case 4647:
            return "ETRS89/UTM 32N with zone prefix 32";
        case 5650:
            return "ETRS89/UTM 33N with zone prefix 33";
        case 31466:
            return "DHDN/Gauss-Kr\u00fcger zone 2";
        case 31467:
            return "DHDN/Gauss-Kr\u00fcger zone 3";
        case 31468:
            return "DHDN/Gauss-Kr\u00fcger zone 4";
        case 31469:
            return "DHDN/Gauss-Kr\u00fcger zone 5";
        default:
            return "EPSG:" + std::to_string(epsg);
    }
}

std::vector<int> candidates_for(const Extent& e) {
    std::vector<int> found;
    if (!(e.min_x <= e.max_x && e.min_y <= e.max_y) || !std::isfinite(e.min_x) ||
        !std::isfinite(e.max_x) || !std::isfinite(e.min_y) || !std::isfinite(e.max_y)) {
        return found;
    }
    // Both corners in lon/lat range: then the whole extent is (min <= max above).
    if (LonLat::checked(e.min_x, e.min_y) && LonLat::checked(e.max_x, e.max_y)) {
        found.push_back(4326);
        return found;
    }
    if (!k_northing.holds(e.min_y, e.max_y)) return found;
    // 6-digit UTM eastings: a zone-32 easting beyond 520 km cannot be Germany in zone 33, and
    // one below 260 km cannot be Germany in zone 32; in between (e.g. Berlin 390 km in zone 33,
    // Hannover 550 km in zone 32 ... Frankfurt 475 km in zone 32) both zones are possible.
    // Zone 33 is listed first: 6-digit data in the overlap is mostly Brandenburg/Sachsen.
    if (k_utm33_east.holds(e.min_x, e.max_x)) found.push_back(25833);
    if (k_utm32_east.holds(e.min_x, e.max_x)) found.push_back(25832);
    // 8-digit eastings with the zone number in front (ETRS89 / UTM zone 32N (zE-N) etc.).
    if (k_utm32_east.holds(e.min_x - 32'000'000, e.max_x - 32'000'000)) found.push_back(4647);
    if (k_utm33_east.holds(e.min_x - 33'000'000, e.max_x - 33'000'000)) found.push_back(5650);
    for (int zone = 2; zone <= 5; ++zone) {
        if (k_gk_east[zone - 2].holds(e.min_x, e.max_x)) found.push_back(31464 + zone);
    }
    return found;
}

}  // namespace

CrsGuess infer_crs_from_extent(const Extent& extent) {
    CrsGuess guess;
    guess.candidates = candidates_for(extent);
    const std::string where = describe(extent);
    if (guess.candidates.size() == 1) {
        guess.epsg = guess.candidates.front();
        guess.message = "the coordinates " + where +
                        " fit only EPSG:" + std::to_string(*guess.epsg) + " (" +
                        label(*guess.epsg) + ")";
        return guess;
    }
    guess.message = "cannot tell the coordinate system from the coordinates " + where + ": ";
    if (guess.candidates.empty()) {
        guess.message +=
            "they fit none of WGS 84 lon/lat, ETRS89/UTM 32N or 33N, or Gauss-Kr\u00fcger zones "
            "2\u20135 in Germany; ";
        guess.message += k_name_the_crs;
        return guess;
    }
    guess.message += "it may be";
    for (std::size_t i = 0; i < guess.candidates.size(); ++i) {
        const int epsg = guess.candidates[i];
        guess.message += i == 0 ? " EPSG:" : " or EPSG:";
        guess.message += std::to_string(epsg) + " (";
        guess.message += epsg == 25833   ? "ETRS89/UTM 33N, e.g. Brandenburg, Sachsen"
                         : epsg == 25832 ? "UTM 32N"
                                         : label(epsg);
        guess.message += ")";
    }
    guess.message += "; ";
    guess.message += k_name_the_crs;
    return guess;
}

std::string with_crs_hint(std::string message, std::string_view how) {
    if (!std::string_view(message).ends_with(k_name_the_crs)) return message;
    message += ' ';
    message += how;
    return message;
}

}  // namespace leerstand::geo
