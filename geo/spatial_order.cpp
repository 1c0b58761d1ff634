#include "geo/spatial_order.hpp"

#include <utility>

namespace leerstand::geo {

std::uint64_t hilbert_index(std::uint32_t x, std::uint32_t y, int order) {
    const std::uint32_t last = static_cast<std::uint32_t>((std::uint64_t{1} << order) - 1);
    std::uint64_t index = 0;
    // From the biggest quadrant down: add the quadrants passed, then turn the remaining
    // coordinates into the frame of the sub-curve inside the chosen quadrant.
    for (std::uint32_t half = std::uint32_t{1} << (order - 1); half > 0; half >>= 1) {
        const std::uint32_t right = (x & half) ? 1 : 0;
        const std::uint32_t up = (y & half) ? 1 : 0;
        index += std::uint64_t{half} * half * ((3 * right) ^ up);
        if (up == 0) {
            if (right == 1) {
                x = last - x;
                y = last - y;
            }
            std::swap(x, y);
        }
    }
    return index;
}

namespace {

std::uint32_t grid_cell(double value, double min, double max) {
    constexpr double cells = static_cast<double>(std::uint64_t{1} << k_spatial_order_bits);
    const double scaled = (value - min) / (max - min) * cells;
    if (!(scaled > 0)) return 0;  // also NaN
    if (scaled >= cells) return static_cast<std::uint32_t>(cells - 1);
    return static_cast<std::uint32_t>(scaled);
}

}  // namespace

std::uint64_t hilbert_index_of(double lon, double lat) {
    return hilbert_index(grid_cell(lon, -180, 180), grid_cell(lat, -90, 90), k_spatial_order_bits);
}

}  // namespace leerstand::geo
