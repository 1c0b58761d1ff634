#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/address_key.hpp"
#include "data/bbox.hpp"
#include "data/sort_order.hpp"
#include "server/services/crs.hpp"

namespace leerstand {
class FieldErrors;
}

/// What the collection services share: a page query, a page, one written item, and the names
/// of the two writable collections (vacancy_service.hpp, zukunftsort_service.hpp).
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
    /// `address`: vacancies only, those whose building has this street and house number.
    std::optional<AddressSearch> address;
    /// Offers only (part "offers"): `kind` (one of its kinds), `min_area`, `max_area` (m²).
    std::optional<std::string> kind;
    std::optional<double> min_area;
    std::optional<double> max_area;
    /// `skipGeometry=true` (as pygeoapi names it): features without geometry, e.g. the
    /// figures of every Kommune for the map's choropleth without megabytes of boundaries.
    bool skip_geometry = false;
    /// `crs`: the CRS of the answer's geometries (OGC API – Features Part 2); CRS84 by default.
    /// A `bbox-crs` is applied while parsing: `bbox` is always CRS84.
    const Crs* crs = &crs84();
    /// `properties`: the only properties features keep; nullopt: all the caller may see.
    std::optional<std::vector<std::string>> properties;
    /// `sortby`: the keys before the id (checked per collection by check_properties_and_sortby).
    std::vector<data::SortKey> sortby;
};

struct ItemsPage {
    nlohmann::json features = nlohmann::json::array();
    std::int64_t number_matched = 0;
};

/// The writable collections: VacancyService serves the one, ZukunftsortService the other.
/// Angebote: offers (offer_service.hpp); Gesuche: needs (need_service.hpp). Issue 23.
enum class Collection { Vacancies, Zukunftsorte, Angebote, Gesuche };

/// "vacancies" / "zukunftsorte" / "angebote" / "gesuche"; nullopt for anything else.
std::optional<Collection> parse_collection(const std::string& id);

/// Adds the problems of the parameters every page of vacancies or Zukunftsorte has: limit
/// (1..10000), offset (0 or more), kommune (an AGS or its first digits).
void check_page_query(const ItemsQuery& query, FieldErrors& errors);

}  // namespace leerstand::services
