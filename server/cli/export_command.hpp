#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace leerstand::cli {

/// `leerstand export COLLECTION --format geojson|gpkg|csv [--out FILE] [--kommune AGS]
/// [--bbox minLon,minLat,maxLon,maxLat] [--datetime X] [--status S] [--use U] [--db PATH]`:
/// the same export as `GET /export/COLLECTION.FORMAT` with the same filters, with every detail
/// (whoever runs it has the database file). Without --out (or with `--out -`) GeoJSON and CSV
/// go to `out`; a GeoPackage needs --out. Returns 0 ok (the feature count on `err`), 1 error
/// (one line "leerstand: message" on `err`, no output file left behind), 2 usage error.
int run_export_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace leerstand::cli
