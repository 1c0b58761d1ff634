#include <pistache/http.h>

#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/summary_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

services::SummaryService& summaries(const ApiContext& context) {
    return services::thread_service<services::SummaryService>(context.db);
}

void send_summary(Http::ResponseWriter& writer, const services::Caller& caller,
                  const nlohmann::json& summary) {
    // The figures depend on who asks: a shared cache must not pass exact ones to the public.
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, summary);
}

void get_network_summary(const ApiContext& context, const Rest::Request& request,
                         Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    send_summary(writer, caller, summaries(context).network_summary(caller));
}

void get_kommune_summary(const ApiContext& context, const Rest::Request& request,
                         Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    send_summary(writer, caller,
                 summaries(context).kommune_summary(path_param(request, ":ags"), caller));
}

}  // namespace

void add_summary_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/api/summary", Method::Get, get_network_summary},
                        {"/api/kommunen/:ags/summary", Method::Get, get_kommune_summary},
                    });
}

}  // namespace leerstand::http
