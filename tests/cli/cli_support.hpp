#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.hpp"

namespace leerstand::test {

/// Runs `sqlite3 -batch DB SQL` (the real client) and returns stdout without the final newline.
std::string sql(const std::filesystem::path& db, const std::string& query);

/// sql()'s twin for PostgreSQL: runs `psql` (the real client) on `conninfo` and returns the
/// unaligned, header-less output without the final newline.
std::string psql(const std::string& conninfo, const std::string& query);

/// The number of lines in a command's output (its newlines).
long line_count(const std::string& text);

/// `SELECT COUNT(*) ...` as a number.
long long sql_count(const std::filesystem::path& db, const std::string& query);

/// Runs `leerstand import|import-kommunen ... --json` and parses the report (fails the test on
/// a non-JSON stdout). The exit code is returned through `exit_code`.
nlohmann::json import_json(const std::vector<std::string>& args, int& exit_code);

/// A database holding every Gemeinde of VG5000 (2021). Built once per test process in a
/// TempDir and copied for each caller, so tests do not pay for the import twice.
std::filesystem::path vg5000_database(const TempDir& into);

/// AGS → building_count from the reference CSVs next to the shared building files.
std::map<std::string, long long> reference_counts(const std::filesystem::path& csv);

/// Starts `leerstand ARGS... --progress` and sends `signal` once its progress line shows at
/// least `min_done` but less than half of the features done; or, given `ready`, once `ready()`
/// (asked every 50 ms) is true before the import ends. Returns the features done at the signal,
/// or -1 when the import ended before it could be interrupted.
long long interrupt_import_early(const std::vector<std::string>& args, int signal,
                                 long long min_done = 1, const std::function<bool()>& ready = {});

}  // namespace leerstand::test
