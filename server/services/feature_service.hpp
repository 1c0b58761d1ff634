#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "data/bbox.hpp"
#include "server/services/caller.hpp"

namespace leerstand::data {
class Store;
}

/// Use cases behind the writable collections `vacancies` and `zukunftsorte` (OGC API –
/// Features Part 4 style). Input and output are GeoJSON Features as nlohmann::json; every
/// output has passed the privacy filter (privacy.hpp) for the caller. No HTTP types here.
namespace leerstand::services {

/// A Feature as the caller may see it, with the id and version (the HTTP layer sends the
/// version as the ETag).
struct FeatureResult {
    std::int64_t id = 0;
    std::int64_t version = 0;
    nlohmann::json feature;
};

/// A page of a collection as the caller may see it.
struct ItemsQuery {
    std::int64_t limit = 100;  ///< 1..10000
    std::int64_t offset = 0;
    std::optional<std::string> kommune;  ///< AGS; a Kreis key matches its Gemeinden
    std::optional<std::string> status;   ///< vacancies only
    std::optional<std::string> use;      ///< vacancies only
    /// `datetime` as days: vacant_since of vacancies, opened of Zukunftsorte.
    std::optional<data::DateRange> datetime;
    std::optional<data::Bbox> bbox;  ///< CRS84
    /// `skipGeometry=true` (as pygeoapi names it): features without geometry, e.g. the
    /// figures of every Kommune for the map's choropleth without megabytes of boundaries.
    bool skip_geometry = false;
};

struct ItemsPage {
    nlohmann::json features = nlohmann::json::array();
    std::int64_t number_matched = 0;
};

enum class Collection { Vacancies, Zukunftsorte };

/// "vacancies" / "zukunftsorte"; nullopt for anything else.
std::optional<Collection> parse_collection(const std::string& id);

/// One per thread (it holds the thread's Store).
/// Errors: InvalidInput (400, with `errors: [{field, message}]` in the extensions) for
/// malformed features, unknown or mistyped fields, unknown identifiers, a point outside the
/// Kommune, a date in the future; Unauthenticated/Forbidden for writes outside the caller's
/// rights; NotFound for unknown ids and for items the caller may not see; PreconditionRequired
/// when `if_match` is missing on replace/patch/delete; PreconditionFailed when it is stale;
/// Unprocessable (422, with `allowed: [...]`) for a status transition that makes no sense.
class FeatureService {
  public:
    explicit FeatureService(data::Store& store);
    ~FeatureService();
    FeatureService(FeatureService&&) noexcept;
    FeatureService& operator=(FeatureService&&) noexcept;

    FeatureResult get(Collection collection, std::int64_t id, const Caller& caller);
    ItemsPage list(Collection collection, const ItemsQuery& query, const Caller& caller);

    /// `feature`: a GeoJSON Feature with a Point geometry and the collection's properties.
    FeatureResult create(Collection collection, const nlohmann::json& feature,
                         const Caller& caller);
    /// Replaces every writable property (absent ones get their defaults).
    FeatureResult replace(Collection collection, std::int64_t id, const nlohmann::json& feature,
                          std::optional<std::int64_t> if_match, const Caller& caller);
    /// JSON Merge Patch (RFC 7396) of a Feature: `{"properties": {...}}` and/or `geometry`.
    FeatureResult patch(Collection collection, std::int64_t id, const nlohmann::json& patch,
                        std::optional<std::int64_t> if_match, const Caller& caller);
    void remove(Collection collection, std::int64_t id, std::optional<std::int64_t> if_match,
                const Caller& caller);

    /// Every change of a vacancy, oldest first: `{"vacancy_id", "changes": [{"changed_at",
    /// "changed_by", "action", "old", "new"}]}`. Planners, editors and admins in scope only;
    /// anyone else signed in gets NotFound, as for an unknown id. Rows written while the
    /// vacancy lay in a Kommune the caller may not read are left out, and the old values of the
    /// move out of it are withheld (`"old": null, "old_withheld": true`).
    nlohmann::json vacancy_history(std::int64_t id, const Caller& caller);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
