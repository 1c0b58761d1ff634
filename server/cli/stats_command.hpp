#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace leerstand::cli {

/// `leerstand stats [--kommune AGS] [--db PATH]`: prints the summary of Kommune AGS (a Kreis key
/// covers its Gemeinden), or of the whole network, as JSON on `out` — the same JSON as
/// `GET /api/kommunen/{ags}/summary` and `GET /api/summary`, with exact figures (whoever runs
/// it has the database file). `args` are the words after "stats"; the database is --db PATH,
/// else $LEERSTAND_DB, else var/leerstand.sqlite. Returns 0 ok, 1 error (one line
/// "leerstand: message" on `err`), 2 usage error.
int run_stats_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace leerstand::cli
