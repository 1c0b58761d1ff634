#include "tests/support/test_database.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

#include "data/connection.hpp"
#include "tests/support/test_support.hpp"

// The per-test database of tests/support on the backend of the run: fresh, private to its
// object, and gone afterwards. Registered twice (SpatiaLite, PostgreSQL), like the store tests.
namespace leerstand::test {
namespace {

// One value from `sql` on `location`: through psql on PostgreSQL, data::Connection on a file.
std::string query(const data::DatabaseLocation& location, const std::string& sql) {
    if (!location.is_postgres()) {
        data::Connection db(location, data::ConnectionOptions{std::chrono::seconds(5), false});
        return db.query_text(sql);
    }
    const CommandResult result =
        run_command({LEERSTAND_PSQL, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d",
                     location.conninfo(), "-c", sql});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out.substr(0, result.out.find('\n'));
}

// Whether a database of that name exists on the server of the run.
bool postgres_database_exists(const std::string& name) {
    return query(conninfo_with_database(test_postgres_conninfo(), "postgres"),
                 "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") == "1";
}

TEST(TestDatabase, IsEmptyAndPrivateAndGoneAfterDestruction) {
    std::optional<TestDatabase> first(std::in_place);
    TestDatabase second;
    ASSERT_EQ(first->backend(), test_backend());
    ASSERT_NE(first->location().display(), second.location().display());

    const std::string create = "CREATE TABLE probe (value TEXT)";
    const std::string tables = test_backend() == Backend::postgres
                                   ? "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                                     "AND tablename <> 'spatial_ref_sys'"
                                   : "SELECT count(*) FROM sqlite_master WHERE type = 'table'";
    EXPECT_EQ(query(first->location(), tables), "0");
    if (test_backend() == Backend::postgres) {
        query(first->location(), create + "; SELECT 1");
        EXPECT_NE(query(first->location(), "SELECT postgis_lib_version()"), "");
    } else {
        data::Connection(first->location(), data::ConnectionOptions{std::chrono::seconds(5), false})
            .exec(create);
    }
    EXPECT_EQ(query(first->location(), tables), "1");
    EXPECT_EQ(query(second.location(), tables), "0");

    const std::filesystem::path folder = first->dir().path();
    const std::string name = test_backend() == Backend::postgres
                                 ? query(first->location(), "SELECT current_database()")
                                 : "";
    if (!name.empty()) {
        EXPECT_TRUE(postgres_database_exists(name));
    }
    first.reset();
    EXPECT_FALSE(std::filesystem::exists(folder));
    if (!name.empty()) {
        EXPECT_FALSE(postgres_database_exists(name)) << name;
    }
}

TEST(TestDatabase, ConninfoWithDatabaseReplacesOnlyTheDatabase) {
    EXPECT_EQ(conninfo_with_database("postgresql://postgres@/leerstand_template?host=/tmp/pg", "x"),
              "postgresql://postgres@/x?host=/tmp/pg");
    EXPECT_EQ(conninfo_with_database("postgres://u:p@db.example:5433?sslmode=require", "x"),
              "postgres://u:p@db.example:5433/x?sslmode=require");
    EXPECT_EQ(conninfo_with_database("postgresql:///a", "x"), "postgresql:///x");
    EXPECT_EQ(conninfo_with_database("host=/tmp/pg dbname=a", "x"),
              "host=/tmp/pg dbname=a dbname=x");
}

// The PostgreSQL variant of a binary run without a server: every test fails as it starts,
// saying how to run it, rather than passing on the wrong backend or being skipped.
TEST(PostgresVariant, FailsWithAClearMessageWithoutAServer) {
    const CommandResult result =
        run_command({"env", "-u", "LEERSTAND_TEST_POSTGRES", "LEERSTAND_TEST_BACKEND=postgres",
                     std::filesystem::read_symlink("/proc/self/exe").string(),
                     "--gtest_filter=TestDatabase.*"});
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.out.find("LEERSTAND_TEST_POSTGRES"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("scripts/test"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("ctest -LE postgres"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("[  FAILED  ] 2 tests"), std::string::npos) << result.out;
    // ctest counts a test whose output says SKIPPED as skipped, not failed.
    EXPECT_EQ(result.out.find("SKIPPED"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace leerstand::test
