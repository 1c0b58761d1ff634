// SIGKILL in the middle of an import: the database must be exactly as before and intact, on
// either backend of the run (a SpatiaLite file, or PostgreSQL as the _postgres variant, where
// the rows stream in by binary COPY when the process dies).
#include <gtest/gtest.h>

#include <signal.h>

#include <functional>
#include <string>

#include "tests/cli/cli_support.hpp"
#include "tests/support/test_database.hpp"

namespace leerstand::test {
namespace {

// Ctrl-C (SIGINT) and a hard kill (SIGKILL) both end the process in mid-transaction.
TEST(ImportKill, InterruptedImportLeavesTheDatabaseUnchangedAndIntact) {
    auto generator = std::filesystem::path(LEERSTAND_SHARED_DIR) / "bench/gen_buildings.py";
    LEERSTAND_REQUIRE_SHARED(generator);
    LEERSTAND_REQUIRE_SHARED(shared_data("kommunen/vg5000_2021/VG5000_GEM.shp"));
    TestDatabase database;
    const bool postgres = database.backend() == Backend::postgres;
    const TempDir& dir = database.dir();
    // 150k synthetic footprints around Angermünde (EPSG:25833): long enough to be caught.
    auto gen = run_command({"python3", generator.string(), "150000", dir.path().string(),
                            "--no-geojson", "--tag", "kill"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    auto source = dir / "buildings_kill.shp";

    // The --db argument, and a query through the backend's own client.
    std::string db;
    std::function<std::string(const std::string&)> query;
    if (postgres) {
        db = database.location().conninfo();
        auto kommunen = run_leerstand({"import-kommunen",
                                       shared_data("kommunen/vg5000_2021/VG5000_GEM.shp").string(),
                                       "--db", db});
        ASSERT_EQ(kommunen.exit_code, 0) << kommunen.err;
        query = [db](const std::string& text) { return psql(db, text); };
    } else {
        const auto file = vg5000_database(dir);
        db = file.string();
        query = [file](const std::string& text) { return sql(file, text); };
    }
    auto earlier = shared_data("buildings/osm_harsdorf_2014_buildings.geojson");
    ASSERT_EQ(run_leerstand({"import", earlier.string(), "--db", db}).exit_code, 0);

    const std::string fingerprint_sql =
        "SELECT COUNT(*) || '|' || COALESCE(SUM(id), 0) || '|' || "
        "(SELECT COUNT(*) FROM uploads) || '|' || (SELECT COUNT(*) FROM kommunen) FROM buildings";
    const std::string before = query(fingerprint_sql);

    // On PostgreSQL the signal waits until a fifth is read and the server is taking rows of a
    // COPY, so that the process dies with rows sent, not only read.
    std::function<bool()> copying;
    if (postgres)
        copying = [&] {
            return query(
                       "SELECT count(*) > 0 FROM pg_stat_progress_copy WHERE "
                       "tuples_processed > 0") == "t";
        };
    for (int signal : {SIGINT, SIGKILL}) {
        long long done =
            interrupt_import_early({"import", source.string(), "--db", db, "--progress"}, signal,
                                   postgres ? 30000 : 1, copying);
        ASSERT_GT(done, 0) << "the import finished before signal " << signal << " could stop it";

        EXPECT_EQ(query(fingerprint_sql), before)
            << "signal " << signal << " after " << done << " features";
        EXPECT_EQ(query("SELECT COUNT(*) FROM uploads WHERE state='running'"), "0");
        if (postgres) {
            // The GiST index is still valid, and finds every building the table holds.
            EXPECT_EQ(query("SELECT indisvalid FROM pg_index WHERE indexrelid = "
                            "'idx_buildings_footprint'::regclass"),
                      "t");
            EXPECT_EQ(query("SET enable_seqscan = off; SELECT COUNT(*) FROM buildings WHERE "
                            "footprint && ST_MakeEnvelope(-180, -90, 180, 90, 4326)"),
                      before.substr(0, before.find('|')));
        } else {
            EXPECT_EQ(query("PRAGMA integrity_check"), "ok");
            EXPECT_EQ(query("SELECT rtreecheck('idx_buildings_footprint')"), "ok");
        }
    }

    // And the store is usable: the same import now runs to the end.
    int exit_code = -1;
    auto report = import_json({"import", source.string(), "--db", db}, exit_code);
    EXPECT_EQ(exit_code, 0);
    // The 80 km box around Angermünde reaches across the Oder into Poland: those footprints
    // lie outside every German Kommune, and that must be the only reason for a rejection.
    EXPECT_EQ(report["read"], 150000);
    EXPECT_GT(report["stored"].get<long long>(), 75000);
    EXPECT_EQ(report["stored"].get<long long>() +
                  report["rejected_by_reason"].value("outside every known Kommune", 0LL),
              150000);
    EXPECT_EQ(query("SELECT COUNT(*) FROM buildings WHERE upload_id = " +
                    std::to_string(report["upload_id"].get<long long>())),
              std::to_string(report["stored"].get<long long>()));
}

}  // namespace
}  // namespace leerstand::test
