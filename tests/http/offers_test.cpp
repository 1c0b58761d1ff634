// Offers (Angebote, issue 23, part "offers"): the collection `angebote` over real HTTP, its
// privacy rule (what the public sees, and that items, single items, counts, extents and pages
// agree), the writes of editors in scope, every bound and field error, and ETag/If-Match.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

const std::string k_items = "/collections/angebote/items";

class Offers : public AtlasServerTest {
  protected:
    /// A vacancy of the editor's Kommune at building `n`, consented unless told otherwise.
    std::int64_t vacancy(int n, bool consent = true, const std::string& use = "laden") {
        return create_vacancy({{"consent_publish", consent}, {"use", use}}, k_home_ags, n);
    }

    static json offer_body(std::int64_t vacancy_id, json extra = json::object()) {
        json properties = {{"vacancy_id", vacancy_id},
                           {"title", "Ladenlokal am Markt"},
                           {"kinds", {"miete", "zwischennutzung"}},
                           {"floor_area_m2", 120},
                           {"conditions", "Miete nach Vereinbarung"},
                           {"available_from", "2027-01-01"},
                           {"contact_role", "Bauamt, Wirtschaftsförderung"},
                           {"contact_email", "bauamt@angermuende.example"},
                           {"contact_phone", "03331 123"}};
        for (auto& [key, value] : extra.items()) properties[key] = value;
        return {{"type", "Feature"}, {"geometry", nullptr}, {"properties", properties}};
    }

    HttpResponse post_offer(std::int64_t vacancy_id, json extra = json::object(),
                            Who who = Who::Editor) {
        return call(who, "POST", k_items, offer_body(vacancy_id, std::move(extra)));
    }

    /// Creates an offer as the editor; its id.
    std::int64_t offer(std::int64_t vacancy_id, json extra = json::object()) {
        const HttpResponse created = post_offer(vacancy_id, std::move(extra));
        EXPECT_EQ(created.status, 201) << created.body;
        return parse_json(created).value("id", std::int64_t{0});
    }

    static std::string item(std::int64_t id) { return k_items + "/" + std::to_string(id); }

    HttpResponse patch_as(Who who, const std::string& path, const json& properties,
                          const std::string& etag) {
        return call(who, "PATCH", path, json{{"properties", properties}}, {{"If-Match", etag}},
                    "application/merge-patch+json");
    }

    /// Withdraws the owner's consent to publish vacancy `id` (as admin).
    void withdraw_consent(std::int64_t id) {
        const std::string path = "/collections/vacancies/items/" + std::to_string(id);
        const HttpResponse changed =
            patch_as(Who::Admin, path, {{"consent_publish", false}}, etag_of(path));
        ASSERT_EQ(changed.status, 200) << changed.body;
    }

    std::vector<std::int64_t> ids_seen(Who who, const std::string& query = "") {
        std::vector<std::int64_t> ids;
        const json page = parse_json(call(who, "GET", k_items + query));
        for (const json& feature : page.at("features")) ids.push_back(feature.at("id"));
        return ids;
    }

    std::int64_t matched(Who who, const std::string& query = "") {
        return parse_json(call(who, "GET", k_items + query)).at("numberMatched");
    }

    static std::string code_of(const HttpResponse& response) {
        return json::parse(response.body, nullptr, false).value("code", "");
    }
};

TEST_F(Offers, ThePublicSeesOpenOffersOfConsentedVacanciesOnlyInItemsCountsAndExtent) {
    const std::int64_t shown_vacancy = vacancy(0);
    const std::int64_t shown = offer(shown_vacancy);
    const std::int64_t withdrawn = offer(vacancy(1));
    const std::int64_t unconsented_vacancy = vacancy(2);
    const std::int64_t unconsented = offer(unconsented_vacancy);
    ASSERT_EQ(patch_as(Who::Editor, item(withdrawn), {{"status", "zurueckgezogen"}},
                       etag_of(item(withdrawn)))
                  .status,
              200);
    withdraw_consent(unconsented_vacancy);

    EXPECT_EQ(ids_seen(Who::Anonymous), std::vector<std::int64_t>({shown}));
    EXPECT_EQ(matched(Who::Anonymous), 1);
    EXPECT_EQ(call(Who::Anonymous, "GET", item(withdrawn)).status, 404);
    EXPECT_EQ(call(Who::Anonymous, "GET", item(unconsented)).status, 404);
    EXPECT_EQ(code_of(call(Who::Anonymous, "GET", item(999999))),
              code_of(call(Who::Anonymous, "GET", item(unconsented))))
        << "a hidden offer answers as a missing one";
    // The editor of the Kommune and the admin see all three; the other Kommune's editor only
    // what the public sees.
    EXPECT_EQ(ids_seen(Who::Editor), std::vector<std::int64_t>({shown, withdrawn, unconsented}));
    EXPECT_EQ(matched(Who::Admin), 3);
    EXPECT_EQ(ids_seen(Who::EditorOther), std::vector<std::int64_t>({shown}));

    // The public extent is the one visible point, exactly.
    const json shown_point =
        parse_json(call(Who::Anonymous, "GET", item(shown))).at("geometry").at("coordinates");
    const json collection = parse_json(call(Who::Anonymous, "GET", "/collections/angebote"));
    const json box = collection.at("extent").at("spatial").at("bbox").at(0);
    EXPECT_NEAR(box[0].get<double>(), shown_point[0].get<double>(), 1e-6);
    EXPECT_NEAR(box[1].get<double>(), shown_point[1].get<double>(), 1e-6);
    EXPECT_NEAR(box[2].get<double>(), shown_point[0].get<double>(), 1e-6);
    EXPECT_NEAR(box[3].get<double>(), shown_point[1].get<double>(), 1e-6);
    const json collections = parse_json(call(Who::Anonymous, "GET", "/collections"));
    bool listed = false;
    for (const json& c : collections.at("collections")) listed = listed || c.at("id") == "angebote";
    EXPECT_TRUE(listed);

    // Withdrawn consent hides the last one too, from items, item, count and extent.
    withdraw_consent(shown_vacancy);
    EXPECT_TRUE(ids_seen(Who::Anonymous).empty());
    EXPECT_EQ(matched(Who::Anonymous), 0);
    EXPECT_EQ(call(Who::Anonymous, "GET", item(shown)).status, 404);
    const json empty = parse_json(call(Who::Anonymous, "GET", "/collections/angebote"));
    EXPECT_NE(empty.at("extent").at("spatial").at("bbox").at(0)[0].get<double>(),
              box[0].get<double>());
}

TEST_F(Offers, ThePublicPropertiesNameTheKommuneContactNeverTheOwnerOrAuthor) {
    const std::int64_t vacancy_id = create_vacancy({{"consent_publish", true},
                                                    {"use", "gewerbe"},
                                                    {"owner_contact", "Frau Geheim, 0170 1"},
                                                    {"internal_notes", "Erbengemeinschaft"}},
                                                   k_home_ags, 3);
    const std::int64_t id = offer(vacancy_id);
    const HttpResponse response = call(Who::Anonymous, "GET", item(id));
    ASSERT_EQ(response.status, 200);
    const json properties = parse_json(response).at("properties");
    EXPECT_EQ(properties.at("kommune"), k_home_ags);
    EXPECT_EQ(properties.at("kommune_name"), "Angermünde");
    EXPECT_EQ(properties.at("use"), "gewerbe");
    EXPECT_EQ(properties.at("kinds"), json({"miete", "zwischennutzung"}));
    EXPECT_EQ(properties.at("contact_email"), "bauamt@angermuende.example");
    EXPECT_EQ(properties.at("vacancy_id"), vacancy_id);
    EXPECT_FALSE(properties.contains("author"));
    EXPECT_EQ(response.body.find("Geheim"), std::string::npos);
    EXPECT_EQ(response.body.find("Erbengemeinschaft"), std::string::npos);
    EXPECT_EQ(parse_json(call(Who::Editor, "GET", item(id))).at("properties").at("author"),
              user_name(Who::Editor));
}

TEST_F(Offers, FiltersByKommuneUseKindAndAreaAgreeWithTheirCounts) {
    const std::int64_t shop = offer(vacancy(0, true, "laden"), {{"floor_area_m2", 80}});
    const std::int64_t hall =
        offer(vacancy(1, true, "gewerbe"), {{"floor_area_m2", 400}, {"kinds", {"kauf"}}});
    EXPECT_EQ(ids_seen(Who::Anonymous, "?use=laden"), std::vector<std::int64_t>({shop}));
    EXPECT_EQ(ids_seen(Who::Anonymous, "?kind=kauf"), std::vector<std::int64_t>({hall}));
    EXPECT_EQ(ids_seen(Who::Anonymous, "?min_area=100"), std::vector<std::int64_t>({hall}));
    EXPECT_EQ(ids_seen(Who::Anonymous, "?max_area=100"), std::vector<std::int64_t>({shop}));
    EXPECT_EQ(matched(Who::Anonymous, "?min_area=50&max_area=500"), 2);
    EXPECT_EQ(matched(Who::Anonymous, "?kommune=12073"), 2);
    EXPECT_EQ(matched(Who::Anonymous, "?kommune=" + k_other_ags), 0);
    EXPECT_EQ(field_errors(call(Who::Anonymous, "GET", k_items + "?kind=tausch")),
              std::vector<std::string>({"kind:not_one_of"}));
    EXPECT_EQ(field_errors(call(Who::Anonymous, "GET", k_items + "?min_area=9&max_area=1")),
              std::vector<std::string>({"max_area:out_of_range"}));
    EXPECT_EQ(field_errors(call(Who::Anonymous, "GET", k_items + "?min_area=viel")),
              std::vector<std::string>({"min_area:invalid_value"}));
}

TEST_F(Offers, WritesNeedAnEditorOfTheVacancysKommune) {
    const std::int64_t vacancy_id = vacancy(0);
    EXPECT_EQ(post_offer(vacancy_id, {}, Who::Anonymous).status, 401);
    EXPECT_EQ(post_offer(vacancy_id, {}, Who::Planner).status, 403);
    EXPECT_EQ(post_offer(vacancy_id, {}, Who::EditorOther).status, 403);
    EXPECT_EQ(matched(Who::Admin), 0) << "nothing stored";
    const std::int64_t id = offer(vacancy_id);
    const std::string etag = etag_of(item(id));
    EXPECT_EQ(patch_as(Who::EditorOther, item(id), {{"title", "Fremd"}}, etag).status, 403);
    EXPECT_EQ(call(Who::EditorOther, "DELETE", item(id), std::nullopt, {{"If-Match", etag}}).status,
              403);
    EXPECT_EQ(call(Who::Anonymous, "DELETE", item(id), std::nullopt, {{"If-Match", etag}}).status,
              401);
}

TEST_F(Offers, OnlyAPublishedVacancyCanBeOfferedAndOnlyOnce) {
    const std::int64_t unpublished = vacancy(0, false);
    const HttpResponse refused = post_offer(unpublished);
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(code_of(refused), "vacancy_not_published");

    const std::int64_t published = vacancy(1);
    offer(published);
    const HttpResponse twice = post_offer(published);
    EXPECT_EQ(twice.status, 409) << twice.body;
    EXPECT_EQ(code_of(twice), "vacancy_already_offered");

    // A vacancy the caller may not see answers as one that does not exist.
    const std::int64_t hidden = create_vacancy({{"consent_publish", false}}, k_other_ags, 0);
    const HttpResponse unseen = post_offer(hidden);
    const HttpResponse missing = post_offer(999999);
    EXPECT_EQ(unseen.status, 404) << unseen.body;
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(code_of(unseen), code_of(missing));
    EXPECT_EQ(matched(Who::Admin), 1);
}

TEST_F(Offers, EveryFieldIsCheckedWithItsCodeAndNothingIsStored) {
    const std::int64_t vacancy_id = vacancy(0);
    const auto errors_of = [&](json extra) { return field_errors(post_offer(vacancy_id, extra)); };
    EXPECT_EQ(errors_of({{"title", std::string(201, 'x')}}),
              std::vector<std::string>({"title:too_long"}));
    EXPECT_EQ(errors_of({{"title", ""}}), std::vector<std::string>({"title:required"}));
    EXPECT_EQ(errors_of({{"kinds", json::array()}}), std::vector<std::string>({"kinds:required"}));
    EXPECT_EQ(errors_of({{"kinds", {"tausch"}}}), std::vector<std::string>({"kinds:not_one_of"}));
    EXPECT_EQ(errors_of({{"kinds", {"kauf", "kauf"}}}),
              std::vector<std::string>({"kinds:duplicate"}));
    EXPECT_EQ(errors_of({{"floor_area_m2", 0}}),
              std::vector<std::string>({"floor_area_m2:out_of_range"}));
    EXPECT_EQ(errors_of({{"floor_area_m2", "groß"}}),
              std::vector<std::string>({"floor_area_m2:wrong_type"}));
    EXPECT_EQ(errors_of({{"conditions", std::string(5001, 'x')}}),
              std::vector<std::string>({"conditions:too_long"}));
    EXPECT_EQ(errors_of({{"available_from", "2027-13-01"}}),
              std::vector<std::string>({"available_from:not_a_date"}));
    EXPECT_EQ(errors_of({{"contact_role", std::string(201, 'x')}}),
              std::vector<std::string>({"contact_role:too_long"}));
    EXPECT_EQ(errors_of({{"contact_email", "bauamt at kommune"}}),
              std::vector<std::string>({"contact_email:not_an_email"}));
    EXPECT_EQ(errors_of({{"contact_phone", std::string(51, '1')}}),
              std::vector<std::string>({"contact_phone:too_long"}));
    EXPECT_EQ(errors_of({{"images", {"0123456789abcdef0123456789abcdef"}}}),
              std::vector<std::string>({"images:unknown_image"}));
    EXPECT_EQ(errors_of({{"status", "verkauft"}}), std::vector<std::string>({"status:not_one_of"}));
    EXPECT_EQ(errors_of({{"owner_contact", "x"}}),
              std::vector<std::string>({"owner_contact:unknown_field"}));
    json without_role = offer_body(vacancy_id);
    without_role["properties"].erase("contact_role");
    EXPECT_EQ(field_errors(call(Who::Editor, "POST", k_items, without_role)),
              std::vector<std::string>({"contact_role:required"}));
    // The longest of each is taken.
    EXPECT_EQ(post_offer(vacancy_id, {{"title", std::string(200, 'x')},
                                      {"conditions", std::string(5000, 'x')},
                                      {"contact_role", std::string(200, 'x')},
                                      {"contact_phone", std::string(50, '1')}})
                  .status,
              201);
    EXPECT_EQ(matched(Who::Admin), 1);
}

TEST_F(Offers, ChangesNeedTheCurrentVersionAndClosingRecordsWhen) {
    const std::int64_t id = offer(vacancy(0));
    const std::string etag = etag_of(item(id));
    EXPECT_EQ(call(Who::Editor, "PATCH", item(id), json{{"properties", {{"title", "Neu"}}}}, {},
                   "application/merge-patch+json")
                  .status,
              428);
    EXPECT_EQ(patch_as(Who::Editor, item(id), {{"title", "Neu"}}, "\"99\"").status, 412);
    const HttpResponse changed = patch_as(Who::Editor, item(id), {{"title", "Neu"}}, etag);
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_NE(changed.header("ETag"), etag);
    EXPECT_EQ(parse_json(changed).at("properties").at("title"), "Neu");
    EXPECT_TRUE(parse_json(changed).at("properties").at("closed_at").is_null());
    const HttpResponse moved =
        patch_as(Who::Editor, item(id), {{"vacancy_id", vacancy(1)}}, changed.header("ETag"));
    EXPECT_EQ(field_errors(moved), std::vector<std::string>({"vacancy_id:read_only"}));

    const HttpResponse closed =
        patch_as(Who::Editor, item(id), {{"status", "vermittelt"}}, changed.header("ETag"));
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_TRUE(parse_json(closed).at("properties").at("closed_at").is_string());

    // PUT replaces the whole offer; absent fields take their defaults (status offen).
    const HttpResponse replaced = call(Who::Editor, "PUT", item(id), offer_body(vacancy(0)),
                                       {{"If-Match", closed.header("ETag")}});
    EXPECT_EQ(replaced.status, 400) << "another vacancy: " << replaced.body;
    json same = parse_json(call(Who::Editor, "GET", item(id)));
    const HttpResponse put =
        call(Who::Editor, "PUT", item(id),
             offer_body(same.at("properties").at("vacancy_id"), {{"conditions", nullptr}}),
             {{"If-Match", closed.header("ETag")}});
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(parse_json(put).at("properties").at("status"), "offen");
    EXPECT_TRUE(parse_json(put).at("properties").at("closed_at").is_null());
    EXPECT_TRUE(parse_json(put).at("properties").at("conditions").is_null());

    const HttpResponse stale_delete =
        call(Who::Editor, "DELETE", item(id), std::nullopt, {{"If-Match", etag}});
    EXPECT_EQ(stale_delete.status, 412);
    EXPECT_EQ(
        call(Who::Editor, "DELETE", item(id), std::nullopt, {{"If-Match", put.header("ETag")}})
            .status,
        204);
    EXPECT_EQ(call(Who::Editor, "GET", item(id)).status, 404);
}

TEST_F(Offers, TheExposePageHeadNamesOnlyPublicOffers) {
    const std::int64_t vacancy_id = vacancy(0);
    const std::int64_t id = offer(vacancy_id, {{"title", "Altes Kaufhaus Angermünde"}});
    const HttpResponse page = call(Who::Anonymous, "GET", "/angebote/" + std::to_string(id));
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Altes Kaufhaus Angermünde"), std::string::npos);
    EXPECT_EQ(call(Who::Anonymous, "GET", "/angebote").status, 200);

    withdraw_consent(vacancy_id);
    const HttpResponse hidden = call(Who::Anonymous, "GET", "/angebote/" + std::to_string(id));
    const HttpResponse missing = call(Who::Anonymous, "GET", "/angebote/999999");
    EXPECT_EQ(hidden.status, 404);
    EXPECT_EQ(hidden.body.find("Altes Kaufhaus"), std::string::npos);
    // The same head as for an id that never was, but for the page's own address.
    EXPECT_EQ(hidden.body.substr(0, hidden.body.find("og:url")),
              missing.body.substr(0, missing.body.find("og:url")));
}

}  // namespace
}  // namespace leerstand::test
