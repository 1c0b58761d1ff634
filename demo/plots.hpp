#pragma once

// Plots along the streets of a settlement and the building outlines on them.

#include <cstddef>
#include <vector>

#include "demo/building_types.hpp"
#include "demo/deterministic.hpp"
#include "demo/plane.hpp"
#include "demo/settlements.hpp"

namespace leerstand::demo::detail {

struct Plot {
    int settlement = 0;
    int row = 0;
    int side = 1;  // +1: the plot lies on the +v side of its street
    int index = 0;
    double u0 = 0.0;  // start along the street
    Vec2 centre;      // metres, Kommune frame
    double key = 0.0;
};

/// The plots of one settlement, nearest first with a ragged edge (noisy distance).
std::vector<Plot> candidate_plots(const std::vector<Settlement>& plan, std::size_t own,
                                  const Ring& ring, Rng& rng);

/// Where a building may stand inside its plot: along-street [a0, a0+width], depth [b0, b0+depth].
struct Zone {
    double a0, width, b0, depth;
};

/// A rectangle or an L (notch at the back), turned slightly, somewhere inside the zone.
std::vector<Vec2> outline_in_zone(const BuildingType& type, const Zone& zone, const Style& style,
                                  Rng& rng);

/// The outline of a building on its plot, from plot coordinates (along the street, away from
/// it) into the Kommune frame, counter-clockwise.
Ring plot_to_xy(const Settlement& s, const Style& style, const Plot& plot,
                const std::vector<Vec2>& shape);

}  // namespace leerstand::demo::detail
