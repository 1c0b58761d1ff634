#include "server/cli/stats_command.hpp"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "common/error.hpp"
#include "data/store.hpp"
#include "server/cli/cli_errors.hpp"
#include "server/cli/named_options.hpp"
#include "server/services/summary_service.hpp"

namespace leerstand::cli {

namespace {}  // namespace

int run_stats_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    NamedOptions options;
    if (const auto usage = parse_named_options(args, {"--kommune", "--db"}, 0, options)) {
        err << "leerstand: " << *usage << " (see `leerstand help`)\n";
        return k_exit_usage;
    }
    return run_reporting_errors(err, [&] {
        data::Store store(existing_database(options));
        services::SummaryService summaries(store);
        out << summaries.exact_summary(options.get("--kommune")).dump(2) << "\n";
        return k_exit_ok;
    });
}

}  // namespace leerstand::cli
