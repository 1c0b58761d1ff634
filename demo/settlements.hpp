#pragma once

// Settlement layout: how a Gemeinde's buildings are split into a town core, housing estates,
// an industrial estate and villages, what each kind looks like, and where each one stands.

#include <vector>

#include "demo/building_types.hpp"
#include "demo/deterministic.hpp"
#include "demo/plane.hpp"

namespace leerstand::demo::detail {

enum class Kind { Kern, Siedlung, Gewerbegebiet, Dorf };

/// How a kind of settlement is laid out: plots of plot_w × plot_d along parallel streets
/// (road wide), a cross street after every `block` plots.
struct Style {
    const char* label;
    double plot_w, plot_d, road;
    int block;
    double jitter_deg;
    double front;  // distance of the main building zone from the street
    bool front_aligned;
    double secondary_chance;
    std::vector<Weighted> main_mix;
    std::vector<Weighted> secondary_mix;
};

/// The layout of a kind of settlement.
const Style& style_of(Kind kind);

struct Settlement {
    Kind kind = Kind::Kern;
    int target = 0;
    int rows = 0;  // 0: a street grid; 1 or 2: a village along one or two streets
    Vec2 centre;
    double radius = 0.0;
    double cos_a = 1.0, sin_a = 0.0;  // street direction
};

/// Splits n buildings into a town core, housing estates, an industrial estate and villages.
std::vector<Settlement> plan_settlements(int n, Rng& rng);

/// Distance between two parallel streets of the style.
double street_spacing(const Style& style);

/// Places the settlements: the core at the town centre (pulled inwards until it fits), estates
/// next to it, villages anywhere inside the Kommune, all discs apart. A settlement that finds
/// no place hands its buildings to the core.
void place_settlements(std::vector<Settlement>& plan, const Ring& ring, Vec2 ring_centre, Vec2 town,
                       Rng& rng);

}  // namespace leerstand::demo::detail
