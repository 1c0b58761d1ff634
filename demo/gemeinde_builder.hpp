#pragma once

// Fills one Gemeinde with buildings: settlements, their plots, and the buildings on them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "demo/building_types.hpp"
#include "demo/deterministic.hpp"
#include "demo/places.hpp"
#include "demo/plane.hpp"
#include "demo/plots.hpp"
#include "demo/settlements.hpp"

namespace leerstand::demo::detail {

/// Everything needed to fill one Gemeinde with buildings.
struct GemeindeLayout {
    const PlaceSpec* place = nullptr;
    std::string name;  ///< the Gemeinde's name, the buildings' city
    const Frame* frame = nullptr;
    Ring ring;
    Vec2 ring_centre;
    int target = 0;
};

/// One generated building before it becomes a record.
struct Draft {
    const BuildingType* type = nullptr;
    int floors = 1;
    std::string name;
    std::size_t plot = 0;  // index into the used plots
    Ring outline;          // metres, Kommune frame, counter-clockwise
    const char* settlement = "";
};

/// Fills the Gemeinde, settlement by settlement. A settlement that runs out of plots passes
/// its remainder on; returns the drafts and the plots they stand on.
class GemeindeBuilder {
  public:
    GemeindeBuilder(const GemeindeLayout& layout, std::uint64_t seed);

    void build();

    std::vector<Draft>& drafts() { return m_drafts; }
    const std::vector<Plot>& used_plots() const { return m_used; }
    Rng& rng() { return m_rng; }

  private:
    /// Puts up to `count` buildings into settlement s; returns how many did not fit.
    int fill(std::size_t s, int count);
    void add(const Style& style, const Settlement& settlement, const Plot& plot,
             const BuildingType& type, const Zone& zone);

    Rng m_rng;
    std::vector<Settlement> m_plan;
    std::vector<std::vector<Plot>> m_candidates;
    std::vector<std::size_t> m_cursor;
    std::vector<Plot> m_used;
    std::vector<Draft> m_drafts;
    bool m_has_rathaus = false;
};

}  // namespace leerstand::demo::detail
