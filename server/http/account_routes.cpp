#include <pistache/http.h>

#include <nlohmann/json.hpp>
#include <string>

#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/auth_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
using nlohmann::json;

services::AuthService& auth(const ApiContext& context) {
    return services::thread_service<services::AuthService>(context.db);
}

json caller_json(const services::Caller& caller) {
    return {{"signed_in", caller.signed_in()},
            {"name", caller.signed_in() ? json(caller.name) : json(nullptr)},
            {"role", services::role_name(caller.role)},
            {"kommunen", caller.kommunen}};
}

std::string session_cookie(const std::string& value, std::int64_t max_age, bool secure) {
    // HttpOnly: scripts cannot read it; SameSite=Strict: other sites cannot send it along.
    return std::string(k_session_cookie) + "=" + value +
           "; Path=/; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Strict" +
           (secure ? "; Secure" : "");
}

void post_login(const ApiContext& context, const Rest::Request& request,
                Http::ResponseWriter& writer) {
    const auto credentials = services::credentials_from_json(json_body(request, false));
    const services::NewSession session =
        auth(context).login(credentials.name, credentials.password,
                            request_client_address(request, context), *context.login_limiter);
    set_header(writer, "Set-Cookie",
               session_cookie(session.secret, session.max_age.count(), context.secure_cookies));
    set_caller_cache_headers(writer, session.caller);
    send_json(writer, Http::Code::Ok, caller_json(session.caller));
}

void post_logout(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    services::AuthService& sessions = auth(context);
    if (const auto session = session_cookie_value(request)) sessions.logout(*session);
    set_header(writer, "Set-Cookie", session_cookie("", 0, context.secure_cookies));
    set_header(writer, "Cache-Control", "no-store");
    writer.send(Http::Code::No_Content);
}

void get_me(const ApiContext& context, const Rest::Request& request, Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, caller_json(caller));
}

}  // namespace

void add_account_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/api/login", Method::Post, post_login},
                        {"/api/logout", Method::Post, post_logout},
                        {"/api/me", Method::Get, get_me},
                    });
}

}  // namespace leerstand::http
