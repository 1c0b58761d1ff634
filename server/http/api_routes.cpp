#include <pistache/http.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/error.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/collections_service.hpp"
#include "server/services/need_service.hpp"
#include "server/services/offer_service.hpp"
#include "server/services/place_resolver.hpp"
#include "server/services/queryables.hpp"
#include "server/services/site.hpp"
#include "server/services/thread_store.hpp"
#include "server/services/vacancy_service.hpp"
#include "server/services/zukunftsort_service.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
using Http::Method;
using nlohmann::json;

/// The use cases of one worker thread, bound to that thread's Store.
struct WorkerServices {
    explicit WorkerServices(data::Store& store)
        : places(store),
          vacancies(store, places),
          zukunftsorte(store, places),
          collections(store),
          angebote(store),
          gesuche(store) {}
    services::PlaceResolver places;  ///< shared by the two: one cache of Kommune boundaries
    services::VacancyService vacancies;
    services::ZukunftsortService zukunftsorte;
    services::CollectionsService collections;
    services::OfferService angebote;
    services::NeedService gesuche;

    /// Calls `use` with the service of a writable collection; all offer the same calls.
    template <typename Use>
    decltype(auto) serving(services::Collection collection, Use&& use) {
        if (collection == services::Collection::Vacancies) return use(vacancies);
        if (collection == services::Collection::Angebote) return use(angebote);
        if (collection == services::Collection::Gesuche) return use(gesuche);
        return use(zukunftsorte);
    }
};

WorkerServices& worker(const ApiContext& context) {
    return services::thread_service<WorkerServices>(context.db);
}

std::int64_t item_id(const Rest::Request& request) {
    return id_param(request, ":fid", "item");
}

services::Collection collection_of(const Rest::Request& request) {
    const std::string name = path_param(request, ":collection");
    if (const auto collection = services::parse_collection(name)) return *collection;
    throw NotFound(ErrorCode{error_code::k_unknown_collection},
                   "there is no writable collection '" + name + "'");
}

std::string item_path(services::Collection collection, std::int64_t id) {
    const char* name = "zukunftsorte";
    if (collection == services::Collection::Vacancies) name = "vacancies";
    if (collection == services::Collection::Angebote) name = "angebote";
    if (collection == services::Collection::Gesuche) name = "gesuche";
    return std::string("/collections/") + name + "/items/" + std::to_string(id);
}

/// A vacancy or Zukunftsort with its version as ETag; what it shows depends on who asks.
void send_feature(Http::ResponseWriter& writer, Http::Code code,
                  const services::FeatureResult& result, const services::Caller& caller) {
    set_caller_cache_headers(writer, caller);
    set_header(writer, "ETag", "\"" + std::to_string(result.version) + "\"");
    send_json(writer, code, result.feature, k_geojson);
}

/// `Content-Crs` of an answer with geometries in the CRS `query` asked for (Part 2).
void set_content_crs(Http::ResponseWriter& writer, const services::ItemsQuery& query) {
    set_header(writer, "Content-Crs", "<" + std::string(query.crs->uri) + ">");
}

void get_conformance(const ApiContext&, const Rest::Request&, Http::ResponseWriter& writer) {
    send_json(writer, Http::Code::Ok, services::CollectionsService::conformance());
}

// Extents cover what the caller may see: the documents depend on who asks.
void get_collections(const ApiContext& context, const Rest::Request& request,
                     Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    set_caller_cache_headers(writer, caller);
    send_json(
        writer, Http::Code::Ok,
        worker(context).collections.collections(base_url(), caller, context.site->data_license));
}

void get_collection(const ApiContext& context, const Rest::Request& request,
                    Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok,
              worker(context).collections.collection(path_param(request, ":collection"), base_url(),
                                                     caller, context.site->data_license));
}

// The same for every caller: what a filter may name is no secret.
void get_queryables(const ApiContext&, const Rest::Request& request, Http::ResponseWriter& writer) {
    send_json(writer, Http::Code::Ok,
              services::queryables(path_param(request, ":collection"), base_url()),
              "application/schema+json");
}

void get_items(const ApiContext& context, const Rest::Request& request,
               Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = request_caller(request, context);
    const auto name = path_param(request, ":collection");
    const services::QueryParams params = query_params(request);
    const services::ItemsQuery query = services::parse_items_query(params);
    services::check_properties_and_sortby(name, query);
    set_content_crs(writer, query);
    services::ItemsPage page;
    if (services::CollectionsService::serves_items(name))
        page = services.collections.items(name, query, caller);
    else
        page = services.serving(collection_of(request),
                                [&](auto& items) { return items.list(query, caller); });
    const json body = services::items_response(std::move(page), query, base_url(),
                                               "/collections/" + name + "/items", params);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, body, k_geojson);
}

void post_item(const ApiContext& context, const Rest::Request& request,
               Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const services::Collection collection = collection_of(request);
    WorkerServices& services = worker(context);
    const json body = json_body(request, false);
    const services::FeatureResult result =
        services.serving(collection, [&](auto& items) { return items.create(body, caller); });
    set_header(writer, "Location", item_path(collection, result.id));
    send_feature(writer, Http::Code::Created, result, caller);
}

void get_item(const ApiContext& context, const Rest::Request& request,
              Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const std::string name = path_param(request, ":collection");
    const services::ItemsQuery query = services::parse_item_query(query_params(request));
    services::check_properties_and_sortby(name, query);
    set_content_crs(writer, query);
    if (services::CollectionsService::serves_items(name)) {
        // Buildings and Kommunen are public and read-only: no version, no ETag.
        json feature = worker(context).collections.item(name, path_param(request, ":fid"), caller);
        services::feature_as_asked(feature, query);
        set_caller_cache_headers(writer, caller);
        send_json(writer, Http::Code::Ok, feature, k_geojson);
        return;
    }
    WorkerServices& services = worker(context);
    const std::int64_t id = item_id(request);
    services::FeatureResult result = services.serving(
        collection_of(request), [&](auto& items) { return items.get(id, caller); });
    services::feature_as_asked(result.feature, query);
    send_feature(writer, Http::Code::Ok, result, caller);
}

void put_item(const ApiContext& context, const Rest::Request& request,
              Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    WorkerServices& services = worker(context);
    // Checked in this order, which decides the answer to a request with several faults: the
    // version, the body, the id, the collection.
    const auto version = if_match(request);
    const json body = json_body(request, false);
    const std::int64_t id = item_id(request);
    send_feature(
        writer, Http::Code::Ok,
        services.serving(collection_of(request),
                         [&](auto& items) { return items.replace(id, body, version, caller); }),
        caller);
}

void patch_item(const ApiContext& context, const Rest::Request& request,
                Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    WorkerServices& services = worker(context);
    // In the order of put_item.
    const auto version = if_match(request);
    const json patch = json_body(request, true);
    const std::int64_t id = item_id(request);
    send_feature(
        writer, Http::Code::Ok,
        services.serving(collection_of(request),
                         [&](auto& items) { return items.patch(id, patch, version, caller); }),
        caller);
}

void delete_item(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    WorkerServices& services = worker(context);
    const auto version = if_match(request);
    const std::int64_t id = item_id(request);
    services.serving(collection_of(request),
                     [&](auto& items) { items.remove(id, version, caller); });
    set_caller_cache_headers(writer, caller);
    writer.send(Http::Code::No_Content);
}

void get_history(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    if (collection_of(request) != services::Collection::Vacancies)
        throw NotFound("only vacancies keep a change history");
    const json history = worker(context).vacancies.history(item_id(request), caller);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, history);
}

}  // namespace

void add_api_routes(Rest::Router& router, const ApiContext& context) {
    add_route_table(router, context,
                    {
                        {"/conformance", Method::Get, get_conformance},
                        {"/collections", Method::Get, get_collections},
                        {"/collections/:collection", Method::Get, get_collection},
                        {"/collections/:collection/queryables", Method::Get, get_queryables},
                        {"/collections/:collection/items", Method::Get, get_items},
                        {"/collections/:collection/items", Method::Post, post_item},
                        {"/collections/:collection/items/:fid", Method::Get, get_item},
                        {"/collections/:collection/items/:fid", Method::Put, put_item},
                        {"/collections/:collection/items/:fid", Method::Patch, patch_item},
                        {"/collections/:collection/items/:fid", Method::Delete, delete_item},
                        {"/collections/:collection/items/:fid/history", Method::Get, get_history},
                    });
}

}  // namespace leerstand::http
