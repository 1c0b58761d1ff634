#include "data/database_location.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/error.hpp"

namespace {

using leerstand::data::DatabaseLocation;

TEST(DatabaseLocation, PlainPathsAreSpatialiteFiles) {
    for (const std::string text :
         {"atlas.sqlite", "/var/lib/leerstand/atlas.sqlite", ":memory:", "file:x?mode=memory",
          "postgresql:relative/file", "my-postgres://odd-folder"}) {
        const DatabaseLocation location(text);
        EXPECT_FALSE(location.is_postgres()) << text;
        EXPECT_EQ(location.file(), std::filesystem::path(text));
        EXPECT_EQ(location.display(), text);
        EXPECT_THROW((void)location.conninfo(), leerstand::InternalError);
    }
}

TEST(DatabaseLocation, ImplicitFromPathKeepsCallSitesCompiling) {
    const std::filesystem::path path = "/tmp/atlas.sqlite";
    const DatabaseLocation location = path;
    EXPECT_EQ(location.file(), path);
}

TEST(DatabaseLocation, PostgresUrisAreConninfos) {
    for (const std::string text :
         {"postgresql://atlas@db.example.org:5433/leerstand", "postgres://localhost/leerstand",
          "PostgreSQL://localhost/x", "postgresql:///leerstand?host=/run/postgresql"}) {
        const DatabaseLocation location(text);
        EXPECT_TRUE(location.is_postgres()) << text;
        EXPECT_EQ(location.conninfo(), text);
        EXPECT_THROW((void)location.file(), leerstand::InternalError);
    }
    // A path object holding a URI (the --db option parsed as a path) is PostgreSQL too.
    const DatabaseLocation from_path = std::filesystem::path("postgres://h/db");
    EXPECT_TRUE(from_path.is_postgres());
}

TEST(DatabaseLocation, DisplayHidesThePasswordOnly) {
    EXPECT_EQ(
        DatabaseLocation("postgresql://atlas:s3cr%40t@db.example.org:5433/leerstand").display(),
        "postgresql://atlas:***@db.example.org:5433/leerstand");
    EXPECT_EQ(DatabaseLocation("postgres://u:pw@host").display(), "postgres://u:***@host");
    EXPECT_EQ(
        DatabaseLocation("postgresql://u@host/db?sslmode=require&password=pw&connect_timeout=3")
            .display(),
        "postgresql://u@host/db?sslmode=require&password=***&connect_timeout=3");
    // Without a password nothing changes, not even a port colon.
    EXPECT_EQ(DatabaseLocation("postgresql://u@host:5432/db").display(),
              "postgresql://u@host:5432/db");
    EXPECT_EQ(DatabaseLocation("postgresql://host:5432/db?application_name=a@b").display(),
              "postgresql://host:5432/db?application_name=a@b");
    const DatabaseLocation secret("postgresql://u:topsecret@h/db?password=other");
    EXPECT_EQ(secret.display().find("topsecret"), std::string::npos);
    EXPECT_EQ(secret.display().find("other"), std::string::npos);
    EXPECT_NE(secret.conninfo().find("topsecret"), std::string::npos);
}

}  // namespace
