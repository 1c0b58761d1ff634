// Zukunftsorte as stories (issue 21): the story and images of an item, their bounds and codes,
// the page `/zukunftsorte/{id}` with its own head, and what the public learns there of the
// vacancy a place came from.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

const std::string k_items = "/collections/zukunftsorte/items";

/// The demo's images are no business of these tests: an id of the right shape that no upload
/// ever gave.
const std::string k_unknown_image = "0123456789abcdef0123456789abcdef";

class ZukunftsortStories : public AtlasServerTest {
  protected:
    /// A Zukunftsort of the editor's Kommune with `properties`; its answer.
    HttpResponse create_place(const json& properties, Who who = Who::Editor) {
        return call(who, "POST", k_items,
                    vacancy_feature(building_point(k_home_ags, 4), properties));
    }

    /// The path of a page's canonical link (its address without the server's).
    static std::string canonical_of(const HttpResponse& page) {
        const std::string start = "<link rel=\"canonical\" href=\"http://";
        const std::size_t at = page.body.find(start);
        if (at == std::string::npos) return "";
        const std::size_t path = page.body.find('/', at + start.size());
        return page.body.substr(path, page.body.find('"', path) - path);
    }

    /// Uploads a JPEG made with the `vips` CLI as the editor; its id.
    std::string upload_image() {
        const std::filesystem::path black = m_dir / "bild.v";
        const std::filesystem::path jpeg = m_dir / "bild.jpg";
        EXPECT_EQ(run_command({"vips", "black", black.string(), "64", "48"}).exit_code, 0);
        EXPECT_EQ(run_command({"vips", "linear", black.string(), jpeg.string() + "[Q=80]", "1",
                               "120", "--uchar"})
                      .exit_code,
                  0);
        const MultipartBody form =
            multipart({{"kommune", k_home_ags}}, "bild.jpg", file_bytes(jpeg));
        const HttpResponse uploaded = with_retry([&] {
            return http_request(port(), "POST", "/api/images",
                                {{"Content-Type", form.content_type},
                                 {"Authorization", "Bearer " + m_tokens[Who::Editor]}},
                                form.body);
        });
        EXPECT_EQ(uploaded.status, 201) << uploaded.body;
        return parse_json(uploaded).value("id", "");
    }

    std::int64_t count_places() {
        return parse_json(call(Who::Admin, "GET", k_items + "?limit=1"))["numberMatched"];
    }
};

TEST_F(ZukunftsortStories, AStoryIsStoredBesideTheDescriptionAndShownToEveryone) {
    const std::string story = "Erst stand die Scheune leer.\n\nDann kam der Verein.";
    const HttpResponse created =
        create_place({{"name", "Kulturscheune"}, {"description", "Saal"}, {"story", story}});
    ASSERT_EQ(created.status, 201) << created.body;
    const json public_view = parse_json(call(Who::Anonymous, "GET", created.header("Location")));
    EXPECT_EQ(public_view["properties"]["story"], story);
    EXPECT_EQ(public_view["properties"]["description"], "Saal");
    EXPECT_EQ(public_view["properties"]["images"], json::array());
}

TEST_F(ZukunftsortStories, AStoryOfTwentyThousandCharactersIsTakenOneMoreIsRefused) {
    // Characters, not bytes: 20,000 umlauts are 40,000 bytes and still fit.
    std::string longest;
    for (int i = 0; i < 20000; ++i) longest += "ä";
    const HttpResponse fits = create_place({{"name", "Lang"}, {"story", longest}});
    ASSERT_EQ(fits.status, 201) << fits.body.substr(0, 300);
    EXPECT_EQ(parse_json(fits)["properties"]["story"], longest);

    const std::int64_t before = count_places();
    const HttpResponse refused = create_place({{"name", "Zu lang"}, {"story", longest + "a"}});
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(field_errors(refused), std::vector<std::string>{"story:too_long"});
    const HttpResponse not_text = create_place({{"name", "Zahl"}, {"story", 5}});
    EXPECT_EQ(field_errors(not_text), std::vector<std::string>{"story:wrong_type"});
    EXPECT_EQ(count_places(), before) << "nothing refused is stored";
}

TEST_F(ZukunftsortStories, ImagesThatNoUploadGaveAreRefusedWithTheirCodes) {
    const std::int64_t before = count_places();
    const auto refused = [&](const json& images) {
        const HttpResponse answer = create_place({{"name", "Bilder"}, {"images", images}});
        EXPECT_EQ(answer.status, 400) << images.dump();
        return field_errors(answer);
    };
    EXPECT_EQ(refused({k_unknown_image}), std::vector<std::string>{"images:unknown_image"});
    EXPECT_EQ(refused({{{"id", k_unknown_image}}}),
              std::vector<std::string>{"images:unknown_image"});
    EXPECT_EQ(refused({"../../etc/passwd"}), std::vector<std::string>{"images:unknown_image"});
    EXPECT_EQ(refused({"0123456789ABCDEF0123456789ABCDEF"}),
              std::vector<std::string>{"images:unknown_image"});
    EXPECT_EQ(refused({7}), std::vector<std::string>{"images:wrong_type"});
    EXPECT_EQ(refused("0123"), std::vector<std::string>{"images:wrong_type"});
    EXPECT_EQ(refused({k_unknown_image, k_unknown_image}),
              std::vector<std::string>{"images:duplicate"});
    json too_many = json::array();
    for (int i = 0; i < 21; ++i) {
        std::string id = k_unknown_image;
        id.replace(0, 2, (i < 10 ? "0" : "") + std::to_string(i));
        too_many.push_back(id);
    }
    EXPECT_EQ(refused(too_many), std::vector<std::string>{"images:too_long"});
    EXPECT_EQ(count_places(), before) << "nothing refused is stored";

    // null is no images at all.
    const HttpResponse none = create_place({{"name", "Ohne Bilder"}, {"images", nullptr}});
    ASSERT_EQ(none.status, 201) << none.body;
    EXPECT_EQ(parse_json(none)["properties"]["images"], json::array());
}

TEST_F(ZukunftsortStories, UploadedImagesAreShownWithTheirSizesAndTheFirstIsThePreview) {
    const std::string first = upload_image();
    const std::string second = upload_image();
    ASSERT_EQ(first.size(), 32u);
    ASSERT_EQ(second.size(), 32u);
    const HttpResponse created =
        create_place({{"name", "Galerie"}, {"description", "Bilder"}, {"images", {first, second}}});
    ASSERT_EQ(created.status, 201) << created.body;
    const json images =
        parse_json(call(Who::Anonymous, "GET", created.header("Location")))["properties"]["images"];
    ASSERT_EQ(images.size(), 2u);
    EXPECT_EQ(images[0]["id"], first) << "in the order given";
    EXPECT_EQ(images[1]["id"], second);
    for (const std::string size : {"small", "medium", "large"}) {
        const std::string url = images[0]["urls"][size];
        EXPECT_EQ(http_get(port(), url).status, 200) << url;
    }
    const std::int64_t id = parse_json(created)["id"];
    const HttpResponse page = http_get(port(), "/zukunftsorte/" + std::to_string(id));
    EXPECT_NE(page.body.find("<meta property=\"og:image\" content=\"http://"), std::string::npos);
    EXPECT_NE(page.body.find("/images/" + first + "/800.jpg\">"), std::string::npos);

    // What the items show is taken back as it is: a client can send its GET back.
    const HttpResponse echoed =
        call(Who::Editor, "PATCH", created.header("Location"),
             json{{"properties", {{"images", {images[1], images[0]}}}}},
             {{"If-Match", created.header("ETag")}}, "application/merge-patch+json");
    ASSERT_EQ(echoed.status, 200) << echoed.body;
    EXPECT_EQ(parse_json(echoed)["properties"]["images"][0]["id"], second);
}

TEST_F(ZukunftsortStories, AnUnknownImageInAPatchLeavesThePlaceAsItWas) {
    const HttpResponse created = create_place({{"name", "Werkstatt"}, {"story", "Anfang"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string path = created.header("Location");
    const HttpResponse refused =
        call(Who::Editor, "PATCH", path,
             json{{"properties", {{"story", "Neu"}, {"images", {k_unknown_image}}}}},
             {{"If-Match", created.header("ETag")}}, "application/merge-patch+json");
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(field_errors(refused), std::vector<std::string>{"images:unknown_image"});
    const HttpResponse now = call(Who::Anonymous, "GET", path);
    EXPECT_EQ(parse_json(now)["properties"]["story"], "Anfang");
    EXPECT_EQ(now.header("ETag"), created.header("ETag"));
}

TEST_F(ZukunftsortStories, ChangingTheStoryNeedsTheCurrentVersion) {
    const HttpResponse created = create_place({{"name", "Café Bahnhof"}, {"story", "Eins"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string path = created.header("Location");
    const auto patch_story = [&](const std::string& story, const std::string& etag) {
        return call(Who::Editor, "PATCH", path, json{{"properties", {{"story", story}}}},
                    {{"If-Match", etag}}, "application/merge-patch+json");
    };
    const HttpResponse changed = patch_story("Zwei", created.header("ETag"));
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(parse_json(changed)["properties"]["story"], "Zwei");
    EXPECT_EQ(parse_json(changed)["properties"]["version"], 2);

    const HttpResponse stale = patch_story("Drei", created.header("ETag"));
    EXPECT_EQ(stale.status, 412);
    EXPECT_EQ(parse_json(stale)["code"], "stale_version");
    EXPECT_EQ(parse_json(call(Who::Anonymous, "GET", path))["properties"]["story"], "Zwei");

    // null clears it.
    const HttpResponse cleared =
        call(Who::Editor, "PATCH", path, json{{"properties", {{"story", nullptr}}}},
             {{"If-Match", changed.header("ETag")}}, "application/merge-patch+json");
    ASSERT_EQ(cleared.status, 200) << cleared.body;
    EXPECT_TRUE(parse_json(cleared)["properties"]["story"].is_null());
}

// ---------------------------------------------------------------------------------------------
// The page

TEST_F(ZukunftsortStories, ThePageCarriesThePlacesNameTextAndCanonicalAddressInItsHead) {
    const HttpResponse created = create_place(
        {{"name", "Alte <Schule> & \"Hof\""},
         {"kind", "Bildung"},
         {"story", "Die Schule stand zehn Jahre leer. Heute lernen hier wieder Kinder."}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::int64_t id = parse_json(created)["id"];
    const std::string path = "/zukunftsorte/" + std::to_string(id);
    const HttpResponse page = http_get(port(), path);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.header("Content-Type").find("text/html"), std::string::npos);
    EXPECT_NE(page.body.find("<title>Alte &lt;Schule&gt; &amp; &quot;Hof&quot; – Leerstandsatlas"
                             "</title>"),
              std::string::npos)
        << page.body.substr(0, 1500);
    EXPECT_EQ(page.body.find("<Schule>"), std::string::npos) << "the name is escaped";
    // Without a description, the story's start describes it.
    EXPECT_NE(page.body.find("<meta property=\"og:description\" content=\"Die Schule stand zehn "
                             "Jahre leer."),
              std::string::npos);
    EXPECT_EQ(canonical_of(page), path);
    // No picture, no preview image.
    EXPECT_EQ(page.body.find("og:image"), std::string::npos);
    // The same page under another spelling of the id names the one address.
    EXPECT_EQ(canonical_of(http_get(port(), "/zukunftsorte/00" + std::to_string(id))), path);
}

TEST_F(ZukunftsortStories, AnUnknownPlaceIsTheAppsPageWith404) {
    for (const std::string path : {"/zukunftsorte/999999", "/zukunftsorte/abc", "/zukunftsorte/-1",
                                   "/zukunftsorte/99999999999999999999"}) {
        const HttpResponse page = http_get(port(), path);
        EXPECT_EQ(page.status, 404) << path;
        EXPECT_NE(page.header("Content-Type").find("text/html"), std::string::npos) << path;
        EXPECT_NE(page.body.find("<title>Zukunftsort nicht gefunden – Leerstandsatlas</title>"),
                  std::string::npos)
            << path;
        EXPECT_NE(page.body.find("/app.js"), std::string::npos) << "the app says so: " << path;
    }
}

// ---------------------------------------------------------------------------------------------
// Before and after: what the public learns of the vacancy a place came from

TEST_F(ZukunftsortStories, AHiddenVacancyAPlaceCameFromShowsNowhereThePublicLooks) {
    const std::string marker = "GEHEIM-Vorher-7731";
    const std::int64_t hidden = create_vacancy({{"status", "aktiviert"},
                                                {"use", "gewerbe"},
                                                {"vacant_since", "1987-03-01"},
                                                {"public_description", marker + " Beschreibung"},
                                                {"owner_contact", marker + " Kontakt"},
                                                {"internal_notes", marker + " Notiz"}},
                                               k_home_ags, 6);
    ASSERT_GT(hidden, 0);
    const HttpResponse created = create_place({{"name", "Werkhof"},
                                               {"story", "Aus dem Lager wurde ein Werkhof."},
                                               {"vacancy_id", hidden}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::int64_t id = parse_json(created)["id"];
    EXPECT_EQ(parse_json(created)["properties"]["vacancy_id"], hidden) << "its editor sees it";

    const std::vector<std::string> public_targets = {created.header("Location"),
                                                     k_items + "?limit=10000",
                                                     "/zukunftsorte/" + std::to_string(id),
                                                     "/zukunftsorte",
                                                     "/export/zukunftsorte.geojson",
                                                     "/export/zukunftsorte.csv"};
    for (const std::string& target : public_targets) {
        const HttpResponse answer = call(Who::Anonymous, "GET", target);
        EXPECT_EQ(answer.status, 200) << target;
        EXPECT_EQ(answer.body.find("GEHEIM"), std::string::npos) << target;
        EXPECT_EQ(answer.body.find("1987"), std::string::npos) << target;
    }
    // The link itself is withheld, so the page cannot fetch the vacancy; and asking for it
    // directly is as for any unknown one.
    EXPECT_TRUE(parse_json(call(Who::Anonymous, "GET",
                                created.header("Location")))["properties"]["vacancy_id"]
                    .is_null());
    EXPECT_EQ(call(Who::Anonymous, "GET", "/collections/vacancies/items/" + std::to_string(hidden))
                  .status,
              404);
    // An editor of another Kommune learns no more than the public.
    const json other = parse_json(call(Who::EditorOther, "GET", created.header("Location")));
    EXPECT_TRUE(other["properties"]["vacancy_id"].is_null());
}

TEST_F(ZukunftsortStories, APublishedVacancyAPlaceCameFromShowsOnlyItsPublicFields) {
    const std::int64_t published = create_vacancy({{"status", "aktiviert"},
                                                   {"use", "laden"},
                                                   {"vacant_since", "2014-06-01"},
                                                   {"consent_publish", true},
                                                   {"public_description", "Ehemals Bäckerei"},
                                                   {"owner_contact", "GEHEIM Kontakt"},
                                                   {"internal_notes", "GEHEIM Notiz"}},
                                                  k_home_ags, 7);
    ASSERT_GT(published, 0);
    const HttpResponse created =
        create_place({{"name", "Dorfladen"}, {"kind", "Laden"}, {"vacancy_id", published}});
    ASSERT_EQ(created.status, 201) << created.body;
    const json place = parse_json(call(Who::Anonymous, "GET", created.header("Location")));
    ASSERT_EQ(place["properties"]["vacancy_id"], published);
    // What the page shows as "Vorher" is the vacancy's public item.
    const HttpResponse before =
        call(Who::Anonymous, "GET", "/collections/vacancies/items/" + std::to_string(published));
    ASSERT_EQ(before.status, 200);
    const json properties = parse_json(before)["properties"];
    EXPECT_EQ(properties["public_description"], "Ehemals Bäckerei");
    EXPECT_EQ(properties["vacant_since"], "2014-06-01");
    EXPECT_EQ(properties["use"], "laden");
    EXPECT_EQ(before.body.find("GEHEIM"), std::string::npos);
    EXPECT_FALSE(properties.contains("owner_contact"));
}

}  // namespace
}  // namespace leerstand::test
