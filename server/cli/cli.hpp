#pragma once

#include <string>
#include <vector>

namespace leerstand::cli {

/// Runs the `leerstand` command line and returns the process exit code:
/// 0 success, 1 error (one line on stderr), 2 usage error, 3 an import stored nothing.
int run(const std::vector<std::string>& args);

}  // namespace leerstand::cli
