// What the tests of VacancyService and ZukunftsortService share: Kommunen that are small
// hand-made boxes, callers of every role, GeoJSON builders, and a fixture with both services
// on a real SpatiaLite file in a TempDir.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/records.hpp"
#include "data/store.hpp"
#include "server/services/caller.hpp"
#include "server/services/place_resolver.hpp"
#include "server/services/vacancy_service.hpp"
#include "server/services/zukunftsort_service.hpp"
#include "tests/data/wkb_builder.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::services::feature_test {

using nlohmann::json;

// Kommunen of the fixture: Landkreis Wunsiedel (Kreis key) with the town Wunsiedel inside it,
// and Angermünde far away.
inline constexpr const char* kreis = "09479";
inline constexpr const char* wunsiedel = "09479169";
inline constexpr const char* angermuende = "12073008";

struct Lonlat {
    double lon;
    double lat;
};
inline constexpr Lonlat in_wunsiedel{12.0, 50.02};
inline constexpr Lonlat in_kreis_only{12.2, 50.2};
inline constexpr Lonlat in_angermuende{13.95, 53.05};
inline constexpr Lonlat nowhere{10.0, 48.0};

inline const std::vector<std::string> statuses = {"gemeldet",  "bestaetigt", "in_aktivierung",
                                                  "aktiviert", "abgerissen", "kein_leerstand"};

inline Caller make_caller(Role role, std::int64_t id, const std::string& name,
                          std::vector<std::string> kommunen) {
    Caller caller;
    caller.role = role;
    caller.user_id = id;
    caller.name = name;
    caller.kommunen = std::move(kommunen);
    return caller;
}

inline const Caller anonymous = Caller::anonymous();
inline const Caller admin = make_caller(Role::Admin, 1, "ada", {});
inline const Caller planner_all = make_caller(Role::Planner, 2, "pia", {});
inline const Caller planner_in = make_caller(Role::Planner, 3, "paul", {kreis});
inline const Caller planner_out = make_caller(Role::Planner, 4, "petra", {"12073"});
inline const Caller editor_in = make_caller(Role::Editor, 5, "eva", {wunsiedel});
inline const Caller editor_out = make_caller(Role::Editor, 6, "emil", {angermuende});

inline json point(Lonlat where) {
    return json{{"type", "Point"}, {"coordinates", {where.lon, where.lat}}};
}

inline json feature(Lonlat where, json properties = json::object()) {
    return json{{"type", "Feature"}, {"geometry", point(where)}, {"properties", properties}};
}

inline json patch_of(json properties) {
    return json{{"properties", std::move(properties)}};
}

/// Runs `action`, expects it to throw E and returns the error (a failure if it does not).
template <typename E, typename F>
std::optional<E> error_of(F&& action) {
    try {
        action();
    } catch (const E& error) {
        return error;
    } catch (const std::exception& other) {
        ADD_FAILURE() << "threw another error: " << other.what();
        return std::nullopt;
    }
    ADD_FAILURE() << "did not throw";
    return std::nullopt;
}

/// The `field`s of an InvalidInput's `errors` extension.
inline std::multiset<std::string> error_fields(const Error& error) {
    std::multiset<std::string> fields;
    for (const json& e : error.extensions().at("errors")) fields.insert(e.at("field"));
    return fields;
}

inline std::string error_message(const Error& error, const std::string& field) {
    for (const json& e : error.extensions().at("errors"))
        if (e.at("field") == field) return e.at("message");
    return "";
}

/// The `code` of the first error about `field` ("" when none names it).
inline std::string error_code(const Error& error, const std::string& field) {
    for (const json& e : error.extensions().at("errors"))
        if (e.at("field") == field) return e.at("code");
    return "";
}

inline std::string today() {
    return data::utc_now_iso8601().substr(0, 10);
}

inline data::KommuneRecord box_kommune(const std::string& ags, const std::string& name, double x0,
                                       double y0, double x1, double y1) {
    data::KommuneRecord record;
    record.ags = ags;
    record.name = name;
    record.bez = ags.size() == 5 ? "Landkreis" : "Stadt";
    record.parent_ags = ags.size() == 8 ? ags.substr(0, 5) : "";
    record.boundary = test::wkb::rectangle_multipolygon(x0, y0, x1, y1);
    return record;
}

inline data::UploadRecord kommunen_upload() {
    data::UploadRecord upload;
    upload.user = "test";
    upload.layer = "kommunen";
    upload.mode = "append";
    return upload;
}

/// Both services of one worker on a store with the three Kommunen.
class WritableCollectionsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        m_store.emplace(m_location);
        m_store->upsert_kommunen(
            {box_kommune(kreis, "Wunsiedel i. Fichtelgebirge", 11.8, 49.9, 12.3, 50.3),
             box_kommune(wunsiedel, "Wunsiedel", 11.95, 50.0, 12.05, 50.05),
             box_kommune(angermuende, "Angermünde", 13.9, 53.0, 14.0, 53.1)},
            kommunen_upload());
        m_places.emplace(*m_store);
        m_vacancies.emplace(*m_store, *m_places);
        m_zukunftsorte.emplace(*m_store, *m_places);
    }

    /// A vacancy with `properties` at `where`.
    FeatureResult create(json properties, Lonlat where = in_wunsiedel,
                         const Caller& caller = admin) {
        return m_vacancies->create(feature(where, std::move(properties)), caller);
    }

    /// The error of creating a vacancy of `body` as the editor of Wunsiedel.
    std::optional<InvalidInput> invalid(const json& body) {
        return error_of<InvalidInput>([&] { m_vacancies->create(body, editor_in); });
    }

    std::int64_t count(const std::string& table) {
        data::Connection db(m_location);
        return db.query_int64("SELECT count(*) FROM " + table);
    }

    test::TestDatabase m_database;  // a SpatiaLite file, or PostgreSQL (docs/testing.md)
    const data::DatabaseLocation& m_location = m_database.location();
    std::optional<data::Store> m_store;
    std::optional<PlaceResolver> m_places;
    std::optional<VacancyService> m_vacancies;
    std::optional<ZukunftsortService> m_zukunftsorte;
};

}  // namespace leerstand::services::feature_test
