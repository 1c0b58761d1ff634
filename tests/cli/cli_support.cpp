#include "tests/cli/cli_support.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <regex>

#include <fstream>
#include <memory>
#include <sstream>

namespace leerstand::test {

namespace fs = std::filesystem;

long line_count(const std::string& text) {
    return std::count(text.begin(), text.end(), '\n');
}

std::string sql(const fs::path& db, const std::string& query) {
    auto result = run_command({"sqlite3", "-batch", db.string(), query});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::string out = result.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

std::string psql(const std::string& conninfo, const std::string& query) {
    auto result = run_command({LEERSTAND_PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                               "-d", conninfo, "-c", query});
    EXPECT_EQ(result.exit_code, 0) << query << ": " << result.err;
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

/// Starts `leerstand import ... --progress` and sends `signal` as soon as its progress line
/// shows that at least `min_done`, but not half, of the features are done; or, given `ready`,
/// as soon as `ready()` says so (asked every 50 ms) before the import ends. Returns the features
/// done at the signal, or -1 when the import ended before it could be interrupted.
long long interrupt_import_early(const std::vector<std::string>& args, int signal,
                                 long long min_done, const std::function<bool()>& ready) {
    int err_pipe[2];
    if (pipe(err_pipe) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(err_pipe[1], 2);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        close(err_pipe[0]);
        close(err_pipe[1]);
        std::vector<std::string> full{leerstand_binary().string()};
        full.insert(full.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : full) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(err_pipe[1]);
    std::string seen;
    long long done = 0;
    long long done_at_kill = -1;
    const std::regex progress(R"((\d+) / (\d+) features)");
    char buffer[4096];
    while (true) {
        pollfd readable{err_pipe[0], POLLIN, 0};
        if (poll(&readable, 1, 50) > 0) {
            const ssize_t n = read(err_pipe[0], buffer, sizeof buffer);
            if (n <= 0) break;  // the import ended
            seen.append(buffer, static_cast<std::size_t>(n));
            std::smatch last;
            for (std::sregex_iterator it(seen.begin(), seen.end(), progress), end; it != end; ++it)
                last = *it;
            if (!last.empty()) {
                done = std::stoll(last[1]);
                const long long total = std::stoll(last[2]);
                if (!ready && done >= min_done && done < total / 2) {
                    kill(pid, signal);
                    done_at_kill = done;
                    break;
                }
            }
        }
        if (ready && done >= min_done && ready()) {
            kill(pid, signal);
            done_at_kill = done;
            break;
        }
    }
    close(err_pipe[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return done_at_kill;
}

}  // namespace leerstand::test
