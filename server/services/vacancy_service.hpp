#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "server/services/caller.hpp"
#include "server/services/items.hpp"

namespace leerstand::data {
class Store;
}

namespace leerstand::services {

class PlaceResolver;

/// The use cases of the writable collection `vacancies` (OGC API – Features Part 4 style):
/// read, list, create, replace, patch and delete Leerstandsmeldungen, and read their history.
/// Input is a GeoJSON Feature (or a merge patch of one), read by feature_input.hpp; every
/// output has passed the privacy filter (privacy.hpp) for the caller. No HTTP types here.
///
/// One per thread (it holds the thread's Store). Errors: InvalidInput (400, code
/// "invalid_fields" with `errors: [{field, code, message}]`) for malformed features, unknown or
/// mistyped fields, unknown identifiers, a point outside the Kommune, a date in the future;
/// Unauthenticated/Forbidden for writes outside the caller's rights; NotFound for unknown ids
/// and for vacancies the caller may not see; PreconditionRequired when `if_match` is missing
/// on replace/patch/delete; PreconditionFailed when it is stale; Unprocessable (422, code
/// "status_transition", with `from`, `to` and `allowed: [...]`) for a status change the
/// lifecycle does not allow.
class VacancyService {
  public:
    /// `places`: the thread's resolver, shared with its ZukunftsortService; it outlives this.
    VacancyService(data::Store& store, PlaceResolver& places);
    ~VacancyService();
    VacancyService(VacancyService&&) noexcept;
    VacancyService& operator=(VacancyService&&) noexcept;

    FeatureResult get(std::int64_t id, const Caller& caller);
    ItemsPage list(const ItemsQuery& query, const Caller& caller);

    /// `feature`: a GeoJSON Feature with a Point geometry and the properties of a vacancy.
    FeatureResult create(const nlohmann::json& feature, const Caller& caller);
    /// Replaces every writable property (absent ones get their defaults).
    FeatureResult replace(std::int64_t id, const nlohmann::json& feature,
                          std::optional<std::int64_t> if_match, const Caller& caller);
    /// JSON Merge Patch (RFC 7396) of a Feature: `{"properties": {...}}` and/or `geometry`.
    FeatureResult patch(std::int64_t id, const nlohmann::json& patch,
                        std::optional<std::int64_t> if_match, const Caller& caller);
    void remove(std::int64_t id, std::optional<std::int64_t> if_match, const Caller& caller);

    /// Every change of a vacancy, oldest first: `{"vacancy_id", "changes": [{"changed_at",
    /// "changed_by", "action", "old", "new"}]}`. Planners, editors and admins in scope only;
    /// anyone else signed in gets NotFound, as for an unknown id. Rows written while the
    /// vacancy lay in a Kommune the caller may not read are left out, and the old values of the
    /// move out of it are withheld (`"old": null, "old_withheld": true`).
    nlohmann::json history(std::int64_t id, const Caller& caller);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
