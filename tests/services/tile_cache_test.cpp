// TileCache: the byte budget with least-recently-used eviction, invalidation by layer and box
// from the change log, stale reads refused, and the gzip form (judged by gzip(1)).
#include "server/services/tile_cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "data/tile_store.hpp"
#include "tests/support/test_support.hpp"

namespace {

using leerstand::data::TileChange;
using leerstand::data::TileChanges;
using leerstand::services::EncodedTile;
using leerstand::services::TileCache;

constexpr unsigned k_buildings = 2, k_vacancies = 4;
const leerstand::geo::LonLatBox k_west{13.0, 52.0, 13.5, 52.5};
const leerstand::geo::LonLatBox k_east{14.0, 52.0, 14.5, 52.5};

std::shared_ptr<const EncodedTile> tile_of(std::size_t bytes, char fill = 'x') {
    return std::make_shared<const EncodedTile>(std::string(bytes, fill));
}

TEST(TileCache, KeepsTheMostRecentlyUsedTilesWithinItsBudget) {
    TileCache cache(10'000);
    cache.insert("a", k_buildings, k_west, tile_of(2000), 0);
    cache.insert("b", k_buildings, k_west, tile_of(2000), 0);
    ASSERT_TRUE(cache.find("a"));  // a is now the most recent
    cache.insert("c", k_buildings, k_west, tile_of(2000), 0);
    EXPECT_LE(cache.stats().bytes, 10'000u);
    EXPECT_TRUE(cache.find("a"));
    EXPECT_FALSE(cache.find("b")) << "the least recently used goes first";
    EXPECT_TRUE(cache.find("c"));
    EXPECT_EQ(cache.stats().evictions, 1u);
    cache.insert("huge", k_buildings, k_west, tile_of(20'000), 0);
    EXPECT_FALSE(cache.find("huge")) << "a tile larger than the budget is not kept";
    EXPECT_TRUE(cache.find("a"));
}

TEST(TileCache, AChangeDropsTheTilesOfItsLayersUnderItsBoxOnly) {
    TileCache cache(1 << 20);
    cache.insert("buildings/west", k_buildings, k_west, tile_of(100), 0);
    cache.insert("buildings/east", k_buildings, k_east, tile_of(100), 0);
    cache.insert("vacancies/west", k_vacancies, k_west, tile_of(100), 0);
    TileChanges changes;
    changes.latest = 7;
    changes.changes = {TileChange{7, k_buildings, {13.1, 52.1, 13.2, 52.2}}};
    cache.apply(changes);
    EXPECT_FALSE(cache.find("buildings/west"));
    EXPECT_TRUE(cache.find("buildings/east"));
    EXPECT_TRUE(cache.find("vacancies/west")) << "another layer";
    EXPECT_EQ(cache.applied_change(), 7);
    // A tile read before change 7 may be stale: it is not stored.
    cache.insert("buildings/west", k_buildings, k_west, tile_of(100), 6);
    EXPECT_FALSE(cache.find("buildings/west"));
    cache.insert("buildings/west", k_buildings, k_west, tile_of(100), 7);
    EXPECT_TRUE(cache.find("buildings/west"));
    // When the log lost rows the reader needed, everything goes.
    TileChanges incomplete;
    incomplete.latest = 20'000;
    incomplete.complete = false;
    cache.apply(incomplete);
    EXPECT_EQ(cache.stats().entries, 0u);
    EXPECT_EQ(cache.stats().bytes, 0u);
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

}  // namespace
