#include "server/http/summary_routes.hpp"

#include <pistache/http.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "server/http/routing.hpp"
#include "server/http/transport/answer.hpp"
#include "server/http/transport/response_headers.hpp"
#include "server/services/summary_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
using nlohmann::json;

services::SummaryService& summaries(const ApiContext& context) {
    return services::thread_service<services::SummaryService>(context.db);
}

void send_summary(Http::ResponseWriter& writer, const services::Caller& caller,
                  const json& summary) {
    // The figures depend on who asks: a shared cache must not pass exact ones to the public.
    set_caller_cache_headers(writer, caller);
    send_answer(writer, Http::Code::Ok,
                summary.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

}  // namespace

void add_summary_routes(Rest::Router& router, const ApiContext& context) {
    add_routes(router, "/api/summary",
               {{Http::Method::Get, [&context](const Rest::Request& request,
                                               Http::ResponseWriter& writer, const std::string&) {
                     const services::Caller caller = request_caller(request, context);
                     send_summary(writer, caller, summaries(context).network_summary(caller));
                 }}});
    add_routes(router, "/api/kommunen/:ags/summary",
               {{Http::Method::Get, [&context](const Rest::Request& request,
                                               Http::ResponseWriter& writer, const std::string&) {
                     const services::Caller caller = request_caller(request, context);
                     const auto ags = request.param(":ags").as<std::string>();
                     send_summary(writer, caller, summaries(context).kommune_summary(ags, caller));
                 }}});
}

}  // namespace leerstand::http
