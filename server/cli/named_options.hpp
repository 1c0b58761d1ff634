#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/database_location.hpp"

/// Option parsing shared by the smaller subcommands (stats, export).
namespace leerstand::cli {

/// The words of a subcommand: `--name value` or `--name=value` options and positional words.
struct NamedOptions {
    std::map<std::string, std::string> values;
    std::vector<std::string> positional;

    std::optional<std::string> get(const std::string& name) const {
        const auto found = values.find(name);
        if (found == values.end()) return std::nullopt;
        return found->second;
    }
};

/// Parses `args` (the words after the subcommand) allowing the options `names` (each once)
/// and at most `max_positional` positional words. Returns a usage message on error.
std::optional<std::string> parse_named_options(const std::vector<std::string>& args,
                                               const std::vector<std::string>& names,
                                               std::size_t max_positional, NamedOptions& options);

/// The database of every subcommand: `db_option` (--db's value: a file path or a
/// postgresql:// conninfo), else $LEERSTAND_DB, else var/leerstand.sqlite.
data::DatabaseLocation database_location(const std::optional<std::string>& db_option);

/// database_location(--db); NotFound when it names a file that does not exist (opening it
/// would only create an empty database).
data::DatabaseLocation existing_database(const NamedOptions& options);

/// Runs `body` and returns its exit code; an exception becomes one line "leerstand: …" on
/// `err` and exit code 1.
int run_reporting_errors(std::ostream& err, const std::function<int()>& body);

}  // namespace leerstand::cli
