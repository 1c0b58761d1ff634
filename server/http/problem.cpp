#include "server/http/problem.hpp"

#include <pistache/http.h>
#include <pistache/http_headers.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/text.hpp"
#include "server/http/transport/answer.hpp"
#include "server/http/transport/headers.hpp"

namespace leerstand::http {

namespace {

// Seconds a client should wait before retrying when the store is busy: the store's busy timeout
// has already expired once, so an immediate retry would likely fail again.
constexpr int k_busy_retry_after_seconds = 2;

Problem internal_problem(const std::string& request_id, const std::string& log_text) {
    // One write per line, so lines of concurrent workers do not interleave.
    std::cerr << ("leerstand: request " + request_id + ": internal error: " + log_text + "\n")
              << std::flush;
    return Problem{
        500,
        "an internal error occurred; the server log has the details under request id " + request_id,
        std::nullopt,
        std::nullopt,
        nlohmann::json::object(),
        "internal"};
}

/// The status of an error's kind; its code is the kind's too unless the thrower named one
/// (Error::stable_code).
int status_of(const Error& error) {
    // Most specific first: UriTooLong is a TooLarge, InvalidGeometry an Unprocessable.
    if (dynamic_cast<const InvalidInput*>(&error)) return 400;
    if (dynamic_cast<const Unauthenticated*>(&error)) return 401;
    if (dynamic_cast<const Forbidden*>(&error)) return 403;
    if (dynamic_cast<const NotFound*>(&error)) return 404;
    if (dynamic_cast<const Conflict*>(&error)) return 409;
    if (dynamic_cast<const PreconditionFailed*>(&error)) return 412;
    if (dynamic_cast<const UriTooLong*>(&error)) return 414;
    if (dynamic_cast<const HeadersTooLarge*>(&error)) return 431;
    if (dynamic_cast<const TooLarge*>(&error)) return 413;
    if (dynamic_cast<const Unsupported*>(&error)) return 415;
    if (dynamic_cast<const Unprocessable*>(&error)) return 422;
    if (dynamic_cast<const PreconditionRequired*>(&error)) return 428;
    if (dynamic_cast<const MailNotSent*>(&error)) return 502;
    return 500;
}

Problem problem_of(const Error& error, int status,
                   std::optional<int> retry_after_seconds = std::nullopt) {
    return Problem{status,       error.what(),       retry_after_seconds,
                   std::nullopt, error.extensions(), error.stable_code()};
}

}  // namespace

Problem problem_for(const std::exception_ptr& error, const std::string& request_id) {
    try {
        std::rethrow_exception(error);
    } catch (const TooManyRequests& e) {
        return problem_of(e, 429, e.retry_after_seconds());
    } catch (const StorageBusy& e) {
        return problem_of(e, 503, k_busy_retry_after_seconds);
    } catch (const InternalError& e) {
        return internal_problem(request_id, e.what());
    } catch (const Error& e) {
        const int status = status_of(e);
        if (status == 500) return internal_problem(request_id, e.what());
        return problem_of(e, status);
    } catch (const std::exception& e) {
        // InternalError and anything foreign: the text may carry library internals.
        return internal_problem(request_id, e.what());
    } catch (...) {
        return internal_problem(request_id, "unknown exception");
    }
}

std::string status_code(int status) {
    switch (status) {
        case 400:
            return "invalid_input";
        case 404:
            return "not_found";
        case 405:
            return "method_not_allowed";
        case 413:
            return "too_large";
        case 414:
            return "uri_too_long";
        case 431:
            return "headers_too_large";
        case 503:
            return "busy";
        default:
            return status >= 500 ? "internal" : "error";
    }
}

std::string status_title(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 409:
            return "Conflict";
        case 412:
            return "Precondition Failed";
        case 428:
            return "Precondition Required";
        case 429:
            return "Too Many Requests";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 431:
            return "Request Header Fields Too Large";
        case 415:
            return "Unsupported Media Type";
        case 422:
            return "Unprocessable Content";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 500:
            return "Internal Server Error";
        default:
            return "Error";
    }
}

namespace {

// An error body stays small whatever the request held: messages may quote what the client sent
// (an unknown property name, a bad value), and a list names every field at fault.
constexpr std::size_t k_max_problem_text = 300;  // characters of any one text
constexpr std::size_t k_max_problem_list = 50;   // entries of any one list

/// Shortens every text in `value` and every list below the top level's lists.
void shorten_texts(nlohmann::json& value) {
    if (value.is_string()) {
        value = utf8_shortened(value.get_ref<const std::string&>(), k_max_problem_text);
    } else if (value.is_structured()) {
        for (auto& member : value) shorten_texts(member);
    }
}

}  // namespace

std::string problem_json(const Problem& problem, const std::string& instance,
                         const std::string& request_id) {
    nlohmann::json body = {
        // about:blank: the status code says all; RFC 9457 §4.2.1.
        {"type", "about:blank"},
        {"title", status_title(problem.status)},
        {"status", problem.status},
        {"code", problem.code.empty() ? status_code(problem.status) : problem.code},
        {"detail", problem.detail},
        {"instance", instance},
        {"request_id", request_id},
    };
    // Extensions never replace the standard members; a long list keeps its first entries and
    // says how many it left out (`errors_omitted`).
    for (const auto& [name, value] : problem.extensions.items()) {
        if (body.contains(name)) continue;
        if (value.is_array() && value.size() > k_max_problem_list) {
            body[name] = nlohmann::json(
                value.begin(), value.begin() + static_cast<std::ptrdiff_t>(k_max_problem_list));
            body[name + "_omitted"] = value.size() - k_max_problem_list;
        } else {
            body[name] = value;
        }
    }
    shorten_texts(body);
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void send_problem(Pistache::Http::ResponseWriter& writer, const Problem& problem,
                  const std::string& instance, const std::string& request_id) noexcept {
    using namespace Pistache;
    try {
        if (problem.retry_after_seconds)
            set_header(writer, "Retry-After", std::to_string(*problem.retry_after_seconds));
        if (problem.allow) set_header(writer, "Allow", *problem.allow);
        send_answer(writer, static_cast<Http::Code>(problem.status),
                    problem_json(problem, instance, request_id), "application/problem+json");
    } catch (const std::exception& e) {
        // Nothing left to tell the client; the connection will time out or close.
        std::cerr << ("leerstand: request " + request_id +
                      ": could not send the error response: " + e.what() + "\n")
                  << std::flush;
    } catch (...) {
        std::cerr << ("leerstand: request " + request_id + ": could not send the error response\n")
                  << std::flush;
    }
}

}  // namespace leerstand::http
