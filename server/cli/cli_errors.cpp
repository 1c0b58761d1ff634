#include "server/cli/cli_errors.hpp"

#include "geo/crs_inference.hpp"

namespace leerstand::cli {

std::string one_line(const Error& error) {
    const auto errors = error.extensions().find("errors");
    if (errors == error.extensions().end() || !errors->is_array() || errors->size() < 2)
        // geo asks for a file's coordinate system without saying how: here it is an option.
        return geo::with_crs_hint(error.what(), "with --srs EPSG:N");
    std::string line;
    for (const auto& entry : *errors) {
        if (!line.empty()) line += "; ";
        line += entry.value("message", "");
    }
    return line;
}

}  // namespace leerstand::cli
