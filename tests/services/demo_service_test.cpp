// The demo use case (`leerstand demo`): what it writes into a real store of the run's backend
// (read back with the sqlite3 client or psql), that the same options give the same database, that
// it writes all or nothing, that the public sees numbers in the founding Gemeinden, and that it
// refuses a store that already holds data. The generator itself is tested in tests/demo.
#include "server/services/demo_service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "common/error.hpp"
#include "common/iso_date.hpp"
#include "data/store.hpp"
#include "demo/dataset.hpp"
#include "server/services/caller.hpp"
#include "server/services/summary_service.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::services {
namespace {

// ------------------------------------------------------------------------------ the store

/// A fixed reference day, so a test sees the same history on any day it runs.
DemoOptions fixed_day() {
    DemoOptions options;
    options.as_of = IsoDate::parse("2026-12-07");
    return options;
}

class DemoStoreTest : public ::testing::Test {
  protected:
    test::TestDatabase m_database;
    const data::DatabaseLocation& m_db = m_database.location();

    bool on_spatialite() const { return m_database.backend() == test::Backend::spatialite; }

    /// Runs `query` with the database's own client: sqlite3 or psql.
    std::string sql(const std::string& query) {
        const auto result =
            on_spatialite()
                ? test::run_command({"sqlite3", m_db.file().string(), query})
                : test::run_command({LEERSTAND_PSQL, "-X", "-q", "-A", "-t", "-v",
                                     "ON_ERROR_STOP=1", "-d", m_db.conninfo(), "-c", query});
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
        EXPECT_EQ(report.kommunen, 30);
        EXPECT_EQ(counts.vacancies, report.vacancies);
        EXPECT_EQ(counts.zukunftsorte, report.zukunftsorte);
        EXPECT_GE(report.vacancies, 40);
        EXPECT_GE(report.zukunftsorte, 6);
        EXPECT_GE(report.buildings, 2000);
        EXPECT_GT(report.upload_id_kommunen, 0);
        EXPECT_GT(report.upload_id_buildings, 0);
        EXPECT_NE(report.upload_id_kommunen, report.upload_id_buildings);
        EXPECT_EQ(store.kommune_boundaries().size(), 30U);
    }
    const demo::Dataset dataset = demo::make_dataset(DemoOptions{});
    EXPECT_EQ(static_cast<std::int64_t>(dataset.buildings.size()), report.buildings);
    EXPECT_EQ(sql("SELECT count(*) FROM buildings WHERE upload_id = " +
                  std::to_string(report.upload_id_buildings)),
              std::to_string(report.buildings));
    EXPECT_EQ(
        sql("SELECT \"user\" || '|' || layer || '|' || format || '|' || state || '|' || stored "
            "FROM uploads WHERE id = " +
            std::to_string(report.upload_id_buildings)),
        "demo|buildings|demo|done|" + std::to_string(report.buildings));
    const std::string report_buildings = on_spatialite() ? "json_extract(report, '$.buildings')"
                                                         : "CAST(report AS json)->>'buildings'";
    EXPECT_EQ(sql("SELECT " + report_buildings +
                  " FROM uploads WHERE id = " + std::to_string(report.upload_id_buildings)),
              std::to_string(report.buildings));
    EXPECT_EQ(sql("SELECT \"user\" || '|' || layer FROM uploads WHERE id = " +
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

/// Every statement of `db`'s dump (sqlite3 .dump) but the rows that say when the schema and
/// SpatiaLite's metadata were written: those stamp the machine's clock, not the demo's data.
std::string dump_without_clock(const std::filesystem::path& db) {
    const auto result = test::run_command({"sqlite3", db.string(), ".dump"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::istringstream lines(result.out);
    std::string kept;
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("INSERT INTO schema_migrations ") ||
            line.starts_with("INSERT INTO geometry_columns_time ") ||
            line.starts_with("INSERT INTO spatialite_history "))
            continue;
        kept += line + '\n';
    }
    return kept;
}

TEST_F(DemoStoreTest, TheSameOptionsGiveTheSameDatabase) {
    LEERSTAND_REQUIRE_SPATIALITE("compares two files' sqlite3 .dump byte for byte");
    const std::filesystem::path second = m_database.dir() / "second.sqlite";
    for (const auto& path : {m_db.file(), second}) {
        data::Store store(path);
        generate_demo(store, fixed_day());
    }
    const std::string first_dump = dump_without_clock(m_db.file());
    EXPECT_GT(first_dump.size(), 1'000'000U);
    EXPECT_NE(first_dump.find("INSERT INTO vacancy_history"), std::string::npos);
    EXPECT_TRUE(first_dump == dump_without_clock(second)) << "the dumps differ";
    // Only the rows named in dump_without_clock were left out.
    EXPECT_EQ(sql("SELECT count(*) FROM vacancies WHERE created_at LIKE '2026-12-%'"), "0");
}

TEST_F(DemoStoreTest, AFailureLeavesTheStoreEmpty) {
    { data::Store store(m_db); }
    // The last kind of write fails: the Zukunftsorte, after everything else.
    if (on_spatialite())
        sql("CREATE TRIGGER refuse_places BEFORE INSERT ON zukunftsorte BEGIN "
            "SELECT RAISE(ABORT, 'refused by the test'); END;");
    else
        sql("CREATE FUNCTION refuse_places() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'refused by the test'; END $$; CREATE TRIGGER refuse_places "
            "BEFORE INSERT ON zukunftsorte FOR EACH ROW EXECUTE FUNCTION refuse_places()");
    {
        data::Store store(m_db);
        EXPECT_ANY_THROW(generate_demo(store, fixed_day()));
    }
    EXPECT_EQ(sql("SELECT (SELECT count(*) FROM kommunen) || ' ' || (SELECT count(*) FROM "
                  "buildings) || ' ' || (SELECT count(*) FROM vacancies) || ' ' || (SELECT "
                  "count(*) FROM vacancy_history) || ' ' || (SELECT count(*) FROM uploads) || ' ' "
                  "|| (SELECT count(*) FROM images)"),
              "0 0 0 0 0 0");
    sql(on_spatialite() ? "DROP TRIGGER refuse_places"
                        : "DROP TRIGGER refuse_places ON zukunftsorte");
    data::Store store(m_db);
    EXPECT_GT(generate_demo(store, fixed_day()).zukunftsorte, 0) << "and it can start again";
}

TEST_F(DemoStoreTest, TheHistoryIsStoredAtItsOwnTimes) {
    LEERSTAND_REQUIRE_SPATIALITE("its oracle reads the JSON columns with SQLite's json1");
    DemoReport report;
    {
        data::Store store(m_db);
        report = generate_demo(store, fixed_day());
    }
    // The 24 months before December 2026, at least 12 of them with changes.
    EXPECT_EQ(sql("SELECT min(changed_at) >= '2024-12' AND max(changed_at) < '2026-12' FROM "
                  "vacancy_history"),
              "1");
    EXPECT_GE(std::stoi(sql("SELECT count(DISTINCT substr(changed_at, 1, 7)) FROM "
                            "vacancy_history")),
              12);
    EXPECT_EQ(sql("SELECT count(*) FROM vacancy_history WHERE action = 'create'"),
              std::to_string(report.vacancies));
    // Each report's first row creates it, and its times are those of its history.
    EXPECT_EQ(sql("SELECT count(*) FROM vacancies v WHERE created_at <> (SELECT min(changed_at) "
                  "FROM vacancy_history h WHERE h.vacancy_id = v.id) OR updated_at <> (SELECT "
                  "max(changed_at) FROM vacancy_history h WHERE h.vacancy_id = v.id)"),
              "0");
    EXPECT_EQ(sql("SELECT count(*) FROM vacancies WHERE consent_publish = 1 AND (consent_date "
                  "IS NULL OR public_description IS NULL OR public_version < 1)"),
              "0");
    EXPECT_GT(std::stoi(sql("SELECT count(*) FROM vacancies WHERE consent_publish = 1")), 0);
    // Statuses change in the lifecycle's order: every update of a status is one of its steps.
    const std::string status_updates =
        "FROM vacancy_history WHERE action = 'update' AND json_extract(new_values, '$.status') "
        "IS NOT NULL";
    EXPECT_GT(std::stoi(sql("SELECT count(*) " + status_updates)), 40);
    EXPECT_EQ(sql("SELECT count(*) " + status_updates +
                  " AND json_extract(old_values, '$.status') || '>' || json_extract(new_values, "
                  "'$.status') NOT IN ('gemeldet>bestaetigt', 'gemeldet>kein_leerstand', "
                  "'bestaetigt>in_aktivierung', 'bestaetigt>abgerissen', "
                  "'in_aktivierung>aktiviert')"),
              "0");
    // Profiles, and Zukunftsorte in buildings, some from the report they came from.
    EXPECT_EQ(sql("SELECT count(*) FROM kommunen WHERE founding_member = 1 AND profile_text "
                  "IS NOT NULL AND website LIKE 'https://%' AND contact LIKE '%example.org%' "
                  "AND member_since < '2024-12'"),
              "4");
    // Each profile's picture, in the three sizes the images part serves.
    EXPECT_EQ(sql("SELECT count(*) FROM kommunen k JOIN images i ON i.id = k.image_url WHERE "
                  "i.kommune_ags = k.ags AND (SELECT count(*) FROM image_variants v WHERE "
                  "v.image_id = i.id) = 3 AND i.created_at < '2024-12'"),
              "4");
    // Each Zukunftsort's story and its one or two pictures, stored in the three sizes when it
    // opened and under its Kommune.
    EXPECT_EQ(sql("SELECT count(*) FROM zukunftsorte"), std::to_string(report.zukunftsorte));
    EXPECT_EQ(sql("SELECT count(*) FROM zukunftsorte z WHERE z.story LIKE '%. %. %(Demodaten)' "
                  "AND json_array_length(z.images) BETWEEN 1 AND 2 AND NOT EXISTS (SELECT 1 "
                  "FROM json_each(z.images) j LEFT JOIN images i ON i.id = j.value WHERE i.id "
                  "IS NULL OR i.created_at <> z.created_at OR i.kommune_ags IS NOT z.kommune_ags "
                  "OR (SELECT count(*) FROM image_variants v WHERE v.image_id = i.id) <> 3)"),
              std::to_string(report.zukunftsorte));
    EXPECT_EQ(sql("SELECT count(*) FROM images"),
              sql("SELECT 4 + sum(json_array_length(images)) FROM zukunftsorte"));
    EXPECT_EQ(sql("SELECT count(*) FROM zukunftsorte WHERE building_id IS NULL"), "0");
    EXPECT_EQ(sql("SELECT count(*) FROM zukunftsorte z JOIN vacancies v ON v.id = z.vacancy_id "
                  "WHERE v.status = 'aktiviert' AND v.building_id = z.building_id AND "
                  "z.created_at > v.updated_at"),
              sql("SELECT count(*) FROM zukunftsorte WHERE vacancy_id IS NOT NULL"));
}

// What `scripts/run` shows the public: figures, not "<3", in every founding Gemeinde.
TEST_F(DemoStoreTest, ThePublicSeesNumbersInEveryFoundingGemeinde) {
    data::Store store(m_db);
    generate_demo(store, fixed_day());
    SummaryService summaries(store);
    for (const std::string ags : {"12073008", "12062224", "14521410", "09479"}) {
        const nlohmann::json s = summaries.kommune_summary(ags, Caller::anonymous(), "2026-12");
        EXPECT_FALSE(s.at("exact").get<bool>());
        EXPECT_FALSE(s.at("withheld").get<bool>()) << ags << ": " << s.dump();
        for (const char* figure : {"vacancies", "open_vacancies", "vacant_buildings", "reactivated",
                                   "vacancy_rate", "zukunftsorte"})
            EXPECT_TRUE(s.at(figure).is_number()) << ags << " " << figure << ": " << s.dump();
        EXPECT_GE(s.at("vacancies").get<int>(), 3) << ags;
        for (const char* breakdown : {"by_status", "by_use"})
            for (const auto& [key, value] : s.at(breakdown).items())
                EXPECT_TRUE(value.is_number()) << ags << " " << breakdown << " " << key;
        // The trend is a curve: every month a number, and not the same all along.
        std::set<int> levels;
        for (const nlohmann::json& month : s.at("trend")) {
            EXPECT_TRUE(month.at("open").is_number()) << ags << " " << month.dump();
            if (month.at("open").is_number()) levels.insert(month.at("open").get<int>());
        }
        EXPECT_GE(levels.size(), 3U) << ags << ": " << s.at("trend").dump();
    }
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
