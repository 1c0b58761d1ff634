// VacancyService, the use cases behind the writable collection vacancies: validation,
// lifecycle, optimistic concurrency, rights, the privacy filter for every role, history, and
// building matching on real OSM footprints. Real SpatiaLite files in a TempDir; Kommunen are
// small hand-made boxes (feature_fixture.hpp).
#include "server/services/vacancy_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/records.hpp"
#include "data/store.hpp"
#include "server/services/caller.hpp"
#include "server/services/import_service.hpp"
#include "server/services/place_resolver.hpp"
#include "server/services/privacy.hpp"
#include "tests/data/wkb_builder.hpp"
#include "tests/services/feature_fixture.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::services {
namespace {

using namespace feature_test;

using VacancyServiceTest = WritableCollectionsTest;

// -- create and read ----------------------------------------------------------------------

TEST_F(VacancyServiceTest, CreateDerivesTheKommuneAndReturnsTheWholeFeature) {
    const FeatureResult created =
        m_vacancies->create(feature({12.000000049, 50.0200000501},
                                    {{"status", "bestaetigt"},
                                     {"use", "laden"},
                                     {"degree", "teilweise"},
                                     {"vacant_since", "2022-02-28"},
                                     {"floor_area_m2", 85},
                                     {"owner_type", "gewerblich"},
                                     {"owner_contact", "Hausverwaltung Rot"},
                                     {"internal_notes", "Dach undicht"},
                                     {"consent_publish", true},
                                     {"public_description", "Laden in der Maximilianstraße"},
                                     // read-only fields a client echoes are ignored
                                     {"version", 17},
                                     {"author", "mallory"},
                                     {"consent_date", "1990-01-01"},
                                     {"zukunftsort_id", 3}}),
                            editor_in);
    EXPECT_GT(created.id, 0);
    EXPECT_EQ(created.version, 1);
    const json& f = created.feature;
    EXPECT_EQ(f.at("type"), "Feature");
    EXPECT_EQ(f.at("id"), created.id);
    EXPECT_EQ(f.at("geometry"), point({12.0, 50.0200001})) << "7 decimals";
    const json& p = f.at("properties");
    EXPECT_EQ(p.at("kommune_ags"), wunsiedel) << "the Gemeinde, not its Kreis";
    EXPECT_EQ(p.at("status"), "bestaetigt");
    EXPECT_EQ(p.at("use"), "laden");
    EXPECT_EQ(p.at("degree"), "teilweise");
    EXPECT_EQ(p.at("vacant_since"), "2022-02-28");
    EXPECT_EQ(p.at("floor_area_m2"), 85.0);
    EXPECT_EQ(p.at("owner_type"), "gewerblich");
    EXPECT_EQ(p.at("owner_contact"), "Hausverwaltung Rot");
    EXPECT_EQ(p.at("internal_notes"), "Dach undicht");
    EXPECT_EQ(p.at("consent_publish"), true);
    EXPECT_EQ(p.at("consent_date"), today());
    EXPECT_EQ(p.at("public_description"), "Laden in der Maximilianstraße");
    EXPECT_EQ(p.at("author"), "eva");
    EXPECT_EQ(p.at("version"), 1);
    EXPECT_TRUE(p.at("building_id").is_null());
    EXPECT_TRUE(p.at("zukunftsort_id").is_null());
    EXPECT_FALSE(p.at("created_at").get<std::string>().empty());

    EXPECT_EQ(m_vacancies->get(created.id, editor_in).feature, f);

    // Only in the Kreis: the Kreis. Defaults for what is left out.
    const FeatureResult kreis_only = create(json::object(), in_kreis_only);
    const json& k = kreis_only.feature.at("properties");
    EXPECT_EQ(k.at("kommune_ags"), kreis);
    EXPECT_EQ(k.at("status"), "gemeldet");
    EXPECT_EQ(k.at("use"), "sonstiges");
    EXPECT_EQ(k.at("degree"), "vollstaendig");
    EXPECT_EQ(k.at("owner_type"), "unbekannt");
    EXPECT_EQ(k.at("consent_publish"), false);
    EXPECT_TRUE(k.at("consent_date").is_null());

    // An explicit Kommune that contains the point is taken as given.
    EXPECT_EQ(create({{"kommune_ags", kreis}}).feature.at("properties").at("kommune_ags"), kreis);
}

TEST_F(VacancyServiceTest, KommunenAddedLaterAreSeen) {
    ASSERT_TRUE(invalid(feature(nowhere)));
    m_store->upsert_kommunen({box_kommune("09162000", "München", 9.9, 47.9, 10.1, 48.1)},
                             kommunen_upload());
    EXPECT_EQ(create(json::object(), nowhere).feature.at("properties").at("kommune_ags"),
              "09162000");
}

// -- validation ---------------------------------------------------------------------------

TEST_F(VacancyServiceTest, ValidationNamesEachProblem) {
    struct Case {
        std::string name;
        json body;
        std::string field;
        std::string message_part;
    };
    json line = feature(in_wunsiedel);
    line["geometry"] = {{"type", "LineString"}, {"coordinates", {{12.0, 50.0}, {12.1, 50.0}}}};
    json no_geometry = feature(in_wunsiedel);
    no_geometry.erase("geometry");
    json text_coordinates = feature(in_wunsiedel);
    text_coordinates["geometry"]["coordinates"] = {"12.0", 50.02};
    json nan_coordinates = feature(in_wunsiedel);
    nan_coordinates["geometry"]["coordinates"] = {std::numeric_limits<double>::quiet_NaN(), 50.0};
    json collection = feature(in_wunsiedel);
    collection["type"] = "FeatureCollection";
    json stray_member = feature(in_wunsiedel);
    stray_member["status"] = "gemeldet";

    const std::vector<Case> cases = {
        {"array body", json::array(), "", "Feature"},
        {"not a Feature", collection, "type", "Feature"},
        {"property outside properties", stray_member, "status", "properties"},
        {"line", line, "geometry", "Point"},
        {"no geometry", no_geometry, "geometry", "Point"},
        {"text coordinates", text_coordinates, "geometry", "coordinates"},
        {"not finite", nan_coordinates, "geometry", "latitude"},
        {"out of range", feature({200.0, 50.0}), "geometry", "longitude"},
        {"unknown field", feature(in_wunsiedel, {{"colour", "red"}}), "colour", "unknown"},
        {"status type", feature(in_wunsiedel, {{"status", 5}}), "status", "gemeldet"},
        {"unknown status", feature(in_wunsiedel, {{"status", "verkauft"}}), "status",
         "allowed: gemeldet, bestaetigt, in_aktivierung, aktiviert, abgerissen, kein_leerstand"},
        {"unknown use", feature(in_wunsiedel, {{"use", "kino"}}), "use",
         "wohnen, gewerbe, laden, gemischt, oeffentlich, landwirtschaft, sonstiges"},
        {"unknown degree", feature(in_wunsiedel, {{"degree", "halb"}}), "degree",
         "vollstaendig, teilweise"},
        {"unknown owner_type", feature(in_wunsiedel, {{"owner_type", "kirche"}}), "owner_type",
         "privat, gewerblich, oeffentlich, unbekannt"},
        {"German date", feature(in_wunsiedel, {{"vacant_since", "01.03.2021"}}), "vacant_since",
         "YYYY-MM-DD"},
        {"no such day", feature(in_wunsiedel, {{"vacant_since", "2021-02-30"}}), "vacant_since",
         "YYYY-MM-DD"},
        {"future", feature(in_wunsiedel, {{"vacant_since", "2999-01-01"}}), "vacant_since",
         "future"},
        {"negative area", feature(in_wunsiedel, {{"floor_area_m2", -5}}), "floor_area_m2",
         "from 0 to 10,000,000"},
        {"absurd area", feature(in_wunsiedel, {{"floor_area_m2", 1e300}}), "floor_area_m2",
         "from 0 to 10,000,000"},
        {"area as text", feature(in_wunsiedel, {{"floor_area_m2", "viel"}}), "floor_area_m2",
         "number"},
        {"consent as text", feature(in_wunsiedel, {{"consent_publish", "ja"}}), "consent_publish",
         "true or false"},
        {"contact as number", feature(in_wunsiedel, {{"owner_contact", 42}}), "owner_contact",
         "string"},
        {"unknown Kommune", feature(in_wunsiedel, {{"kommune_ags", "09999999"}}), "kommune_ags",
         "unknown Kommune"},
        {"malformed AGS", feature(in_wunsiedel, {{"kommune_ags", "Wunsiedel"}}), "kommune_ags",
         "digits"},
        {"outside the given Kommune", feature(in_wunsiedel, {{"kommune_ags", angermuende}}),
         "geometry", "outside Kommune 12073008"},
        {"outside every Kommune", feature(nowhere), "geometry",
         "the point lies outside every Kommune of the atlas"},
        {"unknown building", feature(in_wunsiedel, {{"building_id", 999}}), "building_id", "999"},
        {"building id as text", feature(in_wunsiedel, {{"building_id", "7"}}), "building_id",
         "integer"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const auto error = invalid(c.body);
        if (!error) continue;
        EXPECT_EQ(error_fields(*error), std::multiset<std::string>{c.field});
        EXPECT_NE(error_message(*error, c.field).find(c.message_part), std::string::npos)
            << error_message(*error, c.field);
    }
    EXPECT_EQ(count("vacancies"), 0);
    EXPECT_EQ(count("vacancy_history"), 0);
}

TEST_F(VacancyServiceTest, ValidationReportsEveryProblemAtOnce) {
    const auto error = invalid(feature(nowhere, {{"status", "verkauft"},
                                                 {"use", 3},
                                                 {"floor_area_m2", -1},
                                                 {"vacant_since", "2999-12-31"},
                                                 {"colour", "red"}}));
    ASSERT_TRUE(error);
    EXPECT_EQ(error_fields(*error),
              (std::multiset<std::string>{"status", "use", "floor_area_m2", "vacant_since",
                                          "colour", "geometry"}));
    EXPECT_NE(std::string(error->what()).find("more problems"), std::string::npos) << error->what();
    EXPECT_EQ(count("vacancies"), 0);
}

TEST_F(VacancyServiceTest, PatchValidatesToo) {
    const FeatureResult created = create(json::object());
    const auto error = error_of<InvalidInput>([&] {
        m_vacancies->patch(created.id,
                           patch_of({{"use", "kino"}, {"created_at", "x"}, {"nonsense", 1}}), 1,
                           admin);
    });
    ASSERT_TRUE(error);
    EXPECT_EQ(error_fields(*error), (std::multiset<std::string>{"use", "nonsense"}));
    json no_point = patch_of(json::object());
    no_point["geometry"] = nullptr;
    EXPECT_TRUE(
        error_of<InvalidInput>([&] { m_vacancies->patch(created.id, no_point, 1, admin); }));
    EXPECT_EQ(m_vacancies->get(created.id, admin).version, 1);
}

TEST_F(VacancyServiceTest, EveryRefusalNamesItsCode) {
    // Two footprints: one in Wunsiedel about a kilometre from the point, one in Angermünde.
    data::UploadRecord upload = kommunen_upload();
    upload.layer = "buildings";
    auto import = m_store->begin_building_import(upload, false, "");
    for (const auto& [ags, x, y] :
         {std::tuple{wunsiedel, 12.01, 50.03}, std::tuple{angermuende, 13.95, 53.05}}) {
        data::BuildingRecord building;
        building.kommune_ags = ags;
        building.source_ref = std::string("test:") + ags;
        building.footprint = test::wkb::rectangle_multipolygon(x, y, x + 0.0001, y + 0.0001);
        import.add(building);
    }
    import.commit(upload);
    const std::int64_t far_away = 1;
    const std::int64_t elsewhere = 2;

    const auto code_of = [&](const json& body, const std::string& field) {
        const auto error = invalid(body);
        if (!error) return std::string();
        EXPECT_EQ(error->code(), "invalid_fields");
        return error_code(*error, field);
    };
    EXPECT_EQ(code_of(feature(in_wunsiedel, {{"kommune_ags", "09999999"}}), "kommune_ags"),
              "unknown_kommune");
    EXPECT_EQ(code_of(feature(in_wunsiedel, {{"kommune_ags", angermuende}}), "geometry"),
              "outside_kommune");
    EXPECT_EQ(code_of(feature(nowhere), "geometry"), "outside_atlas");
    EXPECT_EQ(code_of(feature(in_wunsiedel, {{"building_id", 999}}), "building_id"),
              "unknown_building");
    EXPECT_EQ(code_of(feature(in_wunsiedel, {{"building_id", far_away}}), "building_id"),
              "building_too_far");
    EXPECT_EQ(code_of(feature(in_wunsiedel, {{"building_id", elsewhere}}), "building_id"),
              "building_in_other_kommune");
    EXPECT_EQ(code_of(feature(in_wunsiedel, {{"status", "verkauft"}}), "status"), "not_one_of");

    const FeatureResult created = create({{"status", "abgerissen"}});
    const auto transition = error_of<Unprocessable>([&] {
        m_vacancies->patch(created.id, patch_of({{"status", "gemeldet"}}), 1, admin);
    });
    ASSERT_TRUE(transition);
    EXPECT_EQ(transition->code(), "status_transition");
    const auto stale = error_of<PreconditionFailed>([&] {
        m_vacancies->patch(created.id, patch_of({{"use", "laden"}}), 7, admin);
    });
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->code(), "stale_version");

    ItemsQuery query;
    query.kommune = "Wunsiedel";
    const auto refused_query = error_of<InvalidInput>([&] { m_vacancies->list(query, anonymous); });
    ASSERT_TRUE(refused_query);
    EXPECT_EQ(error_code(*refused_query, "kommune"), "not_an_ags");
}

// -- lifecycle ----------------------------------------------------------------------------

TEST_F(VacancyServiceTest, EveryStatusTransitionIsAllowedOrRefusedWithTheAllowedOnes) {
    const std::map<std::string, std::vector<std::string>> allowed = {
        {"gemeldet", {"bestaetigt", "kein_leerstand", "abgerissen"}},
        {"bestaetigt", {"in_aktivierung", "kein_leerstand", "abgerissen"}},
        {"in_aktivierung", {"aktiviert", "bestaetigt", "abgerissen"}},
        {"aktiviert", {"bestaetigt"}},
        {"kein_leerstand", {"gemeldet"}},
        {"abgerissen", {}},
    };
    int accepted = 0;
    int refused = 0;
    for (const std::string& from : statuses) {
        for (const std::string& to : statuses) {
            SCOPED_TRACE(from + " -> " + to);
            // Any status may be created.
            const FeatureResult created = create({{"status", from}});
            const auto& ok = allowed.at(from);
            const bool expected = from == to || std::find(ok.begin(), ok.end(), to) != ok.end();
            if (expected) {
                const FeatureResult changed =
                    m_vacancies->patch(created.id, patch_of({{"status", to}}), 1, editor_in);
                EXPECT_EQ(changed.feature.at("properties").at("status"), to);
                EXPECT_EQ(changed.version, from == to ? 1 : 2);
                ++accepted;
                continue;
            }
            const auto error = error_of<Unprocessable>([&] {
                m_vacancies->patch(created.id, patch_of({{"status", to}}), 1, editor_in);
            });
            ++refused;
            if (!error) continue;
            EXPECT_EQ(error->extensions().at("from"), from);
            EXPECT_EQ(error->extensions().at("to"), to);
            EXPECT_EQ(error->extensions().at("allowed"), json(ok));
            for (const std::string& name : ok)
                EXPECT_NE(std::string(error->what()).find(name), std::string::npos)
                    << error->what();
            const FeatureResult unchanged = m_vacancies->get(created.id, admin);
            EXPECT_EQ(unchanged.version, 1);
            EXPECT_EQ(unchanged.feature.at("properties").at("status"), from);
        }
    }
    // 6 unchanged plus 3 + 3 + 3 + 1 + 1 + 0 real transitions.
    EXPECT_EQ(accepted, 6 + 11);
    EXPECT_EQ(refused, 36 - 6 - 11);
    // One history row per create plus one per real change.
    EXPECT_EQ(count("vacancy_history"), 36 + 11);
}

TEST_F(VacancyServiceTest, ReplaceRefusesTransitionsAndResetsAbsentFields) {
    const FeatureResult created =
        create({{"status", "abgerissen"}, {"use", "laden"}, {"owner_contact", "x"}});
    EXPECT_TRUE(error_of<Unprocessable>([&] {
        m_vacancies->replace(created.id, feature(in_wunsiedel, {{"status", "gemeldet"}}), 1, admin);
    }));
    const FeatureResult replaced = m_vacancies->replace(
        created.id, feature(in_wunsiedel, {{"status", "abgerissen"}}), 1, admin);
    EXPECT_EQ(replaced.version, 2);
    const json& p = replaced.feature.at("properties");
    EXPECT_EQ(p.at("use"), "sonstiges");
    EXPECT_TRUE(p.at("owner_contact").is_null());
    EXPECT_EQ(p.at("author"), "ada");
}

TEST_F(VacancyServiceTest, WhatAClientGetsItCanPutBack) {
    const FeatureResult created = create({{"use", "wohnen"}, {"consent_publish", true}});
    json got = m_vacancies->get(created.id, editor_in).feature;
    got["properties"]["use"] = "gemischt";
    const FeatureResult replaced =
        m_vacancies->replace(created.id, got, created.version, editor_in);
    EXPECT_EQ(replaced.version, 2);
    EXPECT_EQ(replaced.feature.at("properties").at("use"), "gemischt");
    EXPECT_EQ(replaced.feature.at("properties").at("author"), "ada");
    EXPECT_EQ(replaced.feature.at("properties").at("consent_date"), today());
}

TEST_F(VacancyServiceTest, ConsentDateFollowsConsent) {
    const FeatureResult created = create(json::object());
    EXPECT_TRUE(created.feature.at("properties").at("consent_date").is_null());
    const FeatureResult given =
        m_vacancies->patch(created.id, patch_of({{"consent_publish", true}}), 1, admin);
    EXPECT_EQ(given.feature.at("properties").at("consent_date"), today());
    const FeatureResult withdrawn =
        m_vacancies->patch(created.id, patch_of({{"consent_publish", false}}), 2, admin);
    EXPECT_TRUE(withdrawn.feature.at("properties").at("consent_date").is_null());
}

// -- optimistic concurrency ---------------------------------------------------------------

TEST_F(VacancyServiceTest, OfTwoWritersWithTheSameVersionOneWins) {
    const FeatureResult created = create({{"use", "wohnen"}}, in_wunsiedel, editor_in);
    // Two workers, each with its own connection and service.
    data::Store other_store(m_location);
    PlaceResolver other_places(other_store);
    VacancyService other(other_store, other_places);
    const std::int64_t seen_a = m_vacancies->get(created.id, editor_in).version;
    const std::int64_t seen_b = other.get(created.id, editor_in).version;
    ASSERT_EQ(seen_a, seen_b);

    m_vacancies->patch(created.id, patch_of({{"status", "bestaetigt"}}), seen_a, editor_in);
    const auto stale = error_of<PreconditionFailed>([&] {
        other.patch(created.id, patch_of({{"use", "gewerbe"}}), seen_b, editor_in);
    });
    ASSERT_TRUE(stale);
    EXPECT_NE(std::string(stale->what()).find("current version is 2"), std::string::npos)
        << stale->what();
    EXPECT_TRUE(error_of<PreconditionFailed>(
        [&] { other.replace(created.id, feature(in_wunsiedel), seen_b, editor_in); }));
    EXPECT_TRUE(error_of<PreconditionFailed>([&] { other.remove(created.id, seen_b, editor_in); }));
    EXPECT_TRUE(error_of<PreconditionRequired>([&] {
        other.patch(created.id, patch_of({{"use", "gewerbe"}}), std::nullopt, editor_in);
    }));
    EXPECT_TRUE(
        error_of<PreconditionRequired>([&] { other.remove(created.id, std::nullopt, editor_in); }));

    const FeatureResult now = other.get(created.id, editor_in);
    EXPECT_EQ(now.version, 2);
    EXPECT_EQ(now.feature.at("properties").at("status"), "bestaetigt");
    EXPECT_EQ(now.feature.at("properties").at("use"), "wohnen");
    const json history = other.history(created.id, editor_in);
    ASSERT_EQ(history.at("changes").size(), 2U);
    EXPECT_EQ(history.at("changes")[1].at("new"), (json{{"status", "bestaetigt"}}));
}

// -- rights -------------------------------------------------------------------------------

TEST_F(VacancyServiceTest, WritesNeedTheRightRoleAndScope) {
    const json body = feature(in_wunsiedel);
    EXPECT_TRUE(error_of<Unauthenticated>([&] { m_vacancies->create(body, anonymous); }));
    EXPECT_TRUE(error_of<Forbidden>([&] { m_vacancies->create(body, planner_all); }));
    EXPECT_TRUE(error_of<Forbidden>([&] { m_vacancies->create(body, editor_out); }));
    EXPECT_TRUE(
        error_of<Forbidden>([&] { m_vacancies->create(feature(in_angermuende), editor_in); }));
    // Rights come before the body is looked at.
    EXPECT_TRUE(error_of<Unauthenticated>([&] { m_vacancies->create(json::array(), anonymous); }));

    const FeatureResult created = create(json::object(), in_wunsiedel, editor_in);
    const std::int64_t id = created.id;
    EXPECT_TRUE(error_of<Unauthenticated>([&] {
        m_vacancies->patch(id, patch_of({{"use", "laden"}}), 1, anonymous);
    }));
    EXPECT_TRUE(error_of<Forbidden>([&] {
        m_vacancies->patch(id, patch_of({{"use", "laden"}}), 1, planner_in);
    }));
    // An unpublished vacancy is missing for whoever may not read it: no 403 confirms it.
    EXPECT_TRUE(error_of<NotFound>([&] {
        m_vacancies->patch(id, patch_of({{"use", "laden"}}), 1, editor_out);
    }));
    // Moving it into a Kommune outside the editor's scope.
    json move = patch_of(json::object());
    move["geometry"] = point(in_angermuende);
    EXPECT_TRUE(error_of<Forbidden>([&] { m_vacancies->patch(id, move, 1, editor_in); }));
    EXPECT_TRUE(error_of<NotFound>([&] { m_vacancies->remove(id, 1, editor_out); }));
    EXPECT_TRUE(error_of<Unauthenticated>([&] { m_vacancies->remove(id, 1, anonymous); }));
    EXPECT_EQ(m_vacancies->get(id, admin).version, 1);
    EXPECT_EQ(count("vacancy_history"), 1);

    // The admin may move it anywhere; the Kommune follows the point.
    const FeatureResult moved = m_vacancies->patch(id, move, 1, admin);
    EXPECT_EQ(moved.feature.at("properties").at("kommune_ags"), angermuende);
    m_vacancies->remove(id, 2, admin);
    EXPECT_TRUE(error_of<NotFound>([&] { m_vacancies->get(id, admin); }));
    EXPECT_TRUE(error_of<NotFound>([&] { m_vacancies->remove(id, 3, admin); }));
}

// -- privacy ------------------------------------------------------------------------------

TEST_F(VacancyServiceTest, EachRoleSeesWhatItMayForEveryConsentAndStatus) {
    // Every consent × status, in Wunsiedel (inside the Kreis) and in Angermünde.
    struct Made {
        std::int64_t id;
        bool consent;
        std::string ags;
    };
    std::vector<Made> made;
    for (const Lonlat where : {in_wunsiedel, in_angermuende}) {
        for (const std::string& status : statuses) {
            for (bool consent : {false, true}) {
                const FeatureResult r = create({{"status", status},
                                                {"consent_publish", consent},
                                                {"owner_type", "privat"},
                                                {"owner_contact", "GEHEIM-KONTAKT"},
                                                {"internal_notes", "GEHEIM-NOTIZ"},
                                                {"public_description", "Öffentlich"}},
                                               where);
                made.push_back({r.id, consent, r.feature.at("properties").at("kommune_ags")});
            }
        }
    }
    ASSERT_EQ(made.size(), 24U);
    const std::string unknown_message = [&] {
        const auto e = error_of<NotFound>([&] { m_vacancies->get(999999, anonymous); });
        return e ? std::string(e->what()) : std::string();
    }();

    struct Role_ {
        std::string name;
        const Caller* caller;
        bool internal_wunsiedel;
        bool internal_angermuende;
    };
    const std::vector<Role_> roles = {
        {"public", &anonymous, false, false},
        {"planner of all", &planner_all, true, true},
        {"planner in scope", &planner_in, true, false},
        {"planner out of scope", &planner_out, false, true},
        {"editor in scope", &editor_in, true, false},
        {"editor out of scope", &editor_out, false, true},
        {"admin", &admin, true, true},
    };
    const std::vector<std::string> internal_fields = {"owner_type", "owner_contact",
                                                      "internal_notes", "author", "consent_date"};
    for (const Role_& role : roles) {
        SCOPED_TRACE(role.name);
        std::set<std::int64_t> expected;
        for (const Made& m : made) {
            const bool internal =
                m.ags == angermuende ? role.internal_angermuende : role.internal_wunsiedel;
            const bool visible = m.consent || internal;
            if (visible) expected.insert(m.id);
            if (!visible) {
                // Hidden and unknown look the same.
                const auto e = error_of<NotFound>([&] { m_vacancies->get(m.id, *role.caller); });
                if (e) {
                    std::string message = e->what();
                    const std::string id = std::to_string(m.id);
                    message.replace(message.find(id), id.size(), "999999");
                    EXPECT_EQ(message, unknown_message);
                }
                continue;
            }
            const json p = m_vacancies->get(m.id, *role.caller).feature.at("properties");
            for (const std::string& field : internal_fields)
                EXPECT_EQ(p.contains(field), internal) << field << " of " << m.id;
            EXPECT_EQ(p.at("public_description"), "Öffentlich");
        }

        ItemsQuery query;
        query.limit = 10000;
        const ItemsPage page = m_vacancies->list(query, *role.caller);
        std::set<std::int64_t> listed;
        for (const json& f : page.features) {
            listed.insert(f.at("id").get<std::int64_t>());
            const bool internal = f.at("properties").at("kommune_ags") == angermuende
                                      ? role.internal_angermuende
                                      : role.internal_wunsiedel;
            for (const std::string& field : internal_fields)
                EXPECT_EQ(f.at("properties").contains(field), internal) << field;
            if (!internal) {
                const std::string text = f.dump();
                EXPECT_EQ(text.find("GEHEIM"), std::string::npos) << text;
            }
        }
        EXPECT_EQ(listed, expected);
        EXPECT_EQ(page.number_matched, static_cast<std::int64_t>(expected.size()));

        // A page and a Kommune filter keep the count right.
        query.limit = 2;
        query.kommune = kreis;
        const ItemsPage kreis_page = m_vacancies->list(query, *role.caller);
        std::int64_t in_kreis = 0;
        for (const Made& m : made)
            if (expected.contains(m.id) && m.ags.starts_with(kreis)) ++in_kreis;
        EXPECT_EQ(kreis_page.number_matched, in_kreis);
        EXPECT_EQ(kreis_page.features.size(),
                  static_cast<std::size_t>(std::min<std::int64_t>(2, in_kreis)));
    }
}

TEST_F(VacancyServiceTest, PrivacyFilterAgreesWithTheCallerRules) {
    data::VacancyRecord record;
    record.kommune_ags = wunsiedel;
    for (const Caller* caller :
         {&anonymous, &admin, &planner_all, &planner_in, &planner_out, &editor_in, &editor_out}) {
        for (bool consent : {false, true}) {
            record.consent_publish = consent;
            const bool internal = may_read_internal(*caller, wunsiedel);
            EXPECT_EQ(may_see_vacancy(record, *caller), consent || internal);
            const auto properties = vacancy_properties(record, *caller);
            EXPECT_EQ(properties.has_value(), consent || internal);
            if (properties) {
                for (const std::string& field : internal_vacancy_fields())
                    EXPECT_EQ(properties->contains(field), internal) << field;
            }
            const data::VacancyVisibility visibility = vacancy_visibility(*caller);
            const bool sql_internal =
                visibility.all ||
                std::any_of(
                    visibility.internal_prefixes.begin(), visibility.internal_prefixes.end(),
                    [](const std::string& p) { return std::string(wunsiedel).starts_with(p); });
            EXPECT_EQ(sql_internal, internal);
        }
    }
}

TEST_F(VacancyServiceTest, ThePublicSeesExactlyThePublicFieldsOfAVacancy) {
    // The store bumps the public version for changes of data::k_public_vacancy_fields; the
    // filter must show the public exactly those (and its own view's id, version and times).
    data::VacancyRecord record;
    record.kommune_ags = wunsiedel;
    record.consent_publish = true;
    const auto properties = vacancy_properties(record, anonymous);
    ASSERT_TRUE(properties);
    std::set<std::string> shown;
    for (const auto& [key, value] : properties->items()) shown.insert(key);
    std::set<std::string> expected = {"created_at", "updated_at", "version", "zukunftsort_id"};
    for (const std::string_view field : data::k_public_vacancy_fields)
        if (field != "geometry") expected.insert(std::string(field));
    EXPECT_EQ(shown, expected);
}

// -- list parameters ----------------------------------------------------------------------

TEST_F(VacancyServiceTest, ListChecksItsParametersAndPagesById) {
    for (int i = 0; i < 5; ++i) create({{"consent_publish", true}});
    auto refused_field = [&](ItemsQuery query, Collection collection = Collection::Vacancies) {
        const auto e = error_of<InvalidInput>([&] {
            if (collection == Collection::Vacancies)
                m_vacancies->list(query, anonymous);
            else
                m_zukunftsorte->list(query, anonymous);
        });
        return e ? *error_fields(*e).begin() : std::string();
    };
    ItemsQuery q;
    q.limit = 0;
    EXPECT_EQ(refused_field(q), "limit");
    q.limit = 10001;
    EXPECT_EQ(refused_field(q), "limit");
    q = {};
    q.offset = -1;
    EXPECT_EQ(refused_field(q), "offset");
    q = {};
    q.status = "verkauft";
    EXPECT_EQ(refused_field(q), "status");
    q = {};
    q.kommune = "Wunsiedel";
    EXPECT_EQ(refused_field(q), "kommune");
    q = {};
    q.status = "gemeldet";
    EXPECT_EQ(refused_field(q, Collection::Zukunftsorte), "status");

    q = {};
    q.limit = 2;
    q.offset = 1;
    const ItemsPage page = m_vacancies->list(q, anonymous);
    EXPECT_EQ(page.number_matched, 5);
    ASSERT_EQ(page.features.size(), 2U);
    EXPECT_EQ(page.features[0].at("id"), 2);
    EXPECT_EQ(page.features[1].at("id"), 3);
    q.status = "gemeldet";
    EXPECT_EQ(m_vacancies->list(q, anonymous).number_matched, 5);
    q.status = "aktiviert";
    EXPECT_EQ(m_vacancies->list(q, anonymous).number_matched, 0);
}

// -- history ------------------------------------------------------------------------------

TEST_F(VacancyServiceTest, HistoryShowsWhoWhenWhatToThoseWhoMayReadIt) {
    const FeatureResult created =
        create({{"use", "laden"}, {"owner_contact", "Herr Blau"}}, in_wunsiedel, editor_in);
    m_vacancies->patch(created.id, patch_of({{"status", "bestaetigt"}, {"owner_contact", nullptr}}),
                       1, editor_in);
    const std::int64_t id = created.id;
    EXPECT_TRUE(error_of<Unauthenticated>([&] { m_vacancies->history(id, anonymous); }));
    // Who may not read it gets the answer of an unknown id.
    EXPECT_TRUE(error_of<NotFound>([&] { m_vacancies->history(id, planner_out); }));
    EXPECT_TRUE(error_of<NotFound>([&] { m_vacancies->history(id, editor_out); }));
    EXPECT_TRUE(error_of<NotFound>([&] { m_vacancies->history(4711, admin); }));

    m_vacancies->remove(id, 2, admin);
    // The history outlives the vacancy.
    const json history = m_vacancies->history(id, planner_in);
    EXPECT_EQ(history.at("vacancy_id"), id);
    const json& changes = history.at("changes");
    ASSERT_EQ(changes.size(), 3U);
    for (const json& change : changes)
        EXPECT_FALSE(change.at("changed_at").get<std::string>().empty());
    EXPECT_EQ(changes[0].at("action"), "create");
    EXPECT_EQ(changes[0].at("changed_by"), "eva");
    EXPECT_TRUE(changes[0].at("old").is_null());
    EXPECT_EQ(changes[0].at("new").at("use"), "laden");
    EXPECT_EQ(changes[0].at("new").at("owner_contact"), "Herr Blau");
    EXPECT_EQ(changes[0].at("new").at("kommune_ags"), wunsiedel);

    EXPECT_EQ(changes[1].at("action"), "update");
    EXPECT_EQ(changes[1].at("changed_by"), "eva");
    EXPECT_EQ(changes[1].at("old"), (json{{"status", "gemeldet"}, {"owner_contact", "Herr Blau"}}));
    EXPECT_EQ(changes[1].at("new"), (json{{"status", "bestaetigt"}, {"owner_contact", nullptr}}));

    EXPECT_EQ(changes[2].at("action"), "delete");
    EXPECT_EQ(changes[2].at("changed_by"), "ada");
    EXPECT_EQ(changes[2].at("old").at("status"), "bestaetigt");
    EXPECT_TRUE(changes[2].at("new").is_null());

    EXPECT_NO_THROW(m_vacancies->history(id, planner_all));
    EXPECT_NO_THROW(m_vacancies->history(id, editor_in));
    EXPECT_TRUE(error_of<NotFound>([&] { m_vacancies->history(id, editor_out); }));
}

// -- building matching on real footprints -------------------------------------------------

/// The footprints of a GeoJSON file, as lon/lat rings, in file order, with their OSM ids.
struct Footprint {
    std::string osm_way_id;
    std::vector<std::vector<std::pair<double, double>>> rings;  // of all polygons
    std::vector<std::size_t> outer;                             // indexes of outer rings
};

std::vector<Footprint> read_footprints(const std::filesystem::path& file) {
    std::ifstream in(file);
    const json collection = json::parse(in);
    std::vector<Footprint> result;
    for (const json& f : collection.at("features")) {
        Footprint footprint;
        footprint.osm_way_id = f.at("properties").value("osm_way_id", "");
        const json& g = f.at("geometry");
        std::vector<json> polygons;
        if (g.at("type") == "Polygon") polygons.push_back(g.at("coordinates"));
        if (g.at("type") == "MultiPolygon")
            for (const json& p : g.at("coordinates")) polygons.push_back(p);
        for (const json& polygon : polygons) {
            for (std::size_t r = 0; r < polygon.size(); ++r) {
                if (r == 0) footprint.outer.push_back(footprint.rings.size());
                std::vector<std::pair<double, double>> ring;
                for (const json& c : polygon[r]) ring.emplace_back(c[0], c[1]);
                footprint.rings.push_back(std::move(ring));
            }
        }
        if (!footprint.osm_way_id.empty() && !footprint.rings.empty())
            result.push_back(std::move(footprint));
    }
    return result;
}

/// An independent oracle in a local metric plane around (lon0, lat0): metres east/north.
struct LocalPlane {
    double lon0, lat0;
    double kx() const { return 111320.0 * std::cos(lat0 * std::numbers::pi / 180.0); }
    static constexpr double ky = 110574.0;
    std::pair<double, double> xy(double lon, double lat) const {
        return {(lon - lon0) * kx(), (lat - lat0) * ky};
    }

    /// Distance in metres from (lon0, lat0) to the footprint's outline (rings).
    double edge_distance(const Footprint& footprint) const {
        double best = std::numeric_limits<double>::infinity();
        for (const auto& ring : footprint.rings) {
            for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
                const auto [ax, ay] = xy(ring[i].first, ring[i].second);
                const auto [bx, by] = xy(ring[i + 1].first, ring[i + 1].second);
                const double dx = bx - ax, dy = by - ay;
                const double length2 = dx * dx + dy * dy;
                const double t =
                    std::clamp(length2 > 0 ? -(ax * dx + ay * dy) / length2 : 0.0, 0.0, 1.0);
                best = std::min(best, std::hypot(ax + t * dx, ay + t * dy));
            }
        }
        return best;
    }

    /// Even-odd rule over all rings (holes included).
    bool inside(const Footprint& footprint) const {
        bool in = false;
        for (const auto& ring : footprint.rings) {
            for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
                const auto [ax, ay] = xy(ring[i].first, ring[i].second);
                const auto [bx, by] = xy(ring[i + 1].first, ring[i + 1].second);
                if ((ay > 0) != (by > 0) && 0 < ax + (0 - ay) * (bx - ax) / (by - ay)) in = !in;
            }
        }
        return in;
    }

    /// Distance in metres from (lon0, lat0) to the footprint, 0 when inside.
    double distance(const Footprint& footprint) const {
        return inside(footprint) ? 0.0 : edge_distance(footprint);
    }

    /// (nearest distance, index of the nearest footprint; -1 when none).
    std::pair<double, std::ptrdiff_t> nearest(const std::vector<Footprint>& all,
                                              std::ptrdiff_t skip = -1,
                                              double* second = nullptr) const {
        double best = std::numeric_limits<double>::infinity();
        double runner_up = best;
        std::ptrdiff_t index = -1;
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (static_cast<std::ptrdiff_t>(i) == skip) continue;
            const double d = distance(all[i]);
            if (d < best) {
                runner_up = best;
                best = d;
                index = static_cast<std::ptrdiff_t>(i);
            } else if (d < runner_up) {
                runner_up = d;
            }
        }
        if (second != nullptr) *second = runner_up;
        return {best, index};
    }
};

TEST(VacancyServiceMatching, MatchesRealBayreuthFootprints) {
    const auto file = test::shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(file);
    test::TestDatabase database;
    data::Store store(database.location());
    // A catch-all Kommune around the extract (11.48..11.61, 49.97..50.05).
    store.upsert_kommunen({box_kommune("09472999", "Bayreuth-Nord (Test)", 11.4, 49.9, 11.7, 50.1)},
                          kommunen_upload());
    ImportOptions options;
    options.file = file;
    options.kommune = "09472999";
    const ImportReport report = import_buildings(store, options);
    ASSERT_GT(report.stored, 4000);
    const std::vector<Footprint> footprints = read_footprints(file);
    ASSERT_GT(footprints.size(), 4000U);

    PlaceResolver places(store);
    VacancyService service(store, places);
    data::Connection db(database.location());
    auto source_of = [&](const json& building_id) -> std::string {
        if (building_id.is_null()) return "none";
        auto select = db.prepare("SELECT source_ref FROM buildings WHERE id = ?");
        select.bind(1, building_id.get<std::int64_t>());
        return select.step() ? select.column_text(0) : "missing";
    };
    auto matched = [&](Lonlat where) {
        return source_of(
            service.create(feature(where), admin).feature.at("properties").at("building_id"));
    };

    // Footprints chosen by the oracle: (a) a point well inside a footprint that no other
    // covers; (b) 8 m east of a footprint's easternmost vertex with every other footprint
    // at least 12 m away; (c) a point 40 m east with nothing within 30 m.
    int inside_checked = 0, near_checked = 0, far_checked = 0;
    for (std::size_t i = 0;
         i < footprints.size() && (inside_checked < 3 || near_checked < 3 || far_checked < 2);
         i += 37) {
        const Footprint& f = footprints[i];
        const auto& outer = f.rings[f.outer.front()];
        const std::string expected = "osm:way/" + f.osm_way_id;
        if (inside_checked < 3) {
            double lon = 0, lat = 0;
            for (std::size_t v = 0; v + 1 < outer.size(); ++v) {
                lon += outer[v].first;
                lat += outer[v].second;
            }
            lon /= static_cast<double>(outer.size() - 1);
            lat /= static_cast<double>(outer.size() - 1);
            const LocalPlane at{lon, lat};
            double second = 0;
            const auto [d, nearest] = at.nearest(footprints, -1, &second);
            // Inside this one only, not within 0.5 m of its outline, others over 1 m away.
            if (d == 0.0 && nearest == static_cast<std::ptrdiff_t>(i) && second > 1.0 &&
                at.edge_distance(f) > 0.5) {
                SCOPED_TRACE("inside " + expected);
                EXPECT_EQ(matched({lon, lat}), expected);
                ++inside_checked;
            }
        }
        // The easternmost vertex.
        auto east = outer.front();
        for (const auto& v : outer)
            if (v.first > east.first) east = v;
        const double lat = east.second;
        const double metre_lon = 1.0 / (111320.0 * std::cos(lat * std::numbers::pi / 180.0));
        if (near_checked < 3) {
            const Lonlat where{east.first + 8.0 * metre_lon, lat};
            const LocalPlane at{where.lon, where.lat};
            const double own = at.distance(f);
            const double other = at.nearest(footprints, static_cast<std::ptrdiff_t>(i)).first;
            if (own > 7.5 && own < 8.5 && other > 12.0) {
                SCOPED_TRACE("8 m from " + expected);
                EXPECT_EQ(matched(where), expected);
                ++near_checked;
            }
        }
        if (far_checked < 2) {
            const Lonlat where{east.first + 40.0 * metre_lon, lat};
            if (LocalPlane{where.lon, where.lat}.nearest(footprints).first > 30.0) {
                SCOPED_TRACE("40 m east of " + expected);
                EXPECT_EQ(matched(where), "none");
                ++far_checked;
            }
        }
    }
    EXPECT_EQ(inside_checked, 3);
    EXPECT_EQ(near_checked, 3);
    EXPECT_EQ(far_checked, 2);

    // Moving a vacancy matches again; an explicit building_id must lie within the matching
    // distance of the point: a far one is refused, even for an admin.
    const FeatureResult lonely = service.create(feature({11.60, 49.99}), admin);
    json move = patch_of(json::object());
    move["geometry"] = point({11.5995800, 49.9775000});  // inside Dreifaltigkeitskirche
    const FeatureResult moved = service.patch(lonely.id, move, 1, admin);
    const json church = moved.feature.at("properties").at("building_id");
    EXPECT_EQ(source_of(church), "osm:way/30707052");
    EXPECT_THROW(service.patch(lonely.id, patch_of({{"building_id", 1}}), 2, admin), InvalidInput);
    const FeatureResult pinned =
        service.patch(lonely.id, patch_of({{"building_id", church}}), 2, admin);
    EXPECT_EQ(pinned.feature.at("properties").at("building_id"), church);
}

}  // namespace
}  // namespace leerstand::services
