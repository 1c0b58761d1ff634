#include "server/cli/stats_command.hpp"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "common/error.hpp"
#include "data/store.hpp"
#include "server/services/summary_service.hpp"

namespace leerstand::cli {

namespace {

constexpr int k_exit_ok = 0;
constexpr int k_exit_error = 1;
constexpr int k_exit_usage = 2;

struct StatsOptions {
    std::optional<std::string> kommune;
    std::optional<std::string> db;
};

/// Parses `--kommune AGS`, `--db PATH` (also `--name=value`); returns a usage message on error.
std::optional<std::string> parse(const std::vector<std::string>& args, StatsOptions& options) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        const auto eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        std::optional<std::string>* target = nullptr;
        if (name == "--kommune") target = &options.kommune;
        if (name == "--db") target = &options.db;
        if (!target)
            return arg.rfind("--", 0) == 0 ? "unknown option " + name
                                           : "stats takes no argument '" + arg + "'";
        if (*target) return "option " + name + " given more than once";
        if (eq != std::string::npos)
            *target = arg.substr(eq + 1);
        else if (i + 1 < args.size())
            *target = args[++i];
        else
            return "option " + name + " needs a value";
    }
    return std::nullopt;
}

std::filesystem::path database_path(const StatsOptions& options) {
    if (options.db) return *options.db;
    if (const char* env = std::getenv("LEERSTAND_DB"); env && *env) return env;
    return "var/leerstand.sqlite";
}

}  // namespace

int run_stats_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    StatsOptions options;
    if (const auto usage = parse(args, options)) {
        err << "leerstand: " << *usage << " (see `leerstand help`)\n";
        return k_exit_usage;
    }
    try {
        const std::filesystem::path db = database_path(options);
        // Summaries of a file that does not exist would only create an empty one.
        if (!std::filesystem::exists(db)) throw NotFound("there is no database at " + db.string());
        data::Store store(db);
        services::SummaryService summaries(store);
        out << summaries.exact_summary(options.kommune).dump(2) << "\n";
        return k_exit_ok;
    } catch (const InternalError& e) {
        err << "leerstand: internal error: " << e.what() << "\n";
    } catch (const Error& e) {
        err << "leerstand: " << e.what() << "\n";
    } catch (const std::exception& e) {
        err << "leerstand: unexpected error: " << e.what() << "\n";
    }
    return k_exit_error;
}

}  // namespace leerstand::cli
