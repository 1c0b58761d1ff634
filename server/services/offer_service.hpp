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

/// The use cases of the writable collection `angebote`: a consented vacancy offered for reuse
/// (kinds, area, conditions, pictures, the Kommune's contact role; never the owner's data).
/// Same calls and conventions as ZukunftsortService; what a caller sees is privacy.hpp's
/// offer rule. No HTTP types here.
///
/// One per thread (it holds the thread's Store). Errors as ZukunftsortService; besides,
/// NotFound for a vacancy_id the caller may not see (as for a missing one), Unprocessable
/// (422, code "vacancy_not_published") for a vacancy without the owner's consent, and
/// Conflict (409, code "vacancy_already_offered") for a vacancy that has an offer.
class OfferService {
  public:
    explicit OfferService(data::Store& store);
    ~OfferService();
    OfferService(OfferService&&) noexcept;
    OfferService& operator=(OfferService&&) noexcept;

    FeatureResult get(std::int64_t id, const Caller& caller);
    /// Filters kommune, use, kind, status, min_area, max_area, bbox; `datetime` and `address`
    /// do not apply (InvalidInput).
    ItemsPage list(const ItemsQuery& query, const Caller& caller);

    /// `feature`: a GeoJSON Feature whose properties carry vacancy_id and the offer's fields
    /// (its geometry is ignored: an offer lies at its vacancy's point).
    FeatureResult create(const nlohmann::json& feature, const Caller& caller);
    /// Replaces every writable property; vacancy_id cannot change.
    FeatureResult replace(std::int64_t id, const nlohmann::json& feature,
                          std::optional<std::int64_t> if_match, const Caller& caller);
    /// JSON Merge Patch (RFC 7396) of the Feature's properties.
    FeatureResult patch(std::int64_t id, const nlohmann::json& patch,
                        std::optional<std::int64_t> if_match, const Caller& caller);
    void remove(std::int64_t id, std::optional<std::int64_t> if_match, const Caller& caller);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
