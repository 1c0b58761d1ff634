// The search of vacancies by the address of their building (`address=` on items and exports),
// over real HTTP against the real `leerstand serve`: every spelling people type finds the same
// vacancies, and the public learns nothing of a hidden vacancy through it.

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

/// `text` percent-encoded for a query string (every byte but unreserved ASCII).
std::string query_encoded(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
            (byte >= '0' && byte <= '9') || byte == '-' || byte == '_' || byte == '.' ||
            byte == '~') {
            out += c;
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", byte);
            out += hex;
        }
    }
    return out;
}

class AddressSearch : public AtlasServerTest {
  protected:
    void SetUp() override {
        AtlasServerTest::SetUp();
        // Buildings of the home Kommune without a vacancy of the demo data, by their place in
        // id order (the `n` of create_vacancy), so that a search finds only the test's own.
        std::istringstream free(spatial_sql(
            db(),
            "SELECT n FROM (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM "
            "buildings WHERE kommune_ags = '" +
                k_home_ags +
                "') WHERE id NOT IN (SELECT building_id FROM vacancies WHERE building_id "
                "IS NOT NULL) LIMIT 4"));
        for (int n = 0; free >> n;) m_free.push_back(n);
        ASSERT_EQ(m_free.size(), 4U);
    }

    /// Gives the `i`-th free building of the home Kommune an address, straight in the
    /// database as an upload would have stored it.
    void set_address(std::size_t i, const std::string& street, const std::string& housenumber) {
        spatial_sql(db(), "UPDATE buildings SET street = '" + street + "', housenumber = '" +
                              housenumber + "' WHERE id = (SELECT id FROM buildings WHERE " +
                              "kommune_ags = '" + k_home_ags + "' ORDER BY id LIMIT 1 OFFSET " +
                              std::to_string(m_free[i]) + ")");
    }

    /// A vacancy with `properties` in the `i`-th free building of the home Kommune.
    std::int64_t vacancy_at(std::size_t i, const json& properties) {
        return create_vacancy(properties, k_home_ags, m_free[i]);
    }

    std::vector<int> m_free;

    json search(Who who, const std::string& address, const std::string& more = "") {
        const HttpResponse page = call(
            who, "GET", "/collections/vacancies/items?address=" + query_encoded(address) + more);
        EXPECT_EQ(page.status, 200) << address << ": " << page.body;
        return parse_json(page);
    }

    std::set<std::int64_t> ids_found(Who who, const std::string& address) {
        std::set<std::int64_t> ids;
        const json page = search(who, address, "&limit=1000");
        for (const json& feature : page["features"]) ids.insert(feature["id"].get<std::int64_t>());
        EXPECT_EQ(page["numberMatched"].get<std::size_t>(), ids.size()) << address;
        return ids;
    }
};

TEST_F(AddressSearch, FindsEverySpellingOfStreetAndHouseNumber) {
    set_address(0, "Berliner Straße", "12");
    set_address(1, "Berliner Straße", "12a");
    set_address(2, "Berliner Straße", "120");
    set_address(3, "Lübbener Straße", "7");
    const std::int64_t twelve = vacancy_at(0, {{"status", "gemeldet"}});
    const std::int64_t twelve_a = vacancy_at(1, {{"status", "bestaetigt"}});
    const std::int64_t hundred_twenty = vacancy_at(2, {{"status", "gemeldet"}});
    const std::int64_t luebbener = vacancy_at(3, {{"status", "gemeldet"}});

    const std::set<std::int64_t> at_twelve = {twelve, twelve_a};
    for (const char* typed :
         {"Berliner Str. 12", "berliner strasse 12", "Berliner Straße 12", "BERLINER STRASSE 12",
          "Berlinerstr.12", "Berliner Str 12, Angermünde"})
        EXPECT_EQ(ids_found(Who::Editor, typed), at_twelve) << typed;
    EXPECT_EQ(ids_found(Who::Editor, "Berliner Str. 12a"), std::set<std::int64_t>{twelve_a});
    EXPECT_EQ(ids_found(Who::Editor, "Berliner Straße 120"),
              std::set<std::int64_t>{hundred_twenty});
    EXPECT_EQ(ids_found(Who::Editor, "berliner"),
              (std::set<std::int64_t>{twelve, twelve_a, hundred_twenty}));
    for (const char* typed : {"Lübbener Str. 7", "luebbener strasse 7", "LÜBBENER STRASSE 7"})
        EXPECT_EQ(ids_found(Who::Planner, typed), std::set<std::int64_t>{luebbener}) << typed;
    EXPECT_EQ(ids_found(Who::Editor, "Berliner Platz 12"), std::set<std::int64_t>{});

    // Filters and pages combine with it; `next` keeps it.
    EXPECT_EQ(search(Who::Editor, "Berliner Str. 12", "&status=bestaetigt")["numberMatched"], 1);
    const json first = search(Who::Editor, "berliner", "&limit=1&sortby=status");
    EXPECT_EQ(first["numberMatched"], 3);
    std::string next;
    for (const json& link : first["links"])
        if (link["rel"] == "next") next = link["href"].get<std::string>();
    EXPECT_NE(next.find("address=berliner"), std::string::npos) << next;
    // Exports take it as items do.
    const HttpResponse exported = call(
        Who::Editor, "GET", "/export/vacancies.csv?address=" + query_encoded("Berliner Str. 12"));
    EXPECT_EQ(exported.status, 200) << exported.body;
    EXPECT_EQ(exported.header("X-Feature-Count"), "2");
}

TEST_F(AddressSearch, ShowsThePublicNothingOfAHiddenVacancy) {
    set_address(0, "Berliner Straße", "12");
    set_address(1, "Berliner Straße", "12a");
    const std::int64_t published =
        vacancy_at(0, {{"status", "gemeldet"}, {"consent_publish", true}});
    const auto answer_of = [&](Who who) {
        json page = search(who, "Berliner Str. 12");
        page.erase("timeStamp");
        return page;
    };
    const json public_before = answer_of(Who::Anonymous);
    const json outsider_before = answer_of(Who::EditorOther);
    ASSERT_EQ(public_before["numberMatched"], 1);
    EXPECT_EQ(public_before["features"][0]["id"], published);

    const std::int64_t hidden = vacancy_at(1, {{"status", "gemeldet"}});
    // Byte for byte the same answer, count and links included, as without the hidden one.
    EXPECT_EQ(answer_of(Who::Anonymous).dump(), public_before.dump());
    EXPECT_EQ(answer_of(Who::EditorOther).dump(), outsider_before.dump());
    // Searching exactly its address finds nothing, as for an address without any vacancy.
    EXPECT_EQ(search(Who::Anonymous, "Berliner Str. 12a")["numberMatched"], 0);
    EXPECT_TRUE(search(Who::Anonymous, "Berliner Str. 12a")["features"].empty());
    const HttpResponse exported =
        call(Who::Anonymous, "GET",
             "/export/vacancies.csv?address=" + query_encoded("Berliner Str. 12"));
    EXPECT_EQ(exported.header("X-Feature-Count"), "1");
    // Who reads the Kommune's internal data finds it.
    EXPECT_EQ(ids_found(Who::Editor, "Berliner Str. 12a"), std::set<std::int64_t>{hidden});
}

TEST_F(AddressSearch, RefusesWhatItCannotReadAndCollectionsWithoutAddresses) {
    const auto field_error = [&](const std::string& target) {
        const HttpResponse answer = call(Who::Planner, "GET", target);
        EXPECT_EQ(answer.status, 400) << target << ": " << answer.body;
        const json problem = parse_json(answer);
        EXPECT_EQ(problem.value("code", ""), "invalid_fields") << answer.body;
        if (!problem.contains("errors") || problem["errors"].empty()) return std::string();
        EXPECT_EQ(problem["errors"][0]["field"], "address") << answer.body;
        return problem["errors"][0]["code"].get<std::string>();
    };
    EXPECT_EQ(field_error("/collections/vacancies/items?address="), "invalid_value");
    EXPECT_EQ(field_error("/collections/vacancies/items?address=" + query_encoded(" ,. -")),
              "invalid_value");
    EXPECT_EQ(field_error("/collections/vacancies/items?address=" + std::string(201, 'a')),
              "too_long");
    for (const char* collection : {"buildings", "kommunen", "zukunftsorte"})
        EXPECT_EQ(field_error(std::string("/collections/") + collection + "/items?address=Markt"),
                  "not_applicable")
            << collection;
    EXPECT_EQ(field_error("/export/buildings.geojson?kommune=" + k_home_ags + "&address=Markt"),
              "not_applicable");
}

}  // namespace
}  // namespace leerstand::test
