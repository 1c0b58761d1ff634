#include "demo/settlements.hpp"

#include <algorithm>
#include <cmath>

namespace leerstand::demo::detail {
namespace {

Settlement settlement(Kind kind, int target) {
    Settlement s;
    s.kind = kind;
    s.target = target;
    return s;
}

double plot_pitch(const Style& style) {
    return style.plot_w + style.road / style.block;
}

/// Radius of the disc the settlement is expected to fill.
double planned_radius(const Settlement& s) {
    const Style& style = style_of(s.kind);
    const double plots = s.target / (1.0 + style.secondary_chance);
    if (s.rows == 0) {
        const double area = plots * plot_pitch(style) * street_spacing(style) / 2;
        return std::sqrt(area / k_pi) + style.plot_d;
    }
    return plots / (2.0 * s.rows) * plot_pitch(style) / 2 + s.rows * street_spacing(style) / 2;
}

}  // namespace

const Style& style_of(Kind kind) {
    // Plot sizes and mixes are typical, not measured: town houses with a garage or shed behind,
    // estates of detached houses, a few large sheds, farmsteads with barns.
    static const Style k_kern{.label = "Ortskern",
                              .plot_w = 22,
                              .plot_d = 34,
                              .road = 10,
                              .block = 6,
                              .jitter_deg = 3,
                              .front = 1,
                              .front_aligned = true,
                              .secondary_chance = 0.3,
                              .main_mix = {{&k_stadthaus, 0.62},
                                           {&k_wohn_geschaeft, 0.25},
                                           {&k_gewerbe, 0.06},
                                           {&k_oeffentlich, 0.07}},
                              .secondary_mix = {{&k_garage, 0.6}, {&k_schuppen, 0.4}}};
    static const Style k_siedlung{
        .label = "Wohnsiedlung",
        .plot_w = 22,
        .plot_d = 32,
        .road = 8,
        .block = 8,
        .jitter_deg = 0,
        .front = 4,
        .front_aligned = false,
        .secondary_chance = 0.5,
        .main_mix = {{&k_einfamilienhaus, 0.95}, {&k_wohn_geschaeft, 0.05}},
        .secondary_mix = {{&k_garage, 0.8}, {&k_schuppen, 0.2}}};
    static const Style k_gewerbegebiet{.label = "Gewerbegebiet",
                                       .plot_w = 42,
                                       .plot_d = 52,
                                       .road = 14,
                                       .block = 4,
                                       .jitter_deg = 0,
                                       .front = 6,
                                       .front_aligned = false,
                                       .secondary_chance = 0.35,
                                       .main_mix = {{&k_gewerbe, 1.0}},
                                       .secondary_mix = {{&k_gewerbe, 1.0}}};
    static const Style k_dorf{
        .label = "Dorf",
        .plot_w = 30,
        .plot_d = 48,
        .road = 8,
        .block = 14,
        .jitter_deg = 7,
        .front = 3,
        .front_aligned = false,
        .secondary_chance = 0.65,
        .main_mix = {{&k_bauernhaus, 0.8}, {&k_landwirtschaft, 0.2}},
        .secondary_mix = {{&k_scheune, 0.6}, {&k_stall, 0.25}, {&k_garage, 0.15}}};
    switch (kind) {
        case Kind::Kern:
            return k_kern;
        case Kind::Siedlung:
            return k_siedlung;
        case Kind::Gewerbegebiet:
            return k_gewerbegebiet;
        case Kind::Dorf:
            return k_dorf;
    }
    return k_kern;
}

std::vector<Settlement> plan_settlements(int n, Rng& rng) {
    if (n <= 80) return {settlement(Kind::Kern, n)};
    std::vector<Settlement> plan{settlement(Kind::Kern, n * 45 / 100)};
    const int estates = n >= 400 ? 2 : 1;
    for (int i = 0; i < estates; ++i) plan.push_back(settlement(Kind::Siedlung, n * 8 / 100));
    if (n >= 300) plan.push_back(settlement(Kind::Gewerbegebiet, n * 5 / 100));
    int assigned = 0;
    for (const Settlement& s : plan) assigned += s.target;
    const int rest = n - assigned;
    const int villages = std::max(1, (rest + 45) / 90);
    std::vector<double> weights;
    double total = 0.0;
    for (int i = 0; i < villages; ++i) total += weights.emplace_back(rng.uniform(0.6, 1.4));
    int given = 0;
    for (int i = 0; i < villages; ++i) {
        const int size = static_cast<int>(rest * weights[static_cast<std::size_t>(i)] / total);
        plan.push_back(settlement(Kind::Dorf, size));
        given += size;
    }
    plan.front().target += rest - given;  // rounding leftovers go to the core
    for (Settlement& s : plan) {
        if (s.kind == Kind::Dorf) s.rows = s.target > 65 ? 2 : 1;
    }
    return plan;
}

double street_spacing(const Style& style) {
    return 2 * style.plot_d + style.road;
}

void place_settlements(std::vector<Settlement>& plan, const Ring& ring, Vec2 ring_centre, Vec2 town,
                       Rng& rng) {
    Vec2 low{INFINITY, INFINITY};
    Vec2 high{-INFINITY, -INFINITY};
    for (const Vec2& p : ring) {
        low = {std::min(low.x, p.x), std::min(low.y, p.y)};
        high = {std::max(high.x, p.x), std::max(high.y, p.y)};
    }
    std::vector<const Settlement*> placed;
    const auto apart = [&](Vec2 p, double r, double gap) {
        for (const Settlement* other : placed) {
            if (length(p - other->centre) < r + other->radius + gap) return false;
        }
        return true;
    };
    Settlement& kern = plan.front();
    for (Settlement& s : plan) {
        s.radius = planned_radius(s);
        const double angle = rng.uniform(0.0, k_pi);
        s.cos_a = det_cos(angle);
        s.sin_a = det_sin(angle);
        bool ok = false;
        if (s.kind == Kind::Kern) {
            Vec2 p = town;
            for (int step = 0; step < 30 && !holds_disc(ring, p, s.radius + 100); ++step) {
                p = p + (ring_centre - p) * 0.2;
            }
            s.centre = p;
            ok = true;
        } else if (s.kind == Kind::Dorf) {
            for (int attempt = 0; attempt < 300 && !ok; ++attempt) {
                const Vec2 p{rng.uniform(low.x, high.x), rng.uniform(low.y, high.y)};
                ok = holds_disc(ring, p, s.radius + 150) && apart(p, s.radius, 700);
                if (ok) s.centre = p;
            }
        } else {
            const double gap = s.kind == Kind::Siedlung ? 30 : 150;
            for (int attempt = 0; attempt < 60 && !ok; ++attempt) {
                const double theta = rng.uniform(0.0, 2 * k_pi);
                const double dist = (kern.radius + s.radius + gap) * rng.uniform(1.0, 1.3);
                const Vec2 p = kern.centre + Vec2{det_cos(theta), det_sin(theta)} * dist;
                ok = holds_disc(ring, p, s.radius + 50) && apart(p, s.radius, 20);
                if (ok) s.centre = p;
            }
        }
        if (ok) {
            placed.push_back(&s);
        } else {
            kern.target += s.target;
            s.target = 0;
        }
    }
}

}  // namespace leerstand::demo::detail
