// Unit tests of the one mapping from the error tree to HTTP problems.

#include "server/http/problem.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/error.hpp"
#include "common/field_errors.hpp"

namespace leerstand::http {
namespace {

template <typename E>
Problem problem_of(const std::string& message) {
    return problem_for(std::make_exception_ptr(E(message)), "req-1");
}

TEST(ProblemFor, MapsEachErrorKindToItsStatusWithTheMessageAsDetail) {
    EXPECT_EQ(problem_of<InvalidInput>("bad bbox").status, 400);
    EXPECT_EQ(problem_of<NotFound>("no such id").status, 404);
    EXPECT_EQ(problem_of<Conflict>("stale version").status, 409);
    EXPECT_EQ(problem_of<Unsupported>("not a shapefile").status, 415);
    EXPECT_EQ(problem_of<InvalidGeometry>("missing .prj").status, 422);
    EXPECT_EQ(problem_of<InvalidInput>("bad bbox").detail, "bad bbox");
    EXPECT_EQ(problem_of<InvalidGeometry>("missing .prj").detail, "missing .prj");
    EXPECT_FALSE(problem_of<NotFound>("x").retry_after_seconds.has_value());
}

TEST(ProblemFor, StorageBusyAsksTheClientToRetry) {
    const Problem problem = problem_of<StorageBusy>("the database is busy");
    EXPECT_EQ(problem.status, 503);
    ASSERT_TRUE(problem.retry_after_seconds.has_value());
    EXPECT_GT(*problem.retry_after_seconds, 0);
}

TEST(ProblemFor, InternalTextNeverBecomesTheDetail) {
    testing::internal::CaptureStderr();
    const Problem internal = problem_of<InternalError>("SQLite error: no such table: users");
    const Problem foreign = problem_of<std::runtime_error>("std::bad_thing at 0xdeadbeef");
    const Problem unknown = problem_for(std::make_exception_ptr(42), "req-1");
    const std::string log = testing::internal::GetCapturedStderr();

    for (const Problem& problem : {internal, foreign, unknown}) {
        EXPECT_EQ(problem.status, 500);
        EXPECT_NE(problem.detail.find("req-1"), std::string::npos) << problem.detail;
    }
    EXPECT_EQ(internal.detail.find("no such table"), std::string::npos);
    EXPECT_EQ(foreign.detail.find("0xdeadbeef"), std::string::npos);
    // ... but the log keeps it, under the request id.
    EXPECT_NE(log.find("req-1"), std::string::npos) << log;
    EXPECT_NE(log.find("no such table: users"), std::string::npos) << log;
    EXPECT_NE(log.find("0xdeadbeef"), std::string::npos) << log;
}

TEST(ProblemJson, HasTheRfc9457Members) {
    Problem problem;
    problem.status = 404;
    problem.detail = "no file is served at this path";
    const auto body = nlohmann::json::parse(problem_json(problem, "/x", "req-7"));
    EXPECT_EQ(body.at("type"), "about:blank");
    EXPECT_EQ(body.at("title"), "Not Found");
    EXPECT_EQ(body.at("status"), 404);
    EXPECT_EQ(body.at("detail"), "no file is served at this path");
    EXPECT_EQ(body.at("instance"), "/x");
    EXPECT_EQ(body.at("request_id"), "req-7");
    EXPECT_EQ(body.at("code"), "not_found");
}

TEST(ProblemFor, EveryErrorCarriesAStableCodeItsThrowerOrItsKindGives) {
    EXPECT_EQ(problem_of<InvalidInput>("bad bbox").code, "invalid_input");
    EXPECT_EQ(problem_of<InvalidGeometry>("missing .prj").code, "invalid_geometry");
    EXPECT_EQ(problem_of<Unprocessable>("no such move").code, "unprocessable");
    EXPECT_EQ(problem_of<UriTooLong>("long").code, "uri_too_long");
    EXPECT_EQ(problem_of<StorageBusy>("busy").code, "busy");
    const Problem named = problem_for(
        std::make_exception_ptr(NotFound(ErrorCode{"no_such_upload"}, "no upload 7")), "req-1");
    EXPECT_EQ(named.status, 404);
    EXPECT_EQ(named.code, "no_such_upload");
    const Problem stale = problem_for(
        std::make_exception_ptr(PreconditionFailed::stale("vacancy", 1, 3, 2)), "req-1");
    EXPECT_EQ(stale.code, "stale_version");
    EXPECT_EQ(nlohmann::json::parse(problem_json(named, "/u", "req-1")).at("code"),
              "no_such_upload");
}

TEST(ProblemFor, FieldErrorsHaveOneShapeWithACodePerField) {
    FieldErrors errors;
    errors.add("status", field_code::k_not_one_of, "unknown status 'x'");
    errors.add("vacant_since", field_code::k_in_the_future, "vacant_since lies in the future");
    errors.add("kommune_ags", field_code::k_not_an_ags, "kommune_ags must be an AGS");
    const Problem problem =
        problem_for(std::make_exception_ptr(errors.error("invalid vacancy")), "req-1");
    const auto body = nlohmann::json::parse(problem_json(problem, "/v", "req-1"));
    EXPECT_EQ(body.at("status"), 400);
    EXPECT_EQ(body.at("code"), "invalid_fields");
    EXPECT_EQ(body.at("detail"),
              "invalid vacancy: unknown status 'x' (and 2 more problems, see errors)");
    ASSERT_EQ(body.at("errors").size(), 3u);
    EXPECT_EQ(body.at("errors")[1],
              (nlohmann::json{{"field", "vacant_since"},
                              {"code", "in_the_future"},
                              {"message", "vacant_since lies in the future"}}));
    const auto lone = nlohmann::json::parse(problem_json(
        problem_for(std::make_exception_ptr(field_error("srs", field_code::k_invalid_value,
                                                        "srs must be an EPSG code")),
                    "req-1"),
        "/u", "req-1"));
    EXPECT_EQ(lone.at("detail"), "srs must be an EPSG code");
    EXPECT_EQ(lone.at("code"), "invalid_fields");
    EXPECT_EQ(lone.at("errors")[0].at("code"), "invalid_value");
}

TEST(ProblemJson, InvalidUtf8InTheInstanceDoesNotThrow) {
    Problem problem;
    problem.status = 400;
    problem.detail = "bad";
    std::string body;
    ASSERT_NO_THROW(body = problem_json(problem, "/\xff\xfe", "req-8"));
    EXPECT_TRUE(nlohmann::json::accept(body)) << body;
}

}  // namespace
}  // namespace leerstand::http
