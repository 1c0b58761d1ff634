#pragma once

// The made-up Kommune outlines: wobbly ellipses with the real area and aspect ratio, cut back
// so that neighbours never overlap, or widened so that a Landkreis holds its towns.

#include <utility>
#include <vector>

#include "demo/deterministic.hpp"
#include "demo/places.hpp"
#include "demo/plane.hpp"

namespace leerstand::demo::detail {

/// Semi-axes (metres) of the ellipse with the real area and the bounding box's aspect ratio.
std::pair<double, double> semi_axes(const PlaceSpec& place);

/// Keeps the points p with dot(p - centre, normal) <= offset.
struct HalfPlane {
    Vec2 normal;
    double offset = 0.0;
};

/// A star-shaped ring (so always simple) around `centre`, cut back to the half-planes. Since
/// every vertex satisfies each half-plane and half-planes are convex, so does the whole ring.
Ring star_ring(Vec2 centre, double rx, double ry, int vertices, Rng& rng,
               const std::vector<HalfPlane>& clips);

/// A wobbly ring around `centre` pushed out wherever needed to contain the `inner` rings with
/// `margin` to spare. A point at distance d inside the sector between vertices k and k+1 lies
/// in the triangle (centre, V_k, V_k+1) once both radii reach d / cos(half sector angle); the
/// inner boundaries are sampled every 100 m and each sample widens four neighbouring vertices,
/// so the stretches between samples are covered too.
Ring covering_ring(Vec2 centre, double rx, double ry, int vertices, Rng& rng,
                   const std::vector<Ring>& inner, double margin);

}  // namespace leerstand::demo::detail
