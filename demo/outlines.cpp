#include "demo/outlines.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace leerstand::demo::detail {
namespace {

/// Smooth radius noise: harmonics 2..5 with random amplitude and phase (at most ±25 %).
class Wobble {
  public:
    explicit Wobble(Rng& rng) {
        for (std::size_t k = 0; k < m_amp.size(); ++k) {
            m_amp[k] = rng.uniform(0.0, 0.12 / static_cast<double>(k + 1));
            m_phase[k] = rng.uniform(0.0, 2 * k_pi);
        }
    }
    double at(double theta) const {
        double factor = 1.0;
        for (std::size_t k = 0; k < m_amp.size(); ++k) {
            factor += m_amp[k] * det_cos(static_cast<double>(k + 2) * theta + m_phase[k]);
        }
        return factor;
    }

  private:
    std::array<double, 4> m_amp{};
    std::array<double, 4> m_phase{};
};

double ellipse_radius(double rx, double ry, double theta) {
    const double c = det_cos(theta);
    const double s = det_sin(theta);
    return rx * ry / std::sqrt(ry * ry * c * c + rx * rx * s * s);
}

Vec2 direction(int k, int vertices) {
    const double theta = 2 * k_pi * k / vertices;
    return {det_cos(theta), det_sin(theta)};
}

/// Radii of a star-shaped ring at `vertices` equal angles: a wobbly ellipse.
std::vector<double> wobbly_radii(double rx, double ry, int vertices, Rng& rng) {
    const Wobble wobble(rng);
    std::vector<double> radii;
    for (int k = 0; k < vertices; ++k) {
        const double theta = 2 * k_pi * k / vertices;
        radii.push_back(ellipse_radius(rx, ry, theta) * wobble.at(theta) * rng.uniform(0.97, 1.03));
    }
    return radii;
}

}  // namespace

std::pair<double, double> semi_axes(const PlaceSpec& place) {
    const double aspect = place.height_km / place.width_km;
    const double rx = std::sqrt(place.area_km2 * 1e6 / (k_pi * aspect));
    return {rx, rx * aspect};
}

Ring star_ring(Vec2 centre, double rx, double ry, int vertices, Rng& rng,
               const std::vector<HalfPlane>& clips) {
    const std::vector<double> radii = wobbly_radii(rx, ry, vertices, rng);
    Ring ring;
    for (int k = 0; k < vertices; ++k) {
        const Vec2 dir = direction(k, vertices);
        double r = radii[static_cast<std::size_t>(k)];
        for (const HalfPlane& clip : clips) {
            const double along = dot(dir, clip.normal);
            if (along > 0) r = std::min(r, clip.offset / along);
        }
        ring.push_back(centre + dir * r);
    }
    return ring;
}

Ring covering_ring(Vec2 centre, double rx, double ry, int vertices, Rng& rng,
                   const std::vector<Ring>& inner, double margin) {
    std::vector<double> radii = wobbly_radii(rx, ry, vertices, rng);
    std::vector<Vec2> dirs;
    dirs.reserve(static_cast<std::size_t>(vertices));
    for (int k = 0; k < vertices; ++k) dirs.push_back(direction(k, vertices));
    const double cos_half = det_cos(k_pi / vertices);
    const auto n = static_cast<std::size_t>(vertices);

    const auto widen = [&](Vec2 q) {
        const double d = length(q);
        for (std::size_t k = 0; k < n; ++k) {
            if (cross(dirs[k], q) < 0 || cross(q, dirs[(k + 1) % n]) <= 0) continue;
            const double need = d / cos_half + margin;
            for (std::size_t j = n - 1; j <= n + 2; ++j) {
                double& r = radii[(k + j) % n];
                r = std::max(r, need);
            }
            return;
        }
    };
    for (const Ring& ring : inner) {
        for (std::size_t i = 0; i < ring.size(); ++i) {
            const Vec2 a = ring[i];
            const Vec2 b = ring[(i + 1) % ring.size()];
            const int steps = static_cast<int>(std::ceil(length(b - a) / 100.0));
            for (int s = 0; s < steps; ++s)
                widen(a + (b - a) * (static_cast<double>(s) / steps) - centre);
        }
    }
    Ring ring;
    for (std::size_t k = 0; k < n; ++k) ring.push_back(centre + dirs[k] * radii[k]);
    return ring;
}

}  // namespace leerstand::demo::detail
