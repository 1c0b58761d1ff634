#include <pistache/http.h>

#include <string>

#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/profile_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

services::ProfileService& profiles(const ApiContext& context) {
    return services::thread_service<services::ProfileService>(context.db);
}

/// The profile with its version as ETag. It is public and the same for everyone, so it needs
/// no Vary; no-cache: a cache asks again (If-None-Match) before it reuses it.
void send_profile(Http::ResponseWriter& writer, const services::ProfileResult& result) {
    set_header(writer, "ETag", "\"" + std::to_string(result.version) + "\"");
    set_header(writer, "Cache-Control", "no-cache");
    send_json(writer, Http::Code::Ok, result.profile);
}

void get_profile(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    send_profile(writer, profiles(context).get(path_param(request, ":ags"), base_url()));
}

void patch_profile(const ApiContext& context, const Rest::Request& request,
                   Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    // In the order of the item writes: the version, then the body.
    const auto version = if_match(request);
    const nlohmann::json patch = json_body(request, true);
    send_profile(writer, profiles(context).patch(path_param(request, ":ags"), patch, version,
                                                 caller, base_url()));
}

}  // namespace

void add_profile_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/api/kommunen/:ags/profile", Method::Get, get_profile},
                        {"/api/kommunen/:ags/profile", Method::Patch, patch_profile},
                    });
}

}  // namespace leerstand::http
