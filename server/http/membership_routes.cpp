#include <pistache/http.h>

#include <nlohmann/json.hpp>

#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/membership_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
using nlohmann::json;

services::MembershipService& membership(const ApiContext& context) {
    return services::thread_service<services::MembershipService>(context.db);
}

void get_network(const ApiContext& context, const Rest::Request&, Http::ResponseWriter& writer) {
    // The same for everyone: members are public.
    set_header(writer, "Cache-Control", "no-cache");
    send_json(writer, Http::Code::Ok, membership(context).network());
}

void post_membership_request(const ApiContext& context, const Rest::Request& request,
                             Http::ResponseWriter& writer) {
    // Stored or a robot's (the honeypot): the same answer, and never an id, which would count
    // the requests of others.
    membership(context).submit(json_body(request, false), request_client_address(request, context),
                               *context.membership_limiter);
    set_header(writer, "Cache-Control", "no-store");
    send_json(writer, Http::Code::Accepted,
              json{{"status", "received"}, {"retention_days", context.membership_retention_days}});
}

void get_membership_requests(const ApiContext& context, const Rest::Request& request,
                             Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const json list = membership(context).list(caller);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, list);
}

void post_accept(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    // The body is optional: it names the Kommune only for a request of one not in the atlas.
    const json body = request.body().empty() ? json(nullptr) : json_body(request, false);
    const json answer =
        membership(context).accept(caller, id_param(request, ":id", "membership request"), body);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, answer);
}

void post_decline(const ApiContext& context, const Rest::Request& request,
                  Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const json answer =
        membership(context).decline(caller, id_param(request, ":id", "membership request"));
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, answer);
}

}  // namespace

void add_membership_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/api/network", Method::Get, get_network},
                        {"/api/membership-requests", Method::Post, post_membership_request},
                        {"/api/membership-requests", Method::Get, get_membership_requests},
                        {"/api/membership-requests/:id/accept", Method::Post, post_accept},
                        {"/api/membership-requests/:id/decline", Method::Post, post_decline},
                    });
}

}  // namespace leerstand::http
