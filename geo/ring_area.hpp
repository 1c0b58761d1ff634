#pragma once

#include <cstddef>

namespace leerstand::geo {

/// Twice the signed area of a ring by the shoelace formula: the one area function for metres
/// (UTM footprints, the demo's plane), tile units (integers) and unrounded tile coordinates.
/// Positive when the ring turns counter-clockwise with y pointing up, which is clockwise on
/// screen, where y points down (tiles). The ring may repeat its first point at the end or not;
/// both give the same value. Fewer than 3 points have no area.
///
/// Each coordinate is taken relative to the first point before anything is multiplied, so
/// that large coordinates (UTM eastings of 500 km) cost no precision; with an integer `Sum`
/// (tile units in std::int64_t) the result is exact.
/// @param x, y  x(i) and y(i) are the coordinates of point i, for i in [0, n)
template <typename Sum, typename X, typename Y>
Sum doubled_ring_area(std::size_t n, X x, Y y) noexcept {
    if (n > 1 && x(n - 1) == x(0) && y(n - 1) == y(0)) --n;  // the closing point adds nothing
    if (n < 3) return Sum{0};
    const Sum x0 = static_cast<Sum>(x(0));
    const Sum y0 = static_cast<Sum>(y(0));
    const auto dx = [&](std::size_t i) { return static_cast<Sum>(x(i)) - x0; };
    const auto dy = [&](std::size_t i) { return static_cast<Sum>(y(i)) - y0; };
    // The first point's own term vanishes: its dx is 0.
    Sum sum{0};
    for (std::size_t i = 1; i + 1 < n; ++i) sum += dx(i) * (dy(i + 1) - dy(i - 1));
    // The last point's successor is the first.
    sum += dx(n - 1) * (dy(0) - dy(n - 2));
    return sum;
}

/// The same for a ring of points with members `x` and `y`.
template <typename Sum, typename Ring>
Sum doubled_ring_area(const Ring& ring) noexcept {
    return doubled_ring_area<Sum>(
        ring.size(), [&ring](std::size_t i) { return ring[i].x; },
        [&ring](std::size_t i) { return ring[i].y; });
}

}  // namespace leerstand::geo
