// The network's public face against the real server: the operator's site file (`serve
// --site`: refused in one line when bad, served as /api/site), the licences of the data in the
// landing page, the collections and every export (GeoJSON body and Link header, GeoPackage
// metadata read with sqlite3 and GDAL, CSV Link header), and the embed page, the only page
// another site may frame.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string k_odbl_url = "https://opendatacommons.org/licenses/odbl/1-0/";
const std::string k_dl_de_url = "https://www.govdata.de/dl-de/by-2-0";
// The licence of the custom site file below: no default names it, so seeing it proves the
// outputs read the operator's file.
const std::string k_own_url = "https://opendatacommons.org/licenses/by/1-0/";
const std::string k_own_title = "ODC-By 1.0";
const std::string k_own_attribution = "© Testnetz Leerstand";

json custom_site() {
    return {{"operator", "Testnetz Leerstand e. V."},
            {"contact", "Teststraße 9\n99999 Prüfstadt"},
            {"about", {"Über-Text des Testnetzes."}},
            {"imprint", {"Impressum-Text des Testnetzes."}},
            {"privacy", {"## Datenschutz", "Datenschutz-Text des Testnetzes."}},
            {"data_license",
             {{"title", k_own_title}, {"url", k_own_url}, {"attribution", k_own_attribution}}}};
}

/// The hrefs of the links of `document` with rel "license", each checked for title and type.
std::vector<std::string> license_hrefs(const json& links) {
    std::vector<std::string> hrefs;
    for (const json& link : links) {
        if (link.value("rel", "") != "license") continue;
        EXPECT_FALSE(link.value("title", "").empty()) << link.dump();
        EXPECT_EQ(link.value("type", ""), "text/html") << link.dump();
        hrefs.push_back(link.value("href", ""));
    }
    return hrefs;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// ---------------------------------------------------------------------------------------------
// A bad site file stops the start: one line on stderr, a non-zero exit.

TEST(SiteFile, ABadFileStopsServeWithOneLineNamingTheProblem) {
    TempDir dir;
    const auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name, std::ios::binary) << text;
        return (dir / name).string();
    };
    json no_license = custom_site();
    no_license.erase("data_license");
    json bad_url = custom_site();
    bad_url["data_license"]["url"] = "javascript:alert(1)";
    json unknown = custom_site();
    unknown["impressum"] = json::array({"typo"});
    json empty_paragraph = custom_site();
    empty_paragraph["privacy"] = json::array({"ok", " "});
    json wrong_type = custom_site();
    wrong_type["about"] = "one string, not a list";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {(dir / "missing.json").string(), "cannot be read"},
        {write("not-json.json", "{\"operator\": "), "not JSON"},
        {write("array.json", "[]"), "JSON object"},
        {write("no-license.json", no_license.dump()), "'data_license' is missing"},
        {write("bad-url.json", bad_url.dump()), "'data_license.url' must be an http"},
        {write("unknown.json", unknown.dump()), "'impressum' is not a setting"},
        {write("empty.json", empty_paragraph.dump()), "'privacy[1]' must not be empty"},
        {write("wrong-type.json", wrong_type.dump()), "'about' must be a non-empty list"},
    };
    for (const auto& [file, message] : cases) {
        const CommandResult result = run_leerstand(
            {"serve", "--db", (dir / "atlas.sqlite").string(), "--port", "0", "--site", file});
        EXPECT_NE(result.exit_code, 0) << file;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        EXPECT_EQ(result.err.rfind("leerstand: site file " + file + ": ", 0), 0u) << result.err;
        EXPECT_NE(result.err.find(message), std::string::npos) << file << ": " << result.err;
        EXPECT_TRUE(result.out.find("listening") == std::string::npos) << result.out;
    }
}

// ---------------------------------------------------------------------------------------------
// The default site file: what scripts/run and a bare `serve` use.

class DefaultSite : public AtlasServerTest {};

TEST_F(DefaultSite, ApiSiteServesTheOperatorsTextsAndEveryLicence) {
    const HttpResponse response = call(Who::Anonymous, "GET", "/api/site");
    ASSERT_EQ(response.status, 200) << response.body;
    const json site = parse_json(response);
    for (const char* text : {"about", "imprint", "privacy"}) {
        ASSERT_TRUE(site[text].is_array()) << text;
        EXPECT_FALSE(site[text].empty()) << text;
    }
    // The default Datenschutz text tells what the software stores.
    const std::string privacy = site["privacy"].dump();
    for (const char* topic : {"lsa_session", "Argon2id", "Einwilligung", "tile.openstreetmap.org"})
        EXPECT_NE(privacy.find(topic), std::string::npos) << topic;
    EXPECT_EQ(site["data_license"]["title"], "CC BY 4.0");
    std::vector<std::string> attributions;
    for (const json& license : site["licenses"]) attributions.push_back(license["attribution"]);
    for (const char* credit : {"© OpenStreetMap-Mitwirkende", "© GeoBasis-DE / BKG (2021)",
                               "© Statistische Ämter des Bundes und der Länder, Zensus 2022"})
        EXPECT_TRUE(contains(attributions, credit)) << credit;
    // The same for everyone: a signed-in caller gets the same bytes.
    EXPECT_EQ(call(Who::Admin, "GET", "/api/site").body, response.body);
}

TEST_F(DefaultSite, LandingPageAndCollectionsLinkTheLicencesOfTheirData) {
    const json landing = parse_json(call(Who::Anonymous, "GET", "/?f=json"));
    const auto all = license_hrefs(landing["links"]);
    EXPECT_TRUE(contains(all, k_odbl_url));
    EXPECT_TRUE(contains(all, k_dl_de_url));
    EXPECT_TRUE(contains(all, "https://creativecommons.org/licenses/by/4.0/deed.de"));

    const json collections = parse_json(call(Who::Anonymous, "GET", "/collections"));
    EXPECT_EQ(license_hrefs(collections["links"]).size(), all.size());
    for (const json& collection : collections["collections"]) {
        const std::string id = collection["id"];
        const auto hrefs = license_hrefs(collection["links"]);
        EXPECT_EQ(contains(hrefs, k_odbl_url), id == "buildings") << id;
        EXPECT_EQ(contains(hrefs, k_dl_de_url), id == "kommunen") << id;
        EXPECT_TRUE(contains(hrefs, "https://creativecommons.org/licenses/by/4.0/deed.de")) << id;
        // Each collection's own document says the same as the list.
        EXPECT_EQ(parse_json(call(Who::Anonymous, "GET", "/collections/" + id))["links"],
                  collection["links"])
            << id;
    }
}

// ---------------------------------------------------------------------------------------------
// An operator's own site file: its texts and licence in every output.

class CustomSite : public AtlasServerTest {
  protected:
    std::vector<std::string> extra_serve_args() const override {
        const fs::path file = m_dir.path() / "site.json";
        std::ofstream(file, std::ios::binary) << custom_site().dump(2);
        return {"--site", file.string()};
    }

    fs::path save(const HttpResponse& response, const std::string& name) {
        const fs::path path = m_dir.path() / name;
        std::ofstream(path, std::ios::binary) << response.body;
        return path;
    }
};

TEST_F(CustomSite, ApiSiteAndDocumentsCarryTheOperatorsLicence) {
    const json site = parse_json(call(Who::Anonymous, "GET", "/api/site"));
    EXPECT_EQ(site["operator"], "Testnetz Leerstand e. V.");
    EXPECT_EQ(site["about"], json::array({"Über-Text des Testnetzes."}));
    EXPECT_EQ(site["data_license"]["url"], k_own_url);
    EXPECT_TRUE(contains(
        license_hrefs(parse_json(call(Who::Anonymous, "GET", "/?f=json"))["links"]), k_own_url));
    EXPECT_TRUE(contains(
        license_hrefs(parse_json(call(Who::Anonymous, "GET", "/collections/vacancies"))["links"]),
        k_own_url));
}

TEST_F(CustomSite, GeoJsonExportsCarryAttributionAndLinkHeader) {
    const HttpResponse buildings =
        call(Who::Anonymous, "GET", "/export/buildings.geojson?kommune=" + k_home_ags);
    ASSERT_EQ(buildings.status, 200) << buildings.body;
    const json body = parse_json(buildings);
    const std::string attribution = body.value("attribution", "");
    EXPECT_NE(attribution.find("© OpenStreetMap-Mitwirkende"), std::string::npos) << attribution;
    EXPECT_NE(attribution.find(k_own_attribution), std::string::npos) << attribution;
    const auto hrefs = license_hrefs(body["links"]);
    EXPECT_TRUE(contains(hrefs, k_odbl_url));
    EXPECT_TRUE(contains(hrefs, k_own_url));
    EXPECT_FALSE(body["features"].empty());
    const std::string link = buildings.header("Link");
    EXPECT_NE(link.find("<" + k_odbl_url + ">; rel=\"license\""), std::string::npos) << link;
    EXPECT_NE(link.find("<" + k_own_url + ">; rel=\"license\""), std::string::npos) << link;

    const HttpResponse kommunen = call(Who::Anonymous, "GET", "/export/kommunen.geojson");
    ASSERT_EQ(kommunen.status, 200);
    EXPECT_NE(parse_json(kommunen).value("attribution", "").find("© GeoBasis-DE / BKG (2021)"),
              std::string::npos);
    EXPECT_NE(kommunen.header("Link").find("<" + k_dl_de_url + ">; rel=\"license\""),
              std::string::npos);
    // The network's own data is under the network's licence alone.
    const HttpResponse places = call(Who::Anonymous, "GET", "/export/zukunftsorte.geojson");
    EXPECT_EQ(places.header("Link"), "<" + k_own_url + ">; rel=\"license\"");
    EXPECT_EQ(parse_json(places)["attribution"], k_own_attribution);
}

TEST_F(CustomSite, CsvExportsNameTheirLicenceInTheLinkHeader) {
    const HttpResponse csv =
        call(Who::Anonymous, "GET", "/export/buildings.csv?kommune=" + k_home_ags);
    ASSERT_EQ(csv.status, 200);
    EXPECT_EQ(csv.header("Link"),
              "<" + k_odbl_url + ">; rel=\"license\", <" + k_own_url + ">; rel=\"license\"");
    EXPECT_EQ(csv.body.rfind("WKT,", 0), 0u);  // the file itself stays plain CSV
}

TEST_F(CustomSite, GeoPackageExportsHoldTheLicenceInTheirMetadataTables) {
    const HttpResponse gpkg =
        call(Who::Anonymous, "GET", "/export/buildings.gpkg?kommune=" + k_home_ags);
    ASSERT_EQ(gpkg.status, 200);
    EXPECT_NE(gpkg.header("Link").find("<" + k_own_url + ">; rel=\"license\""), std::string::npos);
    const fs::path file = save(gpkg, "buildings.gpkg");
    // Read with the sqlite3 client: the metadata rows and what they refer to.
    const CommandResult scopes =
        run_command({"sqlite3", "-batch", file.string(),
                     "SELECT r.reference_scope || ':' || coalesce(r.table_name, '') FROM "
                     "gpkg_metadata_reference r JOIN gpkg_metadata m ON m.id = r.md_file_id WHERE "
                     "m.metadata LIKE '%ODC-By 1.0%' ORDER BY 1"});
    ASSERT_EQ(scopes.exit_code, 0) << scopes.err;
    EXPECT_EQ(scopes.out, "geopackage:\ntable:buildings\n");
    const CommandResult metadata = run_command(
        {"sqlite3", "-batch", file.string(), "SELECT group_concat(metadata) FROM gpkg_metadata"});
    for (const std::string& part : {std::string("LICENSE"), std::string("ATTRIBUTION"), k_odbl_url,
                                    k_own_url, std::string("© OpenStreetMap-Mitwirkende")})
        EXPECT_NE(metadata.out.find(part), std::string::npos) << part << ": " << metadata.out;
    // And as GDAL reads it back.
    const CommandResult info =
        run_command({"/usr/bin/ogrinfo", "-ro", "-so", "-al", file.string()});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_NE(
        info.out.find("LICENSE=ODbL 1.0 <" + k_odbl_url + ">; ODC-By 1.0 <" + k_own_url + ">"),
        std::string::npos)
        << info.out;
    EXPECT_NE(info.out.find("ATTRIBUTION=© OpenStreetMap-Mitwirkende; " + k_own_attribution),
              std::string::npos)
        << info.out;
}

// ---------------------------------------------------------------------------------------------
// Framing: the embed pages, and nothing else.

TEST_F(DefaultSite, OnlyTheEmbedPagesMayBeFramed) {
    const HttpResponse embed = call(Who::Anonymous, "GET", "/embed/kommunen/" + k_home_ags);
    ASSERT_EQ(embed.status, 200) << embed.body;
    EXPECT_EQ(embed.header("Content-Type").rfind("text/html", 0), 0u);
    const std::string policy = embed.header("Content-Security-Policy");
    EXPECT_NE(policy.find("frame-ancestors *"), std::string::npos) << policy;
    EXPECT_EQ(policy.find("'none'; frame"), std::string::npos) << policy;
    EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << policy;
    EXPECT_EQ(embed.header("X-Frame-Options"), "");
    EXPECT_NE(embed.body.find("/embed.js"), std::string::npos);
    EXPECT_NE(embed.body.find("<title>Angermünde – Leerstandsatlas</title>"), std::string::npos);
    // A Kreis has its embed page too.
    EXPECT_EQ(call(Who::Anonymous, "GET", "/embed/kommunen/09479").status, 200);

    for (const char* target : {"/", "/ueber", "/impressum", "/datenschutz", "/embed.html",
                               "/health", "/api/site", "/collections"}) {
        const HttpResponse answer = call(Who::Anonymous, "GET", target);
        EXPECT_EQ(answer.status, 200) << target;
        EXPECT_NE(answer.header("Content-Security-Policy").find("frame-ancestors 'none'"),
                  std::string::npos)
            << target;
        EXPECT_EQ(answer.header("X-Frame-Options"), "DENY") << target;
    }
    // Problems too.
    EXPECT_EQ(call(Who::Anonymous, "GET", "/no-such-page").header("X-Frame-Options"), "DENY");
}

TEST_F(DefaultSite, EmbedPagesOfNoKommuneAre404WithTheStableCode) {
    for (const char* ags : {"99999999", "12073", "abc", "1207300812"}) {
        const HttpResponse answer =
            call(Who::Anonymous, "GET", std::string("/embed/kommunen/") + ags);
        EXPECT_EQ(answer.status, 404) << ags;
        EXPECT_EQ(parse_json(answer).value("code", ""), "unknown_kommune") << ags;
        EXPECT_EQ(answer.header("X-Frame-Options"), "DENY") << ags;
    }
}

TEST_F(DefaultSite, EmbedPagesAreTheSameSignedInOrNot) {
    const std::string target = "/embed/kommunen/" + k_home_ags;
    const HttpResponse anonymous = call(Who::Anonymous, "GET", target);
    const HttpResponse editor = call(Who::Editor, "GET", target);
    EXPECT_EQ(editor.status, 200);
    EXPECT_EQ(editor.body, anonymous.body);
    EXPECT_EQ(editor.header("Content-Security-Policy"),
              anonymous.header("Content-Security-Policy"));
}

}  // namespace
}  // namespace leerstand::test
