// Regression tests of issue 19 (privacy against an outsider), one or more per point, over real
// HTTP against the real `leerstand serve`. The crawl that compares whole databases is in
// tests/privacy/.

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/cli_support.hpp"
#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

class PrivacyRegression : public AtlasServerTest {
  protected:
    HttpResponse call_with_token(const std::string& token, const std::string& method,
                                 const std::string& target,
                                 const std::optional<json>& body = std::nullopt,
                                 HeaderList headers = {}) {
        headers.emplace_back("Authorization", "Bearer " + token);
        std::optional<std::string> text;
        if (body) {
            headers.emplace_back("Content-Type", "application/geo+json");
            text = body->dump();
        }
        return with_retry([&] { return http_request(port(), method, target, headers, text); });
    }
};

// -- point 1: metadata covers only what the caller may see -------------------------------

TEST_F(PrivacyRegression, ExtentsBoundsAndTileLimitsShowNoHiddenVacancy) {
    create_vacancy({{"status", "gemeldet"}, {"consent_publish", true}}, k_home_ags, 0);
    const std::vector<std::string> documents = {
        "/collections", "/collections/vacancies", "/tiles/vacancies.json",
        "/collections/vacancies/tiles/WebMercatorQuad", "/tiles/buildings.json"};
    const auto seen_by = [&](Who who) {
        std::string all;
        for (const std::string& path : documents) {
            const HttpResponse document = call(who, "GET", path);
            EXPECT_EQ(document.status, 200) << path;
            all += path + " " + document.header("Vary") + " " + document.body + "\n";
        }
        return all;
    };
    const std::string anonymous = seen_by(Who::Anonymous);
    const std::string other_editor = seen_by(Who::EditorOther);
    const std::string planner = seen_by(Who::Planner);
    // Hidden vacancies at the far ends of the home Kommune, with an unusual vacant_since.
    const std::string far =
        spatial_sql(db(), "SELECT min(id) || ' ' || max(id) FROM buildings WHERE kommune_ags = '" +
                              k_home_ags + "'");
    const auto lonlat_of = [&](const std::string& id) {
        std::istringstream in(spatial_sql(
            db(),
            "SELECT X(PointOnSurface(footprint)) || ' ' || Y(PointOnSurface(footprint)) "
            "FROM buildings WHERE id = " +
                id));
        double lon = 0, lat = 0;
        in >> lon >> lat;
        return std::pair<double, double>{lon, lat};
    };
    std::istringstream ids(far);
    std::string first, last;
    ids >> first >> last;
    for (const std::string& id : {first, last}) {
        const HttpResponse created =
            call(Who::Admin, "POST", "/collections/vacancies/items",
                 vacancy_feature(lonlat_of(id),
                                 {{"status", "gemeldet"}, {"vacant_since", "1990-01-01"}}));
        ASSERT_EQ(created.status, 201) << created.body;
    }
    EXPECT_EQ(seen_by(Who::Anonymous), anonymous);
    EXPECT_EQ(seen_by(Who::EditorOther), other_editor);
    // Those who may see them see them.
    EXPECT_NE(seen_by(Who::Planner), planner);
    EXPECT_NE(call(Who::Planner, "GET", "/collections/vacancies").body.find("1990-01-01"),
              std::string::npos);
    // The documents depend on who asks: shared caches keep them apart.
    EXPECT_NE(anonymous.find("Cookie, Authorization"), std::string::npos) << anonymous;
}

// -- point 2: no suppressed count by subtraction ------------------------------------------

TEST_F(PrivacyRegression, NoSuppressedCountComesBackBySubtraction) {
    // Angermünde: two unpublished reports (a small count); Herzberg: three, one published.
    create_vacancy({{"status", "gemeldet"}, {"use", "laden"}, {"floor_area_m2", 123.4}}, k_home_ags,
                   0);
    create_vacancy({{"status", "bestaetigt"}, {"use", "wohnen"}, {"floor_area_m2", 55}}, k_home_ags,
                   1);
    for (int n = 0; n < 3; ++n)
        create_vacancy({{"status", "gemeldet"},
                        {"use", "wohnen"},
                        {"floor_area_m2", 200},
                        {"consent_publish", n == 0}},
                       k_other_ags, n);
    move_history_before_this_month();
    const auto figures_of = [&](const std::string& path) {
        const HttpResponse response = call(Who::Anonymous, "GET", path);
        EXPECT_EQ(response.status, 200) << path;
        return parse_json(response);
    };
    const json network = figures_of("/api/summary");
    const std::vector<json> kommunen = {figures_of("/api/kommunen/" + k_home_ags + "/summary"),
                                        figures_of("/api/kommunen/" + k_other_ags + "/summary")};
    // Network less the Kommunen, figure by figure: nothing is left over to tell.
    const auto number = [](const json& value) {
        return value.is_number() ? value.get<double>() : 0.0;
    };
    const auto left_over = [&](const std::function<json(const json&)>& figure) {
        double rest = number(figure(network));
        for (const json& kommune : kommunen) rest -= number(figure(kommune));
        return rest;
    };
    for (const char* name :
         {"vacancies", "open_vacancies", "vacant_buildings", "reactivated", "vacant_floor_area_m2"})
        EXPECT_EQ(left_over([&](const json& s) { return s[name]; }), 0.0) << name;
    for (const auto status : {"gemeldet", "bestaetigt"})
        EXPECT_EQ(left_over([&](const json& s) { return s["by_status"][status]; }), 0.0) << status;
    for (const auto use : {"laden", "wohnen"})
        EXPECT_EQ(left_over([&](const json& s) { return s["by_use"][use]; }), 0.0) << use;
    EXPECT_EQ(left_over([](const json& s) { return s["trend"].back()["open"]; }), 0.0);
    // Angermünde's figures are "<3" or withheld, and its floor area (123.4 + 55) nowhere.
    EXPECT_EQ(kommunen[0]["open_vacancies"], "<3");
    for (const json& summary : {network, kommunen[0], kommunen[1]})
        EXPECT_EQ(summary.dump().find("178"), std::string::npos) << summary.dump();
    // Herzberg: 3 reports, but only 2 unpublished, which its 1 published report would tell.
    EXPECT_TRUE(kommunen[1]["open_vacancies"].is_null());
    // The Kreis and its Gemeinden: the same rule.
    const json kreis = figures_of("/api/kommunen/09479/summary");
    EXPECT_EQ(kreis["vacancies"], 0);
}

// -- point 3: no existence oracle ---------------------------------------------------------

/// Status and body of an answer about record `id`, with what differs per request (request id,
/// instance) removed and the id itself replaced, so answers about two ids can be compared.
std::string answer_about(const HttpResponse& response, std::int64_t id) {
    json body = json::parse(response.body, nullptr, false);
    if (body.is_object()) {
        body.erase("request_id");
        body.erase("instance");
    }
    const std::string text = body.is_discarded() ? response.body : body.dump();
    // The id as a whole number only: "1" must not touch the "1" of an AGS.
    const std::regex id_number("\\b" + std::to_string(id) + "\\b");
    return std::to_string(response.status) + " " + std::regex_replace(text, id_number, "ID");
}

TEST_F(PrivacyRegression, OtherKommunenCannotTellAHiddenVacancyFromAMissingOne) {
    const std::int64_t hidden = create_vacancy({{"status", "gemeldet"}}, k_home_ags, 0);
    ASSERT_GT(hidden, 0);
    const std::int64_t missing = hidden + 100000;
    const std::string other_planner =
        add_user("planerin-herzberg", {"--role", "planner", "--kommune", k_other_ags});
    // A Zukunftsort of the other Kommune, which its editor may change.
    const HttpResponse place =
        call(Who::Admin, "POST", "/collections/zukunftsorte/items",
             vacancy_feature(building_point(k_other_ags, 3), {{"name", "Alte Post"}}));
    ASSERT_EQ(place.status, 201) << place.body;
    const std::string place_path = place.header("Location");

    struct Probe {
        std::string name;
        std::function<HttpResponse(const std::string& token, std::int64_t id)> send;
    };
    const auto item = [](std::int64_t id) {
        return "/collections/vacancies/items/" + std::to_string(id);
    };
    const std::vector<Probe> probes = {
        {"GET item", [&](const std::string& t,
                         std::int64_t id) { return call_with_token(t, "GET", item(id)); }},
        {"GET history",
         [&](const std::string& t, std::int64_t id) {
             return call_with_token(t, "GET", item(id) + "/history");
         }},
        {"PATCH",
         [&](const std::string& t, std::int64_t id) {
             return call_with_token(t, "PATCH", item(id), json{{"properties", {{"use", "laden"}}}},
                                    {{"If-Match", "\"1\""}});
         }},
        {"PATCH without If-Match",
         [&](const std::string& t, std::int64_t id) {
             return call_with_token(t, "PATCH", item(id), json{{"properties", {{"use", "laden"}}}});
         }},
        {"PUT",
         [&](const std::string& t, std::int64_t id) {
             return call_with_token(
                 t, "PUT", item(id),
                 vacancy_feature(building_point(k_other_ags, 1), {{"status", "gemeldet"}}),
                 {{"If-Match", "\"1\""}});
         }},
        {"DELETE",
         [&](const std::string& t, std::int64_t id) {
             return call_with_token(t, "DELETE", item(id), std::nullopt, {{"If-Match", "\"1\""}});
         }},
        {"POST Zukunftsort linking it",
         [&](const std::string& t, std::int64_t id) {
             return call_with_token(t, "POST", "/collections/zukunftsorte/items",
                                    vacancy_feature(building_point(k_other_ags, 4),
                                                    {{"name", "Neu"}, {"vacancy_id", id}}));
         }},
        {"PATCH Zukunftsort linking it",
         [&](const std::string& t, std::int64_t id) {
             return call_with_token(t, "PATCH", place_path,
                                    json{{"properties", {{"vacancy_id", id}}}},
                                    {{"If-Match", etag_of(place_path)}});
         }},
    };
    const std::vector<std::pair<std::string, std::string>> callers = {
        {"editor of another Kommune", m_tokens[Who::EditorOther]},
        {"planner of another Kommune", other_planner}};
    for (const auto& [who, token] : callers)
        for (const Probe& probe : probes) {
            SCOPED_TRACE(probe.name + " as " + who);
            const HttpResponse about_hidden = probe.send(token, hidden);
            const HttpResponse about_missing = probe.send(token, missing);
            EXPECT_EQ(answer_about(about_hidden, hidden), answer_about(about_missing, missing));
            EXPECT_GE(about_hidden.status, 400);
            EXPECT_EQ(about_hidden.body.find(k_home_ags), std::string::npos) << about_hidden.body;
        }
    // Nothing was changed by any of it.
    const json still = parse_json(call(Who::Admin, "GET", item(hidden)));
    EXPECT_EQ(still["properties"]["version"], 1);
}

TEST_F(PrivacyRegression, AForbiddenWriteNeverNamesTheKommuneOfTheRecord) {
    const std::int64_t published =
        create_vacancy({{"status", "gemeldet"}, {"consent_publish", true}}, k_home_ags, 0);
    const std::string path = "/collections/vacancies/items/" + std::to_string(published);
    // The editor of the other Kommune may read it (it is published) but not change it: 403.
    const HttpResponse refused =
        call(Who::EditorOther, "PATCH", path, json{{"properties", {{"use", "laden"}}}},
             {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.body.find(k_home_ags), std::string::npos) << refused.body;
    // Nor does a new report in a Kommune outside the caller's scope name that Kommune.
    const HttpResponse outside =
        call(Who::EditorOther, "POST", "/collections/vacancies/items",
             vacancy_feature(building_point(k_home_ags, 5), {{"status", "gemeldet"}}));
    EXPECT_EQ(outside.status, 403) << outside.body;
    EXPECT_EQ(outside.body.find(k_home_ags), std::string::npos) << outside.body;
}

TEST_F(PrivacyRegression, AnUploadOfAnotherKommuneIsAsMissingAsAnUnknownOne) {
    const MultipartBody form = multipart({{"kommune", k_home_ags}}, "leer.geojson",
                                         R"({"type":"FeatureCollection","features":[]})");
    const HttpResponse queued = post_upload(Who::Editor, form);
    ASSERT_EQ(queued.status, 202) << queued.body;
    const std::int64_t id = parse_json(queued)["id"].get<std::int64_t>();
    const auto upload = [](std::int64_t n) { return "/api/uploads/" + std::to_string(n); };
    const HttpResponse theirs = call(Who::EditorOther, "GET", upload(id));
    const HttpResponse unknown = call(Who::EditorOther, "GET", upload(id + 1000));
    EXPECT_EQ(answer_about(theirs, id), answer_about(unknown, id + 1000));
    EXPECT_EQ(theirs.status, 404);
}

// -- point 4: a vacancy points only at a building of its own Kommune, near its point ------

TEST_F(PrivacyRegression, AnExplicitBuildingMustLieInTheVacancysKommuneNearItsPoint) {
    const std::string other_building =
        spatial_sql(db(), "SELECT id FROM buildings WHERE kommune_ags = '" + k_other_ags +
                              "' ORDER BY id LIMIT 1");
    const std::string far_building =
        spatial_sql(db(), "SELECT id FROM buildings WHERE kommune_ags = '" + k_home_ags +
                              "' ORDER BY id DESC LIMIT 1");
    ASSERT_FALSE(other_building.empty());
    const auto home = building_point(k_home_ags, 0);
    const auto refused_field = [](const HttpResponse& response) {
        const json body = json::parse(response.body, nullptr, false);
        return body.is_object() && body.contains("errors") && !body["errors"].empty()
                   ? body["errors"][0].value("field", "")
                   : std::string();
    };
    const std::string count_sql = "SELECT count(*) FROM vacancies";
    const std::string before = spatial_sql(db(), count_sql);

    // POST: a building of another Kommune, and one of the right Kommune far away.
    for (const std::string& building : {other_building, far_building}) {
        SCOPED_TRACE("building " + building);
        const HttpResponse created = call(
            Who::Editor, "POST", "/collections/vacancies/items",
            vacancy_feature(home, {{"status", "gemeldet"}, {"building_id", std::stoll(building)}}));
        EXPECT_EQ(created.status, 400) << created.body;
        EXPECT_EQ(refused_field(created), "building_id") << created.body;
    }
    EXPECT_EQ(spatial_sql(db(), count_sql), before);

    // PATCH: the same for a stored vacancy; it keeps its building.
    const std::int64_t id = create_vacancy({{"status", "gemeldet"}}, k_home_ags, 0);
    const std::string path = "/collections/vacancies/items/" + std::to_string(id);
    const HttpResponse patched =
        call(Who::Editor, "PATCH", path,
             json{{"properties", {{"building_id", std::stoll(other_building)}}}},
             {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
    EXPECT_EQ(patched.status, 400) << patched.body;
    EXPECT_EQ(refused_field(patched), "building_id");
    EXPECT_NE(
        spatial_sql(db(), "SELECT building_id FROM vacancies WHERE id = " + std::to_string(id)),
        other_building);

    // A CSV upload takes the same way: the row is rejected, naming the field.
    const std::string csv = "lon,lat,status,building_id\n" + std::to_string(home.first) + "," +
                            std::to_string(home.second) + ",gemeldet," + other_building + "\n";
    const MultipartBody form =
        multipart({{"kommune", k_home_ags}, {"layer", "vacancies"}}, "meldungen.csv", csv);
    const HttpResponse queued = post_upload(Who::Editor, form);
    ASSERT_EQ(queued.status, 202) << queued.body;
    const json status = wait_for_upload(Who::Editor, queued.header("Location"));
    EXPECT_EQ(status["report"]["stored"], 0) << status.dump();
    EXPECT_EQ(status["report"]["rejected_by_reason"].value("invalid building_id", 0), 1)
        << status.dump();

    // The building the point lies in is still taken, given or matched.
    const std::string own = spatial_sql(db(), "SELECT id FROM buildings WHERE kommune_ags = '" +
                                                  k_home_ags + "' ORDER BY id LIMIT 1");
    const HttpResponse ok =
        call(Who::Editor, "POST", "/collections/vacancies/items",
             vacancy_feature(home, {{"status", "gemeldet"}, {"building_id", std::stoll(own)}}));
    EXPECT_EQ(ok.status, 201) << ok.body;
}

// -- point 5: no cache side channel --------------------------------------------------------

/// The tile of `layer` at zoom 16 holding `point`.
std::string tile_path(const std::string& layer, std::pair<double, double> point,
                      const char* format = "mvt") {
    const TileXyz t = tile_of(point, 16);
    return "/tiles/" + layer + "/16/" + std::to_string(t.x) + "/" + std::to_string(t.y) + "." +
           format;
}

TEST_F(PrivacyRegression, ATileAnswerCarriesNoCacheState) {
    create_vacancy({{"status", "gemeldet"}, {"consent_publish", true}}, k_home_ags, 0);
    const auto point = building_point(k_home_ags, 0);
    for (const char* layer : {"buildings", "vacancies", "kommunen"})
        for (int round = 0; round < 2; ++round) {  // a miss, then a hit
            const HttpResponse tile = call(Who::Anonymous, "GET", tile_path(layer, point));
            ASSERT_EQ(tile.status, 200) << layer;
            EXPECT_EQ(tile.header("X-Cache"), "") << layer;
        }
}

/// A server that tells the cache state, to see what a hidden edit does to the public's tiles.
class CacheSideChannel : public PrivacyRegression {
  protected:
    std::vector<std::string> extra_serve_args() const override { return {"--debug-cache-header"}; }
};

TEST_F(CacheSideChannel, AnEditOfAHiddenVacancyLeavesThePublicsTilesCached) {
    const std::int64_t published =
        create_vacancy({{"status", "gemeldet"}, {"consent_publish", true}}, k_home_ags, 0);
    ASSERT_GT(published, 0);
    const auto point = building_point(k_home_ags, 0);
    const std::vector<std::string> tiles = {tile_path("buildings", point),
                                            tile_path("vacancies", point),
                                            tile_path("buildings", point, "geojson")};
    auto cache_states = [&](Who who) {
        std::string states;
        for (const std::string& path : tiles) {
            const HttpResponse tile = call(who, "GET", path);
            states += std::to_string(tile.status) + ":" + tile.header("X-Cache") + " ";
        }
        return states;
    };
    cache_states(Who::Anonymous);
    cache_states(Who::Planner);
    const std::string public_cached = cache_states(Who::Anonymous);
    ASSERT_EQ(cache_states(Who::Planner).find("miss"), std::string::npos);

    // Hidden activity right under those tiles: a new report, a change, a delete.
    const std::int64_t hidden = create_vacancy({{"status", "gemeldet"}}, k_home_ags, 0);
    const std::string path = "/collections/vacancies/items/" + std::to_string(hidden);
    ASSERT_EQ(call(Who::Editor, "PATCH", path, json{{"properties", {{"status", "bestaetigt"}}}},
                   {{"If-Match", etag_of(path)}}, "application/merge-patch+json")
                  .status,
              200);
    EXPECT_EQ(cache_states(Who::Anonymous), public_cached) << "the public sees no activity";
    EXPECT_NE(cache_states(Who::Planner).find("miss"), std::string::npos)
        << "those who see the record get the new tiles";
    ASSERT_EQ(call(Who::Editor, "DELETE", path, std::nullopt, {{"If-Match", etag_of(path)}}).status,
              204);
    EXPECT_EQ(cache_states(Who::Anonymous), public_cached);

    // A change the public sees refreshes its tiles as before.
    const std::string shown = "/collections/vacancies/items/" + std::to_string(published);
    ASSERT_EQ(call(Who::Editor, "PATCH", shown, json{{"properties", {{"status", "bestaetigt"}}}},
                   {{"If-Match", etag_of(shown)}}, "application/merge-patch+json")
                  .status,
              200);
    EXPECT_NE(cache_states(Who::Anonymous).find("miss"), std::string::npos);
}

// -- point 6: internal edits leave the public view as it was -----------------------------

TEST_F(PrivacyRegression, AnInternalEditChangesNothingThePublicSeesOfAVacancy) {
    const std::int64_t id = create_vacancy(
        {{"status", "gemeldet"}, {"use", "laden"}, {"consent_publish", true}}, k_home_ags, 0);
    const std::string path = "/collections/vacancies/items/" + std::to_string(id);
    const auto public_view = [&] {
        const HttpResponse item = call(Who::Anonymous, "GET", path);
        EXPECT_EQ(item.status, 200) << item.body;
        return item.header("ETag") + " " + item.body;
    };
    const std::string before = public_view();
    const std::string list_before =
        call(Who::Anonymous, "GET", "/collections/vacancies/items?limit=100").body;
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a new updated_at second
    for (const json& internal :
         {json{{"internal_notes", "Eigentümer ruft zurück"}}, json{{"owner_contact", "0170 123"}},
          json{{"owner_type", "privat"}}}) {
        const HttpResponse edited =
            call(Who::Editor, "PATCH", path, json{{"properties", internal}},
                 {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
        ASSERT_EQ(edited.status, 200) << edited.body;
    }
    EXPECT_EQ(parse_json(call(Who::Admin, "GET", path))["properties"]["version"], 4);
    EXPECT_EQ(public_view(), before);
    const std::string list_after =
        call(Who::Anonymous, "GET", "/collections/vacancies/items?limit=100").body;
    const auto without_time_stamp = [](const std::string& text) {
        json page = json::parse(text);
        page.erase("timeStamp");
        return page.dump();
    };
    EXPECT_EQ(without_time_stamp(list_after), without_time_stamp(list_before));

    // A change the public can see is a new public version.
    const HttpResponse confirmed =
        call(Who::Editor, "PATCH", path, json{{"properties", {{"status", "bestaetigt"}}}},
             {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
    ASSERT_EQ(confirmed.status, 200) << confirmed.body;
    const HttpResponse now = call(Who::Anonymous, "GET", path);
    EXPECT_NE(now.header("ETag") + " " + now.body, before);
    EXPECT_EQ(parse_json(now)["properties"]["version"], 2);
}

TEST_F(PrivacyRegression, AVacancyPublishedLateShowsNoTraceOfItsHiddenEdits) {
    const std::int64_t late = create_vacancy({{"status", "gemeldet"}}, k_home_ags, 0);
    const std::string path = "/collections/vacancies/items/" + std::to_string(late);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // consent a second later
    for (const json& change : {json{{"use", "wohnen"}}, json{{"status", "bestaetigt"}},
                               json{{"internal_notes", "x"}}, json{{"consent_publish", true}}}) {
        const HttpResponse edited =
            call(Who::Editor, "PATCH", path, json{{"properties", change}},
                 {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
        ASSERT_EQ(edited.status, 200) << edited.body;
    }
    const HttpResponse seen = call(Who::Anonymous, "GET", path);
    ASSERT_EQ(seen.status, 200) << seen.body;
    const json properties = parse_json(seen)["properties"];
    EXPECT_EQ(properties["version"], 1);
    EXPECT_EQ(seen.header("ETag"), "\"1\"");
    // Its public life begins with the consent: nothing tells how long it was kept before.
    EXPECT_EQ(properties["created_at"], properties["updated_at"]);
}

// -- point 7: bounded texts, bodies and error bodies -------------------------------------

/// `n` characters of two bytes each in UTF-8: limits count characters, not bytes.
std::string umlauts(std::size_t n) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i) text += "ä";
    return text;
}

TEST_F(PrivacyRegression, EveryTextFieldTakesAtMostItsDocumentedLength) {
    const json api = parse_json(call(Who::Anonymous, "GET", "/api"));
    const json& schemas = api["components"]["schemas"];
    struct Collection {
        std::string path;
        const json* properties;
        json base;
    };
    const std::vector<Collection> collections = {{"/collections/vacancies/items",
                                                  &schemas["VacancyProperties"]["properties"],
                                                  {{"status", "gemeldet"}}},
                                                 {"/collections/zukunftsorte/items",
                                                  &schemas["ZukunftsortProperties"]["properties"],
                                                  {{"name", "Ort"}}}};
    int checked = 0;
    for (const Collection& collection : collections)
        for (const auto& [field, schema] : collection.properties->items()) {
            if (!schema.contains("maxLength") || schema.value("readOnly", false)) continue;
            const std::size_t limit = schema["maxLength"].get<std::size_t>();
            SCOPED_TRACE(collection.path + " " + field);
            const auto with_text = [&](const std::string& text) {
                json properties = collection.base;
                properties[field] = field == "website" ? "https://example.org/" + text : text;
                return call(Who::Editor, "POST", collection.path,
                            vacancy_feature(building_point(k_home_ags, 10 + checked), properties));
            };
            // A website is ASCII: 20 characters of scheme and host, the rest path.
            const std::string fits =
                field == "website" ? std::string(limit - 20, 'a') : umlauts(limit);
            const std::string over =
                field == "website" ? std::string(limit - 19, 'a') : umlauts(limit + 1);
            const HttpResponse refused = with_text(over);
            EXPECT_EQ(refused.status, 400) << refused.body.substr(0, 300);
            const json problem = parse_json(refused);
            ASSERT_TRUE(problem.contains("errors")) << refused.body.substr(0, 300);
            EXPECT_EQ(problem["errors"][0]["field"], field);
            EXPECT_LT(refused.body.size(), 2000u);
            EXPECT_EQ(with_text(fits).status, 201);
            ++checked;
        }
    EXPECT_EQ(checked, 8) << "every text field of both collections has a limit";
}

TEST_F(PrivacyRegression, AHugeBodyIsRefusedAndErrorBodiesStaySmall) {
    const std::string count_sql = "SELECT count(*) FROM vacancies";
    const std::string before = spatial_sql(db(), count_sql);
    // 200,000 made-up properties: refused before it is parsed.
    json properties = {{"status", "gemeldet"}};
    for (int i = 0; i < 200000; ++i) properties["x" + std::to_string(i)] = 1;
    const HttpResponse huge = call(Who::Editor, "POST", "/collections/vacancies/items",
                                   vacancy_feature(building_point(k_home_ags, 0), properties));
    EXPECT_EQ(huge.status, 413) << huge.body.substr(0, 300);
    EXPECT_LT(huge.body.size(), 2000u);
    // Under the body limit, thousands of them: every one is wrong, the answer lists 50.
    properties = {{"status", "gemeldet"}};
    for (int i = 0; i < 5000; ++i) properties["unbekannt_" + std::to_string(i)] = 1;
    const HttpResponse many = call(Who::Editor, "POST", "/collections/vacancies/items",
                                   vacancy_feature(building_point(k_home_ags, 0), properties));
    EXPECT_EQ(many.status, 400);
    EXPECT_LT(many.body.size(), 10000u);
    const json problem = parse_json(many);
    EXPECT_EQ(problem["errors"].size(), 50u);
    EXPECT_EQ(problem["errors_omitted"], 4950);
    // A long unknown name is quoted shortened.
    const HttpResponse long_name =
        call(Who::Editor, "POST", "/collections/vacancies/items",
             vacancy_feature(building_point(k_home_ags, 0),
                             {{"status", "gemeldet"}, {std::string(100000, 'n'), 1}}));
    EXPECT_EQ(long_name.status, 400);
    EXPECT_LT(long_name.body.size(), 3000u);
    EXPECT_EQ(spatial_sql(db(), count_sql), before);
}

// -- point 10: an upload's error names the client's file, not the server's --------------

TEST_F(PrivacyRegression, AFailedUploadNamesTheFileAsSentNeverTheSpoolFile) {
    const std::vector<std::pair<std::string, std::string>> files = {
        {"meine-daten.geojson", "kein GeoJSON"},
        {"abgebrochen.geojson", "{\"type\":\"FeatureCollection\",\"features\":[{\"type\""},
        {"kaputt.zip", "garbage"},
        {"leer.gpkg", "SQLite format 3"}};
    for (const auto& [name, content] : files) {
        SCOPED_TRACE(name);
        const MultipartBody form = multipart({{"kommune", k_home_ags}}, name, content);
        const HttpResponse queued = post_upload(Who::Editor, form);
        const std::string answer =
            queued.status == 202 ? wait_for_upload(Who::Editor, queued.header("Location")).dump()
                                 : queued.body;
        EXPECT_EQ(answer.find("upload-"), std::string::npos) << answer;
        EXPECT_NE(answer.find(name), std::string::npos) << answer;
    }
}

// -- point 10: history of a vacancy moved between Kommunen --------------------------------

TEST_F(PrivacyRegression, AVacancyMovedInShowsNothingOfTheKommuneItCameFrom) {
    const std::int64_t id = create_vacancy(
        {{"status", "gemeldet"}, {"internal_notes", "Notiz aus Angermünde"}}, k_home_ags, 0);
    const std::string path = "/collections/vacancies/items/" + std::to_string(id);
    // The admin moves it to the other Kommune and rewrites the note in the same change.
    const HttpResponse moved = call(
        Who::Admin, "PATCH", path,
        json{{"geometry",
              {{"type", "Point"},
               {"coordinates",
                {building_point(k_other_ags, 0).first, building_point(k_other_ags, 0).second}}}},
             {"properties", {{"internal_notes", "Notiz aus Herzberg"}}}},
        {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
    ASSERT_EQ(moved.status, 200) << moved.body;
    ASSERT_EQ(parse_json(moved)["properties"]["kommune_ags"], k_other_ags);

    const HttpResponse history = call(Who::EditorOther, "GET", path + "/history");
    ASSERT_EQ(history.status, 200) << history.body;
    EXPECT_EQ(history.body.find("Angermünde"), std::string::npos) << history.body;
    EXPECT_EQ(history.body.find(k_home_ags), std::string::npos) << history.body;
    const json changes = parse_json(history)["changes"];
    ASSERT_EQ(changes.size(), 1u) << history.body;
    EXPECT_EQ(changes[0]["new"]["internal_notes"], "Notiz aus Herzberg");
    EXPECT_TRUE(changes[0]["old"].is_null());
    EXPECT_EQ(changes[0]["old_withheld"], true);
    // The admin still sees everything.
    EXPECT_EQ(parse_json(call(Who::Admin, "GET", path + "/history"))["changes"].size(), 2u);
}

}  // namespace
}  // namespace leerstand::test
