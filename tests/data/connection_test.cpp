#include "data/connection.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "tests/support/test_support.hpp"

namespace {

using leerstand::data::Connection;
using leerstand::data::ConnectionOptions;
using leerstand::data::Statement;
using leerstand::data::Transaction;
using namespace std::chrono_literals;

class ConnectionTest : public ::testing::Test {
  protected:
    leerstand::test::TempDir m_dir;
    std::filesystem::path m_path = m_dir / "connection.sqlite";
};

TEST_F(ConnectionTest, OpensWithWalForeignKeysBusyTimeoutAndSpatialite) {
    Connection db(m_path);
    EXPECT_EQ(db.query_text("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(db.query_int64("PRAGMA foreign_keys"), 1);
    EXPECT_EQ(db.query_int64("PRAGMA synchronous"), 1);  // NORMAL
    EXPECT_EQ(db.query_int64("PRAGMA busy_timeout"), 5000);
    EXPECT_EQ(db.query_text("SELECT spatialite_version()").substr(0, 2), "5.");
    EXPECT_TRUE(std::filesystem::exists(m_path));
}

TEST_F(ConnectionTest, BusyTimeoutComesFromOptions) {
    // SpatiaLite sets its own timeout when loaded; the option must still win.
    Connection spatial(m_path, ConnectionOptions{250ms, true});
    EXPECT_EQ(spatial.query_int64("PRAGMA busy_timeout"), 250);
    Connection db(m_path, ConnectionOptions{250ms, false});
    EXPECT_EQ(db.query_int64("PRAGMA busy_timeout"), 250);
    // Without SpatiaLite its functions are unknown: proves the option is honoured.
    EXPECT_THROW(db.query_text("SELECT spatialite_version()"), leerstand::InternalError);
}

TEST_F(ConnectionTest, SqlFunctionLoadExtensionStaysDisabled) {
    Connection db(m_path);
    // Only the C API was enabled, and only while loading SpatiaLite.
    EXPECT_THROW(db.query_text("SELECT load_extension('mod_spatialite')"),
                 leerstand::InternalError);
}

TEST_F(ConnectionTest, BindsAndReadsEveryType) {
    Connection db(m_path);
    db.exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n TEXT, o INTEGER)");
    const std::vector<unsigned char> blob = {0, 1, 0, 255, 42};
    const std::optional<int> present = 7;
    Statement insert = db.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, std::int64_t{9007199254740993})
        .bind(2, 0.1)
        .bind(3, std::string("Angermünde – Straße"))
        .bind_blob(4, blob)
        .bind_null(5)
        .bind(6, present);
    insert.run();
    insert.reset();
    insert.bind(1, 1).bind(2, 2.0).bind(3, "x").bind_blob(4, {}).bind_text_or_null(5, "");
    insert.bind(6, std::optional<int>{});
    insert.run();

    Statement select =
        db.prepare("SELECT i, d, s, b, n, o, typeof(b), typeof(n) FROM t ORDER BY rowid");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_int64(0), 9007199254740993);
    EXPECT_DOUBLE_EQ(select.column_double(1), 0.1);
    EXPECT_EQ(select.column_text(2), "Angermünde – Straße");
    EXPECT_EQ(select.column_blob(3), blob);
    EXPECT_TRUE(select.column_is_null(4));
    EXPECT_EQ(select.column_optional_int64(5), 7);
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_text(6), "blob");  // an empty blob stays a blob, not NULL
    EXPECT_EQ(select.column_text(7), "null");  // empty text became NULL
    EXPECT_EQ(select.column_optional_int64(5), std::nullopt);
    EXPECT_FALSE(select.step());
}

TEST_F(ConnectionTest, ConstraintViolationBecomesConflict) {
    Connection db(m_path);
    db.exec("CREATE TABLE t (name TEXT UNIQUE)");
    db.exec("INSERT INTO t VALUES ('a')");
    EXPECT_THROW(db.exec("INSERT INTO t VALUES ('a')"), leerstand::Conflict);
    Statement insert = db.prepare("INSERT INTO t VALUES (?)");
    insert.bind(1, "a");
    EXPECT_THROW(insert.run(), leerstand::Conflict);
    // The statement is usable again after the failure.
    insert.bind(1, "b");
    EXPECT_NO_THROW(insert.run());
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM t"), 2);
}

TEST_F(ConnectionTest, OtherFailuresBecomeInternalError) {
    Connection db(m_path);
    EXPECT_THROW(db.exec("SELEKT 1"), leerstand::InternalError);
    EXPECT_THROW(db.prepare("SELECT * FROM missing_table"), leerstand::InternalError);
}

TEST_F(ConnectionTest, LockedDatabaseBecomesStorageBusyAfterTimeout) {
    Connection holder(m_path);
    holder.exec("CREATE TABLE t (x)");
    Transaction hold(holder);
    holder.exec("INSERT INTO t VALUES (1)");

    Connection waiter(m_path, ConnectionOptions{100ms, true});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(Transaction{waiter}, leerstand::StorageBusy);
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, 90ms);    // it did wait...
    EXPECT_LT(waited, 2500ms);  // ...but not SpatiaLite's default 5 s
    // WAL: readers are not blocked by the writer and see the last committed state.
    EXPECT_EQ(waiter.query_int64("SELECT count(*) FROM t"), 0);
}

TEST_F(ConnectionTest, TransactionRollsBackUnlessCommitted) {
    Connection db(m_path);
    db.exec("CREATE TABLE t (x)");
    {
        Transaction transaction(db);
        db.exec("INSERT INTO t VALUES (1)");
        EXPECT_TRUE(db.in_transaction());
    }
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM t"), 0);
    {
        Transaction transaction(db);
        db.exec("INSERT INTO t VALUES (2)");
        transaction.commit();
    }
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM t"), 1);
}

TEST_F(ConnectionTest, NestedTransactionIsRefused) {
    Connection db(m_path);
    Transaction outer(db);
    EXPECT_THROW(Transaction{db}, leerstand::InternalError);
}

TEST_F(ConnectionTest, UnopenableFileBecomesInternalError) {
    // A folder cannot be opened as a database file.
    EXPECT_THROW(Connection{m_dir.path()}, leerstand::InternalError);
}

TEST(UtcNow, IsIso8601Utc) {
    const std::string now = leerstand::data::utc_now_iso8601();
    ASSERT_EQ(now.size(), 20u);
    EXPECT_EQ(now[4], '-');
    EXPECT_EQ(now[10], 'T');
    EXPECT_EQ(now.back(), 'Z');
}

}  // namespace
