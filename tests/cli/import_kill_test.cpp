// SIGKILL in the middle of an import: the database must be exactly as before and intact.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>

#include "tests/cli/cli_support.hpp"

namespace leerstand::test {
namespace {

/// Starts `leerstand import ... --progress` and sends `signal` as soon as its progress line
/// shows that some, but not half, of the features are done. Returns the features done at the
/// signal, or -1 when the import ended before it could be interrupted.
long long interrupt_import_early(const std::vector<std::string>& args, int signal) {
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
    long long done_at_kill = -1;
    const std::regex progress(R"((\d+) / (\d+) features)");
    char buffer[4096];
    ssize_t n;
    while ((n = read(err_pipe[0], buffer, sizeof buffer)) > 0) {
        seen.append(buffer, static_cast<std::size_t>(n));
        std::smatch last;
        for (std::sregex_iterator it(seen.begin(), seen.end(), progress), end; it != end; ++it)
            last = *it;
        if (last.empty()) continue;
        long long done = std::stoll(last[1]), total = std::stoll(last[2]);
        if (done > 0 && done < total / 2) {
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

// Ctrl-C (SIGINT) and a hard kill (SIGKILL) both end the process in mid-transaction.
TEST(ImportKill, InterruptedImportLeavesTheDatabaseUnchangedAndIntact) {
    auto generator = std::filesystem::path(LEERSTAND_SHARED_DIR) / "bench/gen_buildings.py";
    LEERSTAND_REQUIRE_SHARED(generator);
    LEERSTAND_REQUIRE_SHARED(shared_data("kommunen/vg5000_2021/VG5000_GEM.shp"));
    TempDir dir;
    // 150k synthetic footprints around Angermünde (EPSG:25833): long enough to be caught.
    auto gen = run_command({"python3", generator.string(), "150000", dir.path().string(),
                            "--no-geojson", "--tag", "kill"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    auto source = dir / "buildings_kill.shp";
    auto db = vg5000_database(dir);
    auto earlier = shared_data("buildings/osm_harsdorf_2014_buildings.geojson");
    ASSERT_EQ(run_leerstand({"import", earlier.string(), "--db", db.string()}).exit_code, 0);

    const std::string fingerprint_sql =
        "SELECT COUNT(*) || '|' || COALESCE(SUM(id), 0) || '|' || "
        "(SELECT COUNT(*) FROM uploads) || '|' || (SELECT COUNT(*) FROM kommunen) FROM buildings";
    const std::string before = sql(db, fingerprint_sql);

    for (int signal : {SIGINT, SIGKILL}) {
        long long done = interrupt_import_early(
            {"import", source.string(), "--db", db.string(), "--progress"}, signal);
        ASSERT_GT(done, 0) << "the import finished before signal " << signal << " could stop it";

        EXPECT_EQ(sql(db, "PRAGMA integrity_check"), "ok");
        EXPECT_EQ(sql(db, fingerprint_sql), before)
            << "signal " << signal << " after " << done << " features";
        EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM uploads WHERE state='running'"), 0);
        EXPECT_EQ(sql(db, "SELECT rtreecheck('idx_buildings_footprint')"), "ok");
    }

    // And the store is usable: the same import now runs to the end.
    int exit_code = -1;
    auto report = import_json({"import", source.string(), "--db", db.string()}, exit_code);
    EXPECT_EQ(exit_code, 0);
    // The 80 km box around Angermünde reaches across the Oder into Poland: those footprints
    // lie outside every German Kommune, and that must be the only reason for a rejection.
    EXPECT_EQ(report["read"], 150000);
    EXPECT_GT(report["stored"].get<long long>(), 75000);
    EXPECT_EQ(report["stored"].get<long long>() +
                  report["rejected_by_reason"].value("outside every known Kommune", 0LL),
              150000);
}

}  // namespace
}  // namespace leerstand::test
