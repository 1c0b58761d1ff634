#pragma once

#include <iosfwd>
#include <string>
#include <vector>

/// The account commands of `leerstand`: users and API tokens. Each function takes the words
/// after its command word, handles its own options (including --db: else $LEERSTAND_DB, else
/// var/leerstand.sqlite) and its own errors, and returns the exit code: 0 ok, 1 error (one
/// line "leerstand: message" on `err`), 2 usage error.
namespace leerstand::cli {

/// `args` are the words after "user":
///   add NAME --role admin|planner|editor [--kommune AGS]... [--db PATH]
///       The password is the first line of `in`. When `in` is std::cin on a terminal, it is
///       asked for twice on `err` without echo.
///   list [--db PATH] [--json]
int run_user_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                     std::ostream& err);

/// `args` are the words after "token":
///   create --user NAME [--label TEXT] [--db PATH]
///       Prints the new token alone on the last line of `out` (shown once, stored as a hash).
///   revoke ID [--db PATH]
///   revoke --token SECRET [--db PATH]     (SECRET "-": the first line of `in`)
int run_token_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                      std::ostream& err);

}  // namespace leerstand::cli
