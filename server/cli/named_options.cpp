#include "server/cli/named_options.hpp"

#include <algorithm>
#include <cstdlib>
#include <ostream>

#include "common/error.hpp"

namespace leerstand::cli {

std::optional<std::string> parse_named_options(const std::vector<std::string>& args,
                                               const std::vector<std::string>& names,
                                               std::size_t max_positional, NamedOptions& options) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.rfind("--", 0) != 0) {
            if (options.positional.size() >= max_positional)
                return "unexpected argument '" + arg + "'";
            options.positional.push_back(arg);
            continue;
        }
        const auto eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        if (std::find(names.begin(), names.end(), name) == names.end())
            return "unknown option " + name;
        if (options.values.count(name)) return "option " + name + " given more than once";
        if (eq != std::string::npos)
            options.values[name] = arg.substr(eq + 1);
        else if (i + 1 < args.size())
            options.values[name] = args[++i];
        else
            return "option " + name + " needs a value";
    }
    return std::nullopt;
}

data::DatabaseLocation database_location(const std::optional<std::string>& db_option) {
    if (db_option) return *db_option;
    if (const char* env = std::getenv("LEERSTAND_DB"); env && *env) return std::string(env);
    return std::string("var/leerstand.sqlite");
}

data::DatabaseLocation existing_database(const NamedOptions& options) {
    data::DatabaseLocation db = database_location(options.get("--db"));
    if (!db.is_postgres() && !std::filesystem::exists(db.file()))
        throw NotFound("there is no database at " + db.display());
    return db;
}

int run_reporting_errors(std::ostream& err, const std::function<int()>& body) {
    try {
        return body();
    } catch (const InternalError& e) {
        err << "leerstand: internal error: " << e.what() << "\n";
    } catch (const Error& e) {
        err << "leerstand: " << e.what() << "\n";
    } catch (const std::exception& e) {
        err << "leerstand: unexpected error: " << e.what() << "\n";
    }
    return 1;
}

}  // namespace leerstand::cli
