// TileCache: the byte budget with least-recently-used eviction, invalidation by layer and box
// from the change log, stale reads refused, and the gzip form (judged by gzip(1)); when it reads
// the change log, and on PostgreSQL its listener: notified of another session's commit, and
// after its session was killed connected again with the cache cleared.
#include "server/services/tile_cache.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "data/connection.hpp"
#include "data/store.hpp"
#include "data/tile_store.hpp"
#include "server/services/tile_service.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_support.hpp"

namespace {

using leerstand::data::TileChange;
using leerstand::data::TileChanges;
using leerstand::services::EncodedTile;
using leerstand::services::TileCache;
using leerstand::services::TileChangeListener;
using leerstand::services::TileService;
using namespace std::chrono_literals;

constexpr unsigned k_buildings = 2, k_vacancies = 4;
const leerstand::geo::LonLatBox k_west{13.0, 52.0, 13.5, 52.5};
const leerstand::geo::LonLatBox k_east{14.0, 52.0, 14.5, 52.5};

std::shared_ptr<const EncodedTile> tile_of(std::size_t bytes, char fill = 'x') {
    return std::make_shared<const EncodedTile>(std::string(bytes, fill));
}

TEST(TileCache, KeepsTheMostRecentlyUsedTilesWithinItsBudget) {
    TileCache cache(10'000);
    cache.insert("a", k_buildings, k_west, tile_of(2000), 0, false);
    cache.insert("b", k_buildings, k_west, tile_of(2000), 0, false);
    ASSERT_TRUE(cache.find("a"));  // a is now the most recent
    cache.insert("c", k_buildings, k_west, tile_of(2000), 0, false);
    EXPECT_LE(cache.stats().bytes, 10'000u);
    EXPECT_TRUE(cache.find("a"));
    EXPECT_FALSE(cache.find("b")) << "the least recently used goes first";
    EXPECT_TRUE(cache.find("c"));
    EXPECT_EQ(cache.stats().evictions, 1u);
    cache.insert("huge", k_buildings, k_west, tile_of(20'000), 0, false);
    EXPECT_FALSE(cache.find("huge")) << "a tile larger than the budget is not kept";
    EXPECT_TRUE(cache.find("a"));
}

TEST(TileCache, AChangeDropsTheTilesOfItsLayersUnderItsBoxOnly) {
    TileCache cache(1 << 20);
    cache.insert("buildings/west", k_buildings, k_west, tile_of(100), 0, false);
    cache.insert("buildings/east", k_buildings, k_east, tile_of(100), 0, false);
    cache.insert("vacancies/west", k_vacancies, k_west, tile_of(100), 0, false);
    TileChanges changes;
    changes.latest = 7;
    changes.changes = {TileChange{7, k_buildings, {13.1, 52.1, 13.2, 52.2}}};
    cache.apply(changes);
    EXPECT_FALSE(cache.find("buildings/west"));
    EXPECT_TRUE(cache.find("buildings/east"));
    EXPECT_TRUE(cache.find("vacancies/west")) << "another layer";
    EXPECT_EQ(cache.applied_change(), 7);
    // A tile read before change 7 may be stale: it is not stored.
    cache.insert("buildings/west", k_buildings, k_west, tile_of(100), 6, false);
    EXPECT_FALSE(cache.find("buildings/west"));
    cache.insert("buildings/west", k_buildings, k_west, tile_of(100), 7, false);
    EXPECT_TRUE(cache.find("buildings/west"));
    // When the log lost rows the reader needed, everything goes.
    TileChanges incomplete;
    incomplete.latest = 20'000;
    incomplete.listed = TileChanges::Listed::None;
    cache.apply(incomplete);
    EXPECT_EQ(cache.stats().entries, 0u);
    EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(TileCache, ThePublicsTilesStayForChangesThePublicDoesNotSee) {
    TileCache cache(1 << 20);
    cache.insert("buildings/public/west", k_buildings, k_west, tile_of(100), 0, true);
    cache.insert("buildings/all/west", k_buildings, k_west, tile_of(100), 0, false);
    // An unpublished vacancy changed under both: only the tile of those who see it goes.
    TileChanges hidden;
    hidden.latest = 3;
    hidden.changes = {TileChange{3, k_buildings, {13.1, 52.1, 13.2, 52.2}, false}};
    cache.apply(hidden);
    EXPECT_TRUE(cache.find("buildings/public/west"));
    EXPECT_FALSE(cache.find("buildings/all/west"));
    // A public tile read before that change is still current for the public; the other not.
    cache.insert("buildings/public/east", k_buildings, k_east, tile_of(100), 2, true);
    cache.insert("buildings/all/east", k_buildings, k_east, tile_of(100), 2, false);
    EXPECT_TRUE(cache.find("buildings/public/east"));
    EXPECT_FALSE(cache.find("buildings/all/east"));
    // Too many changes to list, but those the public sees are listed: the public's tiles away
    // from them stay, every other tile goes.
    cache.insert("buildings/all/east", k_buildings, k_east, tile_of(100), 3, false);
    TileChanges many;
    many.latest = 5000;
    many.listed = TileChanges::Listed::SeenByPublic;
    many.changes = {TileChange{4000, k_buildings, {13.1, 52.1, 13.2, 52.2}, true}};
    cache.apply(many);
    EXPECT_FALSE(cache.find("buildings/public/west"));
    EXPECT_TRUE(cache.find("buildings/public/east"));
    EXPECT_FALSE(cache.find("buildings/all/east"));
    // A change the public sees drops the public's tiles as any other.
    TileChanges seen;
    seen.latest = 5001;
    seen.changes = {TileChange{5001, k_buildings, {14.1, 52.1, 14.2, 52.2}, true}};
    cache.apply(seen);
    EXPECT_FALSE(cache.find("buildings/public/east"));
    cache.insert("buildings/public/east", k_buildings, k_east, tile_of(100), 5000, true);
    EXPECT_FALSE(cache.find("buildings/public/east")) << "read before a change it shows";
}

TEST(EncodedTile, GzipFormDecodesToTheBodyAndHasItsOwnTag) {
    std::string body;
    for (int i = 0; i < 500; ++i) body += "{\"id\":" + std::to_string(i) + "},";
    const EncodedTile tile(body);
    ASSERT_FALSE(tile.gzipped().empty());
    EXPECT_LT(tile.gzipped().size(), body.size());
    EXPECT_NE(tile.gzip_etag(), tile.etag());
    EXPECT_NE(EncodedTile(body + " ").etag(), tile.etag());
    const leerstand::test::TempDir dir;
    const std::filesystem::path file = dir.path() / "tile.gz";
    std::ofstream(file, std::ios::binary) << tile.gzipped();
    const auto unzipped = leerstand::test::run_command({"/usr/bin/gzip", "-dc", file.string()});
    ASSERT_EQ(unzipped.exit_code, 0) << unzipped.err;
    EXPECT_EQ(unzipped.out, body);
    EXPECT_TRUE(EncodedTile("tiny").gzipped().empty()) << "not worth it below 256 bytes";
}

TEST(TileCache, ReadsTheLogBeforeEachTileUnlessAListenerSaysNothingChanged) {
    TileCache cache(1 << 20);
    // No listener (SpatiaLite, or its session lost): always.
    cache.log_read(cache.log_ticket(0));
    EXPECT_TRUE(cache.must_read_log(0));
    cache.listener_connected();
    EXPECT_TRUE(cache.must_read_log(0)) << "what came before it listened is unknown";
    cache.log_read(cache.log_ticket(0));
    EXPECT_FALSE(cache.must_read_log(0));
    EXPECT_TRUE(cache.must_read_log(1)) << "a write of this process: its writer reads it next";
    cache.log_read(cache.log_ticket(1));
    EXPECT_FALSE(cache.must_read_log(1));
    // A notification while the log is read: the reader's ticket is older, so once more.
    const auto ticket = cache.log_ticket(1);
    cache.notified();
    cache.log_read(ticket);
    EXPECT_TRUE(cache.must_read_log(1));
    cache.log_read(cache.log_ticket(1));
    EXPECT_FALSE(cache.must_read_log(1));
    cache.listener_lost();
    EXPECT_TRUE(cache.must_read_log(1));
}

/// Polls `done` every 20 ms for up to `limit`; true when it came true.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

TEST(TileChangeListener, HearsOtherSessionsCommitsAndClearsTheCacheAfterItsSessionWasKilled) {
    if (leerstand::test::test_backend() != leerstand::test::Backend::postgres)
        GTEST_SKIP() << "PostgreSQL only: SpatiaLite has no notifications";
    const leerstand::test::TestDatabase database;
    leerstand::data::Store store(database.location());  // migrates
    leerstand::data::TileStore tile_store(store);
    TileCache cache(1 << 20);
    TileService service(tile_store, cache);
    auto listener = std::make_unique<TileChangeListener>(database.location(), cache);
    ASSERT_TRUE(eventually([&] { return cache.stats().listener_connects == 1; }, 5s));
    const auto own_writes = leerstand::data::committed_writes;
    service.catch_up();
    EXPECT_FALSE(cache.must_read_log(own_writes()));

    // Another node's commit (another session; no Transaction of this process counts it).
    leerstand::data::Connection other(database.location());
    leerstand::data::record_tile_change(other, k_buildings, {13.1, 52.1, 13.2, 52.2});
    EXPECT_TRUE(eventually([&] { return cache.must_read_log(own_writes()); }, 1s))
        << "the commit was not heard within a second";
    service.catch_up();
    EXPECT_FALSE(cache.must_read_log(own_writes()));

    // Its session killed: it may have missed notifications, so it clears the cache when it
    // listens again.
    cache.insert("buildings/all/west", k_buildings, k_west, tile_of(100), cache.applied_change(),
                 false);
    ASSERT_EQ(cache.stats().entries, 1u);
    EXPECT_EQ(other.query_int64("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND query LIKE 'LISTEN %'"),
              1);
    ASSERT_TRUE(eventually([&] { return cache.stats().listener_connects == 2; }, 5s))
        << "the listener did not connect again";
    EXPECT_EQ(cache.stats().entries, 0u);
    EXPECT_TRUE(cache.must_read_log(own_writes()));
    service.catch_up();
    EXPECT_FALSE(cache.must_read_log(own_writes()));
    leerstand::data::record_tile_change(other, k_buildings, {13.1, 52.1, 13.2, 52.2});
    EXPECT_TRUE(eventually([&] { return cache.must_read_log(own_writes()); }, 1s))
        << "the new session does not listen";

    const auto stop_started = std::chrono::steady_clock::now();
    listener.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 1s) << "stopping took too long";
    EXPECT_TRUE(cache.must_read_log(own_writes())) << "no listener: the log is read again";
}

}  // namespace
