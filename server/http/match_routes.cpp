#include <pistache/http.h>

#include <nlohmann/json.hpp>
#include <string>

#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/http/transport/public_url.hpp"
#include "server/services/match_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
using nlohmann::json;

services::MatchService& matches(const ApiContext& context) {
    return services::thread_service<services::MatchService>(context.db);
}

services::MatchMailing mailing(const ApiContext& context) {
    return services::MatchMailing{context.mail.get(), base_url()};
}

/// An outcome with its version as ETag, for the next PATCH's If-Match.
void send_outcome(Http::ResponseWriter& writer, Http::Code code, const json& outcome,
                  const services::Caller& caller) {
    set_caller_cache_headers(writer, caller);
    set_header(writer, "ETag",
               "\"" + std::to_string(outcome.at("version").get<std::int64_t>()) + "\"");
    send_json(writer, code, outcome);
}

void get_offer_suggestions(const ApiContext& context, const Rest::Request& request,
                           Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const json answer =
        matches(context).offer_suggestions(id_param(request, ":id", "offer"), caller);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, answer);
}

void get_need_suggestions(const ApiContext& context, const Rest::Request& request,
                          Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const json answer = matches(context).need_suggestions(id_param(request, ":id", "need"), caller);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, answer);
}

void post_outcome(const ApiContext& context, const Rest::Request& request,
                  Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const json outcome =
        matches(context).record(json_body(request, false), caller, mailing(context));
    set_header(writer, "Location",
               "/api/vermittlungen/" + std::to_string(outcome.at("id").get<std::int64_t>()));
    send_outcome(writer, Http::Code::Created, outcome, caller);
}

void patch_outcome(const ApiContext& context, const Rest::Request& request,
                   Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const auto version = if_match(request);
    const json body = json_body(request, false);
    const json outcome = matches(context).change(id_param(request, ":id", "match outcome"), body,
                                                 version, caller, mailing(context));
    send_outcome(writer, Http::Code::Ok, outcome, caller);
}

}  // namespace

void add_match_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/api/angebote/:id/vorschlaege", Method::Get, get_offer_suggestions},
                        {"/api/gesuche/:id/vorschlaege", Method::Get, get_need_suggestions},
                        {"/api/vermittlungen", Method::Post, post_outcome},
                        {"/api/vermittlungen/:id", Method::Patch, patch_outcome},
                    });
}

}  // namespace leerstand::http
