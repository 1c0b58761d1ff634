#include "demo/wkt.hpp"

#include <cmath>

namespace leerstand::demo::detail {
namespace {

/// Fixed 7 decimals through integers, so the text does not depend on printf's rounding.
void append_fixed7(std::string& out, double value) {
    const long long q = std::llround(value * 1e7);
    const unsigned long long magnitude =
        q < 0 ? static_cast<unsigned long long>(-q) : static_cast<unsigned long long>(q);
    if (q < 0) out += '-';
    out += std::to_string(magnitude / 10000000ULL);
    std::string fraction = std::to_string(magnitude % 10000000ULL);
    out += '.';
    out.append(7 - fraction.size(), '0');
    out += fraction;
}

}  // namespace

std::string multipolygon_wkt(const Ring& ring, const Frame& frame) {
    std::vector<Vec2> lonlat;
    lonlat.reserve(ring.size());
    for (const Vec2& p : ring) lonlat.push_back(frame.to_lonlat(p));
    return lonlat_multipolygon_wkt(lonlat);
}

std::string lonlat_multipolygon_wkt(const std::vector<Vec2>& lonlat) {
    std::string wkt = "MULTIPOLYGON(((";
    for (std::size_t i = 0; i <= lonlat.size(); ++i) {
        const Vec2 ll = lonlat[i % lonlat.size()];
        if (i > 0) wkt += ',';
        append_fixed7(wkt, ll.x);
        wkt += ' ';
        append_fixed7(wkt, ll.y);
    }
    wkt += ")))";
    return wkt;
}

}  // namespace leerstand::demo::detail
