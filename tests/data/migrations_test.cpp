#include "data/migrations.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/store.hpp"
#include "tests/data/store_fixture.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_support.hpp"

namespace {

using leerstand::data::Connection;
using leerstand::data::Dialect;
using leerstand::data::Statement;
using leerstand::data::Store;
using leerstand::test::run_command;

using MigrationsTest = leerstand::test::StoreTest;

std::set<std::string> columns_of(Connection& db, const std::string& table) {
    std::set<std::string> names;
    Statement statement =
        db.prepare(db.dialect() == Dialect::postgres
                       ? "SELECT column_name FROM information_schema.columns "
                         "WHERE table_schema = current_schema() AND table_name = CAST(? AS text)"
                       : "SELECT name FROM pragma_table_info(?)");
    statement.bind(1, table);
    while (statement.step()) names.insert(statement.column_text(0));
    return names;
}

/// The whole schema as text: every statement of sqlite_master, or pg_dump's schema-only
/// output (an independent reader of the PostgreSQL catalogue) without the \restrict lines,
/// whose key is new on every run.
std::string schema_text(Connection& db, const leerstand::data::DatabaseLocation& location) {
    if (db.dialect() != Dialect::postgres)
        return db.query_text("SELECT group_concat(sql, ';') FROM sqlite_master");
    const auto dump =
        run_command({"pg_dump", "--schema-only", "--no-owner", "-d", location.conninfo()});
    EXPECT_EQ(dump.exit_code, 0) << dump.err;
    std::istringstream lines(dump.out);
    std::string schema;
    for (std::string line; std::getline(lines, line);)
        if (!line.starts_with("\\restrict ") && !line.starts_with("\\unrestrict "))
            schema += line + "\n";
    return schema;
}

/// The first line where two schema texts part, for a failure message that fits a screen.
std::string first_difference(const std::string& expected, const std::string& actual) {
    std::size_t at = 0;
    while (at < expected.size() && at < actual.size() && expected[at] == actual[at]) ++at;
    const std::size_t line_start =
        expected.rfind('\n', at) == std::string::npos ? 0 : expected.rfind('\n', at) + 1;
    return "expected: " + expected.substr(line_start, 200) +
           "\nactual:   " + actual.substr(line_start, 200);
}

TEST_F(MigrationsTest, AppliedOnceAndNeverAgain) {
    std::string first_applied_at;
    {
        Store store(m_location);
        EXPECT_EQ(store.schema_version(), leerstand::data::latest_schema_version());
        auto db = raw();
        first_applied_at =
            db.query_text("SELECT applied_at FROM schema_migrations WHERE version = 1");
    }
    Store again(m_location);
    EXPECT_EQ(again.schema_version(), leerstand::data::latest_schema_version());
    auto db = raw();
    // One row per version 1..N, and the first open's rows untouched.
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM schema_migrations"),
              leerstand::data::latest_schema_version());
    EXPECT_EQ(db.query_int64("SELECT count(DISTINCT version) FROM schema_migrations"),
              db.query_int64("SELECT max(version) FROM schema_migrations"));
    EXPECT_EQ(db.query_text("SELECT applied_at FROM schema_migrations WHERE version = 1"),
              first_applied_at);
    // InitSpatialMetadata ran once: the full EPSG table, not a second copy or the WGS84 subset
    // (PostGIS brings its own, as large).
    EXPECT_GT(db.query_int64("SELECT count(*) FROM spatial_ref_sys"), 6000);
}

TEST_F(MigrationsTest, ApplyOnMigratedDatabaseChangesNothing) {
    Store store(m_location);
    auto& db = store.connection();
    const auto schema_before = schema_text(db, m_location);
    ASSERT_NE(schema_before.find("vacancies_tile_update"), std::string::npos) << schema_before;
    EXPECT_EQ(leerstand::data::apply_migrations(db), leerstand::data::latest_schema_version());
    const auto schema_after = schema_text(db, m_location);
    EXPECT_TRUE(schema_after == schema_before) << first_difference(schema_before, schema_after);
}

TEST_F(MigrationsTest, DatabaseFromNewerVersionIsRefused) {
    { Store store(m_location); }
    {
        auto db = raw();
        db.exec("INSERT INTO schema_migrations VALUES (9999, '2099-01-01T00:00:00Z')");
    }
    EXPECT_THROW(Store{m_location}, leerstand::Unsupported);
}

TEST_F(MigrationsTest, WholeDataModelExists) {
    Store store(m_location);
    auto& db = store.connection();
    // The columns DESIGN.md's data model names (a subset check: later work may add more).
    const std::map<std::string, std::vector<std::string>> expected = {
        {"kommunen",
         {"ags", "name", "bez", "parent_ags", "area_m2", "member_since", "founding_member",
          "profile_text", "website", "contact", "image_url", "created_at", "updated_at",
          "boundary"}},
        {"buildings",
         {"id", "kommune_ags", "upload_id", "source_ref", "function", "floors", "name", "street",
          "housenumber", "postcode", "city", "attributes", "area_m2", "created_at", "footprint"}},
        {"vacancies",
         {"id", "building_id", "kommune_ags", "status", "use", "degree", "vacant_since",
          "floor_area_m2", "owner_type", "owner_contact", "internal_notes", "consent_publish",
          "consent_date", "public_description", "created_at", "updated_at", "author", "version",
          "geom"}},
        {"vacancy_history",
         {"id", "vacancy_id", "changed_at", "changed_by", "action", "old_values", "new_values"}},
        {"zukunftsorte",
         {"id", "name", "kind", "building_id", "vacancy_id", "description", "website", "opened",
          "created_at", "updated_at", "version", "geom", "story", "images"}},
        {"uploads",
         {"id", "user", "created_at", "finished_at", "file_name", "format", "layer", "kommune_ags",
          "mode", "crs", "encoding", "features_read", "stored", "rejected", "errors", "report",
          "state", "progress"}},
        {"users", {"id", "name", "role", "password_hash", "created_at", "disabled"}},
        {"user_kommunen", {"user_id", "ags"}},
        {"tokens",
         {"id", "user_id", "token_hash", "label", "created_at", "expires_at", "revoked_at"}},
        {"sessions", {"id_hash", "user_id", "created_at", "expires_at"}},
    };
    for (const auto& [table, columns] : expected) {
        const auto actual = columns_of(db, table);
        for (const auto& column : columns)
            EXPECT_TRUE(actual.contains(column)) << table << "." << column << " is missing";
    }
}

TEST_F(MigrationsTest, GeometryColumnsRegisteredWithTypeAndSrid) {
    LEERSTAND_REQUIRE_SPATIALITE(
        "SpatiaLite's geometry_columns table; on PostgreSQL SchemaParity "
        "compares each geometry column's type and SRID with SpatiaLite's");
    Store store(m_location);
    auto& db = store.connection();
    // SpatiaLite 5 geometry_type codes: 1 = POINT, 3 = POLYGON, 6 = MULTIPOLYGON;
    // coord_dimension 2 = XY.
    const std::map<std::string, int> expected = {{"kommunen.boundary", 6},
                                                 {"buildings.footprint", 6},
                                                 {"vacancies.geom", 1},
                                                 {"zukunftsorte.geom", 1},
                                                 {"zensus2011_grid.cell", 3}};
    Statement statement = db.prepare(
        "SELECT f_table_name || '.' || f_geometry_column, geometry_type, srid, coord_dimension, "
        "spatial_index_enabled FROM geometry_columns");
    std::map<std::string, int> found;
    while (statement.step()) {
        const std::string column = statement.column_text(0);
        found[column] = static_cast<int>(statement.column_int64(1));
        EXPECT_EQ(statement.column_int64(2), 4326) << column;
        EXPECT_EQ(statement.column_int64(3), 2) << column;
        EXPECT_EQ(statement.column_int64(4), 1) << column << " has no R*Tree index";
    }
    EXPECT_EQ(found, expected);
}

TEST_F(MigrationsTest, SpatialIndexesExistAndAreValid) {
    LEERSTAND_REQUIRE_SPATIALITE(
        "R*Tree validity; PostgreSQL's GiST indexes are compared by "
        "SchemaParity");
    Store store(m_location);
    auto& db = store.connection();
    for (const char* column :
         {"'kommunen', 'boundary'", "'buildings', 'footprint'", "'vacancies', 'geom'",
          "'zukunftsorte', 'geom'", "'zensus2011_grid', 'cell'"}) {
        EXPECT_EQ(db.query_int64(std::string("SELECT CheckSpatialIndex(") + column + ")"), 1)
            << column;
    }
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                             "name LIKE 'idx_%' AND sql LIKE '%USING rtree%'"),
              5);
}

TEST_F(MigrationsTest, TransformWorksForGermanUtmZones) {
    Store store(m_location);
    auto& db = store.connection();
    // Reference point from TOOLCHAIN.md P9 (checked there with PROJ): Berlin, EPSG:25833.
    Statement statement = db.prepare(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(MakePoint(392340.238, 5820271.219, "
        "25833), 4326) AS p) AS transformed");
    ASSERT_TRUE(statement.step());
    EXPECT_NEAR(statement.column_double(0), 13.4132, 1e-4);
    EXPECT_NEAR(statement.column_double(1), 52.5219, 1e-4);
}

TEST_F(MigrationsTest, CheckConstraintsGuardTheVocabularies) {
    Store store(m_location);
    auto& db = store.connection();
    // The Kommune by plain SQL: this is about the schema, not about the store's writes.
    db.exec(std::string("INSERT INTO kommunen (ags, name) VALUES ('") + angermuende +
            "', 'Angermünde')");
    auto insert_vacancy = [&](const std::string& status, const std::string& use) {
        Statement statement = db.prepare(
            "INSERT INTO vacancies (kommune_ags, status, use, geom) "
            "VALUES (?, ?, ?, MakePoint(13.95, 53.02, 4326))");
        statement.bind(1, angermuende).bind(2, status).bind(3, use).run();
    };
    EXPECT_NO_THROW(insert_vacancy("in_aktivierung", "landwirtschaft"));
    EXPECT_THROW(insert_vacancy("in Aktivierung", "wohnen"), leerstand::Conflict);
    EXPECT_THROW(insert_vacancy("gemeldet", "Wohnen"), leerstand::Conflict);
    EXPECT_THROW(db.exec("INSERT INTO users (name, role, password_hash) VALUES ('a', 'root', 'x')"),
                 leerstand::Conflict);
    // A vacancy needs an existing Kommune (foreign keys are on).
    EXPECT_THROW(db.exec("INSERT INTO vacancies (kommune_ags, geom) "
                         "VALUES ('99999999', MakePoint(1, 1, 4326))"),
                 leerstand::Conflict);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM vacancies"), 1);
}

// The checks that are no plain vocabulary: digits only (GLOB in SQLite, a regex in PostgreSQL),
// JSON text (json_valid) and JSON arrays (json_type), each a Conflict on both backends.
TEST_F(MigrationsTest, CheckConstraintsGuardKeysAndJson) {
    Store store(m_location);
    auto& db = store.connection();
    auto insert_kommune = [&](const std::string& ags) {
        Statement statement = db.prepare("INSERT INTO kommunen (ags, name) VALUES (?, 'Ort')");
        statement.bind(1, ags).run();
    };
    EXPECT_NO_THROW(insert_kommune("12073008"));
    EXPECT_NO_THROW(insert_kommune("12073"));
    EXPECT_THROW(insert_kommune("1207300a"), leerstand::Conflict);
    EXPECT_THROW(insert_kommune("1207300"), leerstand::Conflict);
    EXPECT_THROW(insert_kommune("12 73008"), leerstand::Conflict);

    auto insert_zukunftsort = [&](const std::string& images) {
        Statement statement = db.prepare(
            "INSERT INTO zukunftsorte (name, geom, images) "
            "VALUES ('Kulturscheune', MakePoint(13.97, 53.04, 4326), ?)");
        statement.bind(1, images).run();
    };
    EXPECT_NO_THROW(insert_zukunftsort("[]"));
    EXPECT_NO_THROW(insert_zukunftsort(R"(["0123456789abcdef0123456789abcdef"])"));
    EXPECT_THROW(insert_zukunftsort("kein JSON"), leerstand::Conflict);
    EXPECT_THROW(insert_zukunftsort(R"({"a": 1})"), leerstand::Conflict);
    EXPECT_THROW(insert_zukunftsort("[1,"), leerstand::Conflict);

    auto insert_upload_report = [&](const std::string& report) {
        Statement statement = db.prepare("INSERT INTO uploads (report) VALUES (?)");
        statement.bind(1, report).run();
    };
    EXPECT_NO_THROW(insert_upload_report(R"({"read": 3})"));
    EXPECT_THROW(insert_upload_report("{read: 3}"), leerstand::Conflict);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM kommunen"), 2);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM zukunftsorte"), 2);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM uploads"), 1);
}

// Several servers started at once on a new database: each migrates it, and the write lock of
// Transaction (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL) lets one apply each
// migration while the others wait and then find it applied.
TEST_F(MigrationsTest, ProcessesMigratingOneNewDatabaseAtOnceEndWithOneSchema) {
    constexpr int k_processes = 4;
    int start[2];
    ASSERT_EQ(pipe(start), 0);
    std::vector<pid_t> children;
    for (int i = 0; i < k_processes; ++i) {
        const pid_t child = fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            // Wait until every process exists, so that they open the database together.
            close(start[1]);
            char byte = 0;
            if (read(start[0], &byte, 1) < 0) _exit(3);
            try {
                Store store(m_location);
                _exit(store.schema_version() == leerstand::data::latest_schema_version() ? 0 : 2);
            } catch (const std::exception& error) {
                std::fprintf(stderr, "process %d: %s\n", i, error.what());
                _exit(1);
            }
        }
        children.push_back(child);
    }
    close(start[0]);
    close(start[1]);  // EOF: all start
    for (const pid_t child : children) {
        int status = 0;
        ASSERT_EQ(waitpid(child, &status, 0), child);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "a migrating process failed (status " << status << ")";
    }

    auto db = raw();
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM schema_migrations"),
              leerstand::data::latest_schema_version());
    // The same schema as one process alone makes.
    leerstand::test::TestDatabase alone(m_database.backend());
    { Store store(alone.location()); }
    auto single = Connection(alone.location());
    const auto one_process = schema_text(single, alone.location());
    const auto several = schema_text(db, m_location);
    EXPECT_TRUE(several == one_process) << first_difference(one_process, several);
}

// GDAL, an independent SpatiaLite reader, sees the four spatial layers with their types.
TEST_F(MigrationsTest, OgrinfoListsTheSpatialLayers) {
    LEERSTAND_REQUIRE_SPATIALITE("reads the SpatiaLite file with ogrinfo");
    {
        Store store(m_location);
        add_two_kommunen(store);
    }
    const auto result = run_command({"ogrinfo", "-ro", "-so", "-al", m_path.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::map<std::string, std::string> geometry_of;
    std::map<std::string, std::string> count_of;
    std::istringstream lines(result.out);
    std::string line, layer;
    while (std::getline(lines, line)) {
        if (line.rfind("Layer name: ", 0) == 0) layer = line.substr(12);
        if (line.rfind("Geometry: ", 0) == 0) geometry_of[layer] = line.substr(10);
        if (line.rfind("Feature Count: ", 0) == 0) count_of[layer] = line.substr(15);
    }
    const std::map<std::string, std::string> expected = {{"kommunen", "Multi Polygon"},
                                                         {"buildings", "Multi Polygon"},
                                                         {"vacancies", "Point"},
                                                         {"zukunftsorte", "Point"}};
    for (const auto& [name, type] : expected) EXPECT_EQ(geometry_of[name], type) << name;
    EXPECT_EQ(count_of["kommunen"], "2");
    EXPECT_EQ(count_of["buildings"], "0");
}

TEST_F(MigrationsTest, SpatialiteCliReadsTheFile) {
    LEERSTAND_REQUIRE_SPATIALITE("reads the file with the spatialite CLI");
    {
        Store store(m_location);
        add_two_kommunen(store);
    }
    const auto result = run_command(
        {"spatialite", m_path.string(),
         "SELECT name, GeometryType(boundary), ST_SRID(boundary) FROM kommunen ORDER BY ags"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("Herzberg (Elster)|MULTIPOLYGON|4326"), std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("Angermünde|MULTIPOLYGON|4326"), std::string::npos) << result.out;
}

}  // namespace
