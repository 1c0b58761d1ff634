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
#include "demo/outlines.hpp"
#include "demo/places.hpp"
#include "demo/plane.hpp"
#include "demo/wkt.hpp"
#include "geo/footprint.hpp"

namespace leerstand::demo {
namespace {

using namespace detail;

Kommune make_kommune(const PlaceSpec& place, const Ring& ring, const Frame& frame) {
    Kommune kommune;
    kommune.wkt = multipolygon_wkt(ring, frame);
    const geo::Footprint footprint = geo::footprint_from_wkt(kommune.wkt);
    data::KommuneRecord& record = kommune.record;
    record.ags = place.ags;
    record.name = place.name;
    record.bez = place.bez;
    const std::optional<Ags> ags = Ags::parse(place.ags);
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
        r.city = layout.place->name;
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

int target_for(const PlaceSpec& place, const Options& options) {
    return options.buildings_per_kommune > 0 ? options.buildings_per_kommune
                                             : place.default_buildings;
}

/// The three founding Gemeinden: each its own frame around its VG5000 centre.
void add_founding_gemeinden(Dataset& dataset, const Options& options) {
    for (const PlaceSpec& place : k_founding_gemeinden) {
        const Frame frame(place.centre_lon, place.centre_lat);
        Rng rng = make_stream(options.seed, place.ags, "boundary");
        const auto [rx, ry] = semi_axes(place);
        const Ring ring = star_ring({0, 0}, rx, ry, 40, rng, {});
        dataset.kommunen.push_back(make_kommune(place, ring, frame));
        add_buildings(dataset, {&place, &frame, ring, {0, 0}, target_for(place, options)});
    }
}

/// The Landkreis and its towns share one frame. The towns are cut back to the bisectors
/// between their centres (60 m apart) so they never overlap, and the Landkreis ring is widened
/// wherever needed to contain them.
void add_landkreis(Dataset& dataset, const Options& options) {
    const PlaceSpec& kreis = k_landkreis_wunsiedel;
    const Frame frame(kreis.centre_lon, kreis.centre_lat);
    std::vector<Vec2> centres;
    centres.reserve(k_landkreis_towns.size());
    for (const PlaceSpec& town : k_landkreis_towns) {
        centres.push_back(frame.to_xy(town.centre_lon, town.centre_lat));
    }
    std::vector<Ring> rings;
    for (std::size_t i = 0; i < k_landkreis_towns.size(); ++i) {
        std::vector<HalfPlane> clips;
        for (std::size_t j = 0; j < centres.size(); ++j) {
            if (j == i) continue;
            const Vec2 d = centres[j] - centres[i];
            const double dist = length(d);
            clips.push_back({d * (1.0 / dist), dist / 2 - 30.0});
        }
        const PlaceSpec& town = k_landkreis_towns[i];
        Rng rng = make_stream(options.seed, town.ags, "boundary");
        const auto [rx, ry] = semi_axes(town);
        rings.push_back(star_ring(centres[i], rx, ry, 40, rng, clips));
    }
    Rng rng = make_stream(options.seed, kreis.ags, "boundary");
    const auto [rx, ry] = semi_axes(kreis);
    const Ring kreis_ring = covering_ring({0, 0}, rx, ry, 72, rng, rings, 400.0);
    dataset.kommunen.push_back(make_kommune(kreis, kreis_ring, frame));
    for (std::size_t i = 0; i < k_landkreis_towns.size(); ++i) {
        const PlaceSpec& town = k_landkreis_towns[i];
        dataset.kommunen.push_back(make_kommune(town, rings[i], frame));
        add_buildings(dataset, {&town, &frame, rings[i], centres[i], target_for(town, options)});
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
    Dataset dataset;
    dataset.seed = options.seed;
    add_founding_gemeinden(dataset, options);
    add_landkreis(dataset, options);
    return dataset;
}

}  // namespace leerstand::demo
