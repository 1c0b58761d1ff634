// The PostgreSQL schema defines SpatiaLite's and SQLite's functions under their names
// (data/migrations_postgres.cpp), so that the store's SQL stays one text. This test runs the
// same SELECT on a migrated SpatiaLite file and a migrated PostgreSQL database and compares
// the answers value by value.

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/address_key.hpp"
#include "common/slug.hpp"
#include "data/connection.hpp"
#include "data/migrations.hpp"
#include "tests/support/test_database.hpp"

namespace {

using leerstand::data::Connection;
using leerstand::data::Statement;
using leerstand::test::Backend;
using leerstand::test::TestDatabase;

/// How a column of a probe is compared: i integer, d double (within `tolerance`), t text,
/// b bytes.
struct Probe {
    std::string sql;
    std::string kinds;
    double tolerance = 1e-9;
};

/// Every row of `probe` on `db`, each value as text ("NULL" for NULL; doubles rounded by the
/// comparison, not here).
std::vector<std::vector<std::string>> rows_of(Connection& db, const Probe& probe) {
    std::vector<std::vector<std::string>> rows;
    Statement statement = db.prepare(probe.sql);
    while (statement.step()) {
        std::vector<std::string> row;
        for (std::size_t i = 0; i < probe.kinds.size(); ++i) {
            const int column = static_cast<int>(i);
            if (statement.column_is_null(column)) {
                row.emplace_back("NULL");
                continue;
            }
            switch (probe.kinds[i]) {
                case 'i':
                    row.push_back(std::to_string(statement.column_int64(column)));
                    break;
                case 'd':
                    row.push_back(std::to_string(statement.column_double(column)));
                    break;
                case 'b': {
                    const auto bytes = statement.column_blob(column);
                    row.emplace_back(bytes.begin(), bytes.end());
                    break;
                }
                default:
                    row.push_back(statement.column_text(column));
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

bool same_rows(const Probe& probe, const std::vector<std::vector<std::string>>& first,
               const std::vector<std::vector<std::string>>& second) {
    if (first.size() != second.size()) return false;
    for (std::size_t r = 0; r < first.size(); ++r) {
        for (std::size_t c = 0; c < probe.kinds.size(); ++c) {
            if (probe.kinds[c] == 'd' && first[r][c] != "NULL" && second[r][c] != "NULL") {
                if (std::fabs(std::stod(first[r][c]) - std::stod(second[r][c])) > probe.tolerance)
                    return false;
            } else if (first[r][c] != second[r][c]) {
                return false;
            }
        }
    }
    return true;
}

std::string printed(const std::vector<std::vector<std::string>>& rows) {
    std::string text;
    for (const auto& row : rows) {
        text += "  |";
        for (const std::string& value : row) text += " " + value + " |";
        text += "\n";
    }
    return text.empty() ? "  (no rows)\n" : text;
}

class SqlCompatibilityTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (leerstand::test::test_backend() != Backend::postgres)
            GTEST_SKIP() << "compares SpatiaLite with PostgreSQL: runs in the PostgreSQL variant "
                            "(LEERSTAND_TEST_BACKEND=postgres)";
        m_spatialite_database.emplace(Backend::spatialite);
        m_postgres_database.emplace(Backend::postgres);
        m_spatialite.emplace(m_spatialite_database->location());
        m_postgres.emplace(m_postgres_database->location());
        leerstand::data::apply_migrations(*m_spatialite);
        leerstand::data::apply_migrations(*m_postgres);
    }

    /// Runs every probe on both and reports each one whose answers differ.
    void expect_same_answers(const std::vector<Probe>& probes) {
        for (const Probe& probe : probes) {
            const auto spatialite = rows_of(*m_spatialite, probe);
            const auto postgres = rows_of(*m_postgres, probe);
            EXPECT_FALSE(spatialite.empty()) << probe.sql;
            EXPECT_TRUE(same_rows(probe, spatialite, postgres))
                << probe.sql << "\nSpatiaLite:\n"
                << printed(spatialite) << "PostgreSQL:\n"
                << printed(postgres);
        }
    }

    std::optional<TestDatabase> m_spatialite_database;
    std::optional<TestDatabase> m_postgres_database;
    std::optional<Connection> m_spatialite;
    std::optional<Connection> m_postgres;
};

TEST_F(SqlCompatibilityTest, JsonFunctionsAnswerAsSqlite) {
    const std::string document =
        R"('{"a": null, "b": 7, "c": 1.5, "d": "Wohnen", "e": true, "f": [1, "x"], "g": {"h": 2}}')";
    expect_same_answers({
        {"SELECT json_valid('[1, 2]'), json_valid('[1'), json_valid(''), json_valid('{}')", "iiii"},
        {"SELECT json_type(" + document + ", '$.a'), json_type(" + document +
             ", '$.b'), json_type(" + document + ", '$.c'), json_type(" + document +
             ", '$.d'), json_type(" + document + ", '$.e'), json_type(" + document +
             ", '$.f'), json_type(" + document + ", '$.g'), json_type(" + document +
             ", '$.missing'), json_type(" + document + ", '$.f[1]'), json_type('[]')",
         "tttttttttt"},
        {"SELECT json_extract(" + document + ", '$.a'), json_extract(" + document +
             ", '$.b'), json_extract(" + document + ", '$.c'), json_extract(" + document +
             ", '$.d'), json_extract(" + document + ", '$.e'), json_extract(" + document +
             ", '$.g.h'), json_extract(" + document + ", '$.f[1]'), json_extract(" + document +
             ", '$.missing')",
         "tidtiitt"},
        {"SELECT json_array_length('[1, 2, 3]'), json_array_length('[]'), "
         "json_array_length('{\"a\": 1}')",
         "iii"},
        {"SELECT value FROM json_each('[\"12073008\", 3, null, \"Herzberg (Elster)\"]')", "t"},
        {"SELECT json_each.value FROM json_each('[\"laden\", \"gewerbe\"]') "
         "WHERE json_each.value = 'gewerbe'",
         "t"},
        {"SELECT json_group_array(coalesce(k.name, j.value)) FROM json_each('[\"a\", \"b\"]') j "
         "LEFT JOIN kommunen k ON k.ags = j.value",
         "t"},
    });
}

TEST_F(SqlCompatibilityTest, GeometryFunctionsAnswerAsSpatialite) {
    const std::string collection =
        "ST_GeomFromText('GEOMETRYCOLLECTION(POLYGON((0 0, 1 0, 1 1, 0 0)), "
        "POLYGON((5 5, 6 5, 6 6, 5 5)))', 4326)";
    expect_same_answers({
        {"SELECT ST_X(MakePoint(13.5, 52.25, 4326)), ST_Y(MakePoint(13.5, 52.25, 4326)), "
         "ST_SRID(MakePoint(13.5, 52.25, 4326))",
         "ddi"},
        {"SELECT MbrMinX(g), MbrMinY(g), MbrMaxX(g), MbrMaxY(g) "
         "FROM (SELECT BuildMbr(14.0, 53.1, 13.9, 53.0, 4326) AS g) AS box",
         "dddd"},
        // The same vertices in the same order, byte for byte.
        {"SELECT AsBinary(BuildMbr(3, 4, 1, 2, 4326)), AsBinary(MakePoint(1, 2, 4326))", "bb"},
        {"SELECT AsBinary(GeomFromWKB(AsBinary(MakePoint(13.9, 53.0, 4326)), 4326)), "
         "ST_SRID(GeomFromWKB(AsBinary(MakePoint(13.9, 53.0, 4326)), 4326))",
         "bi"},
        // Bytes that are no whole WKB give NULL, not an error.
        {"SELECT CASE WHEN GeomFromWKB(substr(AsBinary(MakePoint(1, 2, 4326)), 1, 10), 4326) "
         "IS NULL THEN 1 ELSE 0 END",
         "i"},
        {"SELECT AsBinary(CastToMultiPolygon(BuildMbr(1, 2, 3, 4, 4326))), "
         "AsBinary(CastToMultiPolygon(" +
             collection +
             ")), "
             "CASE WHEN CastToMultiPolygon(MakePoint(1, 1, 4326)) IS NULL THEN 1 ELSE 0 END",
         "bbi"},
        {"SELECT AsGeoJSON(MakePoint(13.123456789, 52.5, 4326), 7), "
         "AsGeoJSON(CastToMultiPolygon(BuildMbr(1, 2, 3, 4, 4326)), 7), "
         "AsWKT(MakePoint(13.123456789, 52.5, 4326), 7), "
         "AsWKT(BuildMbr(1, 2, 3, 4, 4326), 7)",
         "tttt"},
        {"SELECT AsBinary(MakeLine(MakePoint(1, 2, 4326), MakePoint(3, 4, 4326)))", "b"},
        // Metres on the ellipsoid, as need_store.cpp and vacancy_store.cpp measure.
        {"SELECT ST_Distance(MakePoint(13.4, 52.5, 4326), MakePoint(13.5, 52.6, 4326), 1), "
         "ST_Distance(BuildMbr(13.4, 52.5, 13.41, 52.51, 4326), MakePoint(13.5, 52.6, 4326), 1), "
         "ST_Distance(BuildMbr(13.4, 52.5, 13.41, 52.51, 4326), MakePoint(13.405, 52.505, 4326), "
         "1)",
         "ddd", 1e-3},
    });
}

// The tile change log is written by triggers, SQLite's and PL/pgSQL's: the same writes leave
// the same rows (layer, box, whether the public sees it), and the writes that change nothing a
// tile shows leave none.
TEST_F(SqlCompatibilityTest, TileChangeTriggersWriteTheSameRows) {
    const std::vector<std::string> writes = {
        "INSERT INTO kommunen (ags, name, boundary) VALUES ('12073008', 'Angermünde', "
        "CastToMultiPolygon(BuildMbr(13.9, 53.0, 14.0, 53.1, 4326)))",
        "INSERT INTO buildings (kommune_ags, footprint) VALUES ('12073008', "
        "CastToMultiPolygon(BuildMbr(13.95, 53.02, 13.951, 53.021, 4326)))",
        "INSERT INTO vacancies (kommune_ags, building_id, geom) "
        "VALUES ('12073008', 1, MakePoint(13.9505, 53.0205, 4326))",
        "UPDATE vacancies SET internal_notes = 'Eigentümer angerufen' WHERE id = 1",
        "UPDATE vacancies SET status = 'bestaetigt', consent_publish = 1 WHERE id = 1",
        "UPDATE vacancies SET geom = MakePoint(13.96, 53.03, 4326), building_id = NULL "
        "WHERE id = 1",
        "INSERT INTO zukunftsorte (name, kommune_ags, geom) "
        "VALUES ('Kulturscheune', '12073008', MakePoint(13.97, 53.04, 4326))",
        "UPDATE zukunftsorte SET description = 'Konzerte' WHERE id = 1",
        "UPDATE zukunftsorte SET name = 'Kulturscheune Angermünde' WHERE id = 1",
        "DELETE FROM zukunftsorte WHERE id = 1",
        "DELETE FROM vacancies WHERE id = 1",
        "UPDATE kommunen SET website = 'https://www.angermuende.de' WHERE ags = '12073008'",
        "UPDATE kommunen SET name = 'Angermünde, Stadt' WHERE ags = '12073008'",
    };
    for (const std::string& write : writes) {
        m_spatialite->exec(write);
        m_postgres->exec(write);
    }
    const Probe log{
        "SELECT seq, layers, min_lon, min_lat, max_lon, max_lat, public "
        "FROM tile_changes ORDER BY seq",
        "iiddddi"};
    EXPECT_EQ(rows_of(*m_spatialite, log).size(), 13u);
    expect_same_answers({log});
}

// The searches vacancy_store.cpp makes (common/address_key.hpp), against the addresses of
// buildings as uploads spell them.
TEST_F(SqlCompatibilityTest, AddressMatchesAsTheSqliteFunction) {
    const std::vector<std::pair<std::string, std::string>> buildings = {
        {"Berliner Straße", "12"},    {"Berliner Str.", "12a"},
        {"berliner strasse", "120"},  {"Hauptstr.", "5-7"},
        {"Straße des 17. Juni", "5"}, {"Rosa-Luxemburg-Str.", "1 b"},
        {"Am Mühlenteich", ""},       {"", "3"},
        {"Świętego Łukasza", "2"},    {"ÄUSSERE ÖLGASSE, Angermünde", "9"}};
    const std::vector<std::string> searches = {
        "Berliner Str. 12", "berlinerstrasse", "12", "Hauptstraße 5", "Straße des 17. Juni 5",
        "luxemburg 1b",     "Mühlen",          "3",  "Lukasza 2",     "Äußere Ölgasse 9"};
    std::vector<Probe> probes;
    for (const auto& text : searches) {
        const auto search = leerstand::parse_address_search(text);
        ASSERT_TRUE(search) << text;
        std::string sql = "SELECT ";
        for (const auto& [street, number] : buildings) {
            if (sql.size() > 7) sql += ", ";
            sql += "address_matches('" + street + "', '" + number + "', '" + search->street +
                   "', '" + search->housenumber + "')";
        }
        probes.push_back({sql, std::string(buildings.size(), 'i')});
    }
    probes.push_back(
        {"SELECT address_matches(NULL, NULL, '', ''), "
         "address_matches(NULL, '4', 'berlin', ''), address_matches('x', NULL, '', '4')",
         "iii"});
    expect_same_answers(probes);
}

// address_matches rests on PostgreSQL's copy of name_slug (common/slug.hpp): the same slug for
// every letter of the Latin alphabets name_slug knows, both cases, and for their neighbours.
// PostgreSQL's chr() spells each code point in UTF-8.
TEST_F(SqlCompatibilityTest, NameSlugOfPostgresAgreesWithCommonSlug) {
    Statement slugs = m_postgres->prepare(
        "SELECT n, name, leerstand_name_slug(name) FROM (SELECT n, 'Ab' || chr(n) || 'cd ' || "
        "chr(n) || 'Z' AS name FROM generate_series(32, 591) AS n UNION ALL "
        "SELECT n, 'Ab' || chr(n) || 'cd ' || chr(n) || 'Z' FROM unnest(ARRAY[776, 7838, 8490, "
        "8211, 160]) AS n) AS names");
    int compared = 0;
    while (slugs.step()) {
        const std::string name = slugs.column_text(1);
        EXPECT_EQ(slugs.column_text(2), leerstand::name_slug(name))
            << "U+" << std::hex << slugs.column_int64(0) << " in \"" << name << "\"";
        ++compared;
    }
    EXPECT_EQ(compared, 591 - 32 + 1 + 5);
}

}  // namespace
