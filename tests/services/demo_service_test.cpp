// The demo use case (`leerstand demo`): what it writes into a real SpatiaLite store (read back
// with the sqlite3 client) and that it refuses a store that already holds data. The generator
// itself is tested in tests/demo.
#include "server/services/demo_service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "common/error.hpp"
#include "data/store.hpp"
#include "demo/dataset.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::services {
namespace {

// ------------------------------------------------------------------------------ the store

class DemoStoreTest : public ::testing::Test {
  protected:
    test::TempDir m_dir;
    std::filesystem::path m_db = m_dir / "demo.sqlite";

    std::string sql(const std::string& query) {
        const auto result = test::run_command({"sqlite3", m_db.string(), query});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        std::string out = result.out;
        while (!out.empty() && out.back() == '\n') out.pop_back();
        return out;
    }
};

TEST_F(DemoStoreTest, StoresWhatItReports) {
    DemoReport report;
    {
        data::Store store(m_db);
        const auto start = std::chrono::steady_clock::now();
        report = generate_demo(store, DemoOptions{});
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        RecordProperty("seconds", std::to_string(took.count()));
        EXPECT_LT(took.count(), 10.0);  // target well under 2 s; generous on a shared machine

        const data::StoreCounts counts = store.counts();
        EXPECT_EQ(counts.kommunen, report.kommunen);
        EXPECT_EQ(counts.buildings, report.buildings);
        EXPECT_EQ(report.kommunen, 7);
        EXPECT_GE(report.buildings, 2000);
        EXPECT_GT(report.upload_id_kommunen, 0);
        EXPECT_GT(report.upload_id_buildings, 0);
        EXPECT_NE(report.upload_id_kommunen, report.upload_id_buildings);
        EXPECT_EQ(store.kommune_boundaries().size(), 7U);
    }
    const demo::Dataset dataset = demo::make_dataset(DemoOptions{});
    EXPECT_EQ(static_cast<std::int64_t>(dataset.buildings.size()), report.buildings);
    EXPECT_EQ(sql("SELECT count(*) FROM buildings WHERE upload_id = " +
                  std::to_string(report.upload_id_buildings)),
              std::to_string(report.buildings));
    EXPECT_EQ(sql("SELECT user || '|' || layer || '|' || format || '|' || state || '|' || stored "
                  "FROM uploads WHERE id = " +
                  std::to_string(report.upload_id_buildings)),
              "demo|buildings|demo|done|" + std::to_string(report.buildings));
    EXPECT_EQ(sql("SELECT json_extract(report, '$.buildings') FROM uploads WHERE id = " +
                  std::to_string(report.upload_id_buildings)),
              std::to_string(report.buildings));
    EXPECT_EQ(sql("SELECT user || '|' || layer FROM uploads WHERE id = " +
                  std::to_string(report.upload_id_kommunen)),
              "demo|kommunen");
}

TEST_F(DemoStoreTest, UmlautsSurviveTheRoundTrip) {
    {
        data::Store store(m_db);
        generate_demo(store, DemoOptions{});
    }
    const demo::Dataset dataset = demo::make_dataset(DemoOptions{});
    std::map<std::string, int> expected;
    for (const demo::Building& b : dataset.buildings) ++expected[b.record.street];
    const std::string street =
        "M\xC3\xBChlenstra\xC3\x9F"
        "e";  // Mühlenstraße
    ASSERT_GT(expected[street], 0) << "seed 1 uses Mühlenstraße somewhere";
    EXPECT_EQ(sql("SELECT count(*) FROM buildings WHERE street = '" + street + "'"),
              std::to_string(expected[street]));
    EXPECT_EQ(sql("SELECT name FROM kommunen WHERE ags = '12073008'"), "Angerm\xC3\xBCnde");
    EXPECT_EQ(sql("SELECT count(*) FROM buildings WHERE city = 'Angerm\xC3\xBCnde'"),
              sql("SELECT count(*) FROM buildings WHERE kommune_ags = '12073008'"));
}

TEST_F(DemoStoreTest, RefusesASecondRun) {
    data::Store store(m_db);
    const DemoReport first = generate_demo(store, DemoOptions{});
    EXPECT_THROW(generate_demo(store, DemoOptions{}), Conflict);
    EXPECT_EQ(store.counts().buildings, first.buildings);
    EXPECT_EQ(store.counts().kommunen, first.kommunen);
}

TEST_F(DemoStoreTest, RefusesAStoreThatAlreadyHasKommunen) {
    data::Store store(m_db);
    const demo::Dataset dataset = demo::make_dataset(DemoOptions{});
    data::UploadRecord upload;
    upload.user = "cli";
    upload.layer = "kommunen";
    upload.state = "done";
    store.upsert_kommunen({dataset.kommunen.front().record}, upload);
    EXPECT_THROW(generate_demo(store, DemoOptions{}), Conflict);
    EXPECT_EQ(store.counts().buildings, 0);
    EXPECT_EQ(store.counts().kommunen, 1);
}

}  // namespace
}  // namespace leerstand::services
