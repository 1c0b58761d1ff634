#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/license.hpp"
#include "server/services/caller.hpp"
#include "server/services/items.hpp"

namespace leerstand::data {
class Store;
struct KommuneItem;
}  // namespace leerstand::data

/// The read side of OGC API – Features Part 1 (core, geojson, oas30): landing page,
/// conformance, collection metadata, and the read-only collections `buildings` and `kommunen`.
/// The writable collections (`vacancies`, `zukunftsorte`) are listed through their services;
/// items_response() gives every collection the same paged FeatureCollection. No HTTP types.
namespace leerstand::services {

/// Query parameters, names and values decoded (the HTTP layer decodes them), in any order.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// `limit`, `offset`, `bbox`, `kommune`, `status` of an items request. Ranges are checked here
/// too: limit 1..10000, offset >= 0, bbox as 4 numbers in CRS84 with min <= max.
/// @throws InvalidInput naming every bad parameter (field_errors.hpp).
ItemsQuery parse_items_query(const QueryParams& params);

/// The parameters of a single item: `crs`, `properties` (and `f`, which must be json or geojson);
/// others are left to the route. @throws InvalidInput naming every bad parameter.
ItemsQuery parse_item_query(const QueryParams& params);

/// Reprojects `feature` (a GeoJSON Feature in CRS84) and keeps only the properties `query`
/// asks for (those the caller may not see stay absent).
void feature_as_asked(nlohmann::json& feature, const ItemsQuery& query);

/// A FeatureCollection of `page` with `numberMatched`, `numberReturned`, `timeStamp` (RFC 3339,
/// UTC) and `self`/`next`/`prev` links to `base` + `path` that keep every query parameter of
/// `params` (only `offset` changes). `base` is "http://host:port" or "" for relative links.
/// With `skipGeometry=true` every feature's geometry is null.
nlohmann::json items_response(ItemsPage page, const ItemsQuery& query, const std::string& base,
                              const std::string& path, const QueryParams& params);

/// The 404 of a collection id that does not exist (code `unknown_collection`).
NotFound unknown_collection(const std::string& id);

/// `value` as compact JSON text, with every floating-point number in its shortest round-trip
/// form (std::to_chars). nlohmann's dump() sometimes prints 17 digits (51.692683100000004 for
/// 51.6926831), which would break the 7-decimal promise of RFC 7946 output. Invalid UTF-8 in
/// strings is replaced, as dump() with error_handler_t::replace does.
std::string json_text(const nlohmann::json& value);

class SummaryService;

/// Refuses the filters that only vacancies and Zukunftsorte have (`status`, `use`, `datetime`)
/// for `id` ("buildings", "kommunen"). @throws InvalidInput naming each of them.
void check_filters_of_timeless_collection(const std::string& id, const ItemsQuery& query);

/// The properties of Kommune `item`, with its headline figures (SummaryService::headline) as
/// `caller` may see them and `figures_exact` telling which.
nlohmann::json kommune_properties(const data::KommuneItem& item, SummaryService& summaries,
                                  const Caller& caller);

/// The collection ids in the order `/collections` lists them.
const std::vector<std::string>& collection_ids();

/// One per thread (it holds the thread's Store). Links are absolute when `base` is given.
/// Errors: NotFound for unknown collections and items; InvalidInput for bad parameters.
class CollectionsService {
  public:
    explicit CollectionsService(data::Store& store);
    ~CollectionsService();
    CollectionsService(CollectionsService&&) noexcept;
    CollectionsService& operator=(CollectionsService&&) noexcept;

    /// The landing page: links `self`, `service-desc` (`/api`), `conformance`, `data`, and
    /// `license` links to the licences of all data, the network's own (`own`) last.
    static nlohmann::json landing_page(const std::string& base, const License& own);
    /// `{"conformsTo": [...]}` with the core, geojson and oas30 classes.
    static nlohmann::json conformance();
    /// `{"collections": [...], "links": [...]}` with their extents; the extents of vacancies
    /// cover only what `caller` may see (privacy.hpp). Each document links the licences of its
    /// data (`rel: "license"`, site.hpp), the list all of them; `own` is the network's.
    nlohmann::json collections(const std::string& base, const Caller& caller, const License& own);
    /// One collection's metadata, as collections(). @throws NotFound for unknown ids.
    nlohmann::json collection(const std::string& id, const std::string& base, const Caller& caller,
                              const License& own);

    /// True for the collections this service serves items of (`buildings`, `kommunen`).
    static bool serves_items(const std::string& id);
    /// A page of `buildings` or `kommunen`. Buildings and boundaries are public; Kommunen carry
    /// their headline figures (SummaryService::headline) as `caller` may see them, with
    /// `figures_exact` telling which.
    /// @throws InvalidInput for filters that do not apply (e.g. `status`), NotFound for others.
    ItemsPage items(const std::string& id, const ItemsQuery& query, const Caller& caller);
    /// One building (fid = id) or Kommune (fid = AGS). @throws NotFound.
    nlohmann::json item(const std::string& id, const std::string& fid, const Caller& caller);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
