#include <string>
#include <vector>

#include "server/cli/cli.hpp"

int main(int argc, char** argv) {
    return leerstand::cli::run(std::vector<std::string>(argv + 1, argv + argc));
}
