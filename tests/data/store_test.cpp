#include "data/store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/migrations.hpp"
#include "tests/data/store_fixture.hpp"
#include "tests/data/wkb_builder.hpp"

namespace {

using leerstand::data::Connection;
using leerstand::data::KommuneRecord;
using leerstand::data::Statement;
using leerstand::data::Store;
using leerstand::data::StoreOptions;
using leerstand::data::Transaction;
using namespace std::chrono_literals;
namespace wkb = leerstand::test::wkb;

using StoreBasics = leerstand::test::StoreTest;

TEST_F(StoreBasics, CreatesMissingParentFolders) {
    LEERSTAND_REQUIRE_SPATIALITE("the folders of a database file");
    const auto nested = m_dir / "a" / "b" / "c" / "store.sqlite";
    Store store(nested);
    EXPECT_TRUE(std::filesystem::exists(nested));
    EXPECT_EQ(store.schema_version(), leerstand::data::latest_schema_version());
}

TEST_F(StoreBasics, FreshStoreCountsNothing) {
    Store store(m_location);
    const auto counts = store.counts();
    EXPECT_EQ(counts.kommunen, 0);
    EXPECT_EQ(counts.buildings, 0);
    EXPECT_EQ(counts.vacancies, 0);
    EXPECT_EQ(counts.zukunftsorte, 0);
    EXPECT_EQ(counts.uploads, 0);
    EXPECT_EQ(counts.users, 0);
}

TEST_F(StoreBasics, UpsertKommunenRoundTripKeepsUmlautsAndGeometry) {
    Store store(m_location);
    auto wunsiedel = kommune("09479", "Wunsiedel i. Fichtelgebirge", 12.0, 50.0);
    auto neukirchen = kommune("14521450", "Neukirchen/Erzgeb.", 12.8, 50.7);
    // A Polygon is stored as a MultiPolygon (the column type) with the same ring.
    neukirchen.boundary = wkb::rectangle_polygon(12.8, 50.7, 12.9, 50.8);
    auto upload = this->upload("kommunen", "append");
    upload.features_read = 3;
    upload.stored = 3;
    upload.report_json = R"({"stored":3,"note":"Grünfläche"})";
    const auto upload_id = store.upsert_kommunen(
        {kommune(angermuende, "Angermünde", 13.9, 53.0), wunsiedel, neukirchen}, upload);

    EXPECT_EQ(store.counts().kommunen, 3);
    EXPECT_TRUE(store.kommune_exists(angermuende));
    EXPECT_TRUE(store.kommune_exists("09479"));
    EXPECT_FALSE(store.kommune_exists(herzberg));

    const auto boundaries = store.kommune_boundaries();
    ASSERT_EQ(boundaries.size(), 3u);
    EXPECT_EQ(boundaries[0].ags, "09479");  // ordered by AGS
    EXPECT_EQ(boundaries[0].boundary, wunsiedel.boundary);
    EXPECT_EQ(boundaries[2].ags, "14521450");
    EXPECT_EQ(boundaries[2].boundary, wkb::rectangle_multipolygon(12.8, 50.7, 12.9, 50.8));

    auto db = raw();
    Statement names = db.prepare("SELECT name, bez, parent_ags FROM kommunen ORDER BY ags");
    ASSERT_TRUE(names.step());
    EXPECT_EQ(names.column_text(0), "Wunsiedel i. Fichtelgebirge");
    EXPECT_EQ(names.column_text(1), "Landkreis");
    EXPECT_TRUE(names.column_is_null(2));
    ASSERT_TRUE(names.step());
    EXPECT_EQ(names.column_text(0), "Angermünde");
    EXPECT_EQ(names.column_text(2), "12073");
    ASSERT_TRUE(names.step());
    EXPECT_EQ(names.column_text(0), "Neukirchen/Erzgeb.");

    Statement row = db.prepare(
        "SELECT state, layer, features_read, stored, report, finished_at IS NOT NULL, progress "
        "FROM uploads WHERE id = ?");
    row.bind(1, upload_id);
    ASSERT_TRUE(row.step());
    EXPECT_EQ(row.column_text(0), "done");
    EXPECT_EQ(row.column_text(1), "kommunen");
    EXPECT_EQ(row.column_int64(2), 3);
    EXPECT_EQ(row.column_int64(3), 3);
    EXPECT_EQ(row.column_text(4), upload.report_json);
    EXPECT_EQ(row.column_int64(5), 1);
    EXPECT_DOUBLE_EQ(row.column_double(6), 1.0);
    expect_spatial_index_ok(db, "kommunen", "boundary");
}

TEST_F(StoreBasics, UpsertUpdatesByAgsAndKeepsTheProfile) {
    Store store(m_location);
    add_two_kommunen(store);
    store.connection().exec(
        "UPDATE kommunen SET profile_text = 'Wir sind Gründungsmitglied.', founding_member = 1 "
        "WHERE ags = '12073008'");
    auto renamed = kommune(angermuende, "Angermünde (Uckermark)", 14.0, 53.0);
    store.upsert_kommunen({renamed}, upload("kommunen", "append"));

    EXPECT_EQ(store.counts().kommunen, 2);
    EXPECT_EQ(store.counts().uploads, 2);
    auto db = raw();
    Statement row = db.prepare(
        "SELECT name, profile_text, founding_member, MbrMinX(boundary) FROM kommunen "
        "WHERE ags = '12073008'");
    ASSERT_TRUE(row.step());
    EXPECT_EQ(row.column_text(0), "Angermünde (Uckermark)");
    EXPECT_EQ(row.column_text(1), "Wir sind Gründungsmitglied.");
    EXPECT_EQ(row.column_int64(2), 1);
    EXPECT_DOUBLE_EQ(row.column_double(3), 14.0);
    // The R*Tree followed the new boundary.
    expect_spatial_index_ok(db, "kommunen", "boundary");
}

TEST_F(StoreBasics, CountsFollowOwnWritesAndCommitsOfOtherConnections) {
    // counts() keeps its last answer while nothing was committed; every kind of write must
    // still show at once.
    Store store(m_location);
    EXPECT_EQ(store.counts().kommunen, 0);
    add_two_kommunen(store);  // this connection
    EXPECT_EQ(store.counts().kommunen, 2);
    EXPECT_EQ(store.counts().uploads, 1);

    Store other(m_location);  // another connection, as another worker thread or process has
    other.connection().exec("DELETE FROM kommunen WHERE ags = '12073008'");
    EXPECT_EQ(store.counts().kommunen, 1);
    {
        Transaction open(other.connection());
        other.connection().exec("DELETE FROM kommunen");
        EXPECT_EQ(store.counts().kommunen, 1) << "an uncommitted delete is not seen";
    }  // rolled back
    EXPECT_EQ(store.counts().kommunen, 1);
    store.connection().exec("DELETE FROM kommunen");
    EXPECT_EQ(store.counts().kommunen, 0);
    EXPECT_EQ(other.counts().kommunen, 0);
}

TEST_F(StoreBasics, UpsertWithBadRecordWritesNothing) {
    Store store(m_location);
    auto bad_ags = kommune("1207300", "Kurz", 13.0, 52.0);
    EXPECT_THROW(store.upsert_kommunen({kommune(angermuende, "Angermünde", 13.9, 53.0), bad_ags},
                                       upload("kommunen", "append")),
                 leerstand::InvalidInput);
    auto point = kommune(herzberg, "Herzberg (Elster)", 13.2, 51.7);
    point.boundary = wkb::point(13.2, 51.7);
    EXPECT_THROW(store.upsert_kommunen({point}, upload("kommunen", "append")),
                 leerstand::InvalidGeometry);
    auto garbage = kommune(herzberg, "Herzberg (Elster)", 13.2, 51.7);
    garbage.boundary.resize(30);  // a MultiPolygon header, then too few bytes
    EXPECT_THROW(store.upsert_kommunen({kommune(angermuende, "Angermünde", 13.9, 53.0), garbage},
                                       upload("kommunen", "append")),
                 leerstand::InvalidGeometry);
    EXPECT_EQ(store.counts().kommunen, 0);
    EXPECT_EQ(store.counts().uploads, 0);
}

TEST_F(StoreBasics, AFailedUploadIsRecordedWithItsErrors) {
    Store store(m_location);
    auto upload = this->upload("buildings", "replace");
    upload.kommune_ags = angermuende;
    upload.features_read = 12;
    upload.rejected = 12;
    upload.errors_json = R"([{"feature":1,"error":"keine Geometrie"}])";
    const auto id = store.record_failed_upload(upload);
    EXPECT_GT(id, 0);
    EXPECT_EQ(store.counts().uploads, 1);
    auto db = raw();
    Statement row = db.prepare(
        "SELECT state, kommune_ags, mode, rejected, errors, finished_at IS NOT NULL FROM uploads "
        "WHERE id = ?");
    row.bind(1, id);
    ASSERT_TRUE(row.step());
    EXPECT_EQ(row.column_text(0), "failed");
    EXPECT_EQ(row.column_text(1), angermuende);
    EXPECT_EQ(row.column_text(2), "replace");
    EXPECT_EQ(row.column_int64(3), 12);
    EXPECT_EQ(row.column_text(4), upload.errors_json);
    EXPECT_EQ(row.column_int64(5), 1);
}

TEST_F(StoreBasics, StorageBusyWhileAnotherConnectionWrites) {
    Store store(m_location, StoreOptions{150ms});
    Connection other = raw();
    {
        Transaction hold(other);
        other.exec("INSERT INTO users (name, role, password_hash) VALUES ('x', 'admin', 'h')");
        EXPECT_THROW(store.upsert_kommunen({kommune(angermuende, "Angermünde", 13.9, 53.0)},
                                           upload("kommunen", "append")),
                     leerstand::StorageBusy);
        EXPECT_THROW(store.begin_building_import(upload("buildings", "append"), false, ""),
                     leerstand::StorageBusy);
        EXPECT_THROW(store.record_failed_upload(upload("buildings", "append")),
                     leerstand::StorageBusy);
        // Reading still works during the other write (WAL).
        EXPECT_EQ(store.counts().users, 0);
    }
    // Once the other writer is gone, the same store writes normally.
    add_two_kommunen(store);
    EXPECT_EQ(store.counts().kommunen, 2);
    EXPECT_EQ(store.counts().users, 0);  // the other transaction was rolled back
}

TEST_F(StoreBasics, IntegrityCheckOkAfterWrites) {
    LEERSTAND_REQUIRE_SPATIALITE("SQLite's integrity check of its file");
    Store store(m_location);
    add_two_kommunen(store);
    auto import = store.begin_building_import(upload("buildings", "append"), false, "");
    for (int i = 0; i < 50; ++i)
        import.add(building(angermuende, "osm:way/" + std::to_string(i), 13.9 + i * 0.001, 53.0));
    import.commit(upload("buildings", "append"));
    auto db = raw();
    EXPECT_EQ(db.query_text("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

// Two processes starting on a new file at once: both must end up on the same schema, with
// every migration applied exactly once.
TEST_F(StoreBasics, ConcurrentFirstOpensMigrateOnce) {
    std::vector<std::thread> threads;
    std::atomic<int> opened = 0;
    std::atomic<int> failed = 0;
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back([&] {
            try {
                Store store(m_location);
                if (store.schema_version() == leerstand::data::latest_schema_version()) ++opened;
            } catch (const std::exception& error) {
                ++failed;
                ADD_FAILURE() << error.what();
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(opened, 3);
    EXPECT_EQ(failed, 0);
    auto db = raw();
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM schema_migrations"),
              leerstand::data::latest_schema_version());
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM geometry_columns"), 5);
}

TEST_F(StoreBasics, MovedStoreKeepsWorking) {
    Store first(m_location);
    Store second = std::move(first);
    add_two_kommunen(second);
    EXPECT_EQ(second.counts().kommunen, 2);
}

}  // namespace
