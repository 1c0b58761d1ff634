#include "demo/building_types.hpp"

namespace leerstand::demo::detail {

const BuildingType& pick(const std::vector<Weighted>& mix, Rng& rng) {
    double total = 0.0;
    for (const Weighted& w : mix) total += w.weight;
    double x = rng.uniform(0.0, total);
    for (const Weighted& w : mix) {
        if (x < w.weight) return *w.type;
        x -= w.weight;
    }
    return *mix.back().type;
}

}  // namespace leerstand::demo::detail
