#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace leerstand::data {

/// Where a store lives: a SpatiaLite file, or a PostgreSQL database named by a conninfo URI
/// (`postgresql://user:password@host:port/dbname?...` or `postgres://...`). Anything that is
/// not such a URI is a file path (":memory:" and SQLite's "file:" URIs included).
///
/// Implicit from a path or a string, so every place that passes a file path today (or the
/// `--db` option's text) keeps compiling and gains PostgreSQL without a change.
class DatabaseLocation {
  public:
    DatabaseLocation(const std::filesystem::path& path);  // NOLINT(google-explicit-constructor)
    DatabaseLocation(const std::string& text);            // NOLINT(google-explicit-constructor)
    DatabaseLocation(const char* text);                   // NOLINT(google-explicit-constructor)

    bool is_postgres() const noexcept { return m_postgres; }
    /// The SpatiaLite file. @pre !is_postgres()
    const std::filesystem::path& file() const;
    /// The libpq conninfo, secrets included: for the connection only, never for output.
    /// @pre is_postgres()
    const std::string& conninfo() const;
    /// For logs, /health and error messages: the file path, or the URI with its password
    /// (in the user part or as a `password=` parameter) replaced by "***".
    std::string display() const;

  private:
    bool m_postgres = false;
    std::filesystem::path m_file;
    std::string m_conninfo;
};

/// True for text that names a PostgreSQL database (a `postgresql://` or `postgres://` URI).
bool is_postgres_uri(std::string_view text) noexcept;

}  // namespace leerstand::data
