#include "server/services/public_figures.hpp"

#include <cmath>

#include "data/vacancy_records.hpp"
#include "server/services/privacy.hpp"

namespace leerstand::services {

namespace {

using data::Tally;
using nlohmann::json;

/// 1 or 2: what the public never learns exactly.
bool small(std::int64_t n) {
    return n > 0 && n < k_min_public_count;
}

/// Neither the count nor the unpublished reports in it are 1 or 2: showing it, nobody learns
/// a small count, also not by subtracting the published reports they can list.
bool safe(const Tally& tally) {
    return !small(tally.total) && !small(tally.hidden);
}

PublicCount shown(std::int64_t value) {
    return {PublicCount::Kind::Shown, value};
}

PublicCount withheld(const Tally& tally) {
    return {small(tally.total) ? PublicCount::Kind::Small : PublicCount::Kind::Withheld, 0};
}

/// The count, if `tally` is safe and `also` holds.
PublicCount count_of(const Tally& tally, bool also = true) {
    return safe(tally) && also ? shown(tally.total) : withheld(tally);
}

/// Shows every cell of `cells` or none (each cell then "<3" or null).
std::map<std::string, PublicCount> breakdown(const std::map<std::string, Tally>& cells,
                                             bool& whole) {
    whole = true;
    for (const auto& [name, tally] : cells) whole = whole && safe(tally);
    std::map<std::string, PublicCount> result;
    for (const auto& [name, tally] : cells)
        result[name] = whole ? shown(tally.total) : PublicCount{PublicCount::Kind::Withheld, 0};
    return result;
}

/// `cells` with a zero for every name of `names` it lacks (a key without reports).
template <typename Names>
std::map<std::string, Tally> every(std::map<std::string, Tally> cells, const Names& names) {
    for (const auto name : names) cells.try_emplace(std::string(name));
    return cells;
}

double round_to(double value, double unit) {
    return std::round(value / unit) * unit;
}

void add_shown(PublicCount& sum, const PublicCount& part, bool& withheld_any) {
    if (part.shown())
        sum.value += part.value;
    else
        withheld_any = true;
}

}  // namespace

json PublicCount::json() const {
    switch (kind) {
        case Kind::Shown:
            return value;
        case Kind::Small:
            return "<" + std::to_string(k_min_public_count);
        case Kind::Withheld:
            break;
    }
    return nullptr;
}

json PublicFigures::vacancy_rate() const {
    if (!vacant_buildings.shown() || rate_base_buildings <= 0) return nullptr;
    return round_to(
        static_cast<double>(vacant_buildings.value) / static_cast<double>(rate_base_buildings),
        1e-4);
}

PublicFigures public_figures_of_key(const data::KommuneState& state,
                                    const std::vector<Tally>& open_per_month,
                                    std::int64_t buildings) {
    const auto statuses = every(state.by_status, data::k_vacancy_statuses);
    const auto uses = every(state.open_by_use, data::k_vacancy_uses);
    PublicFigures figures;
    bool statuses_whole = false, uses_whole = false;
    figures.by_status = breakdown(statuses, statuses_whole);
    figures.by_use = breakdown(uses, uses_whole);

    Tally all, open;
    for (const auto& [status, tally] : statuses) {
        all += tally;
        if (data::is_open_vacancy_status(status)) open += tally;
    }
    const Tally reactivated = statuses.at("aktiviert");
    const Tally buildings_with_reports = state.vacant_buildings;
    figures.open_vacancies = count_of(open);
    figures.reactivated = count_of(reactivated);
    // With the statuses shown, every difference of the totals is a sum of safe cells.
    const bool open_shown = figures.open_vacancies.shown();
    const bool reactivated_shown = figures.reactivated.shown();
    const bool differences_safe =
        statuses_whole ||
        ((!open_shown || safe(all - open)) && (!reactivated_shown || safe(all - reactivated)) &&
         (!open_shown || !reactivated_shown || safe(all - open - reactivated)));
    figures.vacancies = count_of(all, differences_safe);
    figures.vacant_buildings =
        count_of(buildings_with_reports, !open_shown || safe(open - buildings_with_reports));
    if (figures.vacant_buildings.shown()) figures.rate_base_buildings = buildings;
    if (open_shown) figures.vacant_floor_area_m2 = round_to(state.vacant_floor_area_m2, 100.0);
    for (const Tally& month : open_per_month) figures.trend.push_back(count_of(month));

    figures.something_withheld = !statuses_whole || !uses_whole || !figures.vacancies.shown() ||
                                 !open_shown || !reactivated_shown ||
                                 !figures.vacant_buildings.shown();
    for (const PublicCount& month : figures.trend)
        figures.something_withheld = figures.something_withheld || !month.shown();
    return figures;
}

PublicFigures public_figures_of_area(const std::vector<PublicFigures>& keys, std::size_t months,
                                     std::int64_t buildings_without_reports) {
    if (keys.size() == 1) {
        // One key (a Gemeinde): its own figures, "<3" and withheld ones as they are.
        PublicFigures area = keys.front();
        if (area.vacant_buildings.shown()) area.rate_base_buildings += buildings_without_reports;
        return area;
    }
    PublicFigures area;
    for (const auto status : data::k_vacancy_statuses) area.by_status[std::string(status)] = {};
    for (const auto use : data::k_vacancy_uses) area.by_use[std::string(use)] = {};
    area.trend.assign(months, PublicCount{});
    area.vacant_floor_area_m2 = 0.0;
    area.rate_base_buildings = buildings_without_reports;
    bool withheld_any = false;
    for (const PublicFigures& key : keys) {
        add_shown(area.vacancies, key.vacancies, withheld_any);
        add_shown(area.open_vacancies, key.open_vacancies, withheld_any);
        add_shown(area.reactivated, key.reactivated, withheld_any);
        add_shown(area.vacant_buildings, key.vacant_buildings, withheld_any);
        for (auto& [status, sum] : area.by_status)
            add_shown(sum, key.by_status.at(status), withheld_any);
        for (auto& [use, sum] : area.by_use) add_shown(sum, key.by_use.at(use), withheld_any);
        for (std::size_t m = 0; m < months && m < key.trend.size(); ++m)
            add_shown(area.trend[m], key.trend[m], withheld_any);
        if (key.vacant_floor_area_m2)
            *area.vacant_floor_area_m2 += *key.vacant_floor_area_m2;
        else
            withheld_any = true;
        area.rate_base_buildings += key.rate_base_buildings;
        withheld_any = withheld_any || key.something_withheld;
    }
    area.something_withheld = withheld_any;
    return area;
}

namespace {

/// Events nobody sees one by one: the count and its non-public part are the same.
Tally events(std::int64_t n) {
    return {n, n};
}

std::int64_t period(const EventPeriods& periods, std::size_t index) {
    return index < periods.size() ? periods[index] : 0;
}

std::int64_t total_of(const EventPeriods& periods) {
    std::int64_t sum = 0;
    for (const std::int64_t n : periods) sum += n;
    return sum;
}

/// The months under rule 1; the total only when it, what the shown months leave of it and
/// `also_safe` (a difference with another figure) are safe.
PublicEventFigure event_figure(const EventPeriods& periods, std::size_t months,
                               std::int64_t also_safe = 0) {
    PublicEventFigure figure;
    const std::int64_t total = total_of(periods);
    std::int64_t left_over = total;
    for (std::size_t m = 0; m < months; ++m) {
        figure.months.push_back(count_of(events(period(periods, m + 1))));
        if (figure.months.back().shown()) left_over -= figure.months.back().value;
    }
    figure.total = count_of(events(total), safe(events(left_over)) && safe(events(also_safe)));
    return figure;
}

bool withheld_in(const PublicEventFigure& figure) {
    bool any = !figure.total.shown();
    for (const PublicCount& month : figure.months) any = any || !month.shown();
    return any;
}

void add_shown(PublicEventFigure& sum, const PublicEventFigure& part, bool& withheld_any) {
    add_shown(sum.total, part.total, withheld_any);
    for (std::size_t m = 0; m < sum.months.size() && m < part.months.size(); ++m)
        add_shown(sum.months[m], part.months[m], withheld_any);
}

}  // namespace

PublicActivation public_activation_of_key(const KeyActivationEvents& key, std::size_t months) {
    PublicActivation figures;
    const std::int64_t published = total_of(key.offers_published);
    figures.offers_published =
        event_figure(key.offers_published, months, published - key.offers_published_public_now);
    figures.inquiries = event_figure(key.inquiries, months);
    figures.matches =
        event_figure(key.matches, months, total_of(key.matches) - total_of(key.activations));
    figures.activations = event_figure(key.activations, months);
    figures.something_withheld = withheld_in(figures.offers_published) ||
                                 withheld_in(figures.inquiries) || withheld_in(figures.matches) ||
                                 withheld_in(figures.activations);
    return figures;
}

PublicActivation public_activation_of_area(const std::vector<PublicActivation>& keys,
                                           std::size_t months) {
    if (keys.size() == 1) return keys.front();
    PublicActivation area;
    for (PublicEventFigure* figure :
         {&area.offers_published, &area.inquiries, &area.matches, &area.activations})
        figure->months.assign(months, PublicCount{});
    bool withheld_any = false;
    for (const PublicActivation& key : keys) {
        add_shown(area.offers_published, key.offers_published, withheld_any);
        add_shown(area.inquiries, key.inquiries, withheld_any);
        add_shown(area.matches, key.matches, withheld_any);
        add_shown(area.activations, key.activations, withheld_any);
    }
    area.something_withheld = withheld_any;
    return area;
}

}  // namespace leerstand::services
