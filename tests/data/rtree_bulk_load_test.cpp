// Bulk-loaded R*Trees against trees SQLite builds itself: same leaves bit for bit, same answers
// to window queries, SQLite's own rtreecheck(), and SQLite (and SpatiaLite's triggers) able to
// keep updating the result. SQLite is the oracle throughout; nothing here reads the node format
// except through SQLite's rtreenode()/rtreedepth() functions.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/rtree_bulk_load.hpp"
#include "data/store.hpp"
#include "tests/data/store_fixture.hpp"
#include "tests/support/test_support.hpp"

namespace {

using leerstand::data::bulk_load_rtree;
using leerstand::data::Connection;
using leerstand::data::ConnectionOptions;
using leerstand::data::RtreeBulkLoadStats;
using leerstand::data::Statement;
using leerstand::data::Transaction;

struct Box {
    std::int64_t id;
    double xmin;
    double xmax;
    double ymin;
    double ymax;
};

using LeafRow = std::array<double, 5>;  // id, xmin, xmax, ymin, ymax as SQLite returns them

constexpr const char* source_sql = "SELECT id, xmin, xmax, ymin, ymax FROM src";

// Random small boxes with gappy, shuffled ids (so the loader cannot rely on their order).
std::vector<Box> random_boxes(std::size_t count, std::uint64_t seed, double x0 = 13.0,
                              double y0 = 52.0) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> position(0.0, 1.0);
    std::uniform_real_distribution<double> size(0.0, 0.002);
    std::vector<Box> boxes;
    std::int64_t id = 0;
    for (std::size_t i = 0; i < count; ++i) {
        id += 1 + static_cast<std::int64_t>(random() % 3);
        const double x = x0 + position(random);
        const double y = y0 + position(random);
        boxes.push_back(Box{id, x, x + size(random), y, y + size(random)});
    }
    std::shuffle(boxes.begin(), boxes.end(), random);
    return boxes;
}

// How many nodes a tree of `entries` has when every node but the last of each level is full.
std::int64_t packed_nodes(std::int64_t entries, std::int64_t capacity) {
    std::int64_t nodes = 1;
    for (std::int64_t level = entries; level > capacity; nodes += level)
        level = (level + capacity - 1) / capacity;
    return nodes;
}

int packed_depth(std::int64_t entries, std::int64_t capacity) {
    int depth = 0;
    for (std::int64_t level = entries; level > capacity; ++depth)
        level = (level + capacity - 1) / capacity;
    return depth;
}

class RtreeBulkLoadTest : public ::testing::Test {
  protected:
    Connection& db() { return *m_db; }

    void create_rtree(const std::string& table,
                      const std::string& columns = "pkid, xmin, xmax, ymin, ymax") {
        db().exec("CREATE VIRTUAL TABLE " + table + " USING rtree(" + columns + ")");
    }

    void set_source(const std::vector<Box>& boxes) {
        db().exec("DROP TABLE IF EXISTS src; CREATE TABLE src (id, xmin, xmax, ymin, ymax)");
        Transaction transaction(db());
        Statement insert = db().prepare("INSERT INTO src VALUES (?, ?, ?, ?, ?)");
        for (const Box& box : boxes) {
            insert.bind(1, box.id)
                .bind(2, box.xmin)
                .bind(3, box.xmax)
                .bind(4, box.ymin)
                .bind(5, box.ymax)
                .run();
            insert.reset();
        }
        transaction.commit();
    }

    std::optional<RtreeBulkLoadStats> bulk(const std::string& table) {
        Transaction transaction(db());
        Statement source = db().prepare(source_sql);
        auto stats = bulk_load_rtree(db(), table, source);
        transaction.commit();
        return stats;
    }

    // The same boxes inserted by SQLite itself, one by one.
    void build_slowly(const std::string& table) {
        create_rtree(table);
        db().exec("INSERT INTO " + table + " SELECT id, xmin, xmax, ymin, ymax FROM src");
    }

    std::string rtreecheck(const std::string& table) {
        return db().query_text("SELECT rtreecheck('" + table + "')");
    }

    std::vector<LeafRow> leaf_rows(const std::string& table) {
        Statement statement =
            db().prepare("SELECT pkid, xmin, xmax, ymin, ymax FROM " + table + " ORDER BY pkid");
        std::vector<LeafRow> rows;
        while (statement.step()) {
            LeafRow row{};
            for (int i = 0; i < 5; ++i)
                row[static_cast<std::size_t>(i)] = statement.column_double(i);
            rows.push_back(row);
        }
        return rows;
    }

    std::vector<std::int64_t> candidates(const std::string& table, double x0, double y0, double x1,
                                         double y1) {
        Statement statement = db().prepare("SELECT pkid FROM " + table +
                                           " WHERE xmax >= ?1 AND xmin <= ?3 AND "
                                           "ymax >= ?2 AND ymin <= ?4");
        statement.bind(1, x0).bind(2, y0).bind(3, x1).bind(4, y1);
        std::vector<std::int64_t> ids;
        while (statement.step()) ids.push_back(statement.column_int64(0));
        std::sort(ids.begin(), ids.end());
        return ids;
    }

    // Random windows, half of them with edges exactly on coordinates of the stored boxes, where
    // float rounding decides.
    void expect_same_answers(const std::string& bulk_table, const std::string& slow_table,
                             const std::vector<Box>& boxes, std::uint64_t seed) {
        std::mt19937_64 random(seed);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        double xmin = 0, xmax = 1, ymin = 0, ymax = 1;
        if (!boxes.empty()) {
            xmin = ymin = std::numeric_limits<double>::max();
            xmax = ymax = std::numeric_limits<double>::lowest();
            for (const Box& box : boxes) {
                xmin = std::min(xmin, box.xmin), xmax = std::max(xmax, box.xmax);
                ymin = std::min(ymin, box.ymin), ymax = std::max(ymax, box.ymax);
            }
        }
        for (int i = 0; i < 300; ++i) {
            double x0 = xmin + unit(random) * (xmax - xmin);
            double y0 = ymin + unit(random) * (ymax - ymin);
            double x1 = x0 + unit(random) * (xmax - xmin) * (i % 3 == 0 ? 0.5 : 0.02);
            double y1 = y0 + unit(random) * (ymax - ymin) * (i % 3 == 0 ? 0.5 : 0.02);
            if (i % 2 == 1 && !boxes.empty()) {
                const Box& a = boxes[random() % boxes.size()];
                const Box& b = boxes[random() % boxes.size()];
                x0 = std::min(a.xmax, b.xmin), x1 = std::max(a.xmax, b.xmin);
                y0 = std::min(a.ymin, b.ymax), y1 = std::max(a.ymin, b.ymax);
            }
            ASSERT_EQ(candidates(bulk_table, x0, y0, x1, y1),
                      candidates(slow_table, x0, y0, x1, y1))
                << "window " << x0 << " " << y0 << " " << x1 << " " << y1;
        }
    }

    // Cells per node as SQLite's node size for this database allows (one node per page).
    std::int64_t capacity() {
        db().exec("CREATE VIRTUAL TABLE IF NOT EXISTS probe USING rtree(id, x0, x1, y0, y1)");
        return (db().query_int64("SELECT length(data) FROM probe_node WHERE nodeno = 1") - 4) / 24;
    }

    // Entries per node, counted by SQLite's rtreenode(), for every node but the root.
    std::vector<std::int64_t> non_root_fill(const std::string& table) {
        Statement statement =
            db().prepare("SELECT rtreenode(2, data) FROM " + table + "_node WHERE nodeno <> 1");
        std::vector<std::int64_t> fill;
        while (statement.step()) {
            const std::string cells = statement.column_text(0);
            fill.push_back(std::count(cells.begin(), cells.end(), '{'));
        }
        return fill;
    }

    void expect_equivalent(const std::string& bulk_table, const std::string& slow_table,
                           const std::vector<Box>& boxes, std::uint64_t seed) {
        EXPECT_EQ(rtreecheck(bulk_table), "ok");
        EXPECT_EQ(rtreecheck(slow_table), "ok");
        EXPECT_EQ(leaf_rows(bulk_table), leaf_rows(slow_table));
        expect_same_answers(bulk_table, slow_table, boxes, seed);
    }

    leerstand::test::TempDir m_dir;
    std::filesystem::path m_path = m_dir / "rtree.sqlite";
    std::optional<Connection> m_db{std::in_place, m_path, ConnectionOptions{}};
};

TEST_F(RtreeBulkLoadTest, MatchesSqlitesOwnTreeAroundNodeBoundaries) {
    const std::int64_t m = capacity();
    ASSERT_GE(m, 18);  // SQLite's smallest node (512-byte pages) holds 18 cells
    const std::vector<std::int64_t> sizes = {
        0, 1, 2, m - 1, m, m + 1, 2 * m, 2 * m + 1, m * m, m * m + 1, m * m + m / 3 - 1};
    int round = 0;
    for (const std::int64_t n : sizes) {
        SCOPED_TRACE("entries: " + std::to_string(n));
        const auto boxes =
            random_boxes(static_cast<std::size_t>(n), 1000 + static_cast<std::uint64_t>(n));
        set_source(boxes);
        const std::string bulk_table = "bulk" + std::to_string(round);
        const std::string slow_table = "slow" + std::to_string(round++);
        create_rtree(bulk_table);
        const auto stats = bulk(bulk_table);
        ASSERT_TRUE(stats.has_value());
        build_slowly(slow_table);

        expect_equivalent(bulk_table, slow_table, boxes, 7);
        EXPECT_EQ(stats->entries, n);
        EXPECT_EQ(stats->depth, packed_depth(n, m));
        EXPECT_EQ(db().query_int64("SELECT rtreedepth(data) FROM " + bulk_table +
                                   "_node WHERE nodeno = 1"),
                  packed_depth(n, m));
        EXPECT_EQ(stats->nodes, packed_nodes(n, m));
        EXPECT_EQ(db().query_int64("SELECT count(*) FROM " + bulk_table + "_node"),
                  packed_nodes(n, m));
        // Every node has the root's size, and no node but the root is below SQLite's minimum
        // fill (a third), which its delete would otherwise dissolve at once.
        EXPECT_EQ(
            db().query_int64("SELECT count(DISTINCT length(data)) FROM " + bulk_table + "_node"),
            1);
        for (const std::int64_t fill : non_root_fill(bulk_table)) {
            EXPECT_GE(fill, m / 3);
            EXPECT_LE(fill, m);
        }
    }
}

TEST_F(RtreeBulkLoadTest, PointsNegativeAndUnroundableCoordinatesAreStoredAsSqliteStoresThem) {
    std::vector<Box> boxes = {
        {1, 13.95, 13.95, 53.02, 53.02},                    // a point
        {2, -0.1, -0.1, -0.3, -0.3},                        // a point with inexact negative values
        {3, -12.3456789, -12.3456788, -0.5, 0.1},           // crossing zero
        {4, 0.0, 0.0, -0.0, -0.0},                          // zero and negative zero
        {5, 1e-40, 3e-40, -3e-40, -1e-40},                  // subnormal as float
        {6, -1e7 - 0.3, -1e7 + 0.3, 1e7 - 0.7, 1e7 + 0.7},  // far from float precision
        {7, 123456.789, 123456.789, -98765.4321, -98765.4321},
        {8, 0.1, 0.2, 0.3, 0.4},
        {9, 16777217.0, 16777217.0, -16777217.0, -16777217.0},  // 2^24 + 1: no float has it
        {10, 3.4e38, 3.4e38, -3.4e38, -3.4e38},                 // near the float limits
    };
    // Many points and boxes with negative coordinates, so the tree has inner nodes too.
    auto more = random_boxes(3000, 42, -180.0, -90.0);
    for (std::size_t i = 0; i < more.size(); ++i) {
        Box box = more[i];
        box.id += 100;
        if (i % 2 == 0) box.xmax = box.xmin, box.ymax = box.ymin;
        boxes.push_back(box);
    }
    set_source(boxes);
    create_rtree("bulk");
    ASSERT_TRUE(bulk("bulk").has_value());
    build_slowly("slow");
    expect_equivalent("bulk", "slow", more, 11);
    // A window exactly on each of the special points finds the same rows in both trees.
    for (std::size_t i = 0; i < 10; ++i) {
        const Box& box = boxes[i];
        EXPECT_EQ(candidates("bulk", box.xmin, box.ymin, box.xmax, box.ymax),
                  candidates("slow", box.xmin, box.ymin, box.xmax, box.ymax))
            << "box " << box.id;
        EXPECT_FALSE(candidates("bulk", box.xmin, box.ymin, box.xmax, box.ymax).empty());
    }
}

TEST_F(RtreeBulkLoadTest, SqliteKeepsUpdatingABulkLoadedTree) {
    auto boxes = random_boxes(5000, 3);
    set_source(boxes);
    create_rtree("bulk");
    ASSERT_TRUE(bulk("bulk").has_value());
    build_slowly("slow");

    // The same deletes, inserts and updates on both trees, by SQLite's own code.
    for (const std::string table : {"bulk", "slow"}) {
        db().exec("DELETE FROM " + table + " WHERE pkid % 5 IN (1, 3)");
        db().exec("INSERT INTO " + table + " SELECT id + 100000, xmin + 0.01, xmax + 0.01, " +
                  "ymin - 0.2, ymax - 0.2 FROM src WHERE id % 3 = 0");
        db().exec("UPDATE " + table + " SET xmin = xmin - 0.5, xmax = xmax - 0.4 " +
                  "WHERE pkid % 7 = 0");
    }
    std::vector<Box> windows_from = random_boxes(2000, 8, 12.5, 51.8);
    expect_equivalent("bulk", "slow", windows_from, 13);
    EXPECT_EQ(db().query_int64("SELECT count(*) FROM bulk"),
              db().query_int64("SELECT count(*) FROM slow"));

    // Down to nothing and up again.
    db().exec("DELETE FROM bulk");
    EXPECT_EQ(rtreecheck("bulk"), "ok");
    db().exec("INSERT INTO bulk VALUES (1, 0, 1, 0, 1)");
    EXPECT_EQ(candidates("bulk", 0.5, 0.5, 0.6, 0.6), std::vector<std::int64_t>{1});
    EXPECT_EQ(rtreecheck("bulk"), "ok");
}

TEST_F(RtreeBulkLoadTest, ABulkLoadReplacesAnEarlierTree) {
    set_source(random_boxes(4000, 21));
    build_slowly("tree");  // SQLite's own tree with other data first
    const auto boxes = random_boxes(2500, 22);
    set_source(boxes);
    const auto stats = bulk("tree");
    ASSERT_TRUE(stats.has_value());
    EXPECT_EQ(stats->entries, 2500);
    build_slowly("slow");
    expect_equivalent("tree", "slow", boxes, 23);
}

TEST_F(RtreeBulkLoadTest, RollbackLeavesTheEarlierTree) {
    set_source(random_boxes(3000, 31));
    create_rtree("tree");
    ASSERT_TRUE(bulk("tree").has_value());
    const auto before = leaf_rows("tree");
    set_source(random_boxes(5000, 32));
    {
        Transaction transaction(db());
        Statement source = db().prepare(source_sql);
        ASSERT_TRUE(bulk_load_rtree(db(), "tree", source).has_value());
        EXPECT_EQ(db().query_int64("SELECT count(*) FROM tree"), 5000);
    }  // rolled back
    EXPECT_EQ(leaf_rows("tree"), before);
    EXPECT_EQ(rtreecheck("tree"), "ok");
    db().exec("INSERT INTO tree VALUES (999999, 0, 1, 0, 1)");
    EXPECT_EQ(rtreecheck("tree"), "ok");
}

// A process killed after the bulk load wrote (and partly spilled to the WAL) but before COMMIT.
TEST_F(RtreeBulkLoadTest, KilledProcessLeavesTheEarlierTree) {
    set_source(random_boxes(2000, 41));
    create_rtree("tree");
    ASSERT_TRUE(bulk("tree").has_value());
    const auto before = leaf_rows("tree");
    set_source(random_boxes(200000, 42));  // more nodes than SQLite's page cache holds
    m_db.reset();                          // no SQLite connection may cross fork()
    const auto wal = std::filesystem::path(m_path.string() + "-wal");
    const auto wal_before = std::filesystem::exists(wal) ? std::filesystem::file_size(wal) : 0;

    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            Connection connection(m_path, ConnectionOptions{std::chrono::seconds(5), false});
            Transaction transaction(connection);
            Statement source = connection.prepare(source_sql);
            if (!bulk_load_rtree(connection, "tree", source)) _exit(3);
            kill(getpid(), SIGKILL);
        } catch (...) {
            _exit(4);
        }
        _exit(5);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    // The new tree had reached the disk, uncommitted.
    ASSERT_TRUE(std::filesystem::exists(wal));
    EXPECT_GT(std::filesystem::file_size(wal), wal_before + 1'000'000);

    m_db.emplace(m_path);
    EXPECT_EQ(db().query_text("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(rtreecheck("tree"), "ok");
    EXPECT_EQ(leaf_rows("tree"), before);
}

TEST_F(RtreeBulkLoadTest, DeclinesBoxesSqliteWouldNotStoreAsGivenAndChangesNothing) {
    set_source(random_boxes(300, 51));
    create_rtree("tree");
    ASSERT_TRUE(bulk("tree").has_value());
    const auto before = leaf_rows("tree");

    const std::vector<std::string> bad_rows = {
        "INSERT INTO src VALUES (900001, NULL, 1, 0, 1)",          // a missing value
        "INSERT INTO src VALUES (900002, 2, 1, 0, 1)",             // xmin > xmax
        "INSERT INTO src VALUES (900003, 0, 1, 5, 4)",             // ymin > ymax
        "INSERT INTO src SELECT id, 0, 1, 0, 1 FROM src LIMIT 1",  // a repeated id
        "INSERT INTO src VALUES (900004, 0, 1e39, 0, 1)",          // beyond float
        "INSERT INTO src VALUES (900005, -1e39, 1, 0, 1)",
    };
    for (const std::string& bad : bad_rows) {
        SCOPED_TRACE(bad);
        db().exec("DROP TABLE IF EXISTS good; CREATE TABLE good AS SELECT * FROM src");
        db().exec(bad);
        EXPECT_FALSE(bulk("tree").has_value());
        EXPECT_EQ(leaf_rows("tree"), before);
        db().exec("DELETE FROM src; INSERT INTO src SELECT * FROM good");
    }
    EXPECT_EQ(rtreecheck("tree"), "ok");

    // Other kinds of rtree tables: integer coordinates, three dimensions, auxiliary columns.
    db().exec("CREATE VIRTUAL TABLE ints USING rtree_i32(pkid, xmin, xmax, ymin, ymax)");
    create_rtree("cube", "pkid, xmin, xmax, ymin, ymax, zmin, zmax");
    create_rtree("aux", "pkid, xmin, xmax, ymin, ymax, +label");
    for (const std::string table : {"ints", "cube", "aux"}) {
        SCOPED_TRACE(table);
        db().exec("INSERT INTO " + table + " (pkid, xmin, xmax, ymin, ymax) VALUES " +
                  "(7, 1, 2, 3, 4)");
        EXPECT_FALSE(bulk(table).has_value());
        EXPECT_EQ(db().query_int64("SELECT count(*) FROM " + table), 1);
    }

    // And after all that, the source statement works again: the loader resets it.
    Transaction transaction(db());
    Statement source = db().prepare(source_sql);
    EXPECT_TRUE(bulk_load_rtree(db(), "tree", source).has_value());
    EXPECT_TRUE(bulk_load_rtree(db(), "tree", source).has_value());
    transaction.commit();
    EXPECT_EQ(db().query_int64("SELECT count(*) FROM tree"), 300);
}

TEST_F(RtreeBulkLoadTest, NeedsAnOpenTransaction) {
    set_source(random_boxes(10, 61));
    create_rtree("tree");
    Statement source = db().prepare(source_sql);
    EXPECT_THROW(bulk_load_rtree(db(), "tree", source), leerstand::InternalError);
}

// ---------------------------------------------------------------------------------------------
// Through the building import: SpatiaLite's own index of buildings.footprint

class BulkLoadedSpatialIndexTest : public leerstand::test::StoreTest {
  protected:
    void SetUp() override { add_two_kommunen(m_store); }

    Connection& db() { return m_store.connection(); }

    // `count` buildings at random places inside a test Kommune (Angermünde unless told).
    std::int64_t import(int count, std::uint64_t seed, bool replace = false,
                        const std::string& ags = angermuende) {
        const bool north = ags == angermuende;
        std::mt19937_64 random(seed);
        std::uniform_real_distribution<double> offset(0.0, 0.0999);
        const auto mode = replace ? "replace" : "append";
        auto job = m_store.begin_building_import(upload("buildings", mode), replace, "");
        for (int i = 0; i < count; ++i)
            job.add(building(ags, "b" + std::to_string(seed) + "/" + std::to_string(i),
                             (north ? 13.9 : 13.2) + offset(random),
                             (north ? 53.0 : 51.7) + offset(random)));
        return job.commit(upload("buildings", mode));
    }

    // What SQLite's own inserts make of the stored footprints: the reference index.
    void build_reference() {
        db().exec("DROP TABLE IF EXISTS reference");
        db().exec("CREATE VIRTUAL TABLE reference USING rtree(pkid, xmin, xmax, ymin, ymax)");
        db().exec(
            "INSERT INTO reference SELECT id, MbrMinX(footprint), MbrMaxX(footprint), "
            "MbrMinY(footprint), MbrMaxY(footprint) FROM buildings");
    }

    std::vector<std::int64_t> ids(const std::string& sql, double x0, double y0, double x1,
                                  double y1) {
        Statement statement = db().prepare(sql);
        statement.bind(1, x0).bind(2, y0).bind(3, x1).bind(4, y1);
        std::vector<std::int64_t> found;
        while (statement.step()) found.push_back(statement.column_int64(0));
        std::sort(found.begin(), found.end());
        return found;
    }

    struct Window {
        double x0, y0, x1, y1;
    };

    static std::vector<Window> windows(std::uint64_t seed) {
        std::mt19937_64 random(seed);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        std::vector<Window> result;
        for (int i = 0; i < 100; ++i) {
            const bool north = i % 4 != 0;  // mostly Angermünde, some Herzberg
            const double x0 = (north ? 13.88 : 13.18) + 0.12 * unit(random);
            const double y0 = (north ? 52.98 : 51.68) + 0.12 * unit(random);
            result.push_back(Window{x0, y0, x0 + 0.01 * unit(random), y0 + 0.01 * unit(random)});
        }
        return result;
    }

    std::vector<std::int64_t> spatial_index(const Window& w) {
        return ids(
            "SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'buildings' AND "
            "f_geometry_column = 'footprint' AND search_frame = BuildMbr(?1, ?2, ?3, ?4)",
            w.x0, w.y0, w.x1, w.y1);
    }

    std::vector<std::int64_t> direct(const std::string& table, const Window& w) {
        return ids("SELECT pkid FROM " + table +
                       " WHERE xmax >= ?1 AND xmin <= ?3 AND ymax >= ?2 AND ymin <= ?4",
                   w.x0, w.y0, w.x1, w.y1);
    }

    // The spatial index passes SQLite's and SpatiaLite's checks, holds exactly what SQLite's own
    // inserts of the same boxes hold, finds every building whose MBR meets a window, and gives
    // through SpatiaLite's SpatialIndex table the answers of the index SpatiaLite rebuilds itself.
    void expect_index_like_reference(std::uint64_t seed) {
        EXPECT_EQ(db().query_text("SELECT rtreecheck('idx_buildings_footprint')"), "ok");
        EXPECT_EQ(db().query_int64("SELECT CheckSpatialIndex('buildings', 'footprint')"), 1);
        build_reference();
        EXPECT_EQ(
            db().query_int64("SELECT count(*) FROM idx_buildings_footprint i JOIN reference r "
                             "ON r.pkid = i.pkid AND r.xmin = i.xmin AND r.xmax = i.xmax AND "
                             "r.ymin = i.ymin AND r.ymax = i.ymax"),
            db().query_int64("SELECT count(*) FROM buildings"));
        std::vector<std::vector<std::int64_t>> answers;
        for (const Window& w : windows(seed)) {
            ASSERT_EQ(direct("idx_buildings_footprint", w), direct("reference", w));
            answers.push_back(spatial_index(w));
            const auto exact =
                ids("SELECT id FROM buildings WHERE "
                    "MbrIntersects(footprint, BuildMbr(?1, ?2, ?3, ?4))",
                    w.x0, w.y0, w.x1, w.y1);
            EXPECT_TRUE(std::includes(answers.back().begin(), answers.back().end(), exact.begin(),
                                      exact.end()));
        }
        Transaction transaction(db());  // rolled back: the index under test stays
        ASSERT_EQ(db().query_int64("SELECT RecoverSpatialIndex('buildings', 'footprint')"), 1);
        std::size_t i = 0;
        for (const Window& w : windows(seed)) EXPECT_EQ(spatial_index(w), answers[i++]);
    }

    std::int64_t capacity() {
        return (db().query_int64("SELECT length(data) FROM idx_buildings_footprint_node "
                                 "WHERE nodeno = 1") -
                4) /
               24;
    }

    // A packed tree has exactly this many nodes; SQLite's own inserts leave nodes part empty.
    bool looks_bulk_loaded() {
        const std::int64_t rows = db().query_int64("SELECT count(*) FROM buildings");
        return db().query_int64("SELECT count(*) FROM idx_buildings_footprint_node") ==
               packed_nodes(rows, capacity());
    }

    leerstand::data::Store m_store{m_location};
};

TEST_F(BulkLoadedSpatialIndexTest, ImportsBulkLoadAnIndexThatSpatiaLiteKeepsUsing) {
    LEERSTAND_REQUIRE_SPATIALITE("the R*Tree that the import bulk-loads");
    import(5000, 1);  // first import: bulk load
    EXPECT_TRUE(looks_bulk_loaded());
    expect_index_like_reference(101);

    import(100, 2);  // small append: SQLite's inserts into the bulk-loaded tree
    EXPECT_FALSE(looks_bulk_loaded());
    expect_index_like_reference(102);

    // Replacing a small Kommune beside a big one: entries deleted and inserted one by one.
    import(60, 5, false, herzberg);
    import(40, 6, true, herzberg);
    EXPECT_FALSE(looks_bulk_loaded());
    EXPECT_EQ(db().query_int64("SELECT count(*) FROM buildings WHERE kommune_ags = '" +
                               std::string(herzberg) + "'"),
              40);
    expect_index_like_reference(106);

    // SpatiaLite's triggers, back in place after the imports, update the tree row by row.
    db().exec("DELETE FROM buildings WHERE id % 4 = 1");
    db().exec(
        "UPDATE buildings SET footprint = CastToMultiPolygon(BuildMbr(13.95, 53.05, "
        "13.951, 53.051, 4326)) WHERE id % 9 = 0");
    db().exec(
        "INSERT INTO buildings (kommune_ags, footprint) SELECT kommune_ags, "
        "CastToMultiPolygon(BuildMbr(MbrMinX(footprint) - 0.001, MbrMinY(footprint), "
        "MbrMinX(footprint), MbrMaxY(footprint), 4326)) FROM buildings WHERE id % 4 = 2");
    expect_index_like_reference(103);

    import(3000, 3);  // big append: a new bulk load over all rows
    EXPECT_TRUE(looks_bulk_loaded());
    expect_index_like_reference(104);

    const std::string others_sql =
        "SELECT count(*) FROM buildings WHERE kommune_ags <> '" + std::string(angermuende) + "'";
    const std::int64_t others = db().query_int64(others_sql);
    import(2000, 4, true);  // replace of all of Angermünde: bulk load again
    EXPECT_TRUE(looks_bulk_loaded());
    EXPECT_EQ(db().query_int64(others_sql), others);
    EXPECT_EQ(db().query_int64("SELECT count(*) FROM buildings"), others + 2000);
    expect_index_like_reference(105);
}

}  // namespace
