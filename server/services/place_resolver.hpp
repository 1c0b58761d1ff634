#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/geometry.hpp"

namespace leerstand {
class FieldErrors;
}
namespace leerstand::data {
class Store;
}

namespace leerstand::services {

struct PlaceInput;

/// Where a vacancy or Zukunftsort lies: its Kommune and its building, decided from its point
/// and what its input said (feature_input.hpp). One per thread, shared by the thread's
/// VacancyService and ZukunftsortService: it keeps the boundaries of every Kommune and
/// rebuilds them only when the kommunen table changes (data::KommuneStamp), so a request never
/// parses all boundaries.
class PlaceResolver {
  public:
    explicit PlaceResolver(data::Store& store);
    ~PlaceResolver();
    PlaceResolver(PlaceResolver&&) noexcept;
    PlaceResolver& operator=(PlaceResolver&&) noexcept;

    /// Where an item lies.
    struct Place {
        LonLat point;
        std::optional<std::string> kommune_ags;
        std::optional<std::int64_t> building_id;
    };

    /// The place of a whole item (POST, PUT): its point, and what the input leaves out of
    /// kommune_ags and building_id derived anew. kommune_ags: a given one must exist and
    /// contain the point (a Kommune stored without a boundary cannot be checked and is taken
    /// as given); else the most specific Kommune that contains the point. building_id: a given
    /// one must be a building of that Kommune within data::k_building_match_distance_m of the
    /// point, so that a report marks neither another Kommune's building nor one across town,
    /// not even an admin's; else the building matching (VacancyStore::match_building)
    /// decides. Problems go into `errors`; nothing when the input has no usable point (its
    /// problem is reported already).
    std::optional<Place> resolve(const PlaceInput& input, FieldErrors& errors);

    /// The place of a patched item stored at `stored`: the patch's point, else the stored one.
    /// While the point stays, what the patch does not name stays as stored (an item stored
    /// without a Kommune gets one); a moved point derives it anew, as for a whole item.
    std::optional<Place> resolve(const PlaceInput& input, const Place& stored, FieldErrors& errors);

    /// The record of a whole item: the draft's (feature_input.hpp), at the place resolve()
    /// gives it. Problems go into `errors`.
    template <typename Draft>
    auto placed(Draft draft, FieldErrors& errors) {
        auto record = std::move(draft.record);
        if (const auto place = resolve(draft.place, errors)) put_at(record, *place);
        return record;
    }

    /// The record `patch` (feature_input.hpp) makes of `current`, at the place resolve()
    /// gives it. Problems go into `errors`.
    template <typename Patch, typename Record>
    Record placed(const Patch& patch, const Record& current, FieldErrors& errors) {
        Record record = current;
        patch.apply_to(record);
        const Place stored{LonLat{current.lon, current.lat}, current.kommune_ags,
                           current.building_id};
        if (const auto place = resolve(patch.place, stored, errors)) put_at(record, *place);
        return record;
    }

  private:
    /// A Kommune that could not be decided (reported) leaves the record's as it is.
    template <typename Record>
    static void put_at(Record& record, const Place& place) {
        record.lon = place.point.lon;
        record.lat = place.point.lat;
        if (place.kommune_ags) record.kommune_ags = *place.kommune_ags;
        record.building_id = place.building_id;
    }

    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
