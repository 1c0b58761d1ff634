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

/// The use cases of the writable collection `zukunftsorte`, places that came back to life:
/// read, list, create, replace, patch and delete them, and link each to the vacancy it grew
/// out of. Zukunftsorte are public; only the link is shown to those alone who may see the
/// vacancy (privacy.hpp). Input as VacancyService. No HTTP types here.
///
/// One per thread (it holds the thread's Store). Errors as VacancyService; besides,
/// Unprocessable (422, code "vacancy_status_not_linkable", with `allowed: [...]`) for a link
/// to a vacancy that is not in_aktivierung or aktiviert, and Conflict (409, code
/// "vacancy_already_linked") for one linked to another Zukunftsort.
class ZukunftsortService {
  public:
    /// `places`: the thread's resolver, shared with its VacancyService; it outlives this.
    ZukunftsortService(data::Store& store, PlaceResolver& places);
    ~ZukunftsortService();
    ZukunftsortService(ZukunftsortService&&) noexcept;
    ZukunftsortService& operator=(ZukunftsortService&&) noexcept;

    FeatureResult get(std::int64_t id, const Caller& caller);
    /// `status` and `use` do not apply (InvalidInput).
    ItemsPage list(const ItemsQuery& query, const Caller& caller);

    /// `feature`: a GeoJSON Feature with a Point geometry and the properties of a Zukunftsort.
    /// A `vacancy_id` links that vacancy and moves it from in_aktivierung to aktiviert.
    FeatureResult create(const nlohmann::json& feature, const Caller& caller);
    /// Replaces every writable property (absent ones get their defaults), except a link the
    /// caller cannot see: the null it was shown does not drop it.
    FeatureResult replace(std::int64_t id, const nlohmann::json& feature,
                          std::optional<std::int64_t> if_match, const Caller& caller);
    /// JSON Merge Patch (RFC 7396) of a Feature: `{"properties": {...}}` and/or `geometry`.
    FeatureResult patch(std::int64_t id, const nlohmann::json& patch,
                        std::optional<std::int64_t> if_match, const Caller& caller);
    void remove(std::int64_t id, std::optional<std::int64_t> if_match, const Caller& caller);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
