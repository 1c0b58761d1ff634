#include "demo/plane.hpp"

#include <algorithm>
#include <cmath>

#include "demo/deterministic.hpp"

namespace leerstand::demo::detail {
namespace {

double distance_to_segment(Vec2 p, Vec2 a, Vec2 b) {
    const Vec2 ab = b - a;
    const double t = std::clamp(dot(p - a, ab) / dot(ab, ab), 0.0, 1.0);
    return length(p - (a + ab * t));
}

double distance_to_boundary(const Ring& ring, Vec2 p) {
    double best = INFINITY;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        best = std::min(best, distance_to_segment(p, ring[i], ring[(i + 1) % ring.size()]));
    }
    return best;
}

}  // namespace

bool inside(const Ring& ring, Vec2 p) {
    bool in = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const Vec2 a = ring[i];
        const Vec2 b = ring[j];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) {
            in = !in;
        }
    }
    return in;
}

bool holds_disc(const Ring& ring, Vec2 centre, double radius) {
    return inside(ring, centre) && distance_to_boundary(ring, centre) >= radius;
}

Frame::Frame(double lon0, double lat0) : m_lon0(lon0), m_lat0(lat0) {
    // Metres per degree on the GRS80 ellipsoid (the usual cosine series).
    const double phi = radians(lat0);
    m_per_lat = 111132.954 - 559.822 * det_cos(2 * phi) + 1.175 * det_cos(4 * phi);
    m_per_lon = 111412.84 * det_cos(phi) - 93.5 * det_cos(3 * phi);
}

}  // namespace leerstand::demo::detail
