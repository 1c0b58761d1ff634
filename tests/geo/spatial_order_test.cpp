// The Hilbert order that import uses to store buildings next to their neighbours.

#include "geo/spatial_order.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

namespace leerstand::geo {
namespace {

struct Cell {
    std::uint32_t x = 0;
    std::uint32_t y = 0;
    bool seen = false;
};

/// The cells of a 2^order grid in curve order; fails when two cells share an index.
std::vector<Cell> cells_along_the_curve(int order) {
    const std::uint32_t side = 1u << order;
    std::vector<Cell> along(std::size_t{side} * side);
    for (std::uint32_t x = 0; x < side; ++x)
        for (std::uint32_t y = 0; y < side; ++y) {
            const std::uint64_t index = hilbert_index(x, y, order);
            EXPECT_LT(index, along.size());
            if (index >= along.size()) continue;
            EXPECT_FALSE(along[index].seen) << "two cells at index " << index;
            along[index] = {x, y, true};
        }
    return along;
}

TEST(SpatialOrder, TheCurveVisitsEveryCellOnceAndEachStepGoesToANeighbour) {
    for (int order = 1; order <= 7; ++order) {
        SCOPED_TRACE("order " + std::to_string(order));
        const std::vector<Cell> along = cells_along_the_curve(order);
        for (std::size_t i = 0; i < along.size(); ++i) {
            ASSERT_TRUE(along[i].seen) << "no cell at index " << i;
            if (i == 0) continue;
            const int step =
                std::abs(static_cast<int>(along[i].x) - static_cast<int>(along[i - 1].x)) +
                std::abs(static_cast<int>(along[i].y) - static_cast<int>(along[i - 1].y));
            ASSERT_EQ(step, 1) << "index " << i - 1 << " → " << i;
        }
        // The curve starts in one corner and ends in the next one along the same side.
        EXPECT_EQ(along.front().x + along.front().y, 0u);
        EXPECT_EQ(along.back().y, 0u);
        EXPECT_EQ(along.back().x, (1u << order) - 1);
    }
}

TEST(SpatialOrder, NearbyPlacesGetNearbyIndicesMoreOftenThanNot) {
    // Two houses 10 m apart in Angermünde against one 100 km away: along the curve the
    // neighbour is (almost always) much closer. Sampled over a grid of places.
    int closer = 0, total = 0;
    for (double lon = 13.0; lon < 15.0; lon += 0.0137)
        for (double lat = 52.0; lat < 54.0; lat += 0.0191) {
            const auto here = static_cast<double>(hilbert_index_of(lon, lat));
            const auto near = static_cast<double>(hilbert_index_of(lon + 0.00015, lat));
            const auto far = static_cast<double>(hilbert_index_of(lon + 1.5, lat));
            closer += std::fabs(near - here) < std::fabs(far - here);
            ++total;
        }
    EXPECT_GT(closer, total * 95 / 100) << closer << " of " << total;
}

TEST(SpatialOrder, PlacesOutsideTheGlobeAndNaNAreClampedNotUndefined) {
    const std::uint64_t last_corner = hilbert_index_of(180, -90);
    EXPECT_EQ(hilbert_index_of(-180, -90), 0u);
    EXPECT_EQ(hilbert_index_of(-1e308, -1e308), 0u);
    EXPECT_EQ(hilbert_index_of(std::numeric_limits<double>::quiet_NaN(), -90), 0u);
    EXPECT_EQ(hilbert_index_of(1e308, -1e308), last_corner);
    const std::uint64_t cells = std::uint64_t{1} << (2 * k_spatial_order_bits);
    EXPECT_EQ(last_corner, cells - 1);
    EXPECT_LT(hilbert_index_of(1e308, 1e308), cells);
}

}  // namespace
}  // namespace leerstand::geo
