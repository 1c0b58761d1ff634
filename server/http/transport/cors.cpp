#include "server/http/transport/cors.hpp"

#include "server/http/transport/headers.hpp"

namespace leerstand::http {

using namespace Pistache;

namespace {

/// What a script may read of an answer beyond the CORS-safelisted headers: versions for If-Match,
/// where a new item lives, paging and CRS of items, retry hints, the id to quote in a report,
/// and the size and name of an export.
constexpr const char* k_exposed_headers =
    "ETag, Location, Link, Content-Crs, Retry-After, X-Request-Id, X-Feature-Count, "
    "Content-Disposition, Allow";

}  // namespace

void set_cors_headers(Http::ResponseWriter& writer) {
    // The same `*` for every origin and request: no `Vary: Origin` is needed, and a cache may
    // keep one answer for all.
    set_header(writer, "Access-Control-Allow-Origin", "*");
    set_header(writer, "Access-Control-Expose-Headers", k_exposed_headers);
}

void answer_options(const Rest::Request& request, Http::ResponseWriter& writer,
                    const std::string& allow) {
    set_header(writer, "Allow", allow);
    if (header_value(request, "Access-Control-Request-Method")) {
        set_header(writer, "Access-Control-Allow-Methods", allow);
        set_header(writer, "Access-Control-Allow-Headers", k_cors_request_headers);
        set_header(writer, "Access-Control-Max-Age", std::to_string(k_cors_max_age_seconds));
    }
    writer.send(Http::Code::No_Content);
}

bool is_token_request_without_cookies(const Rest::Request& request) {
    // Any cookie at all, not only the session's: this layer need not know the cookie's name,
    // and a script that sends its token from another origin sends no cookies of ours.
    const auto& cookies = request.cookies();
    return header_value(request, "Authorization").has_value() && cookies.begin() == cookies.end();
}

}  // namespace leerstand::http
