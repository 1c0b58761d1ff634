// The stable machine codes of problem answers (docs/http.md, "Error codes"), as a client gets
// them from the real server: the top-level `code` and, for field errors, `errors[].code`.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

class ErrorCodes : public AtlasServerTest {
  protected:
    /// The problem `response` carries, after checking its status and media type.
    static json problem(const HttpResponse& response, int status) {
        EXPECT_EQ(response.status, status) << response.body;
        EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
        return parse_json(response);
    }

    /// Checks an `invalid_fields` answer whose first error is `field` with `code`.
    static void expect_field_error(const HttpResponse& response, const std::string& field,
                                   const std::string& code) {
        const json body = problem(response, 400);
        EXPECT_EQ(body.value("code", ""), "invalid_fields") << response.body;
        ASSERT_TRUE(body.contains("errors") && !body["errors"].empty()) << response.body;
        EXPECT_EQ(body["errors"][0].value("field", "?"), field) << response.body;
        EXPECT_EQ(body["errors"][0].value("code", ""), code) << response.body;
        EXPECT_FALSE(body["errors"][0].value("message", "").empty()) << response.body;
    }

    HttpResponse login_with(const std::string& body) {
        return http_request(port(), "POST", "/api/login", {{"Content-Type", "application/json"}},
                            body);
    }

    HttpResponse post_form(const std::string& content_type, const std::string& body) {
        return with_retry([&] {
            return http_request(port(), "POST", "/api/uploads",
                                {{"Content-Type", content_type},
                                 {"Authorization", "Bearer " + m_tokens[Who::Editor]}},
                                body, std::chrono::seconds(60));
        });
    }
};

TEST_F(ErrorCodes, QueryParametersAnswerInvalidFieldsWithTheCodeOfEachProblem) {
    const auto get = [&](const std::string& target) { return call(Who::Anonymous, "GET", target); };
    expect_field_error(get("/collections/buildings/items?bbox=a,b,c,d"), "bbox", "invalid_value");
    expect_field_error(get("/collections/buildings/items?bbox=0,0,200,10"), "bbox", "out_of_range");
    expect_field_error(get("/collections/vacancies/items?limit=0"), "limit", "out_of_range");
    expect_field_error(get("/collections/kommunen/items?kommune=12x"), "kommune", "not_an_ags");
    expect_field_error(get("/collections/zukunftsorte/items?datetime=2024-02-30"), "datetime",
                       "not_a_date");
    expect_field_error(get("/collections/buildings/items?status=gemeldet"), "status",
                       "not_applicable");
    expect_field_error(get("/export/buildings.geojson?limit=5"), "limit", "not_applicable");

    // Every problem at once, each with its own code.
    const json both = problem(get("/collections/buildings/items?limit=ten&bbox=1,2,3"), 400);
    ASSERT_EQ(both["errors"].size(), 2u) << both;
    EXPECT_EQ(both["errors"][0]["code"], "invalid_value");
    EXPECT_EQ(both["errors"][1]["code"], "invalid_value");
    EXPECT_NE(both["detail"].get<std::string>().find("and 1 more problem"), std::string::npos)
        << both;
}

TEST_F(ErrorCodes, UnknownCollectionsAndKommunenHaveTheirOwnCodes) {
    for (const std::string target : {"/collections/parcels", "/collections/parcels/items",
                                     "/collections/parcels/tiles", "/export/parcels.geojson"}) {
        const json body = problem(call(Who::Admin, "GET", target), 404);
        EXPECT_EQ(body.value("code", ""), "unknown_collection") << target << ": " << body;
    }
    const json kommune =
        problem(call(Who::Anonymous, "GET", "/api/kommunen/99999999/summary"), 404);
    EXPECT_EQ(kommune.value("code", ""), "unknown_kommune") << kommune;
}

TEST_F(ErrorCodes, SignInTellsABadBodyFromWrongCredentials) {
    expect_field_error(login_with(json{{"name", "anna"}}.dump()), "password", "required");
    expect_field_error(login_with(json{{"name", 7}, {"password", "x"}}.dump()), "name",
                       "wrong_type");
    expect_field_error(login_with("[]"), "", "wrong_type");

    const json wrong = problem(
        login_with(json{{"name", user_name(Who::Editor)}, {"password", "wrong-password-1"}}.dump()),
        401);
    EXPECT_EQ(wrong.value("code", ""), "wrong_credentials") << wrong;
}

TEST_F(ErrorCodes, UploadsNameTheFieldTheFileOrTheFraming) {
    const std::string geojson = R"({"type":"FeatureCollection","features":[]})";
    const auto upload = [&](const std::string& kommune, const std::string& layer,
                            const std::string& file_name, const std::string& content) {
        const MultipartBody form =
            multipart({{"kommune", kommune}, {"layer", layer}}, file_name, content);
        return post_form(form.content_type, form.body);
    };
    expect_field_error(upload(k_home_ags, "parcels", "a.geojson", geojson), "layer", "not_one_of");
    const MultipartBody without_kommune = multipart({{"layer", "buildings"}}, "a.geojson", geojson);
    expect_field_error(post_form(without_kommune.content_type, without_kommune.body), "kommune",
                       "required");
    const MultipartBody twice =
        multipart({{"layer", "buildings"}, {"layer", "buildings"}}, "a.geojson", geojson);
    expect_field_error(post_form(twice.content_type, twice.body), "layer", "duplicate");
    expect_field_error(upload(k_home_ags, "buildings", "haus.shp",
                              std::string("\x00\x00\x27\x0a", 4) + std::string(96, '\0')),
                       "file", "incomplete_shapefile");

    // A zip whose directory is missing: the file is at fault, not a field.
    const json damaged = problem(upload(k_home_ags, "buildings", "gebaeude.zip",
                                        std::string("PK\x03\x04", 4) + std::string(200, 'x')),
                                 400);
    EXPECT_EQ(damaged.value("code", ""), "unreadable_upload") << damaged;

    // A body that is not multipart framing at all.
    const json malformed =
        problem(post_form("multipart/form-data; boundary=XyZ", "no boundary in here"), 400);
    EXPECT_EQ(malformed.value("code", ""), "malformed_multipart") << malformed;
    EXPECT_FALSE(malformed.contains("errors")) << malformed;
}

}  // namespace
}  // namespace leerstand::test
