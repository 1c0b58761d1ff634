#include "geo/grid_cells.hpp"

#include "common/error.hpp"
#include "geo/crs_transform.hpp"

namespace leerstand::geo {

std::vector<LonLatRing> laea_cells_to_lonlat(const std::vector<LaeaCell>& cells, double half_size) {
    // Corners in one batch: x east, y north; counter-clockwise from the south-west.
    constexpr int k_corners = 4;
    constexpr double k_dx[k_corners] = {-1, 1, 1, -1};
    constexpr double k_dy[k_corners] = {-1, -1, 1, 1};
    std::vector<double> x(cells.size() * k_corners);
    std::vector<double> y(cells.size() * k_corners);
    for (std::size_t i = 0; i < cells.size(); ++i)
        for (int c = 0; c < k_corners; ++c) {
            x[i * k_corners + c] = cells[i].x + k_dx[c] * half_size;
            y[i * k_corners + c] = cells[i].y + k_dy[c] * half_size;
        }
    if (!x.empty() && !transform_points("EPSG:3035", "EPSG:4326", AxisOrder::LonLatFirst, x.data(),
                                        y.data(), x.size()))
        throw Unprocessable("the grid cells could not be projected from EPSG:3035 to EPSG:4326");
    std::vector<LonLatRing> rings(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) {
        LonLatRing& ring = rings[i];
        ring.reserve(k_corners + 1);
        for (int c = 0; c < k_corners; ++c)
            ring.push_back({x[i * k_corners + c], y[i * k_corners + c]});
        ring.push_back(ring.front());
    }
    return rings;
}

}  // namespace leerstand::geo
