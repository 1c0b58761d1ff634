#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/store.hpp"
#include "tests/data/store_fixture.hpp"
#include "tests/data/wkb_builder.hpp"

namespace {

using leerstand::data::BuildingRecord;
using leerstand::data::Connection;
using leerstand::data::Statement;
using leerstand::data::Store;
namespace wkb = leerstand::test::wkb;

class BuildingImportTest : public leerstand::test::StoreTest {
  protected:
    void SetUp() override { add_two_kommunen(m_store); }

    // Imports `count` buildings in a row along x, starting at (x, y).
    std::int64_t import(const std::string& ags, int count, double x, double y, bool replace,
                        const std::string& replace_kommune = "", const std::string& tag = "a") {
        auto job = m_store.begin_building_import(
            upload("buildings", replace ? "replace" : "append"), replace, replace_kommune);
        for (int i = 0; i < count; ++i)
            job.add(building(ags, tag + std::to_string(i), x + i * 0.001, y));
        return job.commit(upload("buildings", replace ? "replace" : "append"));
    }

    std::int64_t count(const std::string& sql) { return m_store.connection().query_int64(sql); }

    std::int64_t buildings_of(const std::string& ags) {
        return count("SELECT count(*) FROM buildings WHERE kommune_ags = '" + ags + "'");
    }

    // Ids found through SpatiaLite's SpatialIndex (the R*Tree) inside a bbox, or PostGIS' box
    // operator (its GiST index).
    std::set<std::int64_t> indexed_ids(double x0, double y0, double x1, double y1) {
        Statement statement = m_store.connection().prepare(
            m_location.is_postgres()
                ? "SELECT id FROM buildings WHERE footprint && ST_MakeEnvelope(?, ?, ?, ?, 4326)"
                : "SELECT id FROM buildings WHERE ROWID IN (SELECT ROWID FROM SpatialIndex WHERE "
                  "f_table_name = 'buildings' AND f_geometry_column = 'footprint' AND "
                  "search_frame = BuildMbr(?, ?, ?, ?, 4326))");
        statement.bind(1, x0).bind(2, y0).bind(3, x1).bind(4, y1);
        std::set<std::int64_t> ids;
        while (statement.step()) ids.insert(statement.column_int64(0));
        return ids;
    }

    std::set<std::int64_t> ids_of(const std::string& ags) {
        Statement statement =
            m_store.connection().prepare("SELECT id FROM buildings WHERE kommune_ags = ?");
        statement.bind(1, ags);
        std::set<std::int64_t> ids;
        while (statement.step()) ids.insert(statement.column_int64(0));
        return ids;
    }

    // The triggers on buildings, as their definitions.
    std::string trigger_sql() {
        return m_store.connection().query_text(
            m_location.is_postgres()
                ? "SELECT coalesce(string_agg(pg_get_triggerdef(oid), ';' ORDER BY tgname), '') "
                  "FROM pg_trigger WHERE tgrelid = 'buildings'::regclass"
                : "SELECT group_concat(name || ':' || sql, ';') FROM "
                  "(SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                  "'buildings' ORDER BY name)");
    }

    // The spatial index holds exactly the stored buildings, and SQLite's own check agrees. On
    // PostgreSQL the server keeps its GiST index: it is there, and finds every building.
    void expect_index_consistent() {
        auto& db = m_store.connection();
        expect_spatial_index_ok(db, "buildings", "footprint");
        if (m_location.is_postgres()) {
            EXPECT_EQ(indexed_ids(-180, -90, 180, 90).size(),
                      static_cast<std::size_t>(count("SELECT count(*) FROM buildings")));
            return;
        }
        EXPECT_EQ(m_store.connection().query_text("SELECT rtreecheck('idx_buildings_footprint')"),
                  "ok");
        EXPECT_EQ(count("SELECT count(*) FROM idx_buildings_footprint"),
                  count("SELECT count(*) FROM buildings"));
        EXPECT_EQ(count("SELECT count(*) FROM idx_buildings_footprint i JOIN buildings b "
                        "ON b.id = i.pkid WHERE abs(i.xmin - MbrMinX(b.footprint)) > 1e-5 "
                        "OR abs(i.ymax - MbrMaxY(b.footprint)) > 1e-5"),
                  0);
    }

    Store m_store{m_location};
};

TEST_F(BuildingImportTest, CommitStoresRowsAndTheUploadReport) {
    const std::string triggers_before = trigger_sql();
    auto job = m_store.begin_building_import(upload("buildings", "append"), false, "");
    job.add(building(angermuende, "osm:way/1", 13.95, 53.02));
    job.add(building(angermuende, "osm:way/2", 13.96, 53.02));
    job.add(building(herzberg, "alkis:DEBBAL0000000001", 13.23, 51.69));
    auto final_upload = upload("buildings", "append");
    final_upload.features_read = 4;
    final_upload.stored = 3;
    final_upload.rejected = 1;
    final_upload.errors_json = R"([{"feature":4,"error":"außerhalb"}])";
    final_upload.report_json = R"({"stored":3,"rejected":1})";
    const auto id = job.commit(final_upload);

    EXPECT_EQ(m_store.counts().buildings, 3);
    EXPECT_EQ(count("SELECT count(*) FROM buildings WHERE upload_id = " + std::to_string(id)), 3);
    Statement row = m_store.connection().prepare(
        "SELECT state, features_read, stored, rejected, errors, report, finished_at IS NOT NULL, "
        "created_at <= finished_at FROM uploads WHERE id = ?");
    row.bind(1, id);
    ASSERT_TRUE(row.step());
    EXPECT_EQ(row.column_text(0), "done");
    EXPECT_EQ(row.column_int64(1), 4);
    EXPECT_EQ(row.column_int64(2), 3);
    EXPECT_EQ(row.column_int64(3), 1);
    EXPECT_EQ(row.column_text(4), final_upload.errors_json);
    EXPECT_EQ(row.column_text(5), final_upload.report_json);
    EXPECT_EQ(row.column_int64(6), 1);
    EXPECT_EQ(row.column_int64(7), 1);

    Statement stored = m_store.connection().prepare(
        "SELECT source_ref, function, floors, street, city, json_extract(attributes, '$.name'), "
        "area_m2, GeometryType(footprint), ST_SRID(footprint), AsBinary(footprint) "
        "FROM buildings WHERE source_ref = 'osm:way/1'");
    ASSERT_TRUE(stored.step());
    EXPECT_EQ(stored.column_text(1), "Wohnhaus");
    EXPECT_EQ(stored.column_int64(2), 2);
    EXPECT_EQ(stored.column_text(3), "Straße der Jugend");
    EXPECT_EQ(stored.column_text(4), "Angermünde");
    EXPECT_EQ(stored.column_text(5), "Körnerhof");
    EXPECT_DOUBLE_EQ(stored.column_double(6), 75.5);
    EXPECT_EQ(stored.column_text(7), "MULTIPOLYGON");
    EXPECT_EQ(stored.column_int64(8), 4326);
    EXPECT_EQ(stored.column_blob(9), building(angermuende, "", 13.95, 53.02).footprint);

    // The spatial index finds exactly the building inside a small box, and the triggers that
    // the import suspends are back, unchanged.
    const auto found = indexed_ids(13.9499, 53.0199, 13.9502, 53.0202);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(count("SELECT source_ref = 'osm:way/1' FROM buildings WHERE id = " +
                    std::to_string(*found.begin())),
              1);
    expect_index_consistent();
    EXPECT_EQ(trigger_sql(), triggers_before);
    // SpatiaLite's metadata, stamped by the import in place of the suspended triggers.
    if (!m_location.is_postgres()) {
        EXPECT_NE(count("SELECT count(*) FROM geometry_columns_time WHERE f_table_name = "
                        "'buildings' AND last_insert > '2000'"),
                  0);
    }
}

TEST_F(BuildingImportTest, DestroyedWithoutCommitLeavesNothing) {
    const std::string triggers_before = trigger_sql();
    const auto counts_before = m_store.counts();
    {
        auto job = m_store.begin_building_import(upload("buildings", "append"), false, "");
        job.add(building(angermuende, "osm:way/1", 13.95, 53.02));
        job.add(building(angermuende, "osm:way/2", 13.96, 53.02));
        // Inside the import its own rows are visible on this connection...
        EXPECT_EQ(m_store.counts().buildings, 2);
        EXPECT_EQ(m_store.counts().uploads, counts_before.uploads + 1);
        // ...but not to anyone else until commit.
        Connection other = raw();
        EXPECT_EQ(other.query_int64("SELECT count(*) FROM buildings"), 0);
        EXPECT_EQ(other.query_int64("SELECT count(*) FROM uploads"), counts_before.uploads);
        // SpatiaLite's triggers, suspended inside the import only.
        if (!m_location.is_postgres()) {
            EXPECT_EQ(other.query_int64("SELECT count(*) FROM sqlite_master WHERE type = "
                                        "'trigger' AND tbl_name = 'buildings'"),
                      8);
        }
    }
    const auto counts_after = m_store.counts();
    EXPECT_EQ(counts_after.buildings, 0);
    EXPECT_EQ(counts_after.uploads, counts_before.uploads);
    EXPECT_EQ(trigger_sql(), triggers_before);
    expect_index_consistent();
    // And a later import works normally.
    import(angermuende, 3, 13.95, 53.02, false);
    EXPECT_EQ(m_store.counts().buildings, 3);
    expect_index_consistent();
}

TEST_F(BuildingImportTest, MovedImportStillCommitsOnce) {
    auto first = m_store.begin_building_import(upload("buildings", "append"), false, "");
    first.add(building(angermuende, "osm:way/1", 13.95, 53.02));
    auto second = std::move(first);
    second.add(building(angermuende, "osm:way/2", 13.96, 53.02));
    second.commit(upload("buildings", "append"));
    EXPECT_EQ(m_store.counts().buildings, 2);
    EXPECT_THROW(second.commit(upload("buildings", "append")), leerstand::InternalError);
}

TEST_F(BuildingImportTest, PolygonFootprintIsStoredAsMultiPolygon) {
    auto job = m_store.begin_building_import(upload("buildings", "append"), false, "");
    auto record = building(angermuende, "osm:way/7", 13.95, 53.02);
    record.footprint = wkb::rectangle_polygon(13.95, 53.02, 13.9501, 53.0201);
    job.add(record);
    job.add(building(angermuende, "osm:way/8", 13.96, 53.02));
    job.commit(upload("buildings", "append"));
    EXPECT_EQ(
        count("SELECT count(*) FROM buildings WHERE GeometryType(footprint) = 'MULTIPOLYGON'"), 2);
    // SpatiaLite writes a blank after each comma, PostGIS none.
    std::string wkt = m_store.connection().query_text(
        "SELECT ST_AsText(footprint) FROM buildings WHERE source_ref = 'osm:way/7'");
    for (std::size_t at = wkt.find(", "); at != std::string::npos; at = wkt.find(", ", at))
        wkt.erase(at + 1, 1);
    EXPECT_EQ(wkt,
              "MULTIPOLYGON(((13.95 53.02,13.9501 53.02,13.9501 53.0201,13.95 53.0201,"
              "13.95 53.02)))");
    expect_index_consistent();
}

TEST_F(BuildingImportTest, BadRecordsAreRejectedAndTheImportGoesOn) {
    auto job = m_store.begin_building_import(upload("buildings", "append"), false, "");
    job.add(building(angermuende, "good/1", 13.95, 53.02));

    auto point = building(angermuende, "bad/point", 13.95, 53.02);
    point.footprint = wkb::point(13.95, 53.02);
    EXPECT_THROW(job.add(point), leerstand::InvalidGeometry);

    auto truncated = building(angermuende, "bad/truncated", 13.95, 53.02);
    truncated.footprint.resize(20);  // a MultiPolygon header, then nothing usable
    EXPECT_THROW(job.add(truncated), leerstand::InvalidGeometry);

    auto empty = building(angermuende, "bad/empty", 13.95, 53.02);
    empty.footprint.clear();
    EXPECT_THROW(job.add(empty), leerstand::InvalidGeometry);

    EXPECT_THROW(job.add(building("16077999", "bad/kommune", 13.95, 53.02)),
                 leerstand::InvalidInput);

    job.add(building(herzberg, "good/2", 13.23, 51.69));
    job.commit(upload("buildings", "append"));
    EXPECT_EQ(m_store.counts().buildings, 2);
    EXPECT_EQ(count("SELECT count(*) FROM buildings WHERE source_ref LIKE 'good/%'"), 2);
    expect_index_consistent();
}

// PostGIS reads no ring that is open or has fewer than 4 points. On PostgreSQL such a footprint
// is refused by itself, before it reaches the COPY, and the rows around it are stored.
TEST_F(BuildingImportTest, OpenOrShortRingsAreRefusedAloneOnPostgres) {
    if (!m_location.is_postgres()) GTEST_SKIP() << "PostgreSQL only: PostGIS refuses such rings";
    auto job = m_store.begin_building_import(upload("buildings", "append"), false, "");
    job.add(building(angermuende, "good/1", 13.95, 53.02));
    auto open = building(angermuende, "bad/open", 13.95, 53.02);
    open.footprint = wkb::multipolygon(
        {{wkb::rectangle_ring(13.95, 53.02, 13.951, 53.021),
          {{13.9502, 53.0202}, {13.9504, 53.0202}, {13.9504, 53.0204}, {13.9502, 53.0203}}}});
    EXPECT_THROW(job.add(open), leerstand::InvalidGeometry);
    auto short_ring = building(angermuende, "bad/short", 13.95, 53.02);
    short_ring.footprint = wkb::polygon({{{13.95, 53.02}, {13.951, 53.02}, {13.95, 53.02}}});
    EXPECT_THROW(job.add(short_ring), leerstand::InvalidGeometry);
    job.add(building(herzberg, "good/2", 13.23, 51.69));
    job.commit(upload("buildings", "append"));
    EXPECT_EQ(count("SELECT count(*) FROM buildings WHERE source_ref LIKE 'good/%'"), 2);
    EXPECT_EQ(m_store.counts().buildings, 2);
}

TEST_F(BuildingImportTest, AppendKeepsEarlierBuildings) {
    import(angermuende, 4, 13.95, 53.02, false, "", "first");
    import(angermuende, 3, 13.95, 53.03, false, "", "second");
    EXPECT_EQ(buildings_of(angermuende), 7);
    expect_index_consistent();
}

// Few earlier rows against many kept ones (41 kept > 6 x 3 touched, the store's rebuild
// threshold): the index is updated entry by entry.
TEST_F(BuildingImportTest, ReplaceDeletesEarlierBuildingsOfThatKommuneOnly) {
    import(angermuende, 2, 13.95, 53.02, false, "", "old");
    import(herzberg, 40, 13.23, 51.69, false, "", "keep");
    const auto herzberg_ids = ids_of(herzberg);
    const auto id = import(angermuende, 1, 13.97, 53.02, true, angermuende, "new");

    EXPECT_EQ(buildings_of(angermuende), 1);
    EXPECT_EQ(count("SELECT count(*) FROM buildings WHERE kommune_ags = '12073008' AND "
                    "upload_id = " +
                    std::to_string(id)),
              1);
    EXPECT_EQ(ids_of(herzberg), herzberg_ids);
    // The old Angermünde buildings are gone from the index too; Herzberg's are all found.
    EXPECT_TRUE(indexed_ids(13.94, 53.01, 13.96, 53.03).empty());
    EXPECT_EQ(indexed_ids(13.0, 51.0, 14.0, 52.0), herzberg_ids);
    expect_index_consistent();
}

// Replacing most of the table: the index is rebuilt instead.
TEST_F(BuildingImportTest, ReplaceOfMostOfTheTableRebuildsAConsistentIndex) {
    import(angermuende, 10, 13.95, 53.02, false, "", "old");
    import(herzberg, 2, 13.23, 51.69, false, "", "keep");
    const auto herzberg_ids = ids_of(herzberg);
    import(angermuende, 3, 13.95, 53.05, true, "", "new");

    EXPECT_EQ(buildings_of(angermuende), 3);
    EXPECT_EQ(ids_of(herzberg), herzberg_ids);
    EXPECT_TRUE(indexed_ids(13.94, 53.01, 13.98, 53.03).empty());
    EXPECT_EQ(indexed_ids(13.94, 53.04, 13.98, 53.06), ids_of(angermuende));
    EXPECT_EQ(indexed_ids(13.0, 51.0, 14.0, 52.0), herzberg_ids);
    expect_index_consistent();
    if (!m_location.is_postgres()) {
        EXPECT_NE(count("SELECT count(*) FROM geometry_columns_time WHERE f_table_name = "
                        "'buildings' AND last_delete > '2000'"),
                  0);
    }
}

TEST_F(BuildingImportTest, ReplaceKommuneWithoutNewBuildingsEmptiesIt) {
    import(angermuende, 5, 13.95, 53.02, false);
    import(herzberg, 2, 13.23, 51.69, false);
    import(angermuende, 0, 0, 0, true, angermuende);
    EXPECT_EQ(buildings_of(angermuende), 0);
    EXPECT_EQ(buildings_of(herzberg), 2);
    expect_index_consistent();
}

TEST_F(BuildingImportTest, ReplaceCoversEveryKommuneTheImportStoredFor) {
    import(angermuende, 3, 13.95, 53.02, false, "", "old");
    import(herzberg, 3, 13.23, 51.69, false, "", "old");
    // One file with buildings of both Kommunen, no explicit Kommune.
    auto job = m_store.begin_building_import(upload("buildings", "replace"), true, "");
    job.add(building(angermuende, "new/1", 13.95, 53.05));
    job.add(building(herzberg, "new/2", 13.23, 51.75));
    job.commit(upload("buildings", "replace"));
    EXPECT_EQ(count("SELECT count(*) FROM buildings WHERE source_ref LIKE 'old%'"), 0);
    EXPECT_EQ(m_store.counts().buildings, 2);
    expect_index_consistent();
}

TEST_F(BuildingImportTest, ReplaceUnlinksVacanciesFromDeletedBuildings) {
    import(angermuende, 2, 13.95, 53.02, false);
    const auto building_id = *ids_of(angermuende).begin();
    Statement vacancy = m_store.connection().prepare(
        "INSERT INTO vacancies (building_id, kommune_ags, geom) "
        "VALUES (?, '12073008', MakePoint(13.95005, 53.02005, 4326))");
    vacancy.bind(1, building_id).run();
    import(angermuende, 2, 13.95, 53.02, true, angermuende, "b");
    // The vacancy report stays; its link to the vanished building is cleared.
    EXPECT_EQ(count("SELECT count(*) FROM vacancies WHERE building_id IS NULL"), 1);
    EXPECT_EQ(buildings_of(angermuende), 2);
}

TEST_F(BuildingImportTest, SecondWriterGetsStorageBusyDuringAnImport) {
    using namespace std::chrono_literals;
    auto job = m_store.begin_building_import(upload("buildings", "append"), false, "");
    job.add(building(angermuende, "osm:way/1", 13.95, 53.02));
    Store other(m_location, leerstand::data::StoreOptions{100ms});
    EXPECT_THROW(other.begin_building_import(upload("buildings", "append"), false, ""),
                 leerstand::StorageBusy);
    EXPECT_EQ(other.counts().buildings, 0);
    job.commit(upload("buildings", "append"));
    EXPECT_EQ(other.counts().buildings, 1);
}

TEST_F(BuildingImportTest, OgrinfoCountsTheImportedBuildings) {
    LEERSTAND_REQUIRE_SPATIALITE("ogrinfo reads the SpatiaLite file");
    import(angermuende, 25, 13.95, 53.02, false);
    const auto result =
        leerstand::test::run_command({"ogrinfo", "-ro", "-so", m_path.string(), "buildings"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("Feature Count: 25"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("Geometry: Multi Polygon"), std::string::npos) << result.out;
}

}  // namespace
