#include "server/http/routes.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>

namespace leerstand::http {

using namespace Pistache;

namespace {

Handler bound(const ApiContext& context, RouteHandler handler) {
    return [&context, handler](const Rest::Request& request, Http::ResponseWriter& writer) {
        handler(context, request, writer);
    };
}

}  // namespace

void add_route_table(Rest::Router& router, const ApiContext& context,
                     std::initializer_list<Route> table) {
    // One registration per path, in the order the paths first appear.
    std::vector<std::string_view> paths;
    for (const Route& route : table)
        if (std::find(paths.begin(), paths.end(), route.path) == paths.end())
            paths.push_back(route.path);
    for (const std::string_view path : paths) {
        std::map<Http::Method, Handler> handlers;
        std::optional<Lane> lane;
        for (const Route& route : table) {
            if (route.path != path) continue;
            if (lane && route.lane != *lane)
                throw std::logic_error("the routes of " + std::string(path) + " name two lanes");
            lane = route.lane;
            handlers.emplace(route.method, bound(context, route.handler));
        }
        bind_path(router, std::string(path), handlers, lane.value_or(Lane::ByMethod));
    }
}

void add_fallback_route(Rest::Router& router, const ApiContext& context, RouteHandler handler) {
    bind_fallback(router, bound(context, handler));
}

void add_all_routes(Rest::Router& router, const ApiContext& context) {
    add_api_routes(router, context);
    add_account_routes(router, context);
    add_upload_routes(router, context);
    add_summary_routes(router, context);
    add_profile_routes(router, context);
    add_export_routes(router, context);
    add_tile_routes(router, context);
    add_image_routes(router, context);
    add_membership_routes(router, context);
    add_match_routes(router, context);    // part matches
    add_inquiry_routes(router, context);  // part "inquiries"
    add_need_routes(router, context);     // issue 23, part "needs"
    add_openapi_routes(router, context);
    add_page_routes(router, context);
    add_web_routes(router, context);
}

}  // namespace leerstand::http
