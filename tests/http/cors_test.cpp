// Cross-origin use (CORS, issue 21): any page may read what the public sees, a script of another
// origin may write with its token, and nothing ever grants a page of another origin what a
// browser's signed-in user sees (no `Access-Control-Allow-Credentials`, no cookie-borne writes).
// The real server over real sockets; tests/browser/reuse.test.mjs checks the same in Chromium.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"
#include "tests/http/http_client.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

const std::string k_foreign_origin = "https://karte.example.org";

class CrossOrigin : public AtlasServerTest {
  protected:
    /// `Cookie: name=value` of a fresh sign-in of the editor.
    std::string editor_session_cookie() {
        const HttpResponse signed_in = http_request(
            port(), "POST", "/api/login", {{"Content-Type", "application/json"}},
            json{{"name", user_name(Who::Editor)}, {"password", password(Who::Editor)}}.dump());
        EXPECT_EQ(signed_in.status, 200) << signed_in.body;
        const std::string set_cookie = signed_in.header("Set-Cookie");
        return set_cookie.substr(0, set_cookie.find(';'));
    }

    /// A preflight of `method` with `headers` from the foreign origin.
    HttpResponse preflight(const std::string& target, const std::string& method,
                           const std::string& headers) {
        return http_request(port(), "OPTIONS", target,
                            {{"Origin", k_foreign_origin},
                             {"Access-Control-Request-Method", method},
                             {"Access-Control-Request-Headers", headers}},
                            std::nullopt);
    }

    std::string new_vacancy() const {
        return vacancy_feature(building_point(k_home_ags), {{"status", "gemeldet"}}).dump();
    }
};

TEST_F(CrossOrigin, PublicReadsMayBeReadByAnyOriginWithoutCredentials) {
    const std::vector<std::string> targets = {
        "/?f=json",
        "/conformance",
        "/collections",
        "/collections/buildings",
        "/collections/buildings/items?limit=2",
        "/collections/kommunen/items/" + k_home_ags,
        "/collections/buildings/tiles",
        "/tiles/buildings.json",
        "/api/summary",
        "/api/kommunen/" + k_home_ags + "/summary",
        "/api",
        "/collections/gibt-es-nicht",  // a problem too: a script should read why
    };
    for (const std::string& target : targets) {
        for (const char* method : {"GET", "HEAD"}) {
            SCOPED_TRACE(std::string(method) + " " + target);
            const HttpResponse answer =
                http_request(port(), method, target, {{"Origin", k_foreign_origin}}, std::nullopt);
            EXPECT_NE(answer.status, 0);
            EXPECT_EQ(answer.header("Access-Control-Allow-Origin"), "*");
            EXPECT_EQ(answer.header("Access-Control-Allow-Credentials"), "");
            const std::string exposed = answer.header("Access-Control-Expose-Headers");
            for (const char* header : {"ETag", "Location", "Link", "Content-Crs", "Retry-After"})
                EXPECT_NE(exposed.find(header), std::string::npos) << header << " in " << exposed;
        }
    }
}

TEST_F(CrossOrigin, PreflightsAnswerWhatThePathServesAndNeverGrantCredentials) {
    const HttpResponse items =
        preflight("/collections/vacancies/items", "POST", "authorization, content-type");
    EXPECT_EQ(items.status, 204) << items.body;
    EXPECT_EQ(items.body, "");
    EXPECT_EQ(items.header("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(items.header("Access-Control-Allow-Methods"), "GET, HEAD, POST");
    EXPECT_EQ(items.header("Allow"), "GET, HEAD, POST");
    const std::string allowed_headers = items.header("Access-Control-Allow-Headers");
    for (const char* header : {"Authorization", "Content-Type", "If-Match", "If-None-Match"})
        EXPECT_NE(allowed_headers.find(header), std::string::npos) << header;
    EXPECT_GT(std::stoi(items.header("Access-Control-Max-Age")), 0);
    EXPECT_EQ(items.header("Access-Control-Allow-Credentials"), "");

    const HttpResponse item = preflight("/collections/vacancies/items/1", "PATCH", "if-match");
    EXPECT_EQ(item.status, 204);
    EXPECT_EQ(item.header("Access-Control-Allow-Methods"), "GET, HEAD, PUT, PATCH, DELETE");
    // The account's paths answer too (a browser must learn that they are no use to it); they
    // grant no credentials either, so a credentialed request of another page fails its preflight.
    for (const char* path : {"/api/me", "/api/login", "/api/logout", "/api/uploads"}) {
        SCOPED_TRACE(path);
        const HttpResponse answer = preflight(path, "POST", "content-type");
        EXPECT_EQ(answer.status, 204);
        EXPECT_EQ(answer.header("Access-Control-Allow-Credentials"), "");
    }
    EXPECT_EQ(preflight("/api/me", "GET", "authorization").header("Access-Control-Allow-Methods"),
              "GET, HEAD");
    // A plain OPTIONS (no preflight) names the methods only.
    const HttpResponse plain = http_request(port(), "OPTIONS", "/health");
    EXPECT_EQ(plain.status, 204);
    EXPECT_EQ(plain.header("Allow"), "GET, HEAD");
    EXPECT_EQ(plain.header("Access-Control-Allow-Methods"), "");
}

TEST_F(CrossOrigin, AScriptOfAnotherOriginWritesWithItsTokenButNeverWithACookie) {
    const std::string count_sql = "SELECT count(*) FROM vacancies";
    const std::string before = spatial_sql(db(), count_sql);
    const HeaderList foreign = {{"Origin", k_foreign_origin},
                                {"Sec-Fetch-Site", "cross-site"},
                                {"Content-Type", "application/geo+json"}};

    // The token alone: what the token may do.
    HeaderList with_token = foreign;
    with_token.emplace_back("Authorization", "Bearer " + m_tokens.at(Who::Editor));
    const HttpResponse created =
        http_request(port(), "POST", "/collections/vacancies/items", with_token, new_vacancy());
    EXPECT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.header("Access-Control-Allow-Origin"), "*");
    EXPECT_FALSE(created.header("Location").empty());

    // A browser's session cookie is no authority from another origin, with a token beside it
    // or not (the cookie's user might be another than the token's).
    const std::string cookie = editor_session_cookie();
    HeaderList with_cookie = foreign;
    with_cookie.emplace_back("Cookie", cookie);
    HeaderList with_both = with_token;
    with_both.emplace_back("Cookie", cookie);
    for (const HeaderList& refused_headers : {with_cookie, with_both}) {
        const HttpResponse refused = http_request(port(), "POST", "/collections/vacancies/items",
                                                  refused_headers, new_vacancy());
        EXPECT_EQ(refused.status, 403) << refused.body;
        EXPECT_EQ(parse_json(refused).value("code", ""), "forbidden");
    }
    // Nor may another origin end the browser's session.
    HeaderList logout = with_both;
    EXPECT_EQ(http_request(port(), "POST", "/api/logout", logout, std::string()).status, 403);
    EXPECT_EQ(parse_json(http_request(port(), "GET", "/api/me", {{"Cookie", cookie}}, {}))
                  .value("signed_in", false),
              true);

    EXPECT_EQ(std::stoi(spatial_sql(db(), count_sql)), std::stoi(before) + 1)
        << "only the token's write is stored";
}

}  // namespace
}  // namespace leerstand::test
