#include "matching/matching.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "geo/great_circle.hpp"

// The rule (docs/matching.md says the same for users). Five components, each worth up to its
// weight in whole points; the total is their sum, 0..100.
//
//   use    30  the offered use is wanted (or the need takes any use): 30; related uses: 15
//              (gemischt with wohnen, gewerbe or laden; laden with gewerbe); else 0.
//   size   25  the need names no size: 25; the offer names no area: 10 (it may fit).
//              In min..max (both ends included, either may be open): 25. Too small by d m²:
//              25 * (1 - 2 d / min), 0 at half of min. Too large by d m²: 25 * (1 - d / max),
//              0 at twice max. A space too small is worse than one too large: a surplus can
//              be shared or sublet, a shortfall cannot be made up.
//   place  20  in a named Gemeinde or a Gemeinde of a named Kreis: 20. Within the radius
//              (rim included), d km from its centre: 20 * (1 - d / (2 r)), 10 at the rim.
//              Outside the need's place: excluded.
//   kind   15  a kind offered is wanted (or the need takes any kind): 15. No common kind:
//              excluded; a Kauf seeker cannot use a Miete offer at all.
//   timing 10  the need names no date, or the offer is available by then (no date: now): 10.
//              Available d days later: 10 * (1 - d / 365), 0 from a year late.
//
// Each product is rounded down to a whole point, so a component has its full weight only when it
// fully fits, totals are whole numbers a reader can add up, and equal totals are really equal
// for the tiebreak by id.
namespace leerstand::matching {
namespace {

constexpr int k_related_use_points = 15;
constexpr int k_unknown_area_points = 10;

int rounded_points(int weight, double fraction) {
    // The allowance keeps 7.999999999 (8 in decimal, a hair less in binary) at 8.
    constexpr double allowance = 1e-9;
    if (!(fraction > 0.0)) return 0;  // also NaN, from a radius of 0 (against its @pre)
    return static_cast<int>(std::floor(weight * std::clamp(fraction, 0.0, 1.0) + allowance));
}

bool related_uses(const std::string& a, const std::string& b) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> k_related = {
        {{"gemischt", "wohnen"},
         {"gemischt", "gewerbe"},
         {"gemischt", "laden"},
         {"laden", "gewerbe"}}};
    return std::any_of(k_related.begin(), k_related.end(), [&](const auto& pair) {
        return (pair.first == a && pair.second == b) || (pair.first == b && pair.second == a);
    });
}

nlohmann::json text_list(const std::set<std::string>& values) {
    return nlohmann::json(std::vector<std::string>(values.begin(), values.end()));
}

Component use_component(const Offer& offer, const Need& need) {
    Component part{"use", k_use_weight, 0, {}};
    if (need.uses.empty()) {
        part.points = k_use_weight;
        part.reason = {"use_open", {{"use", offer.use}}};
    } else if (need.uses.contains(offer.use)) {
        part.points = k_use_weight;
        part.reason = {"use_fits", {{"use", offer.use}}};
    } else if (std::any_of(need.uses.begin(), need.uses.end(), [&](const std::string& wanted) {
                   return related_uses(offer.use, wanted);
               })) {
        part.points = k_related_use_points;
        part.reason = {"use_related", {{"use", offer.use}, {"wanted", text_list(need.uses)}}};
    } else {
        part.reason = {"use_differs", {{"use", offer.use}, {"wanted", text_list(need.uses)}}};
    }
    return part;
}

Component size_component(const Offer& offer, const Need& need) {
    Component part{"size", k_size_weight, 0, {}};
    nlohmann::json values = nlohmann::json::object();
    if (offer.area_m2) values["area"] = *offer.area_m2;
    if (need.min_area_m2) values["min"] = *need.min_area_m2;
    if (need.max_area_m2) values["max"] = *need.max_area_m2;
    if (!need.min_area_m2 && !need.max_area_m2) {
        part.points = k_size_weight;
        part.reason = {"size_open", std::move(values)};
    } else if (!offer.area_m2) {
        part.points = k_unknown_area_points;
        part.reason = {"size_unknown", std::move(values)};
    } else if (need.min_area_m2 && *offer.area_m2 < *need.min_area_m2) {
        const double shortfall = *need.min_area_m2 - *offer.area_m2;
        part.points = rounded_points(k_size_weight, 1.0 - 2.0 * shortfall / *need.min_area_m2);
        part.reason = {"size_below", std::move(values)};
    } else if (need.max_area_m2 && *offer.area_m2 > *need.max_area_m2) {
        const double surplus = *offer.area_m2 - *need.max_area_m2;
        part.points = rounded_points(k_size_weight, 1.0 - surplus / *need.max_area_m2);
        part.reason = {"size_above", std::move(values)};
    } else {
        part.points = k_size_weight;
        part.reason = {"size_within", std::move(values)};
    }
    return part;
}

/// The place component, or nothing when the offer lies outside the need's place.
std::optional<Component> place_component(const Offer& offer, const Need& need) {
    const std::string& kommune = offer.kommune.text();
    if (const auto* named = std::get_if<KommuneArea>(&need.area)) {
        // A named Gemeinde before the Kreis that covers it: the more specific reason.
        for (const Ags& ags : named->kommunen)
            if (ags.text() == kommune)
                return Component{"place",
                                 k_place_weight,
                                 k_place_weight,
                                 {"place_in_kommune", {{"kommune", kommune}}}};
        for (const Ags& ags : named->kommunen)
            if (ags.covers(kommune))
                return Component{"place",
                                 k_place_weight,
                                 k_place_weight,
                                 {"place_in_kreis", {{"kommune", kommune}, {"kreis", ags.text()}}}};
        return std::nullopt;
    }
    const auto& circle = std::get<RadiusArea>(need.area);
    const double km = geo::great_circle_km(circle.centre, offer.kommune_centre);
    if (!(km <= circle.radius_km)) return std::nullopt;
    return Component{"place",
                     k_place_weight,
                     rounded_points(k_place_weight, 1.0 - km / (2.0 * circle.radius_km)),
                     {"distance_km",
                      {{"km", std::round(km * 10.0) / 10.0},
                       {"kommune", kommune},
                       {"radius_km", circle.radius_km}}}};
}

/// The kind component, or nothing when no kind offered is wanted.
std::optional<Component> kind_component(const Offer& offer, const Need& need) {
    if (need.kinds.empty()) {
        if (offer.kinds.empty()) return std::nullopt;
        return Component{"kind",
                         k_kind_weight,
                         k_kind_weight,
                         {"kind_open", {{"kinds", text_list(offer.kinds)}}}};
    }
    std::set<std::string> common;
    std::set_intersection(offer.kinds.begin(), offer.kinds.end(), need.kinds.begin(),
                          need.kinds.end(), std::inserter(common, common.end()));
    if (common.empty()) return std::nullopt;
    return Component{
        "kind", k_kind_weight, k_kind_weight, {"kind_fits", {{"kinds", text_list(common)}}}};
}

std::chrono::sys_days day_of(const IsoDate& date) {
    return std::chrono::year_month_day{std::chrono::year{date.year()},
                                       std::chrono::month{date.month()},
                                       std::chrono::day{date.day()}};
}

Component timing_component(const Offer& offer, const Need& need) {
    Component part{"timing", k_timing_weight, k_timing_weight, {}};
    nlohmann::json values = nlohmann::json::object();
    if (offer.available_from) values["available"] = offer.available_from->text();
    if (need.needed_from) values["needed"] = need.needed_from->text();
    if (!need.needed_from) {
        part.reason = {"time_open", std::move(values)};
    } else if (!offer.available_from || *offer.available_from <= *need.needed_from) {
        part.reason = {"time_ready", std::move(values)};
    } else {
        const auto days_late = (day_of(*offer.available_from) - day_of(*need.needed_from)).count();
        values["days"] = days_late;
        part.points = rounded_points(k_timing_weight, 1.0 - static_cast<double>(days_late) / 365.0);
        part.reason = {"time_later", std::move(values)};
    }
    return part;
}

/// The pairs of `items` with their counterpart that `score_pair` does not exclude, best first:
/// total descending, then the item's id (`Match::*id`) ascending; at most `top_n` of them.
template <typename Item, typename ScorePair>
std::vector<Match> best_matches(std::span<const Item> items, std::size_t top_n,
                                std::int64_t Match::*id, ScorePair score_pair) {
    std::vector<Match> matches;
    for (const Item& item : items)
        if (auto match = score_pair(item)) matches.push_back(std::move(*match));
    std::sort(matches.begin(), matches.end(), [id](const Match& a, const Match& b) {
        if (a.total != b.total) return a.total > b.total;
        return a.*id < b.*id;
    });
    if (matches.size() > top_n) matches.resize(top_n);
    return matches;
}

}  // namespace

std::optional<Match> score(const Offer& offer, const Need& need) {
    auto place = place_component(offer, need);
    if (!place) return std::nullopt;
    auto kind = kind_component(offer, need);
    if (!kind) return std::nullopt;
    Match match{offer.id, need.id, 0, {}, need.common_good};
    match.components = {use_component(offer, need), size_component(offer, need), std::move(*place),
                        std::move(*kind), timing_component(offer, need)};
    for (const Component& part : match.components) match.total += part.points;
    return match;
}

std::vector<Match> rank_needs(const Offer& offer, std::span<const Need> needs, std::size_t top_n) {
    return best_matches(needs, top_n, &Match::need_id,
                        [&offer](const Need& need) { return score(offer, need); });
}

std::vector<Match> rank_offers(const Need& need, std::span<const Offer> offers, std::size_t top_n) {
    return best_matches(offers, top_n, &Match::offer_id,
                        [&need](const Offer& offer) { return score(offer, need); });
}

nlohmann::json to_json(const Match& match) {
    nlohmann::json components = nlohmann::json::array();
    for (const Component& part : match.components) {
        nlohmann::json reason = part.reason.values;
        reason["code"] = part.reason.code;
        components.push_back({{"component", part.name},
                              {"weight", part.weight},
                              {"points", part.points},
                              {"reason", std::move(reason)}});
    }
    return {{"offer_id", match.offer_id},
            {"need_id", match.need_id},
            {"total", match.total},
            {"common_good", match.common_good},
            {"components", std::move(components)}};
}

}  // namespace leerstand::matching
