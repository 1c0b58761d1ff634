#include "server/cli/cli_errors.hpp"

namespace leerstand::cli {

std::string one_line(const Error& error) {
    const auto errors = error.extensions().find("errors");
    if (errors == error.extensions().end() || !errors->is_array() || errors->size() < 2)
        return error.what();
    std::string line;
    for (const auto& entry : *errors) {
        if (!line.empty()) line += "; ";
        line += entry.value("message", "");
    }
    return line;
}

}  // namespace leerstand::cli
