#pragma once

#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace Pistache::Http {
class ResponseWriter;
}

/// RFC 9457 problem details: the only place where the error tree of common/error.hpp meets
/// HTTP status codes.
namespace leerstand::http {

/// A problem before it is written; `detail` is always safe to show to the client.
struct Problem {
    int status = 500;
    std::string detail;
    std::optional<int> retry_after_seconds;  ///< sent as `Retry-After` when set (503)
    std::optional<std::string> allow;        ///< sent as `Allow` when set (405)
    /// Extra members of the body (`errors`, `allowed`), from Error::extensions().
    nlohmann::json extensions = nlohmann::json::object();
    /// The stable machine key (`code` of the body); empty: the one of the status.
    std::string code;
};

/// Maps a caught exception to a problem: InvalidInput 400, Unauthenticated 401, Forbidden 403,
/// NotFound 404, Conflict 409, PreconditionFailed 412, TooLarge 413, Unsupported 415,
/// Unprocessable (and InvalidGeometry) 422, PreconditionRequired 428, TooManyRequests 429
/// (+ Retry-After), StorageBusy 503 (+ Retry-After), anything else 500.
/// For a 500 the exception text never reaches the client: it is logged to stderr together
/// with `request_id`, and the detail only names the request id.
/// @pre `error` is not null.
Problem problem_for(const std::exception_ptr& error, const std::string& request_id);

/// The standard reason phrase for `status`, used as the problem `title`.
std::string status_title(int status);

/// The `application/problem+json` body: type, title, status, code, detail, instance,
/// request_id.
/// Bytes that are not valid UTF-8 (a raw request path may contain them) are replaced.
std::string problem_json(const Problem& problem, const std::string& instance,
                         const std::string& request_id);

/// Writes `problem` as the response, with `Retry-After` / `Allow` when the problem has them;
/// to a HEAD request (answer.hpp) the same head without the body. Never throws: it is the
/// last resort of every handler.
void send_problem(Pistache::Http::ResponseWriter& writer, const Problem& problem,
                  const std::string& instance, const std::string& request_id) noexcept;

}  // namespace leerstand::http
