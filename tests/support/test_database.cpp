#include "tests/support/test_database.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "data/connection.hpp"

namespace leerstand::test {

Backend test_backend() {
    const char* value = std::getenv("LEERSTAND_TEST_BACKEND");
    const std::string_view name = value ? value : "";
    if (name.empty() || name == "spatialite") return Backend::spatialite;
    if (name == "postgres") return Backend::postgres;
    throw std::runtime_error("LEERSTAND_TEST_BACKEND=" + std::string(name) +
                             ": use spatialite or postgres");
}

std::string test_postgres_conninfo() {
    const char* value = std::getenv("LEERSTAND_TEST_POSTGRES");
    if (value == nullptr || *value == '\0')
        throw std::runtime_error(
            "LEERSTAND_TEST_BACKEND=postgres, but LEERSTAND_TEST_POSTGRES (the conninfo of a "
            "PostgreSQL server with the database leerstand_template) is not set: run the tests "
            "with scripts/test, which starts a throwaway server, or leave the PostgreSQL "
            "variants out with `ctest -LE postgres`");
    return value;
}

std::string conninfo_with_database(const std::string& conninfo, const std::string& database) {
    const auto scheme_end = conninfo.find("://");
    if (scheme_end == std::string::npos) return conninfo + " dbname=" + database;
    // postgresql://[userspec@][hostspec][/dbname][?paramspec]
    const auto authority = scheme_end + 3;
    const auto query = std::min(conninfo.find('?', authority), conninfo.size());
    const auto slash = conninfo.find('/', authority);
    if (slash == std::string::npos || slash > query)
        return conninfo.substr(0, query) + "/" + database + conninfo.substr(query);
    return conninfo.substr(0, slash + 1) + database + conninfo.substr(query);
}

namespace {

// Made by scripts/postgres-cluster with PostGIS; every test database is a copy of it.
constexpr const char* k_template_database = "leerstand_template";
// Where CREATE and DROP DATABASE run: never the template, which must have no sessions while
// it is copied.
constexpr const char* k_maintenance_database = "postgres";

// A connection to the server's maintenance database, for CREATE and DROP DATABASE.
data::Connection maintenance_connection() {
    return data::Connection(data::DatabaseLocation(conninfo_with_database(test_postgres_conninfo(),
                                                                          k_maintenance_database)),
                            data::ConnectionOptions{});
}

// Unique while this process lives; a name left by a crashed process with the same pid is
// stale, so the constructor drops it first.
std::string next_postgres_name() {
    static std::atomic<int> counter{0};
    return "leerstand_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
}

// Clones the template into a new database `name` and returns its conninfo. Each statement on
// its own: PostgreSQL runs neither inside a transaction.
std::string create_postgres_database(const std::string& name) {
    data::Connection server = maintenance_connection();
    // Asked first rather than DROP ... IF EXISTS, whose notice libpq prints on every test.
    data::Statement stale = server.prepare("SELECT 1 FROM pg_database WHERE datname = ?");
    stale.bind(1, name);
    if (stale.step()) server.exec("DROP DATABASE " + name + " WITH (FORCE)");
    server.exec("CREATE DATABASE " + name + " TEMPLATE " + k_template_database);
    return conninfo_with_database(test_postgres_conninfo(), name);
}

}  // namespace

TestDatabase::TestDatabase(Backend backend)
    : m_backend(backend),
      m_postgres_name(backend == Backend::postgres ? next_postgres_name() : ""),
      m_location(backend == Backend::postgres
                     ? data::DatabaseLocation(create_postgres_database(m_postgres_name))
                     : data::DatabaseLocation(m_dir / "leerstand.sqlite")) {}

TestDatabase::~TestDatabase() {
    if (m_postgres_name.empty()) return;
    // FORCE: a connection the test left open (a store not yet destroyed, a server process
    // still exiting) must not keep the database alive.
    try {
        maintenance_connection().exec("DROP DATABASE " + m_postgres_name + " WITH (FORCE)");
    } catch (const std::exception& e) {
        ADD_FAILURE() << "test database " << m_postgres_name << " not dropped: " << e.what();
    }
}

}  // namespace leerstand::test
