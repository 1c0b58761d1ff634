#pragma once

#include <string>

#include "data/database_location.hpp"
#include "tests/support/test_support.hpp"

/// The database a test runs on. One test binary serves both backends; the environment picks
/// one per run (docs/testing.md): LEERSTAND_TEST_BACKEND=postgres plus LEERSTAND_TEST_POSTGRES
/// (the conninfo scripts/postgres-cluster prints) for PostgreSQL, nothing for SpatiaLite files.
namespace leerstand::test {

enum class Backend { spatialite, postgres };

/// The backend of this run, from LEERSTAND_TEST_BACKEND ("spatialite" when unset).
/// Throws std::runtime_error for an unknown value.
Backend test_backend();

/// LEERSTAND_TEST_POSTGRES. Throws std::runtime_error saying how to get one when it is unset.
std::string test_postgres_conninfo();

/// `conninfo` naming `database` instead of its own: a postgresql:// or postgres:// URI, or
/// keyword=value pairs.
std::string conninfo_with_database(const std::string& conninfo, const std::string& database);

/// Skips the current test on PostgreSQL, naming `reason`: for tests of the SpatiaLite file
/// itself (other tools read it, its folder, its WAL).
#define LEERSTAND_REQUIRE_SPATIALITE(reason)                                             \
    do {                                                                                 \
        if (::leerstand::test::test_backend() != ::leerstand::test::Backend::spatialite) \
            GTEST_SKIP() << "SpatiaLite only: " << (reason);                             \
    } while (0)

/// One empty database for one test, on the backend of the run: a SpatiaLite file (not yet
/// created) in a fresh temporary folder, or a PostgreSQL database cloned from
/// leerstand_template (PostGIS, no tables) under a name unique to this process and object,
/// dropped again by the destructor.
class TestDatabase {
  public:
    TestDatabase() : TestDatabase(test_backend()) {}
    explicit TestDatabase(Backend backend);
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    Backend backend() const { return m_backend; }
    /// What a store opens: the SpatiaLite file or the PostgreSQL database.
    const data::DatabaseLocation& location() const { return m_location; }
    /// A temporary folder of this test on either backend, for the files it writes beside the
    /// database (uploads, exports). On SpatiaLite the database file lies in it too.
    const TempDir& dir() const { return m_dir; }

  private:
    Backend m_backend;
    TempDir m_dir;
    std::string m_postgres_name;  // empty on SpatiaLite
    data::DatabaseLocation m_location;
};

}  // namespace leerstand::test
