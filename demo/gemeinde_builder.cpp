#include "demo/gemeinde_builder.hpp"

#include <utility>

namespace leerstand::demo::detail {

GemeindeBuilder::GemeindeBuilder(const GemeindeLayout& layout, std::uint64_t seed)
    : m_rng(make_stream(seed, layout.place->ags, "buildings")),
      m_plan(plan_settlements(layout.target, m_rng)) {
    const Vec2 town = layout.frame->to_xy(layout.place->town_lon, layout.place->town_lat);
    place_settlements(m_plan, layout.ring, layout.ring_centre, town, m_rng);
    for (std::size_t s = 0; s < m_plan.size(); ++s) {
        m_candidates.push_back(m_plan[s].target > 0 ? candidate_plots(m_plan, s, layout.ring, m_rng)
                                                    : std::vector<Plot>{});
        m_cursor.push_back(0);
    }
}

void GemeindeBuilder::build() {
    int missing = 0;
    for (std::size_t s = 0; s < m_plan.size(); ++s) {
        missing = fill(s, m_plan[s].target + missing);
    }
    for (std::size_t s = 0; s < m_plan.size() && missing > 0; ++s) missing = fill(s, missing);
}

int GemeindeBuilder::fill(std::size_t s, int count) {
    const Settlement& settlement = m_plan[s];
    const Style& style = style_of(settlement.kind);
    std::vector<Plot>& plots = m_candidates[s];
    while (count > 0 && m_cursor[s] < plots.size()) {
        const Plot& plot = plots[m_cursor[s]++];
        const bool first_of_core = settlement.kind == Kind::Kern && !m_has_rathaus;
        m_used.push_back(plot);
        const double main_end = style.plot_d * 0.55;
        const double edge = style.front_aligned ? 1.0 : 2.0;
        const Zone main_zone{edge, style.plot_w - 2 * edge, style.front, main_end - style.front};
        const BuildingType& type = first_of_core ? k_oeffentlich : pick(style.main_mix, m_rng);
        add(style, settlement, plot, type, main_zone);
        if (first_of_core) {
            m_drafts.back().name = "Rathaus";
            m_drafts.back().floors = 3;
            m_has_rathaus = true;
        }
        --count;
        if (count > 0 && m_rng.chance(style.secondary_chance)) {
            const Zone back{2.0, style.plot_w - 4, main_end + 2, style.plot_d - main_end - 4};
            add(style, settlement, plot, pick(style.secondary_mix, m_rng), back);
            --count;
        }
    }
    return count;
}

void GemeindeBuilder::add(const Style& style, const Settlement& settlement, const Plot& plot,
                          const BuildingType& type, const Zone& zone) {
    Draft draft;
    draft.type = &type;
    draft.floors = m_rng.integer(type.floors_min, type.floors_max);
    draft.plot = m_used.size() - 1;
    draft.outline = plot_to_xy(settlement, style, plot, outline_in_zone(type, zone, style, m_rng));
    draft.settlement = style.label;
    m_drafts.push_back(std::move(draft));
}

}  // namespace leerstand::demo::detail
