#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

/// Helpers shared by all test binaries: paths, temporary folders, running the real binary.
namespace leerstand::test {

/// tests/data of this repository.
std::filesystem::path fixture(const std::string& relative);

/// ../shared/data, or an empty path when it is absent (tests then GTEST_SKIP with a message).
std::filesystem::path shared_data(const std::string& relative);

/// Skips the current test with a clear message when the shared data file is missing.
#define LEERSTAND_REQUIRE_SHARED(path_expr)                                        \
    do {                                                                           \
        if (!std::filesystem::exists(path_expr))                                   \
            GTEST_SKIP() << "shared test data not found: " << (path_expr).string() \
                         << " (needs ../shared/data beside the repository)";       \
    } while (0)

/// A fresh folder under the system temp dir, removed when the object dies.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

  private:
    std::filesystem::path m_path;
};

/// The whole content of `file`, byte for byte ("" when it cannot be read).
std::string file_bytes(const std::filesystem::path& file);

/// GeoJSON coordinates "[[x,y],...]" of a closed ring: `vertices` distinct vertices on an
/// ellipse with semi-axes `rx` (longitude) and `ry` (latitude) degrees round (lon, lat), then
/// the first again. About 28 bytes a vertex, for footprints as large as a test needs.
std::string ellipse_ring_geojson(double lon, double lat, double rx, double ry,
                                 std::size_t vertices);

/// Result of running a command to completion.
struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs `args` (args[0] is the program; no shell) and captures stdout and stderr.
CommandResult run_command(const std::vector<std::string>& args, const std::string& stdin_text = {});

/// Runs build/leerstand with `args`.
CommandResult run_leerstand(const std::vector<std::string>& args);

/// Path of the built leerstand binary.
std::filesystem::path leerstand_binary();

/// SQL giving the number of vacancies open just before `instant` (like
/// "2025-04-01T00:00:00Z") whose Kommune at that time starts with `area` ("" everywhere): the
/// trend's rule written independently of the store, with correlated subqueries over
/// vacancy_history. A report counts from the first of the month of its last given
/// vacant_since, or from its create row where that is earlier or no date is given; before its
/// create row it counts with that row's Kommune and status; after it with its last status and
/// Kommune before the instant, unless that last row is a delete.
std::string open_vacancies_oracle_sql(const std::string& area, const std::string& instant);

}  // namespace leerstand::test
