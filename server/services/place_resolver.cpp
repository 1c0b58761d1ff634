#include "server/services/place_resolver.hpp"

#include <set>
#include <utility>

#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "data/vacancy_store.hpp"
#include "geo/kommune_locator.hpp"
#include "server/services/feature_input.hpp"

namespace leerstand::services {

struct PlaceResolver::Impl {
    explicit Impl(data::Store& s) : store(s) {}

    data::Store& store;
    std::optional<data::KommuneStamp> stamp;
    geo::KommuneLocator locator;
    std::set<std::string> with_boundary;

    data::VacancyStore places() { return data::VacancyStore(store); }

    geo::KommuneLocator& kommunen() {
        data::VacancyStore db = places();
        const data::KommuneStamp now = db.kommune_stamp();
        if (stamp && *stamp == now) return locator;
        geo::KommuneLocator fresh;
        std::set<std::string> fresh_with;
        for (const data::KommuneBoundary& kommune : db.kommune_boundaries()) {
            try {
                fresh.add(kommune.ags, kommune.boundary);
                fresh_with.insert(kommune.ags);
            } catch (const InvalidGeometry&) {
                // Unusable boundary: treated like a Kommune without one (not checked).
            }
        }
        locator = std::move(fresh);
        with_boundary = std::move(fresh_with);
        stamp = now;
        return locator;
    }

    /// `kept`: the stored place while the point has not moved.
    Place place(const LonLat& point, const PlaceInput& input, const std::optional<Place>& kept,
                FieldErrors& errors) {
        Place result{point, kommune(point, input, kept, errors), std::nullopt};
        result.building_id = building(point, input, result.kommune_ags, kept, errors);
        return result;
    }

    std::optional<std::string> kommune(const LonLat& point, const PlaceInput& input,
                                       const std::optional<Place>& kept, FieldErrors& errors) {
        geo::KommuneLocator& boundaries = kommunen();
        if (input.kommune_given && input.kommune_ags) {
            const std::string& ags = input.kommune_ags->text();
            if (!places().kommune_exists(ags)) {
                errors.add("kommune_ags", field_code::k_unknown_kommune,
                           "unknown Kommune '" + ags + "'");
                return std::nullopt;
            }
            if (with_boundary.contains(ags) && !boundaries.contains(ags, point.lon, point.lat)) {
                errors.add("geometry", field_code::k_outside_kommune,
                           "the point lies outside Kommune " + ags);
                return std::nullopt;
            }
            return ags;
        }
        if (!input.kommune_given && kept && kept->kommune_ags) return kept->kommune_ags;
        auto found = boundaries.locate(point.lon, point.lat);
        if (!found)
            errors.add("geometry", field_code::k_outside_atlas,
                       "the point lies outside every Kommune of the atlas");
        return found;
    }

    std::optional<std::int64_t> building(const LonLat& point, const PlaceInput& input,
                                         const std::optional<std::string>& ags,
                                         const std::optional<Place>& kept, FieldErrors& errors) {
        data::VacancyStore db = places();
        if (input.building_given && input.building_id) {
            const std::string id = std::to_string(*input.building_id);
            const auto building = db.building_place(*input.building_id, point.lon, point.lat);
            if (!building) {
                errors.add("building_id", field_code::k_unknown_building,
                           "no building with id " + id);
            } else if (ags && building->kommune_ags != *ags) {
                errors.add("building_id", field_code::k_building_in_other_kommune,
                           "building " + id + " lies in another Kommune");
            } else if (!(building->distance_m <= data::k_building_match_distance_m)) {
                errors.add("building_id", field_code::k_building_too_far,
                           "building " + id + " is more than " +
                               std::to_string(static_cast<int>(data::k_building_match_distance_m)) +
                               " m away from the point");
            } else {
                return input.building_id;
            }
            return std::nullopt;
        }
        if (!input.building_given && kept) return kept->building_id;
        return db.match_building(point.lon, point.lat);
    }
};

PlaceResolver::PlaceResolver(data::Store& store) : m_impl(std::make_unique<Impl>(store)) {}
PlaceResolver::~PlaceResolver() = default;
PlaceResolver::PlaceResolver(PlaceResolver&&) noexcept = default;
PlaceResolver& PlaceResolver::operator=(PlaceResolver&&) noexcept = default;

std::optional<PlaceResolver::Place> PlaceResolver::resolve(const PlaceInput& input,
                                                           FieldErrors& errors) {
    if (!input.point) return std::nullopt;
    return m_impl->place(*input.point, input, std::nullopt, errors);
}

std::optional<PlaceResolver::Place> PlaceResolver::resolve(const PlaceInput& input,
                                                           const Place& stored,
                                                           FieldErrors& errors) {
    if (input.point_given && !input.point) return std::nullopt;
    const LonLat point = input.point_given ? *input.point : stored.point;
    const bool moved = point.lon != stored.point.lon || point.lat != stored.point.lat;
    return m_impl->place(point, input, moved ? std::nullopt : std::optional<Place>(stored), errors);
}

}  // namespace leerstand::services
