// TileStore: the geometry blobs decoded for tiles against SpatiaLite's own AsText, the
// properties each layer shows (and the privacy filter), and the tile change log the triggers of
// migration 3 and the building import write; on PostgreSQL the log's order is the commit order
// of two interleaving sessions, and each commit that logs a change notifies (migration 15).
#include "data/tile_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/geometry_blobs.hpp"
#include "data/store.hpp"
#include "data/vacancy_store.hpp"
#include "tests/data/store_fixture.hpp"

namespace {

using leerstand::FeatureValue;
using leerstand::MapFeature;
using leerstand::data::Bbox;
using leerstand::data::Store;
using leerstand::data::TileChanges;
using leerstand::data::TileSource;
using leerstand::data::TileStore;
using leerstand::data::VacancyRecord;
using leerstand::data::VacancyStore;
using leerstand::data::VacancyVisibility;
using leerstand::data::detail::decode_spatialite_blob;
using leerstand::data::detail::decode_wkb;

const Bbox k_everywhere{-180, -90, 180, 90};

/// Every number of a WKT text, in order.
std::vector<double> numbers_of(const std::string& wkt) {
    std::vector<double> out;
    const std::regex number(R"(-?\d+(\.\d+)?(e[-+]?\d+)?)", std::regex::icase);
    for (auto it = std::sregex_iterator(wkt.begin(), wkt.end(), number);
         it != std::sregex_iterator(); ++it)
        out.push_back(std::strtod(it->str().c_str(), nullptr));
    return out;
}

std::vector<double> numbers_of(const MapFeature& feature) {
    std::vector<double> out;
    if (feature.point) return {feature.point->lon, feature.point->lat};
    for (const auto& polygon : feature.polygons)
        for (const auto& ring : polygon)
            for (const auto& p : ring) {
                out.push_back(p.lon);
                out.push_back(p.lat);
            }
    return out;
}

/// AsText prints 15 significant digits: equal up to that.
void expect_same_numbers(const std::vector<double>& ours, const std::vector<double>& theirs,
                         const std::string& what) {
    ASSERT_EQ(ours.size(), theirs.size()) << what;
    for (std::size_t i = 0; i < ours.size(); ++i) EXPECT_NEAR(ours[i], theirs[i], 1e-12) << what;
}

std::map<std::string, FeatureValue> properties_of(const MapFeature& feature) {
    std::map<std::string, FeatureValue> out;
    for (const auto& property : feature.properties) out.emplace(property.key, property.value);
    return out;
}

class TileStoreTest : public leerstand::test::StoreTest {
  protected:
    void SetUp() override {
        m_store.emplace(m_location);
        add_two_kommunen(*m_store);
        m_vacancies.emplace(*m_store);
        m_tiles.emplace(*m_store);
    }

    std::map<std::int64_t, MapFeature> read(TileSource source, const Bbox& box = k_everywhere,
                                            const VacancyVisibility& visibility = {}) {
        std::map<std::int64_t, MapFeature> out;
        m_tiles->read_features(source, box, visibility,
                               [&](const MapFeature& f) { out.emplace(f.id, f); });
        return out;
    }

    void add_buildings(const std::string& mode, const std::vector<std::array<double, 4>>& boxes) {
        auto import = m_store->begin_building_import(upload("buildings", mode), mode == "replace",
                                                     mode == "replace" ? angermuende : "");
        int n = 0;
        for (const auto& b : boxes) {
            auto record = building(angermuende, mode + ":" + std::to_string(++n), 0, 0);
            record.footprint = leerstand::test::wkb::rectangle_multipolygon(b[0], b[1], b[2], b[3]);
            import.add(record);
        }
        import.commit(upload("buildings", mode));
    }

    /// The id of the newest building.
    std::int64_t last_building() { return raw().query_int64("SELECT max(id) FROM buildings"); }

    VacancyRecord vacancy(bool published) {
        VacancyRecord record;
        record.lon = 13.95;
        record.lat = 53.05;
        record.kommune_ags = angermuende;
        record.status = "gemeldet";
        record.use = "laden";
        record.vacant_since = "2021-03-01";
        record.owner_contact = "Frau Beispiel";
        record.consent_publish = published;
        return record;
    }

    /// Polygons with holes and several parts, besides the rectangles the import writes, and a
    /// point.
    void add_shapes() {
        add_buildings("append",
                      {{13.95, 53.05, 13.9501, 53.0501}, {13.96, 53.06, 13.9602, 53.0603}});
        auto db = raw();
        db.exec(
            "UPDATE kommunen SET boundary = CastToMultiPolygon(ST_GeomFromText("
            "'MULTIPOLYGON(((13.9 53.0, 14.0 53.0, 14.0 53.1, 13.9 53.1, 13.9 53.0),"
            "(13.95 53.05, 13.96 53.05, 13.96 53.06, 13.95 53.05)),"
            "((14.01 53.0, 14.02 53.0, 14.015 53.01, 14.01 53.0)))', 4326)) WHERE ags = '" +
            std::string(angermuende) + "'");
        if (!m_location.is_postgres())  // SpatiaLite writes its BLOB anew
            db.exec(
                "UPDATE buildings SET footprint = "
                "CastToMultiPolygon(GeomFromEWKB(AsEWKB(footprint))) "
                "WHERE id = (SELECT max(id) FROM buildings)");
        m_vacancies->insert_vacancy(vacancy(true), "anna");
    }

    std::optional<Store> m_store;
    std::optional<VacancyStore> m_vacancies;
    std::optional<TileStore> m_tiles;
};

TEST_F(TileStoreTest, DecodedGeometriesAreSpatiaLitesOwnCoordinates) {
    add_shapes();
    auto db = raw();

    std::size_t compared = 0;
    for (const auto& [source, table, column, key] :
         std::vector<std::tuple<TileSource, std::string, std::string, std::string>>{
             {TileSource::Kommunen, "kommunen", "boundary", "CAST(ags AS INTEGER)"},
             {TileSource::Buildings, "buildings", "footprint", "id"},
             {TileSource::Vacancies, "vacancies", "geom", "id"}}) {
        const auto features = read(source);
        ASSERT_FALSE(features.empty()) << table;
        auto rows = db.prepare("SELECT " + key + ", ST_AsText(" + column + "), ST_NumGeometries(" +
                               column + ") FROM " + table + " WHERE " + column + " IS NOT NULL");
        std::size_t rows_seen = 0;
        while (rows.step()) {
            ++rows_seen;
            const auto found = features.find(rows.column_int64(0));
            ASSERT_NE(found, features.end()) << table << " " << rows.column_int64(0);
            expect_same_numbers(numbers_of(found->second), numbers_of(rows.column_text(1)),
                                table + " " + rows.column_text(1));
            if (source != TileSource::Vacancies) {
                EXPECT_EQ(found->second.polygons.size(),
                          static_cast<std::size_t>(rows.column_int64(2)));
            }
            ++compared;
        }
        EXPECT_EQ(rows_seen, features.size()) << table;
    }
    EXPECT_GE(compared, 5u);
    EXPECT_EQ(read(TileSource::Kommunen).at(12073008).polygons.front().size(), 2u) << "the hole";
}

// The WKB decoder (PostgreSQL's tiles) against the SpatiaLite one on the same shapes: the same
// doubles, the same parts and rings.
TEST_F(TileStoreTest, WkbDecodesToTheSameShapesAsTheSpatiaLiteBlob) {
    LEERSTAND_REQUIRE_SPATIALITE("SpatiaLite's BLOBs are the reference");
    add_shapes();
    auto db = raw();
    std::size_t compared = 0;
    for (const auto& [table, geometry] : std::vector<std::pair<std::string, std::string>>{
             {"kommunen", "boundary"},
             {"buildings", "footprint"},
             {"vacancies", "geom"},
             {"vacancies", "CastToMultiPoint(geom)"}}) {
        auto rows = db.prepare("SELECT " + geometry + ", AsBinary(" + geometry + ") FROM " + table +
                               " WHERE " + geometry + " IS NOT NULL");
        while (rows.step()) {
            MapFeature from_blob;
            decode_spatialite_blob(rows.column_blob_view(0), from_blob);
            const std::vector<unsigned char> wkb = rows.column_blob(1);
            MapFeature from_wkb;
            decode_wkb(wkb, from_wkb);
            EXPECT_EQ(numbers_of(from_wkb), numbers_of(from_blob)) << table << " " << geometry;
            EXPECT_EQ(from_wkb.point.has_value(), from_blob.point.has_value()) << geometry;
            ASSERT_EQ(from_wkb.polygons.size(), from_blob.polygons.size()) << geometry;
            for (std::size_t i = 0; i < from_wkb.polygons.size(); ++i)
                EXPECT_EQ(from_wkb.polygons[i].size(), from_blob.polygons[i].size()) << geometry;

            // PostGIS' EWKB carries the SRID after the type, flagged in it.
            std::vector<unsigned char> ewkb = wkb;
            ewkb[4] |= 0x20;  // little endian: the flag 0x20000000 is in the type's last byte
            const unsigned char srid_4326[] = {0xE6, 0x10, 0x00, 0x00};
            ewkb.insert(ewkb.begin() + 5, std::begin(srid_4326), std::end(srid_4326));
            MapFeature from_ewkb;
            decode_wkb(ewkb, from_ewkb);
            EXPECT_EQ(numbers_of(from_ewkb), numbers_of(from_blob)) << "EWKB " << geometry;

            std::vector<unsigned char> cut(wkb.begin(), wkb.end() - 1);
            EXPECT_THROW(decode_wkb(cut, from_wkb), leerstand::InternalError) << geometry;
            std::vector<unsigned char> longer = wkb;
            longer.push_back(0);
            EXPECT_THROW(decode_wkb(longer, from_wkb), leerstand::InternalError) << geometry;
            ++compared;
        }
    }
    EXPECT_GE(compared, 6u);
}

TEST_F(TileStoreTest, EachLayerShowsOnlyTheMapsPropertiesAndThePublicOnlyPublishedVacancies) {
    add_buildings("append", {{13.949, 53.049, 13.951, 53.051}});
    VacancyRecord published = vacancy(true);
    published.building_id = last_building();
    const VacancyRecord shown = m_vacancies->insert_vacancy(published, "anna");
    VacancyRecord unpublished = vacancy(false);
    unpublished.building_id = last_building();
    const VacancyRecord hidden = m_vacancies->insert_vacancy(unpublished, "anna");
    ASSERT_TRUE(shown.building_id);

    const auto public_vacancies = read(TileSource::Vacancies);
    ASSERT_EQ(public_vacancies.size(), 1u);
    const auto properties = properties_of(public_vacancies.at(shown.id));
    std::vector<std::string> keys;
    for (const auto& [key, value] : properties) keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"building_id", "kommune_ags", "status", "use",
                                              "vacant_since"}));
    EXPECT_EQ(std::get<std::string>(properties.at("status")), "gemeldet");

    VacancyVisibility planner;
    planner.all = true;
    EXPECT_EQ(read(TileSource::Vacancies, k_everywhere, planner).size(), 2u);
    VacancyVisibility editor;
    editor.internal_prefixes = {angermuende};
    EXPECT_EQ(read(TileSource::Vacancies, k_everywhere, editor).count(hidden.id), 1u);
    VacancyVisibility other_editor;
    other_editor.internal_prefixes = {herzberg};
    EXPECT_EQ(read(TileSource::Vacancies, k_everywhere, other_editor).count(hidden.id), 0u);

    // The building shows the vacancy the caller may see: the public the published one.
    const auto buildings = read(TileSource::Buildings);
    const auto building = properties_of(buildings.at(*shown.building_id));
    EXPECT_EQ(std::get<std::int64_t>(building.at("vacancy_id")), shown.id);
    EXPECT_EQ(std::get<std::string>(building.at("kommune_ags")), angermuende);

    const auto kommune = properties_of(read(TileSource::Kommunen).at(12073008));
    EXPECT_EQ(std::get<std::string>(kommune.at("name")), "Angermünde");
    EXPECT_EQ(kommune.size(), 3u);
    // A box elsewhere holds nothing.
    EXPECT_TRUE(read(TileSource::Buildings, Bbox{10, 48, 10.1, 48.1}).empty());
}

TEST_F(TileStoreTest, WritesLeaveTheBoxesTheyTouchInTheChangeLog) {
    add_buildings("append", {{13.949, 53.049, 13.951, 53.051}});
    const std::int64_t start = m_tiles->latest_change();
    VacancyRecord record = vacancy(true);
    record.building_id = last_building();
    record = m_vacancies->insert_vacancy(record, "anna");
    TileChanges changes = m_tiles->changes_after(start);
    // The point for the vacancies layer, the footprint for the buildings layer (its status).
    ASSERT_EQ(changes.changes.size(), 2u);
    EXPECT_EQ(changes.listed, TileChanges::Listed::All);
    EXPECT_EQ(changes.changes[0].layers, leerstand::data::tile_source_bit(TileSource::Vacancies));
    EXPECT_DOUBLE_EQ(changes.changes[0].box.min_lon, 13.95);
    EXPECT_DOUBLE_EQ(changes.changes[0].box.max_lat, 53.05);
    EXPECT_EQ(changes.changes[1].layers, leerstand::data::tile_source_bit(TileSource::Buildings));
    EXPECT_DOUBLE_EQ(changes.changes[1].box.min_lon, 13.949);
    EXPECT_DOUBLE_EQ(changes.changes[1].box.max_lat, 53.051);

    // A change of what no tile shows leaves no row; a change of the status does.
    record.internal_notes = "nur intern";
    record = m_vacancies->update_vacancy(record, record.version, "anna");
    EXPECT_EQ(m_tiles->latest_change(), changes.latest);
    record.status = "bestaetigt";
    record = m_vacancies->update_vacancy(record, record.version, "anna");
    EXPECT_EQ(m_tiles->changes_after(changes.latest).changes.size(), 2u);
    const std::int64_t before_move = m_tiles->latest_change();
    record.lon = 13.97;
    record = m_vacancies->update_vacancy(record, record.version, "anna");
    changes = m_tiles->changes_after(before_move);
    ASSERT_EQ(changes.changes.size(), 2u);
    EXPECT_DOUBLE_EQ(changes.changes[0].box.min_lon, 13.95) << "the old place and the new";
    EXPECT_DOUBLE_EQ(changes.changes[0].box.max_lon, 13.97);
    const std::int64_t before_delete = m_tiles->latest_change();
    m_vacancies->remove_vacancy(record.id, record.version, "anna");
    EXPECT_EQ(m_tiles->changes_after(before_delete).changes.size(), 2u);

    // The building import records the boxes of what it adds, and a replace what it removes.
    const std::int64_t before_import = m_tiles->latest_change();
    add_buildings("append", {{13.90, 53.00, 13.91, 53.01}, {13.92, 53.02, 13.93, 53.03}});
    changes = m_tiles->changes_after(before_import);
    ASSERT_FALSE(changes.changes.empty());
    Bbox covered{180, 90, -180, -90};
    for (const auto& change : changes.changes) {
        EXPECT_TRUE(change.layers & leerstand::data::tile_source_bit(TileSource::Buildings));
        covered = {std::min(covered.min_lon, change.box.min_lon),
                   std::min(covered.min_lat, change.box.min_lat),
                   std::max(covered.max_lon, change.box.max_lon),
                   std::max(covered.max_lat, change.box.max_lat)};
    }
    EXPECT_LE(covered.min_lon, 13.90);
    EXPECT_GE(covered.max_lat, 53.03);
    const std::int64_t before_replace = m_tiles->latest_change();
    add_buildings("replace", {{13.99, 53.09, 13.995, 53.095}});
    covered = {180, 90, -180, -90};
    for (const auto& change : m_tiles->changes_after(before_replace).changes)
        covered = {std::min(covered.min_lon, change.box.min_lon),
                   std::min(covered.min_lat, change.box.min_lat),
                   std::max(covered.max_lon, change.box.max_lon),
                   std::max(covered.max_lat, change.box.max_lat)};
    EXPECT_LE(covered.min_lon, 13.90) << "the removed buildings' area";
    EXPECT_GE(covered.max_lon, 13.995) << "the new building";
}

TEST_F(TileStoreTest, AReaderTooFarBehindLearnsThatTheLogIsIncomplete) {
    const std::int64_t start = m_tiles->latest_change();
    for (int i = 0; i < 5; ++i) m_vacancies->insert_vacancy(vacancy(true), "anna");
    EXPECT_EQ(m_tiles->changes_after(start, 10).listed, TileChanges::Listed::All);
    const TileChanges few = m_tiles->changes_after(start, 3);
    EXPECT_EQ(few.listed, TileChanges::Listed::None);
    EXPECT_EQ(few.latest, m_tiles->latest_change());
    // The log keeps its last 10,000 rows: older readers cannot tell what changed.
    auto db = raw();
    db.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050) "
        "INSERT INTO tile_changes(layers, min_lon, min_lat, max_lon, max_lat) "
        "SELECT 2, 13, 52, 14, 53 FROM n");
    EXPECT_LE(db.query_int64("SELECT count(*) FROM tile_changes"), 10000);
    EXPECT_EQ(m_tiles->changes_after(start, 1000000).listed, TileChanges::Listed::None);
}

TEST_F(TileStoreTest, OnlyChangesOfPublishedVacanciesAreSeenByThePublic) {
    add_buildings("append", {{13.949, 53.049, 13.951, 53.051}});
    const std::int64_t start = m_tiles->latest_change();
    const auto seen_by_public = [&](std::int64_t after) {
        std::vector<bool> seen;
        for (const auto& change : m_tiles->changes_after(after).changes)
            seen.push_back(change.seen_by_public);
        return seen;
    };
    // Hidden: insert, change, delete (point and building rows alike) are not seen.
    VacancyRecord hidden = vacancy(false);
    hidden.building_id = last_building();
    hidden = m_vacancies->insert_vacancy(hidden, "anna");
    hidden.status = "bestaetigt";
    hidden = m_vacancies->update_vacancy(hidden, hidden.version, "anna");
    m_vacancies->remove_vacancy(hidden.id, hidden.version, "anna");
    EXPECT_EQ(seen_by_public(start), std::vector<bool>(6, false));
    // Published, or published by the change, or unpublished by it: seen.
    std::int64_t mark = m_tiles->latest_change();
    VacancyRecord shown = m_vacancies->insert_vacancy(vacancy(true), "anna");
    shown.consent_publish = false;
    shown = m_vacancies->update_vacancy(shown, shown.version, "anna");
    shown.consent_publish = true;
    shown = m_vacancies->update_vacancy(shown, shown.version, "anna");
    EXPECT_EQ(seen_by_public(mark), std::vector<bool>(3, true));
    // Buildings are public.
    mark = m_tiles->latest_change();
    add_buildings("append", {{13.90, 53.00, 13.91, 53.01}});
    for (const bool seen : seen_by_public(mark)) EXPECT_TRUE(seen);
    // More hidden changes than a reader takes: those the public sees are still listed.
    mark = m_tiles->latest_change();
    for (int i = 0; i < 5; ++i) m_vacancies->insert_vacancy(vacancy(false), "anna");
    m_vacancies->insert_vacancy(vacancy(true), "anna");
    const TileChanges some = m_tiles->changes_after(mark, 3);
    EXPECT_EQ(some.listed, TileChanges::Listed::SeenByPublic);
    ASSERT_EQ(some.changes.size(), 1u);
    EXPECT_TRUE(some.changes[0].seen_by_public);
}

/// The seq numbers the log lists after `seq`.
std::vector<std::int64_t> listed_after(TileStore& tiles, std::int64_t seq) {
    std::vector<std::int64_t> out;
    for (const auto& change : tiles.changes_after(seq).changes) out.push_back(change.seq);
    return out;
}

// A reader that saw seq N reads on from N: a change with a smaller number committed later would
// be skipped for ever. The writers' lock (Transaction: BEGIN plus an advisory lock held to the
// end of the transaction, released only once the commit is visible) keeps that from happening;
// two sessions without it show the hazard (a plain sequence is not commit order).
TEST_F(TileStoreTest, TheLogsOrderIsTheCommitOrderOfInterleavingWriters) {
    if (!m_location.is_postgres())
        GTEST_SKIP() << "SQLite has one writer: seq order is commit order";
    const Bbox box{13.1, 52.1, 13.2, 52.2};
    const std::int64_t start = m_tiles->latest_change();

    auto first = raw();
    auto second = raw();
    std::optional<leerstand::data::Transaction> first_writes;
    first_writes.emplace(first);
    leerstand::data::record_tile_change(first, 2, box);
    const std::int64_t first_seq = first.query_int64("SELECT max(seq) FROM tile_changes");
    std::atomic<bool> second_done{false};
    std::int64_t second_seq = 0;
    std::thread second_writer([&] {
        leerstand::data::Transaction second_writes(second);  // waits for the first
        leerstand::data::record_tile_change(second, 2, box);
        second_seq = second.query_int64("SELECT max(seq) FROM tile_changes");
        second_writes.commit();
        second_done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(second_done) << "the second writer went ahead of the first one's commit";
    EXPECT_EQ(m_tiles->latest_change(), start);
    first_writes->commit();
    second_writer.join();
    EXPECT_GT(second_seq, first_seq);
    EXPECT_EQ(listed_after(*m_tiles, start), (std::vector<std::int64_t>{first_seq, second_seq}));

    // Without the lock: the first takes a number, the second a larger one and commits first.
    const std::int64_t before = m_tiles->latest_change();
    first.exec("BEGIN");
    leerstand::data::record_tile_change(first, 2, box);
    const std::int64_t early = first.query_int64("SELECT max(seq) FROM tile_changes");
    second.exec("BEGIN");
    leerstand::data::record_tile_change(second, 2, box);
    second.exec("COMMIT");
    const std::int64_t seen = m_tiles->latest_change();
    EXPECT_GT(seen, early);
    EXPECT_EQ(listed_after(*m_tiles, before), (std::vector<std::int64_t>{seen}));
    first.exec("COMMIT");
    EXPECT_EQ(listed_after(*m_tiles, seen), std::vector<std::int64_t>{})
        << "a reader that went on from " << seen << " would never see " << early;
}

TEST_F(TileStoreTest, EachCommitThatLogsATileChangeNotifiesOnce) {
    if (!m_location.is_postgres()) GTEST_SKIP() << "SQLite has no notifications";
    using namespace std::chrono_literals;
    leerstand::data::TileChangeSubscription subscription(m_location);
    EXPECT_FALSE(subscription.wait(50ms));
    m_vacancies->insert_vacancy(vacancy(false), "anna");  // hidden ones too: internal tiles
    EXPECT_TRUE(subscription.wait(2s));
    EXPECT_FALSE(subscription.wait(50ms)) << "one transaction, one notification";
    {
        auto db = raw();
        leerstand::data::Transaction writes(db);
        leerstand::data::record_tile_change(db, 2, {13.1, 52.1, 13.2, 52.2});
        leerstand::data::record_tile_change(db, 4, {13.1, 52.1, 13.2, 52.2});
        EXPECT_FALSE(subscription.wait(200ms)) << "notified before the commit";
        writes.commit();
    }
    EXPECT_TRUE(subscription.wait(2s));
    EXPECT_FALSE(subscription.wait(50ms)) << "two rows of one transaction notify once";
    {
        auto db = raw();
        leerstand::data::Transaction rolled_back(db);
        leerstand::data::record_tile_change(db, 2, {13.1, 52.1, 13.2, 52.2});
    }
    auto db = raw();
    db.exec(std::string("UPDATE kommunen SET website = 'https://example.org' WHERE ags = '") +
            angermuende + "'");
    EXPECT_FALSE(subscription.wait(300ms)) << "a rollback, or a write no tile shows";
}

}  // namespace
