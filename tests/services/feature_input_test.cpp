// The reader of the GeoJSON bodies written to vacancies and Zukunftsorte: drafts take the
// defaults of what they leave out, patches name only what they change, and every problem is
// collected with its field and code instead of being thrown.
#include "server/services/feature_input.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/field_errors.hpp"

namespace leerstand::services {
namespace {

using nlohmann::json;

json point_feature(json properties) {
    return json{{"type", "Feature"},
                {"geometry", {{"type", "Point"}, {"coordinates", {12.000000049, 50.02}}}},
                {"properties", std::move(properties)}};
}

/// "field:code" of every problem, in order.
std::vector<std::string> problems(const FieldErrors& errors) {
    std::vector<std::string> list;
    for (const FieldError& error : errors.errors()) list.push_back(error.field + ":" + error.code);
    return list;
}

TEST(FeatureInput, ADraftTakesTheDefaultsOfWhatItLeavesOut) {
    FieldErrors errors;
    const VacancyDraft draft = read_vacancy_draft(
        point_feature({{"use", "laden"}, {"vacant_since", "2021-03-01"}, {"version", 9}}), errors);
    EXPECT_TRUE(errors.empty()) << problems(errors).front();
    EXPECT_EQ(draft.record.use, "laden");
    EXPECT_EQ(draft.record.vacant_since, "2021-03-01");
    EXPECT_EQ(draft.record.status, "gemeldet");
    EXPECT_EQ(draft.record.owner_type, "unbekannt");
    EXPECT_FALSE(draft.record.consent_publish);
    ASSERT_TRUE(draft.place.point_given);
    ASSERT_TRUE(draft.place.point);
    EXPECT_EQ(draft.place.point->lon, 12.0) << "rounded to 7 decimals";
    EXPECT_FALSE(draft.place.kommune_given);
    EXPECT_FALSE(draft.place.building_given);
}

TEST(FeatureInput, APatchChangesOnlyWhatItNamesAndNullResets) {
    FieldErrors errors;
    const VacancyPatch patch = read_vacancy_patch(
        json{{"properties",
              {{"status", nullptr}, {"owner_contact", nullptr}, {"kommune_ags", "09479"}}}},
        errors);
    EXPECT_TRUE(errors.empty());
    EXPECT_FALSE(patch.place.point_given) << "no geometry: the stored point stays";
    EXPECT_TRUE(patch.place.kommune_given);
    ASSERT_TRUE(patch.place.kommune_ags);
    EXPECT_EQ(patch.place.kommune_ags->text(), "09479");

    data::VacancyRecord record;
    record.status = "aktiviert";
    record.use = "wohnen";
    record.owner_contact = "Frau Grün";
    patch.apply_to(record);
    EXPECT_EQ(record.status, "gemeldet") << "null is the default";
    EXPECT_EQ(record.use, "wohnen") << "not named: unchanged";
    EXPECT_FALSE(record.owner_contact);

    const ZukunftsortPatch place_patch =
        read_zukunftsort_patch(json{{"properties", {{"website", nullptr}}}}, errors);
    EXPECT_TRUE(errors.empty());
    data::ZukunftsortRecord place;
    place.name = "Kulturkaufhaus";
    place.website = "https://example.org";
    place_patch.apply_to(place);
    EXPECT_EQ(place.name, "Kulturkaufhaus");
    EXPECT_FALSE(place.website);
}

TEST(FeatureInput, EveryProblemIsCollectedWithItsFieldAndCode) {
    FieldErrors errors;
    json body = point_feature({{"status", 5},
                               {"use", "kino"},
                               {"vacant_since", "2021-02-30"},
                               {"floor_area_m2", -5},
                               {"owner_contact", std::string(501, 'x')},
                               {"kommune_ags", "Wunsiedel"},
                               {"building_id", 0},
                               {"colour", "red"}});
    body["geometry"]["coordinates"] = {200.0, 50.0};
    body["status"] = "gemeldet";
    read_vacancy_draft(body, errors);
    // Members of the Feature first, then the properties by name, then the geometry.
    EXPECT_EQ(problems(errors),
              (std::vector<std::string>{"status:unknown_field", "building_id:out_of_range",
                                        "colour:unknown_field", "floor_area_m2:out_of_range",
                                        "kommune_ags:not_an_ags", "owner_contact:too_long",
                                        "status:wrong_type", "use:not_one_of",
                                        "vacant_since:not_a_date", "geometry:out_of_range"}));

    const std::vector<std::pair<json, std::string>> cases = {
        {json::array(), ":wrong_type"},
        {json{{"type", "FeatureCollection"}}, "type:not_one_of"},
        {json{{"properties", json::object()}}, "type:required"},
        {point_feature({{"vacant_since", "2999-01-01"}}), "vacant_since:in_the_future"},
        {point_feature({{"vacant_since", 20210301}}), "vacant_since:wrong_type"},
    };
    for (const auto& [case_body, expected] : cases) {
        SCOPED_TRACE(case_body.dump());
        FieldErrors one;
        read_vacancy_draft(case_body, one);
        ASSERT_FALSE(one.empty());
        EXPECT_EQ(problems(one).front(), expected);
    }
}

TEST(FeatureInput, TheGeometryIsRequiredOfAWholeItemOnly) {
    FieldErrors errors;
    json no_geometry = point_feature(json::object());
    no_geometry.erase("geometry");
    read_vacancy_draft(no_geometry, errors);
    EXPECT_EQ(problems(errors), std::vector<std::string>{"geometry:required"});

    FieldErrors line_errors;
    json line = point_feature(json::object());
    line["geometry"] = {{"type", "LineString"}, {"coordinates", {{12.0, 50.0}, {12.1, 50.0}}}};
    read_vacancy_patch(line, line_errors);
    EXPECT_EQ(problems(line_errors), std::vector<std::string>{"geometry:invalid_geometry"});

    FieldErrors cleared;
    const VacancyPatch patch = read_vacancy_patch(json{{"geometry", nullptr}}, cleared);
    EXPECT_EQ(problems(cleared), std::vector<std::string>{"geometry:required"});
    EXPECT_TRUE(patch.place.point_given);
    EXPECT_FALSE(patch.place.point) << "given but unusable: not the stored point either";
}

TEST(FeatureInput, ABodyThatIsNoObjectHasOneProblemAndNoPoint) {
    FieldErrors errors;
    const ZukunftsortPatch patch = read_zukunftsort_patch(json("text"), errors);
    EXPECT_EQ(problems(errors), std::vector<std::string>{":wrong_type"});
    EXPECT_EQ(errors.errors().front().message, "the patch must be a JSON object");
    EXPECT_TRUE(patch.place.point_given);
    EXPECT_FALSE(patch.place.point);
}

TEST(FeatureInput, AZukunftsortNeedsANameAndAWebAddress) {
    FieldErrors errors;
    read_zukunftsort_draft(point_feature({{"website", "ftp://example.org"}, {"opened", "x"}}),
                           errors);
    EXPECT_EQ(problems(errors), (std::vector<std::string>{"opened:not_a_date", "website:not_a_url",
                                                          "name:required"}));
    FieldErrors empty_name;
    read_zukunftsort_draft(point_feature({{"name", ""}}), empty_name);
    EXPECT_EQ(problems(empty_name), std::vector<std::string>{"name:required"});
    FieldErrors patched;
    read_zukunftsort_patch(json{{"properties", {{"kind", "kultur"}}}}, patched);
    EXPECT_TRUE(patched.empty()) << "a patch keeps the stored name";
}

}  // namespace
}  // namespace leerstand::services
