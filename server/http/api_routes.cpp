#include "server/http/api_routes.hpp"

#include <pistache/http.h>

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "common/error.hpp"
#include "common/text.hpp"
#include "server/http/multipart.hpp"
#include "server/http/routing.hpp"
#include "server/http/transport/answer.hpp"
#include "server/http/transport/client_address.hpp"
#include "server/http/transport/public_url.hpp"
#include "server/http/transport/response_headers.hpp"
#include "server/services/auth_service.hpp"
#include "server/services/collections_service.hpp"
#include "server/services/feature_service.hpp"
#include "server/services/thread_store.hpp"
#include "server/services/upload_jobs.hpp"

namespace leerstand::http {

std::optional<std::string> header_value(const Pistache::Rest::Request& request,
                                        const std::string& name) {
    const auto raw = request.headers().tryGetRaw(name);
    if (!raw) return std::nullopt;
    return raw->value();
}

std::string trimmed(std::string text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

namespace {

using namespace Pistache;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* k_session_cookie = "lsa_session";
constexpr const char* k_geojson = "application/geo+json";
constexpr const char* k_json = "application/json";

// ---------------------------------------------------------------------------------------------
// Per-worker services

/// The use cases of one worker thread, bound to that thread's Store.
struct WorkerServices {
    explicit WorkerServices(data::Store& store)
        : auth(store), features(store), collections(store) {}
    services::AuthService auth;
    services::FeatureService features;
    services::CollectionsService collections;
};

WorkerServices& worker(const ApiContext& context) {
    thread_local fs::path open_path;
    thread_local std::unique_ptr<WorkerServices> services;
    if (!services || open_path != context.db) {
        services.reset();
        services = std::make_unique<WorkerServices>(services::thread_store(context.db));
        open_path = context.db;
    }
    return *services;
}

// ---------------------------------------------------------------------------------------------
// Reading requests

/// Who is calling: a bearer token (scripts) or a session cookie (the web app); else the
/// public. A bearer token that does not work is an error, not a silent downgrade: the script
/// should learn that its token is wrong. A stale cookie just means "signed out".
services::Caller caller_of(const Rest::Request& request, services::AuthService& auth) {
    if (const auto authorization = header_value(request, "Authorization")) {
        const std::string value = trimmed(*authorization);
        constexpr std::string_view scheme = "Bearer ";
        if (value.size() <= scheme.size() || value.compare(0, scheme.size(), scheme) != 0)
            throw Unauthenticated("use 'Authorization: Bearer TOKEN' with an API token");
        if (auto caller = auth.caller_for_token(trimmed(value.substr(scheme.size()))))
            return *caller;
        throw Unauthenticated("the API token is unknown, expired or revoked");
    }
    if (request.cookies().has(k_session_cookie)) {
        if (auto caller = auth.caller_for_session(request.cookies().get(k_session_cookie).value))
            return *caller;
    }
    return services::Caller::anonymous();
}

/// The media type of the request body without parameters, in lower case.
std::string body_media_type(const Rest::Request& request) {
    std::string type = header_value(request, "Content-Type").value_or("");
    return ascii_lower(trimmed(type.substr(0, type.find(';'))));
}

/// The largest JSON write body (features, patches, sign-in). Every text field of a feature
/// together fits in a tenth of it; the upload limit (megabytes) is for files only, and a
/// body of 200,000 made-up properties got an 11.6 MB error answer.
constexpr std::size_t k_max_json_body = 256 * 1024;

/// The body as JSON. `patch` also accepts `application/merge-patch+json`.
json json_body(const Rest::Request& request, bool patch) {
    if (request.body().size() > k_max_json_body)
        throw TooLarge("a JSON body may have at most " + std::to_string(k_max_json_body / 1024) +
                       " KiB");
    const std::string type = body_media_type(request);
    const bool accepted =
        type == k_json || type == k_geojson || (patch && type == "application/merge-patch+json");
    if (!accepted)
        throw Unsupported("send the body as " +
                          std::string(patch ? "application/merge-patch+json, " : "") +
                          "application/geo+json or application/json, not '" + type + "'");
    try {
        return json::parse(request.body());
    } catch (const json::exception&) {
        throw InvalidInput("the request body is not valid JSON");
    }
}

/// `If-Match: "7"` (also `W/"7"`) → 7. Missing → nullopt (the service answers 428).
std::optional<std::int64_t> if_match(const Rest::Request& request) {
    const auto header = header_value(request, "If-Match");
    if (!header) return std::nullopt;
    std::string value = trimmed(*header);
    if (value.rfind("W/", 0) == 0) value = value.substr(2);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
    std::int64_t version = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), version);
    if (error != std::errc() || end != value.data() + value.size() || version < 1)
        throw InvalidInput("If-Match must be the ETag of the item, such as \"3\"");
    return version;
}

std::int64_t parse_positive(const std::string& text, const std::string& what, bool not_found) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0) {
        if (not_found) throw NotFound("there is no " + what + " '" + text + "'");
        throw InvalidInput("parameter " + what + " must be a non-negative integer");
    }
    return value;
}

std::int64_t item_id(const Rest::Request& request) {
    return parse_positive(request.param(":fid").as<std::string>(), "item", true);
}

services::Collection collection_of(const Rest::Request& request) {
    const auto name = request.param(":collection").as<std::string>();
    if (const auto collection = services::parse_collection(name)) return *collection;
    throw NotFound(ErrorCode{error_code::unknown_collection},
                   "there is no writable collection '" + name + "'");
}

std::string item_path(services::Collection collection, std::int64_t id) {
    return std::string("/collections/") +
           (collection == services::Collection::Vacancies ? "vacancies" : "zukunftsorte") +
           "/items/" + std::to_string(id);
}

// ---------------------------------------------------------------------------------------------
// Writing responses

/// Responses depend on who asks: never let a shared cache hand one caller's view to another.
void send_json(Http::ResponseWriter& writer, Http::Code code, const json& body,
               const std::string& content_type) {
    send_answer(writer, code, services::json_text(body), content_type);
}

void send_feature(Http::ResponseWriter& writer, Http::Code code,
                  const services::FeatureResult& result, const services::Caller& caller) {
    set_caller_cache_headers(writer, caller);
    set_header(writer, "ETag", "\"" + std::to_string(result.version) + "\"");
    send_json(writer, code, result.feature, k_geojson);
}

// ---------------------------------------------------------------------------------------------
// Handlers

void get_items(const ApiContext& context, const Rest::Request& request,
               Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    const auto name = request.param(":collection").as<std::string>();
    const services::QueryParams params = query_params(request);
    const services::ItemsQuery query = services::parse_items_query(params);
    services::ItemsPage page;
    if (services::CollectionsService::serves_items(name))
        page = services.collections.items(name, query, caller);
    else
        page = services.features.list(collection_of(request), query, caller);
    const json body = services::items_response(std::move(page), query, base_url(),
                                               "/collections/" + name + "/items", params);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, body, k_geojson);
}

void get_conformance(const ApiContext&, const Rest::Request&, Http::ResponseWriter& writer) {
    send_json(writer, Http::Code::Ok, services::CollectionsService::conformance(), k_json);
}

// Extents cover what the caller may see: the documents depend on who asks.
void get_collections(const ApiContext& context, const Rest::Request& request,
                     Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, services.collections.collections(base_url(), caller), k_json);
}

void get_collection(const ApiContext& context, const Rest::Request& request,
                    Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok,
              services.collections.collection(request.param(":collection").as<std::string>(),
                                              base_url(), caller),
              k_json);
}

void post_item(const ApiContext& context, const Rest::Request& request,
               Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    const services::Collection collection = collection_of(request);
    const services::FeatureResult result =
        services.features.create(collection, json_body(request, false), caller);
    set_header(writer, "Location", item_path(collection, result.id));
    send_feature(writer, Http::Code::Created, result, caller);
}

void get_item(const ApiContext& context, const Rest::Request& request,
              Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    const auto name = request.param(":collection").as<std::string>();
    if (services::CollectionsService::serves_items(name)) {
        // Buildings and Kommunen are public and read-only: no version, no ETag.
        set_caller_cache_headers(writer, caller);
        send_json(writer, Http::Code::Ok,
                  services.collections.item(name, request.param(":fid").as<std::string>(), caller),
                  k_geojson);
        return;
    }
    send_feature(writer, Http::Code::Ok,
                 services.features.get(collection_of(request), item_id(request), caller), caller);
}

void put_item(const ApiContext& context, const Rest::Request& request,
              Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    send_feature(writer, Http::Code::Ok,
                 services.features.replace(collection_of(request), item_id(request),
                                           json_body(request, false), if_match(request), caller),
                 caller);
}

void patch_item(const ApiContext& context, const Rest::Request& request,
                Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    send_feature(writer, Http::Code::Ok,
                 services.features.patch(collection_of(request), item_id(request),
                                         json_body(request, true), if_match(request), caller),
                 caller);
}

void delete_item(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    services.features.remove(collection_of(request), item_id(request), if_match(request), caller);
    set_caller_cache_headers(writer, caller);
    writer.send(Http::Code::No_Content);
}

void get_history(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    if (collection_of(request) != services::Collection::Vacancies)
        throw NotFound("only vacancies keep a change history");
    const json history = services.features.vacancy_history(item_id(request), caller);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, history, k_json);
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
    WorkerServices& services = worker(context);
    const services::NewSession session = services.auth.login(
        credentials.name, credentials.password, client_address(request, context.trusted_proxies),
        *context.login_limiter);
    set_header(writer, "Set-Cookie",
               session_cookie(session.secret, session.max_age.count(), context.secure_cookies));
    set_caller_cache_headers(writer, session.caller);
    send_json(writer, Http::Code::Ok, caller_json(session.caller), k_json);
}

void post_logout(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    if (request.cookies().has(k_session_cookie))
        services.auth.logout(request.cookies().get(k_session_cookie).value);
    set_header(writer, "Set-Cookie", session_cookie("", 0, context.secure_cookies));
    set_header(writer, "Cache-Control", "no-store");
    writer.send(Http::Code::No_Content);
}

void get_me(const ApiContext& context, const Rest::Request& request, Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, caller_json(caller), k_json);
}

void post_upload(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    // Who first: an anonymous or out-of-scope caller learns nothing about the body.
    const services::Caller caller = caller_of(request, services.auth);
    services::require_signed_in(caller);
    const std::string& body = request.body();
    if (body.size() > context.uploads->limits().max_body_bytes)
        throw TooLarge("the upload is larger than the limit of " +
                       std::to_string(context.uploads->limits().max_body_bytes >> 20) + " MiB");
    const MultipartForm form =
        MultipartForm::parse(header_value(request, "Content-Type").value_or(""), body);
    services::UploadRequest upload;
    const FormPart& file = form.required_file("file");
    upload.file_name = file.filename.value_or("upload");
    upload.content = file.body;  // a view: submit() saves it before the request goes
    upload.kommune = form.required_text("kommune");
    upload.layer = form.optional_text("layer").value_or("buildings");
    upload.srs = optional_epsg(form, "srs");
    upload.encoding = form.optional_text("encoding");
    upload.mode = form.optional_text("mode").value_or("append");
    const std::int64_t id = context.uploads->submit(std::move(upload), caller);
    const std::string location = "/api/uploads/" + std::to_string(id);
    set_header(writer, "Location", location);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Accepted, {{"id", id}, {"state", "queued"}, {"href", location}},
              k_json);
}

void get_upload(const ApiContext& context, const Rest::Request& request,
                Http::ResponseWriter& writer) {
    WorkerServices& services = worker(context);
    const services::Caller caller = caller_of(request, services.auth);
    const std::int64_t id =
        parse_positive(request.param(":upload").as<std::string>(), "upload", true);
    const json status = context.uploads->status(id, caller);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, status, k_json);
}

/// Binds a handler to the shared context.
template <typename Function>
Handler with(const ApiContext& context, Function function) {
    return [&context, function](const Rest::Request& request, Http::ResponseWriter& writer,
                                const std::string&) { function(context, request, writer); };
}

}  // namespace

services::QueryParams query_params(const Rest::Request& request) {
    // As HTML forms encode: '+' is a space and %XX a byte; a '%' without two hex digits after
    // it stays as it is (Pistache hands names and values over undecoded).
    const auto decoded = [](const std::string& text) {
        std::string out;
        out.reserve(text.size());
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '+') {
                out += ' ';
            } else if (c == '%' && i + 2 < text.size() &&
                       std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
                       std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
                out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
                i += 2;
            } else {
                out += c;
            }
        }
        return out;
    };
    const auto& query = request.query();
    services::QueryParams params;
    for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it)
        params.emplace_back(decoded(it->first), decoded(it->second));
    return params;
}

services::Caller request_caller(const Rest::Request& request, const ApiContext& context) {
    return caller_of(request, worker(context).auth);
}

bool wants_landing_json(const Rest::Request& request) {
    if (const auto f = request.query().get("f")) return *f == "json";
    // Browsers list text/html; API clients ask for JSON. Without a JSON preference, the web app.
    std::string accept;
    if (const auto raw = header_value(request, "Accept")) {
        accept = *raw;
    } else if (const auto typed = request.headers().tryGet<Http::Header::Accept>()) {
        for (const auto& media : typed->media()) accept += media.toString() + ",";
    }
    accept = ascii_lower(accept);
    if (accept.find("text/html") != std::string::npos) return false;
    return accept.find("json") != std::string::npos;
}

void send_landing_page(Http::ResponseWriter& writer) {
    set_header(writer, "Vary", "Accept");
    set_header(writer, "Cache-Control", "no-cache");
    send_json(writer, Http::Code::Ok, services::CollectionsService::landing_page(base_url()),
              k_json);
}

void add_api_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_routes(router, "/conformance", {{Method::Get, with(context, get_conformance)}});
    add_routes(router, "/collections", {{Method::Get, with(context, get_collections)}});
    add_routes(router, "/collections/:collection", {{Method::Get, with(context, get_collection)}});
    add_routes(router, "/collections/:collection/items",
               {{Method::Get, with(context, get_items)}, {Method::Post, with(context, post_item)}});
    add_routes(router, "/collections/:collection/items/:fid",
               {{Method::Get, with(context, get_item)},
                {Method::Put, with(context, put_item)},
                {Method::Patch, with(context, patch_item)},
                {Method::Delete, with(context, delete_item)}});
    add_routes(router, "/collections/:collection/items/:fid/history",
               {{Method::Get, with(context, get_history)}});
    add_routes(router, "/api/login", {{Method::Post, with(context, post_login)}});
    add_routes(router, "/api/logout", {{Method::Post, with(context, post_logout)}});
    add_routes(router, "/api/me", {{Method::Get, with(context, get_me)}});
    add_routes(router, "/api/uploads", {{Method::Post, with(context, post_upload)}});
    add_routes(router, "/api/uploads/:upload", {{Method::Get, with(context, get_upload)}});
}

}  // namespace leerstand::http
