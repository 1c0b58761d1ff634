#include <pistache/http.h>

#include <nlohmann/json.hpp>

#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/need_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
using nlohmann::json;

services::NeedService& needs(const ApiContext& context) {
    return services::thread_service<services::NeedService>(context.db);
}

void post_need(const ApiContext& context, const Rest::Request& request,
               Http::ResponseWriter& writer) {
    // Stored or a robot's (the honeypot): the same answer, and never an id, which would count
    // the needs of others and name one nobody confirmed.
    needs(context).submit(json_body(request, false), request_client_address(request, context),
                          *context.need_limiter, context.mail.get(), base_url());
    set_header(writer, "Cache-Control", "no-store");
    send_json(writer, Http::Code::Accepted,
              json{{"status", "confirmation_sent"},
                   {"retention_days", context.activation_retention_days}});
}

void post_confirmation(const ApiContext& context, const Rest::Request& request,
                       Http::ResponseWriter& writer) {
    const std::int64_t id = needs(context).confirm(json_body(request, false));
    set_header(writer, "Cache-Control", "no-store");
    send_json(writer, Http::Code::Ok, json{{"status", "confirmed"}, {"id", id}});
}

}  // namespace

void add_need_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/api/gesuche", Method::Post, post_need},
                        {"/api/gesuche/bestaetigung", Method::Post, post_confirmation},
                    });
}

}  // namespace leerstand::http
