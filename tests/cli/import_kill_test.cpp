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
