// The write side over real HTTP: roles, privacy, optimistic concurrency, lifecycle and sign-in,
// against the real `leerstand serve` on a demo database with users made by the real CLI.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

const std::vector<Who> k_everyone = {Who::Anonymous, Who::EditorOther, Who::Editor, Who::Planner,
                                     Who::Admin};

// ---------------------------------------------------------------------------------------------
// Authorization matrix

/// One row: a request (made fresh for every caller, so each write has a current ETag) and the
/// status expected for anonymous, editor of another Kommune, editor, planner, admin.
struct MatrixRow {
    std::string name;
    std::function<HttpResponse(Who)> send;
    std::array<int, 5> expected;
};

class AuthorizationMatrix : public AtlasServerTest {};

TEST_F(AuthorizationMatrix, EveryEndpointWithEveryRoleGivesTheExpectedStatus) {
    const json hidden_props = {{"status", "gemeldet"}, {"use", "wohnen"}};
    const json public_props = {
        {"status", "bestaetigt"}, {"use", "laden"}, {"consent_publish", true}};
    const std::int64_t hidden = create_vacancy(hidden_props, k_home_ags, 0);
    const std::int64_t published = create_vacancy(public_props, k_home_ags, 1);
    ASSERT_GT(hidden, 0);
    ASSERT_GT(published, 0);
    const std::string hidden_path = "/collections/vacancies/items/" + std::to_string(hidden);
    const std::string published_path = "/collections/vacancies/items/" + std::to_string(published);

    const json place = vacancy_feature(building_point(k_home_ags, 2),
                                       {{"name", "Kulturscheune"}, {"kind", "kultur"}});
    const HttpResponse place_created =
        call(Who::Admin, "POST", "/collections/zukunftsorte/items", place);
    ASSERT_EQ(place_created.status, 201) << place_created.body;
    const std::string place_path = place_created.header("Location");
    ASSERT_FALSE(place_path.empty());

    auto call_form = [this](Who who, const MultipartBody& form) {
        HeaderList headers = {{"Content-Type", form.content_type}};
        if (who != Who::Anonymous) headers.emplace_back("Authorization", "Bearer " + m_tokens[who]);
        return with_retry(
            [&] { return http_request(port(), "POST", "/api/uploads", headers, form.body); });
    };
    const HttpResponse first_upload =
        call_form(Who::Admin, multipart({{"kommune", k_home_ags}}, "leer.geojson",
                                        R"({"type":"FeatureCollection","features":[]})"));
    ASSERT_EQ(first_upload.status, 202) << first_upload.body;
    const std::string upload_path = first_upload.header("Location");

    int building = 10;  // each create uses another building, each delete its own vacancy
    auto fresh_vacancy = [&](Who) {
        return "/collections/vacancies/items/" +
               std::to_string(create_vacancy(hidden_props, k_home_ags, building++));
    };
    auto write = [&](const std::string& method, const std::string& path, const json& body) {
        return [=, this](Who who) {
            const std::string target = path.empty() ? fresh_vacancy(who) : path;
            return call(
                who, method, target, method == "DELETE" ? std::nullopt : std::optional(body),
                {{"If-Match", etag_of(target)}},
                method == "PATCH" ? "application/merge-patch+json" : "application/geo+json");
        };
    };
    auto get = [this](const std::string& path) {
        return [=, this](Who who) { return call(who, "GET", path); };
    };

    const std::vector<MatrixRow> rows = {
        {"GET vacancies", get("/collections/vacancies/items"), {200, 200, 200, 200, 200}},
        {"GET unconsented vacancy", get(hidden_path), {404, 404, 200, 200, 200}},
        {"GET published vacancy", get(published_path), {200, 200, 200, 200, 200}},
        // A record the caller may not read is missing for it: 404, as for an unknown id.
        {"GET history", get(hidden_path + "/history"), {401, 404, 200, 200, 200}},
        {"POST vacancy",
         [&](Who who) {
             return call(
                 who, "POST", "/collections/vacancies/items",
                 vacancy_feature(building_point(k_home_ags, building++), {{"status", "gemeldet"}}));
         },
         {401, 403, 201, 403, 201}},
        {"PATCH vacancy",
         write("PATCH", hidden_path, {{"properties", {{"use", "gewerbe"}}}}),
         {401, 404, 200, 403, 200}},
        {"PUT vacancy",
         write("PUT", hidden_path,
               vacancy_feature(building_point(k_home_ags, 0), {{"status", "gemeldet"}})),
         {401, 404, 200, 403, 200}},
        {"DELETE vacancy", write("DELETE", "", {}), {401, 404, 204, 403, 204}},
        {"GET zukunftsorte", get("/collections/zukunftsorte/items"), {200, 200, 200, 200, 200}},
        {"GET zukunftsort", get(place_path), {200, 200, 200, 200, 200}},
        {"POST zukunftsort",
         [&](Who who) {
             return call(who, "POST", "/collections/zukunftsorte/items",
                         vacancy_feature(building_point(k_home_ags, building++),
                                         {{"name", "Laden im Dorf"}}));
         },
         {401, 403, 201, 403, 201}},
        {"PATCH zukunftsort",
         write("PATCH", place_path, {{"properties", {{"kind", "handel"}}}}),
         {401, 403, 200, 403, 200}},
        {"PUT zukunftsort",
         write("PUT", place_path,
               vacancy_feature(building_point(k_home_ags, 2), {{"name", "Kulturscheune"}})),
         {401, 403, 200, 403, 200}},
        {"DELETE zukunftsort",
         [&](Who who) {
             const HttpResponse made =
                 call(Who::Admin, "POST", "/collections/zukunftsorte/items",
                      vacancy_feature(building_point(k_home_ags, building++), {{"name", "Weg"}}));
             const std::string path = made.header("Location");
             return call(who, "DELETE", path, std::nullopt, {{"If-Match", etag_of(path)}});
         },
         {401, 403, 204, 403, 204}},
        {"POST upload",
         [&](Who who) {
             const MultipartBody form =
                 multipart({{"kommune", k_home_ags}, {"layer", "buildings"}}, "leer.geojson",
                           R"({"type":"FeatureCollection","features":[]})");
             return call_form(who, form);
         },
         {401, 403, 202, 403, 202}},
        {"GET upload",
         [&](Who who) { return call(who, "GET", upload_path); },
         {401, 404, 200, 200, 200}},
        {"GET me", get("/api/me"), {200, 200, 200, 200, 200}},
        {"GET health", get("/health"), {200, 200, 200, 200, 200}},
        {"POST logout",
         [&](Who who) {
             return call(who, "POST", "/api/logout", json::object(), {}, "application/json");
         },
         {204, 204, 204, 204, 204}},
    };

    for (const MatrixRow& row : rows)
        for (std::size_t i = 0; i < k_everyone.size(); ++i) {
            const HttpResponse response = row.send(k_everyone[i]);
            EXPECT_EQ(response.status, row.expected[i])
                << row.name << " as " << who_name(k_everyone[i]) << ": " << response.body;
            if (response.status >= 400) {
                EXPECT_EQ(response.header("Content-Type"), "application/problem+json")
                    << row.name << " as " << who_name(k_everyone[i]);
            }
        }
}

TEST_F(AuthorizationMatrix, ABadBearerTokenIsRefusedEvenForPublicReads) {
    const HttpResponse response =
        http_request(port(), "GET", "/collections/vacancies/items",
                     {{"Authorization", "Bearer lsa_not-a-real-token"}}, std::nullopt);
    EXPECT_EQ(response.status, 401) << response.body;
}

TEST_F(AuthorizationMatrix, ARevokedTokenStopsWorkingAtOnce) {
    ASSERT_EQ(call(Who::Editor, "GET", "/api/me").status, 200);
    const CommandResult revoked =
        run_leerstand({"token", "revoke", "--token", m_tokens[Who::Editor], "--db", db().string()});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    EXPECT_EQ(call(Who::Editor, "GET", "/api/me").status, 401);
    EXPECT_EQ(call(Who::Editor, "POST", "/collections/vacancies/items",
                   vacancy_feature(building_point(k_home_ags), {{"status", "gemeldet"}}))
                  .status,
              401);
}

// ---------------------------------------------------------------------------------------------
// Privacy crawl

class PrivacyCrawl : public AtlasServerTest {};

const std::vector<std::string> k_statuses = {"gemeldet",  "bestaetigt", "in_aktivierung",
                                             "aktiviert", "abgerissen", "kein_leerstand"};

TEST_F(PrivacyCrawl, NoUnconsentedVacancyAndNoPrivateFieldReachesThePublicAnywhere) {
    // Every combination of consent and status, in two Kommunen, with private values that are
    // easy to find in any response body.
    std::set<std::int64_t> unconsented_home, consented;
    int building = 0;
    for (const std::string& ags : {k_home_ags, k_other_ags})
        for (const std::string& status : k_statuses)
            for (bool consent : {false, true}) {
                const std::int64_t id = create_vacancy(
                    {{"status", status},
                     {"use", "wohnen"},
                     {"owner_type", "gewerblich"},
                     {"owner_contact", "PRIVATE-CONTACT Frau Muster 0170-1234"},
                     {"internal_notes", "PRIVATE-NOTE Eigentümer verstorben"},
                     {"consent_publish", consent},
                     {"public_description", consent ? "Schönes Haus" : "UNPUBLISHED-TEXT"}},
                    ags, building++);
                ASSERT_GT(id, 0);
                (consent ? consented : unconsented_home).insert(id);
            }
    // A Zukunftsort that came from an unconsented vacancy must not reveal that vacancy.
    const std::int64_t source =
        create_vacancy({{"status", "in_aktivierung"}, {"owner_contact", "PRIVATE-CONTACT source"}},
                       k_home_ags, building++);
    const HttpResponse place =
        call(Who::Admin, "POST", "/collections/zukunftsorte/items",
             vacancy_feature(building_point(k_home_ags, building++),
                             {{"name", "Café am Markt"}, {"vacancy_id", source}}));
    ASSERT_EQ(place.status, 201) << place.body;
    unconsented_home.insert(source);

    const std::int64_t max_id = *unconsented_home.rbegin();
    std::vector<std::string> public_targets = {
        "/collections/vacancies/items?limit=10000",
        "/collections/vacancies/items?kommune=" + k_home_ags,
        "/collections/vacancies/items?status=gemeldet",
        "/collections/zukunftsorte/items?limit=10000",
        "/collections/vacancies/items?use=wohnen",
        "/collections/kommunen/items?kommune=" + k_home_ags,
        "/collections/kommunen/items/" + k_home_ags,
        "/export/vacancies.geojson",
        "/export/vacancies.csv",
        "/export/vacancies.gpkg",
        "/export/vacancies.geojson?kommune=" + k_home_ags,
        "/export/zukunftsorte.geojson",
        "/export/zukunftsorte.csv",
        "/export/kommunen.geojson",
        "/api/summary",
        "/api/kommunen/" + k_home_ags + "/summary",
        "/api/me",
        "/health",
    };
    for (std::int64_t id = 1; id <= max_id + 1; ++id) {
        public_targets.push_back("/collections/vacancies/items/" + std::to_string(id));
        public_targets.push_back("/collections/vacancies/items/" + std::to_string(id) + "/history");
    }
    for (std::int64_t id = 1; id <= 3; ++id)
        public_targets.push_back("/collections/zukunftsorte/items/" + std::to_string(id));

    for (Who who : {Who::Anonymous, Who::EditorOther}) {
        std::size_t bodies = 0;
        for (const std::string& target : public_targets) {
            const HttpResponse response = call(who, "GET", target);
            ++bodies;
            const std::string where = std::string(who_name(who)) + " GET " + target;
            // A refused list or export would make the crawl pass without looking at anything.
            if (target.rfind("/export/", 0) == 0 || target.find("/items?") != std::string::npos) {
                EXPECT_EQ(response.status, 200) << where << ": " << response.body;
            }
            for (const char* secret : {"PRIVATE-", "UNPUBLISHED-TEXT", "owner_type",
                                       "owner_contact", "internal_notes", "\"author\""}) {
                // The editor of Herzberg may see Herzberg's private data, not Angermünde's.
                if (who == Who::EditorOther && response.body.find(k_other_ags) != std::string::npos)
                    continue;
                EXPECT_EQ(response.body.find(secret), std::string::npos)
                    << where << " shows " << secret;
            }
            const json body = json::parse(response.body, nullptr, false);
            if ((target.rfind("/collections/vacancies", 0) == 0 ||
                 target.rfind("/export/vacancies.geojson", 0) == 0) &&
                body.is_object() && body.contains("features"))
                for (const json& feature : body["features"])
                    if (feature.contains("id") && feature["id"].is_number_integer() &&
                        feature["properties"].value("kommune_ags", "") == k_home_ags) {
                        EXPECT_FALSE(unconsented_home.count(feature["id"].get<std::int64_t>()))
                            << where << " lists unconsented vacancy " << feature["id"];
                    }
        }
        EXPECT_EQ(bodies, public_targets.size());
    }

    // /health is public: it must not count the unpublished vacancies.
    EXPECT_FALSE(
        parse_json(call(Who::Anonymous, "GET", "/health"))["counts"].contains("vacancies"));
    // The public list holds exactly the consented ones.
    const json listed =
        parse_json(call(Who::Anonymous, "GET", "/collections/vacancies/items?limit=10000"));
    std::set<std::int64_t> listed_ids;
    for (const json& feature : listed["features"])
        listed_ids.insert(feature["id"].get<std::int64_t>());
    EXPECT_EQ(listed_ids, consented);
    EXPECT_EQ(listed["numberMatched"].get<std::size_t>(), consented.size());
    // So does the public export.
    const json exported = parse_json(call(Who::Anonymous, "GET", "/export/vacancies.geojson"));
    std::set<std::int64_t> exported_ids;
    for (const json& feature : exported["features"])
        exported_ids.insert(feature["id"].get<std::int64_t>());
    EXPECT_EQ(exported_ids, consented);
    // The planner sees them all, with the private fields.
    const json internal =
        parse_json(call(Who::Planner, "GET", "/collections/vacancies/items?limit=10000"));
    EXPECT_EQ(internal["numberMatched"].get<std::size_t>(),
              consented.size() + unconsented_home.size());
    EXPECT_NE(internal.dump().find("PRIVATE-CONTACT"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Writes: Location, ETag, validation, lifecycle, concurrency

class VacancyWrites : public AtlasServerTest {};

TEST_F(VacancyWrites, PostAnswers201WithLocationEtagAndTheMatchedBuilding) {
    const auto point = building_point(k_home_ags, 5);
    const HttpResponse created =
        call(Who::Editor, "POST", "/collections/vacancies/items",
             vacancy_feature(point, {{"status", "gemeldet"}, {"use", "laden"}}));
    ASSERT_EQ(created.status, 201) << created.body;
    const json feature = parse_json(created);
    const std::string location = created.header("Location");
    EXPECT_EQ(location, "/collections/vacancies/items/" + std::to_string(feature["id"].get<int>()));
    EXPECT_EQ(created.header("ETag"), "\"1\"");
    EXPECT_EQ(created.header("Content-Type"), "application/geo+json");
    EXPECT_EQ(feature["properties"]["kommune_ags"], k_home_ags);
    EXPECT_EQ(feature["properties"]["author"], "editor.angermuende");
    // The oracle: the building whose footprint contains the point, asked of SpatiaLite directly.
    const std::string expected_building =
        spatial_sql(db(), "SELECT id FROM buildings WHERE ST_Contains(footprint, MakePoint(" +
                              std::to_string(point.first) + ", " + std::to_string(point.second) +
                              ", 4326)) ORDER BY id LIMIT 1");
    ASSERT_FALSE(expected_building.empty());
    EXPECT_EQ(feature["properties"]["building_id"], std::stoll(expected_building));
    EXPECT_EQ(parse_json(call(Who::Editor, "GET", location)), feature);
}

TEST_F(VacancyWrites, InvalidFeaturesGet400WithEveryFieldNamed) {
    const HttpResponse response = call(
        Who::Editor, "POST", "/collections/vacancies/items",
        vacancy_feature(
            building_point(k_home_ags),
            {{"status", "leer"}, {"use", 7}, {"vacant_since", "2999-01-01"}, {"colour", "rot"}}));
    ASSERT_EQ(response.status, 400) << response.body;
    const json problem = parse_json(response);
    std::set<std::string> fields;
    for (const json& error : problem["errors"]) fields.insert(error["field"].get<std::string>());
    for (const char* field : {"status", "use", "vacant_since", "colour"})
        EXPECT_TRUE(fields.count(field)) << field << " not named in " << response.body;
    EXPECT_EQ(spatial_sql(db(), "SELECT count(*) FROM vacancies"), "0");
}

TEST_F(VacancyWrites, APointOutsideTheGivenKommuneIsRefused) {
    const HttpResponse response =
        call(Who::Editor, "POST", "/collections/vacancies/items",
             vacancy_feature(building_point(k_other_ags), {{"kommune_ags", k_home_ags}}));
    ASSERT_EQ(response.status, 400) << response.body;
    const json problem = parse_json(response);
    ASSERT_EQ(problem["errors"].size(), 1u) << response.body;
    EXPECT_NE(problem["errors"][0]["message"].get<std::string>().find(k_home_ags),
              std::string::npos)
        << response.body;
}

TEST_F(VacancyWrites, NonsenseTransitionsGet422WithTheAllowedOnes) {
    const std::int64_t id = create_vacancy({{"status", "gemeldet"}}, k_home_ags);
    const std::string path = "/collections/vacancies/items/" + std::to_string(id);
    const HttpResponse refused =
        call(Who::Editor, "PATCH", path, json{{"properties", {{"status", "aktiviert"}}}},
             {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
    ASSERT_EQ(refused.status, 422) << refused.body;
    const json problem = parse_json(refused);
    EXPECT_EQ(problem["allowed"].get<std::set<std::string>>(),
              std::set<std::string>({"abgerissen", "bestaetigt", "kein_leerstand"}))
        << refused.body;
    // The lifecycle, step by step.
    for (const char* status : {"bestaetigt", "in_aktivierung", "aktiviert"}) {
        const HttpResponse step =
            call(Who::Editor, "PATCH", path, json{{"properties", {{"status", status}}}},
                 {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
        EXPECT_EQ(step.status, 200) << status << ": " << step.body;
    }
    const json history = parse_json(call(Who::Planner, "GET", path + "/history"));
    ASSERT_EQ(history["changes"].size(), 4u) << history.dump();
    EXPECT_EQ(history["changes"][0]["action"], "create");
    EXPECT_EQ(history["changes"][3]["new"]["status"], "aktiviert");
    EXPECT_EQ(history["changes"][3]["old"]["status"], "in_aktivierung");
    EXPECT_EQ(history["changes"][3]["changed_by"], "editor.angermuende");
}

TEST_F(VacancyWrites, TwoWritersWithTheSameVersionOneGets412AndNothingIsLost) {
    const std::int64_t id = create_vacancy({{"status", "gemeldet"}}, k_home_ags);
    const std::string path = "/collections/vacancies/items/" + std::to_string(id);
    const std::string version = etag_of(path);
    const HttpResponse first =
        call(Who::Editor, "PATCH", path, json{{"properties", {{"internal_notes", "erste"}}}},
             {{"If-Match", version}}, "application/merge-patch+json");
    const HttpResponse second =
        call(Who::Admin, "PATCH", path, json{{"properties", {{"internal_notes", "zweite"}}}},
             {{"If-Match", version}}, "application/merge-patch+json");
    EXPECT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(second.status, 412) << second.body;
    const json now = parse_json(call(Who::Planner, "GET", path));
    EXPECT_EQ(now["properties"]["internal_notes"], "erste");
    EXPECT_EQ(call(Who::Planner, "GET", path).header("ETag"), "\"2\"");
    const json history = parse_json(call(Who::Planner, "GET", path + "/history"));
    EXPECT_EQ(history["changes"].size(), 2u) << history.dump();
    // Without If-Match a write is refused (428), not applied blindly.
    const HttpResponse blind =
        call(Who::Editor, "PATCH", path, json{{"properties", {{"internal_notes", "blind"}}}}, {},
             "application/merge-patch+json");
    EXPECT_EQ(blind.status, 428) << blind.body;
}

TEST_F(VacancyWrites, ABodyThatIsNotJsonIsA400AndAWrongMediaTypeA415) {
    EXPECT_EQ(http_request(port(), "POST", "/collections/vacancies/items",
                           {{"Authorization", "Bearer " + m_tokens[Who::Editor]},
                            {"Content-Type", "application/json"}},
                           std::string("{not json"))
                  .status,
              400);
    EXPECT_EQ(http_request(port(), "POST", "/collections/vacancies/items",
                           {{"Authorization", "Bearer " + m_tokens[Who::Editor]},
                            {"Content-Type", "text/plain"}},
                           std::string("{}"))
                  .status,
              415);
}

// ---------------------------------------------------------------------------------------------
// Sign-in

class SignIn : public AtlasServerTest {
  protected:
    HttpResponse login(const std::string& name, const std::string& password) {
        return http_request(port(), "POST", "/api/login", {{"Content-Type", "application/json"}},
                            json{{"name", name}, {"password", password}}.dump());
    }
};

std::string cookie_pair(const std::string& set_cookie) {
    return set_cookie.substr(0, set_cookie.find(';'));
}

TEST_F(SignIn, LoginGivesAStrictHttpOnlyCookieThatLogoutMakesWorthless) {
    const HttpResponse response = login(user_name(Who::Editor), password(Who::Editor));
    ASSERT_EQ(response.status, 200) << response.body;
    const std::string set_cookie = response.header("Set-Cookie");
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos) << set_cookie;
    EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "not configured: " << set_cookie;
    EXPECT_EQ(response.body.find(password(Who::Editor)), std::string::npos);
    const std::string cookie = cookie_pair(set_cookie);

    const json me = parse_json(http_request(port(), "GET", "/api/me", {{"Cookie", cookie}}, {}));
    EXPECT_EQ(me["name"], user_name(Who::Editor));
    EXPECT_EQ(me["role"], "editor");
    const HttpResponse created =
        http_request(port(), "POST", "/collections/vacancies/items",
                     {{"Cookie", cookie}, {"Content-Type", "application/geo+json"}},
                     vacancy_feature(building_point(k_home_ags), {{"status", "gemeldet"}}).dump());
    EXPECT_EQ(created.status, 201) << created.body;

    EXPECT_EQ(
        http_request(port(), "POST", "/api/logout", {{"Cookie", cookie}}, std::string()).status,
        204);
    // Replaying the old cookie after logout gets nothing.
    const json after = parse_json(http_request(port(), "GET", "/api/me", {{"Cookie", cookie}}, {}));
    EXPECT_EQ(after["signed_in"], false);
    EXPECT_EQ(http_request(port(), "POST", "/collections/vacancies/items",
                           {{"Cookie", cookie}, {"Content-Type", "application/geo+json"}},
                           vacancy_feature(building_point(k_home_ags), {}).dump())
                  .status,
              401);
}

TEST_F(SignIn, WritesFromAnotherOriginAreRefusedAndChangeNothing) {
    const std::string cookie =
        cookie_pair(login(user_name(Who::Editor), password(Who::Editor)).header("Set-Cookie"));
    ASSERT_FALSE(cookie.empty());
    const std::string ours = "http://127.0.0.1:" + std::to_string(port());
    const std::string feature =
        vacancy_feature(building_point(k_home_ags), {{"status", "gemeldet"}}).dump();
    const auto create = [&](const HeaderList& from) {
        HeaderList headers = {{"Cookie", cookie}, {"Content-Type", "application/geo+json"}};
        headers.insert(headers.end(), from.begin(), from.end());
        return http_request(port(), "POST", "/collections/vacancies/items", headers, feature);
    };
    const std::string count_sql = "SELECT count(*) FROM vacancies";
    const std::string before = spatial_sql(db(), count_sql);

    // Another service on the same host is the same site: the cookie would go along.
    for (const HeaderList& foreign :
         {HeaderList{{"Origin", "http://127.0.0.1:9"}},
          HeaderList{{"Origin", "http://evil.example"}}, HeaderList{{"Origin", "null"}},
          HeaderList{{"Sec-Fetch-Site", "same-site"}},
          HeaderList{{"Sec-Fetch-Site", "cross-site"}, {"Origin", ours}}}) {
        SCOPED_TRACE(foreign.front().first + ": " + foreign.front().second);
        const HttpResponse refused = create(foreign);
        EXPECT_EQ(refused.status, 403) << refused.body;
        EXPECT_EQ(refused.header("Content-Type"), "application/problem+json");
    }
    EXPECT_EQ(spatial_sql(db(), count_sql), before) << "a refused write stored something";
    // Sign-in from a foreign page is refused too (no login CSRF).
    EXPECT_EQ(
        http_request(
            port(), "POST", "/api/login",
            {{"Content-Type", "application/json"}, {"Origin", "http://evil.example"}},
            json{{"name", user_name(Who::Editor)}, {"password", password(Who::Editor)}}.dump())
            .status,
        403);

    // The web app's own page, and clients that send no Origin (scripts, curl), may write.
    EXPECT_EQ(create({{"Origin", ours}, {"Sec-Fetch-Site", "same-origin"}}).status, 201);
    EXPECT_EQ(create({}).status, 201);
    // Reads are not refused: a link from elsewhere must open the map.
    EXPECT_EQ(http_request(port(), "GET", "/api/me",
                           {{"Cookie", cookie},
                            {"Origin", "http://evil.example"},
                            {"Sec-Fetch-Site", "cross-site"}},
                           std::nullopt)
                  .status,
              200);
}

TEST_F(SignIn, WrongPasswordAndUnknownUserGetTheSame401AndRepeatedFailuresAreLimited) {
    const HttpResponse wrong = login(user_name(Who::Planner), "wrong-password-123");
    const HttpResponse unknown = login("nobody", "wrong-password-123");
    ASSERT_EQ(wrong.status, 401) << wrong.body;
    ASSERT_EQ(unknown.status, 401) << unknown.body;
    EXPECT_EQ(parse_json(wrong)["detail"], parse_json(unknown)["detail"]);
    int limited = 0;
    for (int attempt = 0; attempt < 8; ++attempt)
        if (login(user_name(Who::Planner), "wrong-password-123").status == 429) ++limited;
    EXPECT_GT(limited, 0);
    // While locked out, even the right password is refused.
    const HttpResponse locked = login(user_name(Who::Planner), password(Who::Planner));
    EXPECT_EQ(locked.status, 429) << locked.body;
    EXPECT_FALSE(locked.header("Retry-After").empty());
}

bool is_base64url(const std::string& text) {
    return std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

/// The same text with one character in the middle changed (to another base64url character).
std::string with_one_character_changed(std::string secret) {
    char& middle = secret[secret.size() / 2];
    middle = middle == 'A' ? 'B' : 'A';
    return secret;
}

bool signed_in(std::uint16_t port, const HeaderList& credentials) {
    const HttpResponse me = http_request(port, "GET", "/api/me", credentials, {});
    return me.status == 200 && parse_json(me).value("signed_in", false);
}

TEST_F(SignIn, SessionsAndTokensAre256RandomBitsOnlyTheirHashesAreStoredAndLogged) {
    // 24 sign-ins of one user: 24 session cookies of 43 URL-safe base64 characters (256 bits).
    constexpr std::size_t k_sessions = 24;
    std::vector<std::string> values;
    std::string cookie_name;  // "name=" as the server sets it
    for (std::size_t i = 0; i < k_sessions; ++i) {
        const HttpResponse response = login(user_name(Who::Editor), password(Who::Editor));
        ASSERT_EQ(response.status, 200) << response.body;
        const std::string pair = cookie_pair(response.header("Set-Cookie"));
        cookie_name = pair.substr(0, pair.find('=') + 1);
        const std::string value = pair.substr(cookie_name.size());
        EXPECT_EQ(value.size(), 43u) << pair;
        EXPECT_TRUE(is_base64url(value)) << pair;
        values.push_back(value);
    }
    ASSERT_TRUE(signed_in(port(), {{"Cookie", cookie_name + values.front()}}));
    // A counter, a clock or a weak generator shows as shared prefixes or a small alphabet. For
    // 24 uniform 256-bit values: two sharing their first 6 characters has odds of 4e-9; fewer
    // than 60 of the 64 characters in the 1,032 drawn, below 1e-30.
    std::set<char> alphabet;
    for (std::size_t i = 0; i < values.size(); ++i) {
        alphabet.insert(values[i].begin(), values[i].end());
        for (std::size_t j = i + 1; j < values.size(); ++j)
            EXPECT_NE(values[i].substr(0, 6), values[j].substr(0, 6))
                << values[i] << " " << values[j];
    }
    EXPECT_GE(alphabet.size(), 60u);

    // One character off is a stranger, for a session and for an API token alike.
    EXPECT_FALSE(
        signed_in(port(), {{"Cookie", cookie_name + with_one_character_changed(values[3])}}));
    EXPECT_TRUE(signed_in(port(), {{"Cookie", cookie_name + values[3]}}));
    const std::string token = m_tokens[Who::Editor];
    EXPECT_EQ(token.rfind("lsa_", 0), 0u) << token;
    EXPECT_EQ(token.size(), 4u + 43u) << token;
    EXPECT_TRUE(signed_in(port(), {{"Authorization", "Bearer " + token}}));
    EXPECT_EQ(http_request(port(), "GET", "/api/me",
                           {{"Authorization", "Bearer " + with_one_character_changed(token)}}, {})
                  .status,
              401);

    // Neither the database nor the server's log holds a secret: only SHA-256 hashes are kept.
    const CommandResult dump = run_command({"sqlite3", db().string(), ".dump"});
    ASSERT_EQ(dump.exit_code, 0) << dump.err;
    const std::string log = m_server->stdout_text() + m_server->stderr_text();
    for (const std::string& secret : values) {
        EXPECT_EQ(dump.out.find(secret), std::string::npos) << secret;
        EXPECT_EQ(log.find(secret), std::string::npos) << secret;
    }
    EXPECT_EQ(dump.out.find(token.substr(4)), std::string::npos);
    EXPECT_EQ(log.find(token.substr(4)), std::string::npos);
    const std::string hashes = spatial_sql(db(),
                                           "SELECT count(*) FROM sessions WHERE length(id_hash) = "
                                           "64 AND id_hash NOT GLOB '*[^0-9a-f]*'");
    EXPECT_GE(std::stoul(hashes), k_sessions);
}

class SignInBehindHttps : public SignIn {
  protected:
    std::vector<std::string> extra_serve_args() const override { return {"--secure-cookies"}; }
};

TEST_F(SignInBehindHttps, SecureCookiesAreMarkedSecure) {
    const HttpResponse response = login(user_name(Who::Admin), password(Who::Admin));
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_NE(response.header("Set-Cookie").find("; Secure"), std::string::npos)
        << response.header("Set-Cookie");
}

}  // namespace
}  // namespace leerstand::test
