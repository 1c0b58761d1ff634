#include "server/http/request.hpp"

#include <charconv>
#include <string_view>

#include "common/error.hpp"
#include "common/text.hpp"
#include "server/http/percent_decoding.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/http/transport/client_address.hpp"
#include "server/services/auth_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

using namespace Pistache;
using nlohmann::json;

namespace {

/// The largest JSON write body (features, patches, sign-in). Every text field of a feature
/// together fits in a tenth of it; the upload limit (megabytes) is for files only, and a
/// body of 200,000 made-up properties got an 11.6 MB error answer.
constexpr std::size_t k_max_json_body = std::size_t{256} * 1024;

/// The media type of the request body without parameters, in lower case.
std::string body_media_type(const Rest::Request& request) {
    std::string type = header_value(request, "Content-Type").value_or("");
    return ascii_lower(trimmed(type.substr(0, type.find(';'))));
}

}  // namespace

std::string path_param(const Rest::Request& request, const char* name) {
    return request.param(name).as<std::string>();
}

std::int64_t id_param(const Rest::Request& request, const char* name, const std::string& what) {
    const std::string text = path_param(request, name);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0)
        throw NotFound("there is no " + what + " '" + text + "'");
    return value;
}

std::optional<std::string> query_value(const Rest::Request& request, const std::string& name) {
    return request.query().get(name);
}

services::QueryParams query_params(const Rest::Request& request) {
    const auto& query = request.query();
    services::QueryParams params;
    for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it)
        params.emplace_back(form_decode(it->first), form_decode(it->second));
    return params;
}

std::optional<std::string> session_cookie_value(const Rest::Request& request) {
    if (!request.cookies().has(k_session_cookie)) return std::nullopt;
    return request.cookies().get(k_session_cookie).value;
}

services::Caller request_caller(const Rest::Request& request, const ApiContext& context) {
    auto& auth = services::thread_service<services::AuthService>(context.db);
    if (const auto authorization = header_value(request, "Authorization")) {
        const std::string value = trimmed(*authorization);
        constexpr std::string_view scheme = "Bearer ";
        if (value.size() <= scheme.size() || value.compare(0, scheme.size(), scheme) != 0)
            throw Unauthenticated("use 'Authorization: Bearer TOKEN' with an API token");
        if (auto caller = auth.caller_for_token(trimmed(value.substr(scheme.size()))))
            return *caller;
        throw Unauthenticated("the API token is unknown, expired or revoked");
    }
    if (const auto session = session_cookie_value(request)) {
        if (auto caller = auth.caller_for_session(*session)) return *caller;
    }
    return services::Caller::anonymous();
}

std::string request_client_address(const Rest::Request& request, const ApiContext& context) {
    return client_address(request, context.trusted_proxies);
}

json json_body(const Rest::Request& request, bool merge_patch) {
    if (request.body().size() > k_max_json_body)
        throw TooLarge("a JSON body may have at most " + std::to_string(k_max_json_body / 1024) +
                       " KiB");
    const std::string type = body_media_type(request);
    const bool accepted = type == k_json || type == k_geojson ||
                          (merge_patch && type == "application/merge-patch+json");
    if (!accepted)
        throw Unsupported("send the body as " +
                          std::string(merge_patch ? "application/merge-patch+json, " : "") +
                          "application/geo+json or application/json, not '" + type + "'");
    try {
        return json::parse(request.body());
    } catch (const json::exception&) {
        throw InvalidInput("the request body is not valid JSON");
    }
}

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

bool accepts_gzip(const Rest::Request& request) {
    const auto header = header_value(request, "Accept-Encoding");
    if (!header) return false;
    std::string_view rest = *header;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string item = trimmed(std::string(rest.substr(0, comma)));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const std::size_t semicolon = item.find(';');
        const std::string coding = trimmed(item.substr(0, semicolon));
        if (coding != "gzip" && coding != "*") continue;
        if (semicolon == std::string::npos) return true;
        std::string parameter = trimmed(item.substr(semicolon + 1));
        const bool refused = parameter.rfind("q=0", 0) == 0 &&
                             parameter.find_first_not_of("0.", 2) == std::string::npos;
        return !refused;
    }
    return false;
}

}  // namespace leerstand::http
