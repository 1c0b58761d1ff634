#include "data/connection.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/connection_backend.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_support.hpp"

// AddressSanitizer keeps freed memory in quarantine (256 MB by default), so a process's peak
// memory says nothing about what the code holds there; the normal build checks it.
#if defined(__SANITIZE_ADDRESS__)
#define LEERSTAND_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LEERSTAND_UNDER_ASAN 1
#endif
#endif

namespace {

using leerstand::data::Connection;
using leerstand::data::ConnectionOptions;
using leerstand::data::DatabaseLocation;
using leerstand::data::Dialect;
using leerstand::data::Statement;
using leerstand::data::Transaction;
using namespace std::chrono_literals;

class ConnectionTest : public ::testing::Test {
  protected:
    // The run's backend (tests/support/test_database.hpp); SQLite cases below open m_path.
    void SetUp() override {
        if (leerstand::test::test_backend() == leerstand::test::Backend::postgres)
            m_postgres.emplace(leerstand::test::Backend::postgres);
    }
    bool postgres() const { return m_postgres.has_value(); }
    DatabaseLocation location() const {
        return m_postgres ? m_postgres->location() : DatabaseLocation(m_path);
    }
    Connection open(ConnectionOptions options = {}) const {
        return Connection(location(), options);
    }

    leerstand::test::TempDir m_dir;
    std::filesystem::path m_path = m_dir / "connection.sqlite";
    std::optional<leerstand::test::TestDatabase> m_postgres;
};

#define SQLITE_ONLY() \
    if (postgres()) GTEST_SKIP() << "SQLite only; the PostgreSQL counterpart is below"
#define POSTGRES_ONLY() \
    if (!postgres()) GTEST_SKIP() << "PostgreSQL only: set LEERSTAND_TEST_BACKEND=postgres"

TEST_F(ConnectionTest, OpensWithWalForeignKeysBusyTimeoutAndSpatialite) {
    SQLITE_ONLY();
    Connection db(m_path);
    EXPECT_EQ(db.query_text("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(db.query_int64("PRAGMA foreign_keys"), 1);
    EXPECT_EQ(db.query_int64("PRAGMA synchronous"), 1);  // NORMAL
    EXPECT_EQ(db.query_int64("PRAGMA busy_timeout"), 5000);
    EXPECT_EQ(db.query_text("SELECT spatialite_version()").substr(0, 2), "5.");
    EXPECT_TRUE(std::filesystem::exists(m_path));
}

TEST_F(ConnectionTest, BusyTimeoutComesFromOptions) {
    SQLITE_ONLY();
    // SpatiaLite sets its own timeout when loaded; the option must still win.
    Connection spatial(m_path, ConnectionOptions{250ms, true});
    EXPECT_EQ(spatial.query_int64("PRAGMA busy_timeout"), 250);
    Connection db(m_path, ConnectionOptions{250ms, false});
    EXPECT_EQ(db.query_int64("PRAGMA busy_timeout"), 250);
    // Without SpatiaLite its functions are unknown: proves the option is honoured.
    EXPECT_THROW(db.query_text("SELECT spatialite_version()"), leerstand::InternalError);
}

TEST_F(ConnectionTest, SqlFunctionLoadExtensionStaysDisabled) {
    SQLITE_ONLY();
    Connection db(m_path);
    // Only the C API was enabled, and only while loading SpatiaLite.
    EXPECT_THROW(db.query_text("SELECT load_extension('mod_spatialite')"),
                 leerstand::InternalError);
}

TEST_F(ConnectionTest, BindsAndReadsEveryType) {
    Connection db = open();
    // One SQL text for both: SQLite takes PostgreSQL's type names by affinity.
    db.exec(
        "CREATE TABLE t (k INTEGER PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT, b BYTEA, "
        "n TEXT, o INTEGER)");
    const std::vector<unsigned char> blob = {0, 1, 0, 255, 42};
    const std::optional<int> present = 7;
    Statement insert =
        db.prepare("INSERT INTO t (k, i, d, s, b, n, o) VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, 1)
        .bind(2, std::int64_t{9007199254740993})
        .bind(3, 0.1)
        .bind(4, std::string("Angermünde – Straße"))
        .bind_blob(5, blob)
        .bind_null(6)
        .bind(7, present);
    insert.run();
    insert.reset();
    insert.bind(1, 2).bind(2, 1).bind(3, 2.0).bind(4, "x").bind_blob(5, {}).bind_text_or_null(6,
                                                                                              "");
    insert.bind(7, std::optional<int>{});
    insert.run();

    Statement select = db.prepare("SELECT i, d, s, b, n, o FROM t ORDER BY k");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_int64(0), 9007199254740993);
    EXPECT_DOUBLE_EQ(select.column_double(1), 0.1);
    EXPECT_EQ(select.column_text(2), "Angermünde – Straße");
    EXPECT_EQ(select.column_blob(3), blob);
    EXPECT_TRUE(select.column_is_null(4));
    EXPECT_EQ(select.column_optional_int64(5), 7);
    EXPECT_EQ(select.column_kind(0), Statement::ColumnKind::Integer);
    EXPECT_EQ(select.column_kind(1), Statement::ColumnKind::Real);
    EXPECT_EQ(select.column_kind(2), Statement::ColumnKind::Text);
    ASSERT_TRUE(select.step());
    // An empty blob stays a blob, not NULL; empty text became NULL.
    EXPECT_EQ(select.column_kind(3), Statement::ColumnKind::Blob);
    EXPECT_TRUE(select.column_blob(3).empty());
    EXPECT_EQ(select.column_kind(4), Statement::ColumnKind::Null);
    EXPECT_EQ(select.column_optional_text(4), std::nullopt);
    EXPECT_EQ(select.column_optional_int64(5), std::nullopt);
    EXPECT_FALSE(select.step());
}

TEST_F(ConnectionTest, ConstraintViolationBecomesConflict) {
    Connection db = open();
    db.exec("CREATE TABLE t (name TEXT UNIQUE)");
    db.exec("INSERT INTO t VALUES ('a')");
    try {
        db.exec("INSERT INTO t VALUES ('a')");
        ADD_FAILURE() << "no Conflict";
    } catch (const leerstand::Conflict& e) {
        // The same words on both backends: users read them.
        EXPECT_STREQ(e.what(), "cannot save the change: a record with the same key already exists");
    }
    Statement insert = db.prepare("INSERT INTO t VALUES (?)");
    insert.bind(1, "a");
    EXPECT_THROW(insert.run(), leerstand::Conflict);
    // The statement is usable again after the failure.
    insert.bind(1, "b");
    EXPECT_NO_THROW(insert.run());
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM t"), 2);
}

TEST_F(ConnectionTest, OtherFailuresBecomeInternalError) {
    Connection db = open();
    EXPECT_THROW(db.exec("SELEKT 1"), leerstand::InternalError);
    EXPECT_THROW(db.prepare("SELECT * FROM missing_table"), leerstand::InternalError);
}

TEST_F(ConnectionTest, LockedDatabaseBecomesStorageBusyAfterTimeout) {
    Connection holder = open();
    holder.exec("CREATE TABLE t (x INTEGER)");
    Transaction hold(holder);
    holder.exec("INSERT INTO t VALUES (1)");

    Connection waiter = open(ConnectionOptions{100ms, true});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(Transaction{waiter}, leerstand::StorageBusy);
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, 90ms);    // it did wait...
    EXPECT_LT(waited, 2500ms);  // ...but not SpatiaLite's default 5 s
    // WAL and MVCC: readers are not blocked by the writer and see the last committed state.
    EXPECT_EQ(waiter.query_int64("SELECT count(*) FROM t"), 0);
}

TEST_F(ConnectionTest, TransactionRollsBackUnlessCommitted) {
    Connection db = open();
    db.exec("CREATE TABLE t (x INTEGER)");
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
    Connection db = open();
    Transaction outer(db);
    EXPECT_THROW(Transaction{db}, leerstand::InternalError);
}

TEST_F(ConnectionTest, UnopenableFileBecomesInternalError) {
    SQLITE_ONLY();
    // A folder cannot be opened as a database file.
    EXPECT_THROW(Connection{m_dir.path()}, leerstand::InternalError);
}

TEST_F(ConnectionTest, DialectNamesTheBackend) {
    EXPECT_EQ(open().dialect(), postgres() ? Dialect::postgres : Dialect::spatialite);
}

TEST_F(ConnectionTest, ReturningGivesTheNewIdOnBothAndChangesCountsTheLastWrite) {
    Connection db = open();
    // Each schema has its own words for a generated key (the migrations' business).
    db.exec(std::string("CREATE TABLE t (id ") +
            (postgres() ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
                        : "INTEGER PRIMARY KEY") +
            ", name TEXT)");
    db.exec("INSERT INTO t (name) VALUES ('a')");
    Statement insert = db.prepare("INSERT INTO t (name) VALUES (?) RETURNING id");
    insert.bind(1, "b");
    ASSERT_TRUE(insert.step());
    const std::int64_t id = insert.column_int64(0);
    EXPECT_EQ(id, 2);
    EXPECT_FALSE(insert.step());
    db.exec("UPDATE t SET name = 'c'");
    EXPECT_EQ(db.changes(), 2);
    // A read leaves the count of the last write.
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM t"), 2);
    EXPECT_EQ(db.changes(), 2);
    if (postgres())
        EXPECT_THROW((void)db.last_insert_rowid(), leerstand::InternalError);
    else
        EXPECT_EQ(db.last_insert_rowid(), id);
}

TEST(NumberPlaceholders, NumbersOnlyParametersOutsideQuotesAndComments) {
    using leerstand::data::detail::number_placeholders;
    const auto plain = number_placeholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)");
    EXPECT_EQ(plain.text, "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
    EXPECT_EQ(plain.parameter_count, 3);
    const auto quoted = number_placeholders(
        "SELECT '?', 'it''s ?', \"odd?name\", E'\\'?', ? -- why?\n"
        "/* a ? /* nested ? */ still ? */ , $$ ? $$, $body$ ' ? $body$, a$b, ?");
    EXPECT_EQ(quoted.text,
              "SELECT '?', 'it''s ?', \"odd?name\", E'\\'?', $1 -- why?\n"
              "/* a ? /* nested ? */ still ? */ , $$ ? $$, $body$ ' ? $body$, a$b, $2");
    EXPECT_EQ(quoted.parameter_count, 2);
    // A positional $1 is not a dollar quote; an unterminated string swallows the rest.
    EXPECT_EQ(number_placeholders("SELECT $1, ?").text, "SELECT $1, $1");
    EXPECT_EQ(number_placeholders("SELECT 'open ?").parameter_count, 0);
}

TEST(NumberPlaceholders, KeepsSqliteNumberedParameters) {
    using leerstand::data::detail::number_placeholders;
    // As in SQLite: ?NNN is parameter NNN, may repeat, and a bare ? follows the largest so far.
    const auto numbered = number_placeholders("UPDATE k SET slug = ?1 WHERE ags = ?2 OR ags = ?1");
    EXPECT_EQ(numbered.text, "UPDATE k SET slug = $1 WHERE ags = $2 OR ags = $1");
    EXPECT_EQ(numbered.parameter_count, 2);
    const auto mixed = number_placeholders("SELECT ?3, ?, ?12");
    EXPECT_EQ(mixed.text, "SELECT $3, $4, $12");
    EXPECT_EQ(mixed.parameter_count, 12);
}

TEST_F(ConnectionTest, PostgresOpensWithUtcUtf8AndTheBusyTimeoutAsLockTimeout) {
    POSTGRES_ONLY();
    Connection db = open(ConnectionOptions{250ms, true});
    EXPECT_EQ(db.query_text("SHOW lock_timeout"), "250ms");
    EXPECT_EQ(db.query_text("SHOW timezone"), "UTC");
    EXPECT_EQ(db.query_text("SHOW client_encoding"), "UTF8");
    // No NOTICE on a command's stderr (migrating a new database told of PostGIS there).
    EXPECT_EQ(db.query_text("SHOW client_min_messages"), "warning");
    EXPECT_EQ(db.query_text("SELECT postgis_lib_version()").substr(0, 2), "3.");
    EXPECT_THROW((void)db.sqlite_handle(), leerstand::InternalError);
}

TEST_F(ConnectionTest, PostgresKeepsQuestionMarksInStringsAndComments) {
    POSTGRES_ONLY();
    Connection db = open();
    Statement select = db.prepare(
        "SELECT '?' AS quoted, CAST(? AS TEXT) AS bound, $tag$ ? $tag$ AS dollar -- or ?\n"
        ", /* ? */ \"?\".x FROM (SELECT 3 AS x) AS \"?\"");
    EXPECT_EQ(select.parameter_count(), 1);
    select.bind(1, "yes");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_text(0), "?");
    EXPECT_EQ(select.column_text(1), "yes");
    EXPECT_EQ(select.column_text(2), " ? ");
    EXPECT_EQ(select.column_int64(3), 3);
    EXPECT_EQ(select.column_name(1), "bound");
    EXPECT_EQ(select.column_count(), 4);
}

TEST_F(ConnectionTest, PostgresByteaRoundTripsEveryByteValue) {
    POSTGRES_ONLY();
    Connection db = open();
    db.exec("CREATE TABLE b (bytes BYTEA)");
    std::vector<unsigned char> all(256);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<unsigned char>(i);
    Statement insert = db.prepare("INSERT INTO b VALUES (?)");
    insert.bind_blob(1, all).run();
    // The server holds the same bytes (checked there, not through our decoder) ...
    EXPECT_EQ(db.query_text("SELECT encode(sha256(bytes), 'hex') FROM b"),
              db.query_text("SELECT encode(sha256(decode(string_agg(lpad(to_hex(g), 2, '0'), '' "
                            "ORDER BY g), 'hex')), 'hex') FROM generate_series(0, 255) g"));
    // ... and they come back byte for byte, as text too.
    Statement select = db.prepare("SELECT bytes, length(bytes) FROM b");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_kind(0), Statement::ColumnKind::Blob);
    EXPECT_EQ(select.column_blob(0), all);
    const auto view = select.column_blob_view(0);
    EXPECT_EQ(std::vector<unsigned char>(view.begin(), view.end()), all);
    EXPECT_EQ(select.column_text(0), std::string(all.begin(), all.end()));
    EXPECT_EQ(select.column_int64(1), 256);
}

TEST_F(ConnectionTest, PostgresGeometryReadsAsEwkbBytes) {
    POSTGRES_ONLY();
    Connection db = open();
    Statement select = db.prepare("SELECT ST_SetSRID(ST_MakePoint(1, 2), 4326)");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_kind(0), Statement::ColumnKind::Blob);
    const auto ewkb = select.column_blob(0);
    // Little endian, Point with the SRID flag, SRID 4326, then x = 1.0 and y = 2.0.
    ASSERT_EQ(ewkb.size(), 25u);
    EXPECT_EQ(ewkb[0], 1);
    EXPECT_EQ(ewkb[4], 0x20);
    EXPECT_EQ(ewkb[5], 0xe6);
    EXPECT_EQ(ewkb[6], 0x10);
}

TEST_F(ConnectionTest, PostgresBooleansReadAsZeroAndOneAndNullsStayNull) {
    POSTGRES_ONLY();
    Connection db = open();
    db.exec("CREATE TABLE f (flag BOOLEAN, note TEXT)");
    Statement insert = db.prepare("INSERT INTO f VALUES (?, ?)");
    insert.bind(1, 1).bind_null(2).run();
    insert.reset();
    insert.bind(1, 0).bind(2, std::optional<std::string>{}).run();
    insert.reset();
    insert.run();  // reset cleared both: NULL, NULL
    Statement select =
        db.prepare("SELECT flag, note, flag = ? FROM f ORDER BY flag DESC NULLS LAST");
    select.bind(1, 1);
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_int64(0), 1);
    EXPECT_EQ(select.column_text(0), "1");
    EXPECT_EQ(select.column_kind(0), Statement::ColumnKind::Integer);
    EXPECT_EQ(select.column_optional_text(1), std::nullopt);
    EXPECT_EQ(select.column_int64(2), 1);
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_int64(0), 0);
    EXPECT_EQ(select.column_double(0), 0.0);
    EXPECT_EQ(select.column_int64(2), 0);
    ASSERT_TRUE(select.step());
    EXPECT_TRUE(select.column_is_null(0));
    EXPECT_EQ(select.column_kind(0), Statement::ColumnKind::Null);
    EXPECT_EQ(select.column_optional_int64(0), std::nullopt);
    EXPECT_FALSE(select.step());
}

TEST_F(ConnectionTest, PostgresRowLockTimeoutBecomesStorageBusy) {
    POSTGRES_ONLY();
    Connection holder = open();
    holder.exec("CREATE TABLE t (x INTEGER)");
    holder.exec("INSERT INTO t VALUES (1)");
    holder.exec("BEGIN");
    holder.exec("UPDATE t SET x = 2");
    // Without a Transaction (no advisory lock): the row lock itself times out.
    Connection waiter = open(ConnectionOptions{100ms, true});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(waiter.exec("UPDATE t SET x = 3"), leerstand::StorageBusy);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 90ms);
    holder.exec("ROLLBACK");
    EXPECT_NO_THROW(waiter.exec("UPDATE t SET x = 3"));
}

TEST_F(ConnectionTest, PostgresStreamsRowsWithoutHoldingThem) {
    POSTGRES_ONLY();
    Connection db = open();
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    // 100k rows of 1 kB: 100 MB if the result were held at once.
    Statement rows = db.prepare("SELECT g, repeat('x', 1000) FROM generate_series(1, ?) AS g");
    rows.bind(1, 100000).stream();
    std::int64_t count = 0;
    std::int64_t sum = 0;
    while (rows.step()) {
        ++count;
        sum += rows.column_int64(0);
        if (count == 10) {
            // The connection is busy with the stream: another statement is refused clearly.
            try {
                db.query_int64("SELECT 1");
                ADD_FAILURE() << "a statement ran during the stream";
            } catch (const leerstand::InternalError& e) {
                EXPECT_NE(std::string(e.what()).find("stream"), std::string::npos) << e.what();
            }
        }
    }
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    EXPECT_EQ(count, 100000);
    EXPECT_EQ(sum, std::int64_t{100000} * 100001 / 2);
#ifndef LEERSTAND_UNDER_ASAN
    EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 40 * 1024) << "kB of peak memory";
#endif
    // After the end the connection serves others again; a reset mid-stream frees it too.
    EXPECT_EQ(db.query_int64("SELECT 2"), 2);
    rows.reset();
    rows.bind(1, 100000);
    ASSERT_TRUE(rows.step());
    rows.reset();
    EXPECT_EQ(db.query_int64("SELECT 3"), 3);
}

TEST_F(ConnectionTest, PostgresLostConnectionIsBusyThenReconnects) {
    POSTGRES_ONLY();
    Connection db = open();
    Statement kept = db.prepare("SELECT CAST(? AS INTEGER) + 1");
    Connection other = open();
    other.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    ::testing::internal::CaptureStderr();
    EXPECT_THROW(db.query_int64("SELECT 1"), leerstand::StorageBusy);
    const std::string log = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("PostgreSQL lost the connection"), std::string::npos) << log;
    // The next use connects again, and a statement prepared before is prepared again.
    EXPECT_EQ(db.query_int64("SELECT 1"), 1);
    kept.bind(1, 41);
    ASSERT_TRUE(kept.step());
    EXPECT_EQ(kept.column_int64(0), 42);
}

TEST_F(ConnectionTest, PostgresUnreachableServerNamesTheHostNotThePassword) {
    POSTGRES_ONLY();
    ::testing::internal::CaptureStderr();
    try {
        Connection db(
            DatabaseLocation("postgresql://atlas:topsecret@nohost.invalid:5999/x"
                             "?connect_timeout=3"));
        ADD_FAILURE() << "connected to nohost.invalid";
    } catch (const leerstand::StorageBusy& e) {
        EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos);
    }
    const std::string log = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("nohost.invalid"), std::string::npos) << log;
    EXPECT_EQ(log.find("topsecret"), std::string::npos) << log;
    // A conninfo libpq cannot parse is the operator's input error.
    try {
        Connection db(DatabaseLocation("postgresql://atlas:topsecret@dbhost/x?no_such_option=1"));
        ADD_FAILURE() << "a malformed conninfo was accepted";
    } catch (const leerstand::InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("dbhost"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos) << e.what();
    }
}

TEST_F(ConnectionTest, PostgresCommitAfterAFailedStatementRollsBackAndSaysSo) {
    POSTGRES_ONLY();
    Connection db = open();
    db.exec("CREATE TABLE t (x INTEGER UNIQUE)");
    {
        Transaction transaction(db);
        db.exec("INSERT INTO t VALUES (1)");
        EXPECT_THROW(db.exec("INSERT INTO t VALUES (1)"), leerstand::Conflict);
        EXPECT_THROW(transaction.commit(), leerstand::InternalError);
    }
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM t"), 0);
}

TEST_F(ConnectionTest, CopyInIsRefusedOnSqlite) {
    SQLITE_ONLY();
    Connection db = open();
    db.exec("CREATE TABLE t (x INTEGER)");
    EXPECT_THROW(db.copy_in("t", {"x"}), leerstand::InternalError);
}

TEST_F(ConnectionTest, PostgresCopyInStoresEveryTypeAndNull) {
    POSTGRES_ONLY();
    Connection db = open();
    db.exec(
        "CREATE TABLE c (id bigint GENERATED ALWAYS AS IDENTITY, n bigint, f double precision, "
        "t text, b bytea, g geometry(MultiPolygon, 4326))");
    // A MultiPolygon of one triangle in EWKB (little endian, SRID 4326): header, then WKB.
    const std::vector<unsigned char> header = {1, 6, 0, 0, 0x20, 0xe6, 0x10, 0, 0};
    std::vector<unsigned char> rest = {1, 0, 0, 0, 1, 3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0};
    for (const double coordinate : {0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0}) {
        const auto bits = std::bit_cast<std::uint64_t>(coordinate);
        for (int i = 0; i < 8; ++i) rest.push_back(static_cast<unsigned char>(bits >> (8 * i)));
    }
    const std::vector<unsigned char> all_bytes = {0, 1, 0xff, '\\', 'x'};
    Transaction transaction(db);
    auto copy = db.copy_in("c", {"n", "f", "t", "b", "g"});
    copy.add_int64(-9007199254740993)
        .add_double(-0.1)
        .add_text("Angermünde \"1\"\t'x'")
        .add_bytes(all_bytes)
        .add_bytes(header, rest);
    copy.end_row();
    copy.add_null().add_null().add_text_or_null("").add_null().add_null();
    copy.end_row();
    // A row with a field missing is refused before it is sent, and the rows before it stay.
    copy.add_int64(std::optional<int>(7));
    EXPECT_THROW(copy.end_row(), leerstand::InternalError);
    // A statement in between ends the running COPY, and sees its rows; the next row starts
    // another COPY.
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM c"), 2);
    copy.add_int64(3).add_null().add_text("after").add_null().add_null();
    copy.end_row();
    EXPECT_EQ(copy.finish(), 3);
    transaction.commit();
    EXPECT_EQ(db.query_text("SELECT n || '|' || f || '|' || t || '|' || encode(b, 'hex') || '|' "
                            "|| ST_AsText(g) || '|' || ST_SRID(g) FROM c WHERE id = 1"),
              "-9007199254740993|-0.1|Angermünde \"1\"\t'x'|0001ff5c78|"
              "MULTIPOLYGON(((0 0,1 0,0 1,0 0)))|4326");
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM c WHERE id = 2 AND n IS NULL AND f IS NULL "
                             "AND t IS NULL AND b IS NULL AND g IS NULL"),
              1);
    EXPECT_EQ(db.query_text("SELECT n || t FROM c WHERE id = 3"), "3after");
}

TEST_F(ConnectionTest, PostgresCopyErrorsAreThrownAndAnUnfinishedCopyStoresNothing) {
    POSTGRES_ONLY();
    Connection db = open();
    db.exec("CREATE TABLE c (n bigint NOT NULL UNIQUE)");
    {
        // Destroyed unfinished: the COPY is cancelled, the transaction rolled back.
        Transaction transaction(db);
        auto copy = db.copy_in("c", {"n"});
        copy.add_int64(1);
        copy.end_row();
    }
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM c"), 0);
    {
        // A broken constraint is the server's verdict at the end: Conflict, as for an INSERT.
        Transaction transaction(db);
        auto copy = db.copy_in("c", {"n"});
        for (int n : {1, 2, 1}) {
            copy.add_int64(n);
            copy.end_row();
        }
        EXPECT_THROW(copy.finish(), leerstand::Conflict);
    }
    db.exec("CREATE TABLE shapes (g geometry(MultiPolygon, 4326))");
    {
        // Bytes the column's type cannot read: InternalError, and the connection serves on.
        Transaction transaction(db);
        auto copy = db.copy_in("shapes", {"g"});
        const std::vector<unsigned char> not_wkb = {1, 2, 3};
        copy.add_bytes(not_wkb);
        copy.end_row();
        EXPECT_THROW(copy.finish(), leerstand::InternalError);
    }
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM shapes"), 0);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM c"), 0);
    EXPECT_THROW(db.copy_in("no_such_table", {"n"}), leerstand::InternalError);
    EXPECT_EQ(db.query_int64("SELECT 5"), 5);
}

TEST(UtcNow, IsIso8601Utc) {
    const std::string now = leerstand::data::utc_now_iso8601();
    ASSERT_EQ(now.size(), 20u);
    EXPECT_EQ(now[4], '-');
    EXPECT_EQ(now[10], 'T');
    EXPECT_EQ(now.back(), 'Z');
}

}  // namespace
