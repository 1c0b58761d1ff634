#include "demo/plots.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "geo/ring_area.hpp"

namespace leerstand::demo::detail {
namespace {

int floor_div(int a, int b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

Vec2 uv_to_xy(const Settlement& s, double u, double v) {
    return s.centre + Vec2{u * s.cos_a - v * s.sin_a, u * s.sin_a + v * s.cos_a};
}

/// Distance from the settlement's disc; the plots of two settlements are kept apart by
/// comparing these (an additively weighted Voronoi split with a margin, see admissible()).
double reach(const Settlement& s, Vec2 p) {
    return length(p - s.centre) - s.radius;
}

/// A plot belongs to settlement `own` only if its disc (centre, rho) is inside the Kommune and
/// every point of it is at least 2 m closer (by reach) to `own` than to any other settlement.
/// reach() is 1-Lipschitz, so plots of different settlements can never overlap.
bool admissible(const std::vector<Settlement>& plan, std::size_t own, Vec2 c, double rho,
                const Ring& ring) {
    if (!holds_disc(ring, c, rho + 15)) return false;
    const double mine = reach(plan[own], c);
    for (std::size_t t = 0; t < plan.size(); ++t) {
        if (t == own || plan[t].target == 0) continue;
        if (reach(plan[t], c) - rho - 2 < mine + rho) return false;
    }
    return true;
}

}  // namespace

std::vector<Plot> candidate_plots(const std::vector<Settlement>& plan, std::size_t own,
                                  const Ring& ring, Rng& rng) {
    const Settlement& s = plan[own];
    const Style& style = style_of(s.kind);
    const double spacing = street_spacing(style);
    const double rho = std::sqrt(style.plot_w * style.plot_w + style.plot_d * style.plot_d) / 2;
    const double search = 2.5 * s.radius + spacing;
    const int max_row = s.rows == 0 ? static_cast<int>(search / spacing) + 1 : s.rows - 1;
    const int min_row = s.rows == 0 ? -max_row : 0;
    const int max_index = static_cast<int>(search / style.plot_w) + 1;
    std::vector<Plot> plots;
    for (int row = min_row; row <= max_row; ++row) {
        for (int side = -1; side <= 1; side += 2) {
            for (int index = -max_index; index <= max_index; ++index) {
                Plot plot;
                plot.settlement = static_cast<int>(own);
                plot.row = row;
                plot.side = side;
                plot.index = index;
                plot.u0 = index * style.plot_w + floor_div(index, style.block) * style.road;
                const double v = row * spacing + side * (style.road + style.plot_d) / 2;
                const double u = plot.u0 + style.plot_w / 2;
                plot.centre = uv_to_xy(s, u, v);
                const double noise = rng.uniform(0.75, 1.25);
                plot.key = s.rows == 0 ? length(Vec2{u, v}) * noise
                                       : std::abs(u) * noise + row * style.plot_w;
                if (length(Vec2{u, v}) > search) continue;
                if (!admissible(plan, own, plot.centre, rho, ring)) continue;
                plots.push_back(plot);
            }
        }
    }
    std::sort(plots.begin(), plots.end(), [](const Plot& a, const Plot& b) {
        if (a.key != b.key) return a.key < b.key;
        return std::tie(a.row, a.side, a.index) < std::tie(b.row, b.side, b.index);
    });
    return plots;
}

std::vector<Vec2> outline_in_zone(const BuildingType& type, const Zone& zone, const Style& style,
                                  Rng& rng) {
    const double len = std::min(rng.uniform(type.len_min, type.len_max), zone.width);
    const double dep = std::min(rng.uniform(type.depth_min, type.depth_max), zone.depth);
    const double alpha = radians(rng.uniform(-style.jitter_deg, style.jitter_deg));
    double ca = det_cos(alpha);
    double sa = det_sin(alpha);
    double half_w = (len * std::abs(ca) + dep * std::abs(sa)) / 2;
    double half_d = (len * std::abs(sa) + dep * std::abs(ca)) / 2;
    if (2 * half_w > zone.width || 2 * half_d > zone.depth) {
        // No room to turn it: keep it square to the street.
        ca = 1.0;
        sa = 0.0;
        half_w = len / 2;
        half_d = dep / 2;
    }
    const double a = zone.a0 + half_w + (zone.width - 2 * half_w) * rng.uniform();
    const double slack = (zone.depth - 2 * half_d) * rng.uniform();
    const double b = zone.b0 + half_d + (style.front_aligned ? 0.15 * slack : slack);

    const double l = len / 2;
    const double d = dep / 2;
    std::vector<Vec2> local = {{-l, -d}, {l, -d}, {l, d}, {-l, d}};
    if (rng.chance(type.l_shape_chance)) {
        const double nw = len * rng.uniform(0.35, 0.55);
        const double nd = dep * rng.uniform(0.35, 0.5);
        if (rng.chance(0.5)) {
            local = {{-l, -d}, {l, -d}, {l, d - nd}, {l - nw, d - nd}, {l - nw, d}, {-l, d}};
        } else {
            local = {{-l, -d}, {l, -d}, {l, d}, {-l + nw, d}, {-l + nw, d - nd}, {-l, d - nd}};
        }
    }
    std::vector<Vec2> out;
    out.reserve(local.size());
    for (const Vec2& p : local) out.push_back({a + p.x * ca - p.y * sa, b + p.x * sa + p.y * ca});
    return out;
}

Ring plot_to_xy(const Settlement& s, const Style& style, const Plot& plot,
                const std::vector<Vec2>& shape) {
    const double street_v = plot.row * street_spacing(style);
    Ring ring;
    for (const Vec2& p : shape) {
        const double v = street_v + plot.side * (style.road / 2 + p.y);
        ring.push_back(uv_to_xy(s, plot.u0 + p.x, v));
    }
    if (geo::doubled_ring_area<double>(ring) < 0)
        std::reverse(ring.begin(), ring.end());  // mirrored side
    return ring;
}

}  // namespace leerstand::demo::detail
