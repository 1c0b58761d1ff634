#include "demo/dataset.hpp"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/ags.hpp"
#include "common/error.hpp"
#include "demo/addresses.hpp"
#include "demo/deterministic.hpp"
#include "demo/gemeinde_builder.hpp"
#include "demo/moments.hpp"
#include "demo/network.hpp"
#include "demo/outlines.hpp"
#include "demo/places.hpp"
#include "demo/plane.hpp"
#include "demo/vacancies.hpp"
#include "demo/wkt.hpp"
#include "geo/footprint.hpp"

namespace leerstand::demo {
namespace {

using namespace detail;

/// The network's history begins this many months before the reference month: the Kommunen
/// and buildings are loaded then, the first reports follow a month later.
constexpr int k_months_of_history = 25;

Kommune make_kommune(const Outline& outline) {
    Kommune kommune;
    kommune.wkt = lonlat_multipolygon_wkt(outline.lonlat);
    const geo::Footprint footprint = geo::footprint_from_wkt(kommune.wkt);
    data::KommuneRecord& record = kommune.record;
    record.ags = outline.ags;
    record.name = outline.name;
    record.bez = outline.bez;
    const std::optional<Ags> ags = Ags::parse(outline.ags);
    const std::optional<Ags> kreis = ags ? ags->kreis() : std::nullopt;
    record.parent_ags = kreis ? kreis->text() : std::string();
    record.boundary = footprint.wkb;
    record.area_m2 = footprint.area_m2;
    return kommune;
}

void add_buildings(Dataset& dataset, const GemeindeLayout& layout) {
    GemeindeBuilder builder(layout, dataset.seed);
    builder.build();
    const std::vector<Address> address = addresses(builder.used_plots(), builder.rng());
    for (const Draft& draft : builder.drafts()) {
        Building building;
        building.wkt = multipolygon_wkt(draft.outline, *layout.frame);
        const geo::Footprint footprint = geo::footprint_from_wkt(building.wkt);
        data::BuildingRecord& r = building.record;
        r.kommune_ags = layout.place->ags;
        r.source_ref = "demo:" + std::to_string(dataset.buildings.size() + 1);
        r.function = draft.type->function;
        r.floors = draft.floors;
        r.name = draft.name;
        r.street = address[draft.plot].street;
        r.housenumber = address[draft.plot].housenumber;
        r.postcode = layout.place->postcode;
        r.city = layout.name;
        r.attributes_json = nlohmann::json{
            {"generator", "leerstand demo"},
            {"seed", dataset.seed},
            {"settlement",
             draft.settlement}}.dump();
        r.footprint = footprint.wkb;
        r.area_m2 = footprint.area_m2;
        building.anchor_lon = footprint.anchor_lon;
        building.anchor_lat = footprint.anchor_lat;
        dataset.buildings.push_back(std::move(building));
    }
}

/// Buildings in settlements laid out inside the real outline, each Gemeinde in its own frame
/// around the middle of its outline.
void add_all_buildings(Dataset& dataset, const Options& options) {
    for (const PlaceSpec& place : k_places_with_buildings) {
        const Outline& outline = outline_of(place.ags);
        const Vec2 middle = vertex_mean(outline.lonlat);
        const Frame frame(middle.x, middle.y);
        Ring ring;
        for (const Vec2& p : outline.lonlat) ring.push_back(frame.to_xy(p.x, p.y));
        const int target = options.buildings_per_kommune > 0 ? options.buildings_per_kommune
                                                             : place.default_buildings;
        add_buildings(dataset, {&place, outline.name, &frame, ring, {0, 0}, target});
    }
}

}  // namespace

void check_options(const Options& options) {
    if (options.buildings_per_kommune < 0 ||
        options.buildings_per_kommune > k_max_buildings_per_kommune) {
        throw InvalidInput("buildings per Kommune must be between 0 (the default mix) and " +
                           std::to_string(k_max_buildings_per_kommune) + ", not " +
                           std::to_string(options.buildings_per_kommune));
    }
}

Dataset make_dataset(const Options& options) {
    check_options(options);
    const IsoDate as_of = options.as_of.value_or(IsoDate::today_utc());
    Dataset dataset;
    dataset.seed = options.seed;
    dataset.as_of = as_of.text();
    dataset.started_at = moment_in(month_before(as_of, k_months_of_history), 1, 9, 0);
    for (const Outline& outline : outlines()) dataset.kommunen.push_back(make_kommune(outline));
    add_all_buildings(dataset, options);
    if (options.buildings_only) return dataset;
    dataset.profiles =
        member_profiles(dataset.started_at.substr(0, 10), options.seed, dataset.pictures);
    dataset.vacancies = plan_vacancies(dataset.buildings, as_of, options.seed);
    dataset.zukunftsorte = plan_zukunftsorte(dataset, as_of, options.seed);
    return dataset;
}

}  // namespace leerstand::demo
