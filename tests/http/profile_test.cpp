// Kommune profiles over real HTTP (issue 21): `GET/PATCH /api/kommunen/{ags}/profile` from the
// real `leerstand serve` with users made by the real CLI — who may change what, the field
// checks, If-Match, the readable address (slug) — and the page `/kommunen/{ags or slug}`
// with the Kommune's own title and link-preview tags.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

const std::string k_home_profile = "/api/kommunen/" + k_home_ags + "/profile";
/// Well-formed, but no image of this id is ever stored.
const std::string k_unknown_image_id = "0123456789abcdef0123456789abcdef";

class ProfileApiTest : public AtlasServerTest {
  protected:
    /// The profile's current ETag, read as the public.
    std::string etag(const std::string& target = k_home_profile) {
        const HttpResponse response = call(Who::Anonymous, "GET", target);
        EXPECT_EQ(response.status, 200) << response.body;
        return response.header("ETag");
    }

    HttpResponse patch(Who who, const json& body, const std::string& target = k_home_profile,
                       std::optional<std::string> version = std::nullopt) {
        HeaderList headers;
        headers.emplace_back("If-Match", version ? *version : etag(target));
        return call(who, "PATCH", target, body, headers, "application/merge-patch+json");
    }

    /// PATCH with a token of a user made here (not one of the fixture's roles).
    HttpResponse patch_as(const std::string& token, const json& body, const std::string& target) {
        return with_retry([&] {
            return http_request(port(), "PATCH", target,
                                {{"Authorization", "Bearer " + token},
                                 {"Content-Type", "application/merge-patch+json"},
                                 {"If-Match", etag(target)}},
                                body.dump());
        });
    }

    std::string sql_text(const std::string& query) { return spatial_sql(db(), query); }

    /// Uploads a small JPEG made with the `vips` CLI for the home Kommune as `who`, through
    /// `POST /api/images`; returns the new image's id.
    std::string upload_image(Who who) {
        const std::filesystem::path photo = m_dir / "haus.jpg";
        const CommandResult made =
            run_command({"/usr/bin/vips", "black", photo.string(), "640", "480", "--bands", "3"});
        EXPECT_EQ(made.exit_code, 0) << made.err;
        std::ifstream in(photo, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        const MultipartBody form = multipart({{"kommune", k_home_ags}}, "haus.jpg", bytes.str());
        const HttpResponse response = with_retry([&] {
            return http_request(
                port(), "POST", "/api/images",
                {{"Content-Type", form.content_type}, {"Authorization", "Bearer " + m_tokens[who]}},
                form.body, std::chrono::seconds(60));
        });
        EXPECT_EQ(response.status, 201) << response.body;
        return parse_json(response).value("id", "");
    }
};

/// The codes of a 400's field errors, as "field:code" in order.
std::vector<std::string> field_codes(const HttpResponse& response) {
    std::vector<std::string> codes;
    const json problem = json::parse(response.body, nullptr, false);
    for (const json& error : problem.value("errors", json::array()))
        codes.push_back(error.value("field", "") + ":" + error.value("code", ""));
    return codes;
}

TEST_F(ProfileApiTest, TheProfileIsPublicWithItsSlugAndVersion) {
    const HttpResponse response = call(Who::Anonymous, "GET", k_home_profile);
    ASSERT_EQ(response.status, 200) << response.body;
    const json profile = parse_json(response);
    EXPECT_EQ(profile["ags"], k_home_ags);
    EXPECT_EQ(profile["name"], "Angermünde");
    EXPECT_EQ(profile["slug"], "angermuende");
    EXPECT_EQ(profile["url"],
              "http://127.0.0.1:" + std::to_string(port()) + "/kommunen/angermuende");
    EXPECT_TRUE(profile["text"].is_null());
    EXPECT_TRUE(profile["image"].is_null());
    EXPECT_EQ(profile["founding_member"], false);
    EXPECT_EQ(response.header("ETag"), "\"1\"");
    // Every Kommune has its slug, written out as the name reads.
    EXPECT_EQ(parse_json(call(Who::Anonymous, "GET", "/api/kommunen/12062224/profile"))["slug"],
              "herzberg-elster");
    EXPECT_EQ(parse_json(call(Who::Anonymous, "GET", "/api/kommunen/14521410/profile"))["slug"],
              "neukirchen-erzgeb");
    EXPECT_EQ(parse_json(call(Who::Anonymous, "GET", "/api/kommunen/09479/profile"))["slug"],
              "wunsiedel-i-fichtelgebirge");
    // The slug finds the same profile.
    const HttpResponse by_slug = call(Who::Anonymous, "GET", "/api/kommunen/angermuende/profile");
    ASSERT_EQ(by_slug.status, 200) << by_slug.body;
    EXPECT_EQ(parse_json(by_slug), profile);
}

TEST_F(ProfileApiTest, UnknownKommunenAre404) {
    for (const std::string ref : {"12073009", "nirgendwo", "09999"}) {
        const HttpResponse response =
            call(Who::Anonymous, "GET", "/api/kommunen/" + ref + "/profile");
        EXPECT_EQ(response.status, 404) << ref;
        EXPECT_EQ(parse_json(response)["code"], "unknown_kommune") << ref;
    }
}

TEST_F(ProfileApiTest, TheKommunesEditorChangesItsProfile) {
    const std::string image_id = upload_image(Who::Editor);
    const json change = {{"text", "Angermünde ist Gründungsmitglied. Wir aktivieren Leerstand."},
                         {"website", "https://www.angermuende.de"},
                         {"contact", "Bauamt, Tel. 03331 2600"},
                         {"image", image_id}};
    const HttpResponse response = patch(Who::Editor, change);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("ETag"), "\"2\"");
    const json profile = parse_json(call(Who::Anonymous, "GET", k_home_profile));
    EXPECT_EQ(profile["text"], change["text"]);
    EXPECT_EQ(profile["website"], change["website"]);
    EXPECT_EQ(profile["contact"], change["contact"]);
    EXPECT_EQ(profile["image"]["id"], image_id);
    EXPECT_EQ(profile["image"]["urls"]["medium"], "/images/" + image_id + "/800.jpg");
    // Each of the profile's image addresses serves the uploaded picture as a JPEG.
    for (const std::string size : {"small", "medium", "large"}) {
        const HttpResponse picture = http_get(port(), profile["image"]["urls"][size]);
        EXPECT_EQ(picture.status, 200) << size;
        EXPECT_EQ(picture.header("Content-Type"), "image/jpeg") << size;
        EXPECT_EQ(picture.body.substr(0, 3), "\xFF\xD8\xFF") << size;
    }
    // Stored where migration 1 put the profile.
    EXPECT_EQ(sql_text("SELECT website || '|' || image_url FROM kommunen WHERE ags = '" +
                       k_home_ags + "'"),
              "https://www.angermuende.de|" + image_id);

    // Sending back what was read changes nothing, not even the version.
    const HttpResponse echo = patch(Who::Editor, profile);
    ASSERT_EQ(echo.status, 200) << echo.body;
    EXPECT_EQ(echo.header("ETag"), "\"2\"");
    // null clears a field.
    const HttpResponse cleared = patch(Who::Admin, {{"website", nullptr}, {"image", nullptr}});
    ASSERT_EQ(cleared.status, 200) << cleared.body;
    EXPECT_TRUE(parse_json(cleared)["website"].is_null());
    EXPECT_TRUE(parse_json(cleared)["image"].is_null());
}

TEST_F(ProfileApiTest, AnEditorOfAKreisChangesTheProfilesOfItsGemeinden) {
    const std::string token =
        add_user("editor.wunsiedel", {"--role", "editor", "--kommune", "09479"});
    const HttpResponse town = patch_as(token, {{"text", "Wunsiedel im Fichtelgebirge."}},
                                       "/api/kommunen/09479169/profile");
    EXPECT_EQ(town.status, 200) << town.body;
    const HttpResponse kreis =
        patch_as(token, {{"text", "Der Landkreis."}}, "/api/kommunen/09479/profile");
    EXPECT_EQ(kreis.status, 200) << kreis.body;
    const HttpResponse elsewhere = patch_as(token, {{"text", "Fremd."}}, k_home_profile);
    EXPECT_EQ(elsewhere.status, 403) << elsewhere.body;
}

TEST_F(ProfileApiTest, OthersMayNotChangeIt) {
    const json change = {{"text", "Fremder Text."}};
    const HttpResponse other = patch(Who::EditorOther, change);
    EXPECT_EQ(other.status, 403) << other.body;
    EXPECT_EQ(parse_json(other)["code"], "forbidden");
    EXPECT_EQ(patch(Who::Planner, change).status, 403);
    const HttpResponse anonymous = patch(Who::Anonymous, change);
    EXPECT_EQ(anonymous.status, 401) << anonymous.body;
    EXPECT_EQ(parse_json(anonymous)["code"], "unauthenticated");
    // Nothing was stored, and the version did not move.
    EXPECT_TRUE(parse_json(call(Who::Anonymous, "GET", k_home_profile))["text"].is_null());
    EXPECT_EQ(etag(), "\"1\"");
}

TEST_F(ProfileApiTest, OnlyAdminsRecordTheMembership) {
    const json membership = {{"member_since", "2019-05-01"}, {"founding_member", true}};
    const HttpResponse editor = patch(Who::Editor, membership);
    ASSERT_EQ(editor.status, 403) << editor.body;
    const json problem = parse_json(editor);
    EXPECT_EQ(problem["code"], "admin_only_field");
    EXPECT_EQ(problem["fields"], json({"member_since", "founding_member"}));
    EXPECT_EQ(etag(), "\"1\"");

    const HttpResponse admin = patch(Who::Admin, membership);
    ASSERT_EQ(admin.status, 200) << admin.body;
    EXPECT_EQ(parse_json(admin)["member_since"], "2019-05-01");
    EXPECT_EQ(parse_json(admin)["founding_member"], true);
    // The editor may send them back unchanged with its own change.
    const HttpResponse echo = patch(
        Who::Editor,
        {{"member_since", "2019-05-01"}, {"founding_member", true}, {"contact", "Bürgerbüro"}});
    EXPECT_EQ(echo.status, 200) << echo.body;
}

TEST_F(ProfileApiTest, BadFieldsAreNamedWithTheirCodes) {
    const HttpResponse response = patch(Who::Admin, {{"text", std::string(5001, 'x')},
                                                     {"website", "javascript:alert(1)"},
                                                     {"contact", 42},
                                                     {"image", "../../etc/passwd"},
                                                     {"member_since", "2019-02-30"},
                                                     {"founding_member", "ja"},
                                                     {"owner", "x"}});
    ASSERT_EQ(response.status, 400) << response.body;
    EXPECT_EQ(parse_json(response)["code"], "invalid_fields");
    auto codes = field_codes(response);
    std::sort(codes.begin(), codes.end());
    EXPECT_EQ(codes, (std::vector<std::string>{"contact:wrong_type", "founding_member:wrong_type",
                                               "image:invalid_value", "member_since:not_a_date",
                                               "owner:unknown_field", "text:too_long",
                                               "website:not_a_url"}));
    EXPECT_EQ(field_codes(patch(Who::Admin, {{"member_since", "2999-01-01"}})),
              std::vector<std::string>{"member_since:in_the_future"});
    EXPECT_EQ(field_codes(patch(Who::Admin, {{"contact", std::string(501, 'x')}})),
              std::vector<std::string>{"contact:too_long"});
    EXPECT_EQ(field_codes(patch(Who::Admin, json::array())),
              std::vector<std::string>{":wrong_type"});
    // 5,000 characters are allowed: umlauts count as one.
    std::string longest;
    for (int i = 0; i < 5000; ++i) longest += "ä";
    EXPECT_EQ(patch(Who::Admin, {{"text", longest}}).status, 200);
    EXPECT_EQ(etag(), "\"2\"");
}

// Fails if a profile can point at an image that was never uploaded (its page would show a
// broken picture and its link preview a dead og:image).
TEST_F(ProfileApiTest, AnImageThatWasNeverUploadedIsRefused) {
    const HttpResponse response = patch(Who::Editor, {{"image", k_unknown_image_id}});
    ASSERT_EQ(response.status, 400) << response.body;
    EXPECT_EQ(parse_json(response)["code"], "invalid_fields");
    EXPECT_EQ(field_codes(response), std::vector<std::string>{"image:unknown_image"});
    // Also when sent as the profile's own image object.
    EXPECT_EQ(field_codes(patch(Who::Admin, {{"image", {{"id", k_unknown_image_id}}}})),
              std::vector<std::string>{"image:unknown_image"});
    EXPECT_TRUE(parse_json(call(Who::Anonymous, "GET", k_home_profile))["image"].is_null());
    EXPECT_EQ(etag(), "\"1\"");
}

TEST_F(ProfileApiTest, ChangesNeedTheCurrentVersion) {
    HeaderList no_version;
    const HttpResponse missing = call(Who::Editor, "PATCH", k_home_profile, json{{"text", "A."}},
                                      no_version, "application/merge-patch+json");
    EXPECT_EQ(missing.status, 428) << missing.body;
    EXPECT_EQ(parse_json(missing)["code"], "version_required");
    ASSERT_EQ(patch(Who::Editor, {{"text", "Erste Fassung."}}).status, 200);
    const HttpResponse stale = patch(Who::Editor, {{"text", "Zweite."}}, k_home_profile, "\"1\"");
    EXPECT_EQ(stale.status, 412) << stale.body;
    EXPECT_EQ(parse_json(stale)["code"], "stale_version");
    EXPECT_EQ(parse_json(stale)["current_version"], 2);
    EXPECT_EQ(parse_json(call(Who::Anonymous, "GET", k_home_profile))["text"], "Erste Fassung.");
}

TEST_F(ProfileApiTest, HiddenWritesLeaveTheProfileAsItWas) {
    const HttpResponse before = call(Who::Anonymous, "GET", k_home_profile);
    // An unpublished report and an internal edit in the Kommune: the public may not learn of
    // either, so neither moves the profile's body or version.
    const std::int64_t id = create_vacancy(
        {{"status", "gemeldet"}, {"consent_publish", false}, {"internal_notes", "geheim"}},
        k_home_ags);
    const std::string item = "/collections/vacancies/items/" + std::to_string(id);
    HeaderList headers{{"If-Match", etag_of(item)}};
    ASSERT_EQ(call(Who::Admin, "PATCH", item, json{{"properties", {{"internal_notes", "mehr"}}}},
                   headers, "application/merge-patch+json")
                  .status,
              200);
    const HttpResponse after = call(Who::Anonymous, "GET", k_home_profile);
    EXPECT_EQ(after.body, before.body);
    EXPECT_EQ(after.header("ETag"), before.header("ETag"));
}

// -- the page ------------------------------------------------------------------------------

TEST_F(ProfileApiTest, ThePageCarriesTheKommunesTitleAndPreview) {
    const std::string image_id = upload_image(Who::Editor);
    ASSERT_EQ(patch(Who::Admin, {{"text",
                                  "Angermünde liegt in der Uckermark. Viele Häuser stehen "
                                  "leer.\n\nWir ändern das gemeinsam mit den "
                                  "Eigentümern, Schritt für Schritt und Haus für Haus, "
                                  "seit vielen Jahren und mit großer Geduld und Freude in der "
                                  "ganzen Stadt."},
                                 {"image", image_id}})
                  .status,
              200);
    const std::string base = "http://127.0.0.1:" + std::to_string(port());
    for (const std::string path : {"/kommunen/12073008", "/kommunen/angermuende"}) {
        SCOPED_TRACE(path);
        const HttpResponse page = http_get(port(), path);
        ASSERT_EQ(page.status, 200) << page.body;
        EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
        EXPECT_NE(page.body.find("<title>Angermünde – Leerstandsatlas</title>"), std::string::npos);
        // The first sentences that fit a preview, whole.
        EXPECT_NE(page.body.find("<meta name=\"description\" content=\"Angermünde liegt in der "
                                 "Uckermark. Viele Häuser stehen leer.\">"),
                  std::string::npos);
        EXPECT_NE(page.body.find("<meta property=\"og:image\" content=\"" + base + "/images/" +
                                 image_id + "/800.jpg\">"),
                  std::string::npos);
        EXPECT_NE(
            page.body.find("<link rel=\"canonical\" href=\"" + base + "/kommunen/angermuende\">"),
            std::string::npos);
        EXPECT_NE(page.body.find("id=\"profile\""), std::string::npos);
    }
}

TEST_F(ProfileApiTest, AnUnknownKommunesPageIs404AndSaysSo) {
    for (const std::string path : {"/kommunen/nirgendwo", "/kommunen/12073009"}) {
        const HttpResponse page = http_get(port(), path);
        EXPECT_EQ(page.status, 404) << path;
        EXPECT_NE(page.body.find("<title>Kommune nicht gefunden – Leerstandsatlas</title>"),
                  std::string::npos)
            << path;
        EXPECT_NE(page.body.find("id=\"map\""), std::string::npos) << path;
    }
}

TEST_F(ProfileApiTest, ThePageEscapesTheProfileText) {
    ASSERT_EQ(patch(Who::Admin, {{"text", "<script>alert(1)</script> \"Zitat\"."}}).status, 200);
    const HttpResponse page = http_get(port(), "/kommunen/angermuende");
    EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
    EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt; &quot;Zitat&quot;."),
              std::string::npos);
}

}  // namespace
}  // namespace leerstand::test
