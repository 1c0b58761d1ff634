#include "tests/cli/cli_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace leerstand::test {

namespace fs = std::filesystem;

std::string sql(const fs::path& db, const std::string& query) {
    auto result = run_command({"sqlite3", "-batch", db.string(), query});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::string out = result.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

long long sql_count(const fs::path& db, const std::string& query) {
    auto text = sql(db, query);
    return text.empty() ? -1 : std::stoll(text);
}

nlohmann::json import_json(const std::vector<std::string>& args, int& exit_code) {
    std::vector<std::string> full = args;
    full.push_back("--json");
    auto result = run_leerstand(full);
    exit_code = result.exit_code;
    auto parsed = nlohmann::json::parse(result.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded())
        << "stdout is not JSON: " << result.out << "\nstderr: " << result.err;
    return parsed;
}

fs::path vg5000_database(const TempDir& into) {
    static std::unique_ptr<TempDir> cache_dir;
    static fs::path cached;
    if (cached.empty()) {
        cache_dir = std::make_unique<TempDir>();
        cached = cache_dir->path() / "vg5000.sqlite";
        auto result = run_leerstand({"import-kommunen",
                                     shared_data("kommunen/vg5000_2021/VG5000_GEM.shp").string(),
                                     "--db", cached.string()});
        EXPECT_EQ(result.exit_code, 0) << result.err;
    }
    auto copy = into.path() / "atlas.sqlite";
    fs::copy_file(cached, copy, fs::copy_options::overwrite_existing);
    return copy;
}

std::map<std::string, long long> reference_counts(const fs::path& csv) {
    std::ifstream in(csv);
    std::map<std::string, long long> counts;
    std::string line;
    std::getline(in, line);  // header: AGS,GEN,building_count
    while (std::getline(in, line)) {
        auto first = line.find(',');
        auto last = line.rfind(',');
        if (first == std::string::npos) continue;
        counts[line.substr(0, first)] = std::stoll(line.substr(last + 1));
    }
    return counts;
}

}  // namespace leerstand::test
