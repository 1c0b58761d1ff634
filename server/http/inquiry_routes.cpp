#include <pistache/http.h>

#include <nlohmann/json.hpp>

#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/inquiry_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
using nlohmann::json;

services::InquiryService& inquiries(const ApiContext& context) {
    return services::thread_service<services::InquiryService>(context.db);
}

void post_inquiry(const ApiContext& context, const Rest::Request& request,
                  Http::ResponseWriter& writer) {
    // Stored or a robot's (the honeypot): the same answer, and never an id or anything of the
    // Kommune's staff or the owner.
    inquiries(context).submit(id_param(request, ":id", "offer"), json_body(request, false),
                              request_client_address(request, context), *context.inquiry_limiter,
                              context.mail.get());
    set_header(writer, "Cache-Control", "no-store");
    send_json(writer, Http::Code::Created,
              json{{"status", "received"}, {"retention_days", context.activation_retention_days}});
}

void get_inquiries(const ApiContext& context, const Rest::Request& request,
                   Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    json list =
        inquiries(context).list(caller, query_value(request, "status"), context.mail != nullptr);
    list["retention_days"] = context.activation_retention_days;
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, list);
}

void patch_inquiry(const ApiContext& context, const Rest::Request& request,
                   Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const json answer = inquiries(context).set_status(caller, id_param(request, ":id", "inquiry"),
                                                      json_body(request, false));
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, answer);
}

void post_answer(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const json answer = inquiries(context).answer(caller, id_param(request, ":id", "inquiry"),
                                                  json_body(request, false), context.mail.get());
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Created, answer);
}

}  // namespace

void add_inquiry_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/api/angebote/:id/anfragen", Method::Post, post_inquiry},
                        {"/api/anfragen", Method::Get, get_inquiries},
                        {"/api/anfragen/:id", Method::Patch, patch_inquiry},
                        {"/api/anfragen/:id/antworten", Method::Post, post_answer},
                    });
}

}  // namespace leerstand::http
