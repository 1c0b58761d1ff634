// Exports (/export/{collection}.{geojson,gpkg,csv} and `leerstand export`), the items filters
// datetime and use, the temporal extent, and the headline figures of the kommunen collection.
// GDAL (ogrinfo) and an RFC 7946 checker from npm judge the files.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class Exports : public AtlasServerTest {
  protected:
    void SetUp() override {
        AtlasServerTest::SetUp();
        // Vacancies of every kind in both Kommunen and a Zukunftsort, so every collection has
        // rows (the demo data has Kommunen and buildings only).
        int building = 0;
        for (const std::string& ags : {k_home_ags, k_other_ags})
            for (const auto& [status, use, since] :
                 std::vector<std::tuple<std::string, std::string, std::string>>{
                     {"gemeldet", "laden", "2021-03-15"},
                     {"bestaetigt", "wohnen", "2023-07-01"},
                     {"gemeldet", "wohnen", "2024-01-31"}}) {
                // Not `building++` among the arguments: their order is the compiler's choice,
                // so which vacancies have consent would differ between GCC and clang.
                const int index = building++;
                ASSERT_GT(create_vacancy({{"status", status},
                                          {"use", use},
                                          {"vacant_since", since},
                                          {"consent_publish", index % 2 == 0},
                                          {"owner_contact", "PRIVATE-CONTACT"}},
                                         ags, index),
                          0);
            }
        const HttpResponse place =
            call(Who::Admin, "POST", "/collections/zukunftsorte/items",
                 vacancy_feature(building_point(k_home_ags, building++),
                                 {{"name", "Café am Markt"}, {"opened", "2022-05-01"}}));
        ASSERT_EQ(place.status, 201) << place.body;
    }

    /// numberMatched of an items request as `who`.
    std::int64_t matched(Who who, const std::string& target) {
        const HttpResponse response = call(who, "GET", target);
        EXPECT_EQ(response.status, 200) << target << ": " << response.body;
        return json::parse(response.body, nullptr, false).value("numberMatched", -1);
    }

    /// Saves a response body as `name` in the test folder.
    fs::path save(const HttpResponse& response, const std::string& name) {
        const fs::path path = m_dir.path() / name;
        std::ofstream(path, std::ios::binary) << response.body;
        return path;
    }

    /// The feature count GDAL reads from `file` (its only layer), or -1.
    static std::int64_t gdal_count(const fs::path& file, std::string* info = nullptr) {
        const CommandResult result = run_command({"/usr/bin/ogrinfo", "-ro", "-so", "-al", "-oo",
                                                  "GEOM_POSSIBLE_NAMES=WKT", file.string()});
        if (info) *info = result.out + result.err;
        std::smatch match;
        if (result.exit_code != 0 ||
            !std::regex_search(result.out, match, std::regex(R"(Feature Count: (\d+))")))
            return -1;
        return std::stoll(match[1]);
    }
};

TEST_F(Exports, EveryCollectionInEveryFormatIsReadByGdalWithTheCountOfItems) {
    if (!fs::exists("/usr/bin/ogrinfo")) GTEST_SKIP() << "ogrinfo (gdal-bin) is not installed";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"buildings", "?kommune=" + k_home_ags},
        {"kommunen", ""},
        {"vacancies", ""},
        {"zukunftsorte", ""},
    };
    const std::vector<std::pair<std::string, std::string>> formats = {
        {"geojson", "application/geo+json"},
        {"gpkg", "application/geopackage+sqlite3"},
        {"csv", "text/csv; charset=utf-8"}};
    for (const auto& [collection, query] : cases) {
        const std::int64_t expected =
            matched(Who::Admin, "/collections/" + collection + "/items" + query);
        ASSERT_GT(expected, 0) << collection;
        for (const auto& [format, media_type] : formats) {
            const std::string target = "/export/" + collection + "." + format + query;
            const HttpResponse response = call(Who::Admin, "GET", target);
            ASSERT_EQ(response.status, 200) << target << ": " << response.body;
            EXPECT_EQ(response.header("Content-Type"), media_type) << target;
            EXPECT_NE(response.header("Content-Disposition")
                          .find("attachment; filename=\"leerstandsatlas-" + collection),
                      std::string::npos)
                << target;
            EXPECT_EQ(response.header("X-Feature-Count"), std::to_string(expected)) << target;
            std::string info;
            EXPECT_EQ(gdal_count(save(response, collection + "." + format), &info), expected)
                << target << "\n"
                << info;
            // Every format carries a geometry GDAL recognises.
            EXPECT_EQ(info.find("Geometry: None"), std::string::npos) << target << "\n" << info;
        }
    }
}

TEST_F(Exports, CsvHasAStableColumnOrderWktAndAddresses) {
    const HttpResponse response =
        call(Who::Anonymous, "GET", "/export/buildings.csv?kommune=" + k_home_ags);
    ASSERT_EQ(response.status, 200) << response.body;
    std::istringstream lines(response.body);
    std::string header, first;
    std::getline(lines, header);
    std::getline(lines, first);
    EXPECT_EQ(header,
              "WKT,id,kommune_ags,source_ref,function,floors,name,street,housenumber,postcode,"
              "city,area_m2\r");
    EXPECT_EQ(first.rfind("\"MULTIPOLYGON(((", 0), 0u) << first;
    // The demo buildings have street addresses; the CSV carries them.
    const std::string street =
        spatial_sql(db(), "SELECT street FROM buildings WHERE kommune_ags = '" + k_home_ags +
                              "' AND street IS NOT NULL ORDER BY id LIMIT 1");
    ASSERT_FALSE(street.empty());
    EXPECT_NE(response.body.find(street.substr(0, street.find('\n'))), std::string::npos);
}

TEST_F(Exports, GeoJsonPassesAnRfc7946CheckerAndHoldsExactlyTheMatchingBuildings) {
    const fs::path checker = fs::path(LEERSTAND_SOURCE_DIR) / "tests/tools/check_geojson.mjs";
    const HttpResponse response =
        call(Who::Anonymous, "GET", "/export/buildings.geojson?kommune=" + k_home_ags);
    ASSERT_EQ(response.status, 200) << response.body;
    const fs::path file = save(response, "buildings.geojson");
    const CommandResult checked = run_command({"node", checker.string(), file.string()});
    if (checked.exit_code == 2) GTEST_SKIP() << checked.err;
    EXPECT_EQ(checked.exit_code, 0) << checked.err;
    // The checker does fail on a broken file (so the pass above means something).
    const fs::path broken = m_dir.path() / "broken.geojson";
    std::ofstream(broken) << R"({"type":"FeatureCollection","features":[{"type":"Feature",)"
                             R"("properties":{},"geometry":{"type":"Polygon",)"
                             R"("coordinates":[[[0,0],[1,0],[0,0]]]}}]})";
    EXPECT_EQ(run_command({"node", checker.string(), broken.string()}).exit_code, 1);

    const json collection = json::parse(response.body);
    EXPECT_FALSE(collection.contains("crs"));
    std::set<std::string> ids;
    for (const json& feature : collection["features"]) ids.insert(feature["id"].dump());
    std::set<std::string> oracle;
    std::istringstream rows(spatial_sql(
        db(), "SELECT id FROM buildings WHERE kommune_ags = '" + k_home_ags + "' ORDER BY id"));
    for (std::string line; std::getline(rows, line);)
        if (!line.empty()) oracle.insert(line);
    EXPECT_EQ(ids, oracle);
}

TEST_F(Exports, FiltersAreThoseOfItemsAndBadRequestsAreClear) {
    const std::string filters = "?kommune=" + k_home_ags + "&status=gemeldet&use=wohnen";
    const std::int64_t expected = matched(Who::Planner, "/collections/vacancies/items" + filters);
    ASSERT_EQ(expected, 1);
    const HttpResponse filtered = call(Who::Planner, "GET", "/export/vacancies.geojson" + filters);
    ASSERT_EQ(filtered.status, 200) << filtered.body;
    EXPECT_EQ(json::parse(filtered.body)["features"].size(), 1u);
    // The planner's export has the internal columns, the public one does not.
    EXPECT_NE(filtered.body.find("PRIVATE-CONTACT"), std::string::npos);
    const HttpResponse header = call(Who::Anonymous, "GET", "/export/vacancies.csv");
    EXPECT_EQ(header.body.find("owner_contact"), std::string::npos);

    const auto problem_field = [&](const std::string& target) {
        const HttpResponse response = call(Who::Anonymous, "GET", target);
        EXPECT_EQ(response.status, 400) << target << ": " << response.body;
        EXPECT_EQ(response.header("Content-Type"), "application/problem+json") << target;
        const json body = json::parse(response.body, nullptr, false);
        return body.is_object() && body.contains("errors") && !body["errors"].empty()
                   ? body["errors"][0].value("field", "")
                   : std::string("none");
    };
    EXPECT_EQ(problem_field("/export/buildings.geojson?limit=5"), "limit");
    EXPECT_EQ(problem_field("/export/buildings.csv?datetime=2024-01-01"), "datetime");
    EXPECT_EQ(problem_field("/export/vacancies.csv?use=schloss"), "use");
    EXPECT_EQ(problem_field("/export/vacancies.gpkg?bbox=1,2,3"), "bbox");
    EXPECT_EQ(call(Who::Anonymous, "GET", "/export/buildings.shp").status, 404);
    EXPECT_EQ(call(Who::Anonymous, "GET", "/export/schloesser.geojson").status, 404);
    // Nothing is left in the spool folder after exports, good or bad.
    fs::path spool = db();
    spool += "-export-spool";
    if (fs::exists(spool)) {
        EXPECT_TRUE(fs::is_empty(spool));
    }
}

TEST_F(Exports, TheCommandLineGivesWhatAnAdminDownloads) {
    const HttpResponse http =
        call(Who::Admin, "GET", "/export/vacancies.geojson?kommune=" + k_home_ags);
    ASSERT_EQ(http.status, 200);
    const CommandResult cli = run_leerstand({"export", "vacancies", "--format", "geojson",
                                             "--kommune", k_home_ags, "--db", db().string()});
    ASSERT_EQ(cli.exit_code, 0) << cli.err;
    EXPECT_EQ(cli.out, http.body);
    EXPECT_NE(cli.err.find("exported 3 features"), std::string::npos) << cli.err;

    const fs::path gpkg = m_dir.path() / "cli.gpkg";
    const CommandResult to_file = run_leerstand(
        {"export", "buildings", "--format", "gpkg", "--out", gpkg.string(), "--db", db().string()});
    ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
    if (fs::exists("/usr/bin/ogrinfo")) {
        EXPECT_EQ(gdal_count(gpkg), matched(Who::Admin, "/collections/buildings/items"));
    }

    const CommandResult no_out =
        run_leerstand({"export", "buildings", "--format", "gpkg", "--db", db().string()});
    EXPECT_EQ(no_out.exit_code, 2);
    const CommandResult unknown =
        run_leerstand({"export", "schloesser", "--format", "csv", "--out",
                       (m_dir.path() / "x.csv").string(), "--db", db().string()});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_EQ(std::count(unknown.err.begin(), unknown.err.end(), '\n'), 1) << unknown.err;
    EXPECT_FALSE(fs::exists(m_dir.path() / "x.csv"));
    EXPECT_FALSE(fs::exists(m_dir.path() / "x.csv.partial"));
}

TEST_F(Exports, ItemsTakeDatetimeAndUseAndCollectionsShowTheirTime) {
    const auto ids = [&](const std::string& target) {
        const HttpResponse response = call(Who::Planner, "GET", target);
        EXPECT_EQ(response.status, 200) << target << ": " << response.body;
        std::set<std::string> result;
        const json page = json::parse(response.body);  // named: the loop below views into it
        for (const json& feature : page["features"]) result.insert(feature["id"].dump());
        return result;
    };
    const auto oracle = [&](const std::string& where) {
        std::set<std::string> result;
        std::istringstream rows(spatial_sql(db(), "SELECT id FROM vacancies WHERE " + where));
        for (std::string line; std::getline(rows, line);)
            if (!line.empty()) result.insert(line);
        return result;
    };
    const std::string items = "/collections/vacancies/items";
    EXPECT_EQ(ids(items + "?datetime=2023-07-01T10:00:00Z"), oracle("vacant_since = '2023-07-01'"));
    // An instant late on 31 January in Berlin is still 31 January in UTC.
    EXPECT_EQ(ids(items + "?datetime=2024-01-31T23:30:00%2B01:00"),
              oracle("vacant_since = '2024-01-31'"));
    EXPECT_EQ(ids(items + "?datetime=2022-01-01/.."), oracle("vacant_since >= '2022-01-01'"));
    EXPECT_EQ(ids(items + "?datetime=../2023-12-31"), oracle("vacant_since <= '2023-12-31'"));
    EXPECT_EQ(ids(items + "?datetime=2021-01-01/2023-07-01&use=wohnen"),
              oracle("vacant_since BETWEEN '2021-01-01' AND '2023-07-01' AND use = 'wohnen'"));
    EXPECT_FALSE(ids(items + "?use=laden").empty());
    EXPECT_EQ(ids("/collections/zukunftsorte/items?datetime=2022-05-01").size(), 1u);
    EXPECT_TRUE(ids("/collections/zukunftsorte/items?datetime=2023-01-01/..").empty());

    for (const std::string bad : {"2024-13-01", "2024-02-30", "yesterday", "../..",
                                  "2024-05-01/2024-01-01", "2024-01-01T25:00:00Z"}) {
        const HttpResponse response = call(Who::Planner, "GET", items + "?datetime=" + bad);
        EXPECT_EQ(response.status, 400) << bad;
        EXPECT_NE(response.body.find("\"datetime\""), std::string::npos) << response.body;
    }
    EXPECT_EQ(
        call(Who::Anonymous, "GET", "/collections/buildings/items?datetime=2024-01-01").status,
        400);

    // The temporal extent of the public metadata covers only published vacancies.
    const json vacancies = json::parse(call(Who::Anonymous, "GET", "/collections/vacancies").body);
    const json interval = vacancies["extent"]["temporal"]["interval"][0];
    const std::string first =
        spatial_sql(db(), "SELECT min(vacant_since) FROM vacancies WHERE consent_publish = 1");
    EXPECT_EQ(interval[0], first.substr(0, 10) + "T00:00:00Z");
    const json places = json::parse(call(Who::Anonymous, "GET", "/collections/zukunftsorte").body);
    EXPECT_EQ(places["extent"]["temporal"]["interval"][0][0], "2022-05-01T00:00:00Z");
    EXPECT_FALSE(
        json::parse(call(Who::Anonymous, "GET", "/collections/buildings").body)["extent"].contains(
            "temporal"));
}

TEST_F(Exports, KommunenCarryTheirFiguresPublicOnesSuppressed) {
    move_history_before_this_month();
    const std::string target = "/collections/kommunen/items/" + k_home_ags;
    const json open = json::parse(call(Who::Anonymous, "GET", target).body)["properties"];
    const json exact = json::parse(call(Who::Planner, "GET", target).body)["properties"];
    const json summary =
        json::parse(call(Who::Planner, "GET", "/api/kommunen/" + k_home_ags + "/summary").body);
    // Three vacancies in Angermünde, all open, one of them unpublished: the public does not
    // see the 3, which less the two published ones would tell of the one.
    EXPECT_EQ(exact["figures_exact"], true);
    EXPECT_EQ(exact["open_vacancies"], summary["open_vacancies"]);
    EXPECT_EQ(exact["open_vacancies"], 3);
    EXPECT_EQ(exact["vacancy_rate"], summary["vacancy_rate"]);
    EXPECT_EQ(exact["buildings"], summary["buildings"]);
    EXPECT_EQ(exact["zukunftsorte"], 1);
    EXPECT_EQ(open["figures_exact"], false);
    EXPECT_TRUE(open["open_vacancies"].is_null());
    EXPECT_TRUE(open["vacant_buildings"].is_null());
    EXPECT_EQ(open["reactivated"], 0);
    // The other Kommune's reactivated count of one is suppressed for the public.
    const std::string other = "/collections/vacancies/items?kommune=" + k_other_ags + "&limit=1";
    const json first = json::parse(call(Who::Admin, "GET", other).body)["features"][0];
    const std::string path = "/collections/vacancies/items/" + first["id"].dump();
    for (const std::string status : {"bestaetigt", "in_aktivierung", "aktiviert"}) {
        const HttpResponse changed =
            call(Who::Admin, "PATCH", path, json{{"properties", {{"status", status}}}},
                 {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
        ASSERT_EQ(changed.status, 200) << changed.body;
    }
    move_history_before_this_month();
    const json other_public =
        json::parse(call(Who::Anonymous, "GET", "/collections/kommunen/items/" + k_other_ags)
                        .body)["properties"];
    EXPECT_EQ(other_public["reactivated"], "<3");
    EXPECT_EQ(other_public["open_vacancies"], "<3");
    EXPECT_TRUE(other_public["vacancy_rate"].is_null());
}

}  // namespace
}  // namespace leerstand::test
