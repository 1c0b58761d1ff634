// `leerstand migrate-store FROM TO` as operators run it: the real binary copies a SpatiaLite
// file with rows in every table into the run's backend (a PostgreSQL database in the
// _postgres variant, another file otherwise) and from there into a new file, which must hold
// the same rows as the original (the sqlite3 client's quoted values are the oracle); the real
// server answers the same on the copy as on the original; targets with rows, old sources, a
// bad row, a tampering trigger and a SIGKILL in the middle leave the target without rows.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string>
#include <vector>

#include "data/connection.hpp"
#include "data/migrations.hpp"
#include "data/store.hpp"
#include "tests/http/http_client.hpp"
#include "tests/http/server_process.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string k_admin_password = "ein-langes-passwort-123";
constexpr const char* k_angermuende = "12073008";

/// The tables of the schema that hold a store's data, written out here as the test's own
/// list (the copy has its own), for counting what a target holds. RoundTripKeepsEveryRow reads
/// the file's own list instead and wants rows in each table, so a table added to the schema
/// fails it until the test store fills it, and then if the copy leaves it out.
const std::vector<std::string> k_data_tables = {
    "kommunen",     "uploads",        "buildings",           "vacancies",       "vacancy_history",
    "zukunftsorte", "users",          "user_kommunen",       "tokens",          "sessions",
    "images",       "image_variants", "membership_requests", "zensus2011_grid", "angebote",
    "anfragen",     "gesuche",        "vermittlungen",       "nachrichten",     "tile_changes"};

/// Runs SQL with the real sqlite3 client and SpatiaLite loaded (the spatial index triggers
/// need it); returns stdout.
std::string spatial_sql(const fs::path& db, const std::string& query,
                        const std::string& mode = "list") {
    const CommandResult result = run_command({"sqlite3", "-batch", "-cmd", ".load mod_spatialite",
                                              "-cmd", ".mode " + mode, db.string(), query});
    EXPECT_EQ(result.exit_code, 0) << query << ": " << result.err;
    return result.out;
}

/// Every row of `table`, each value as an SQL literal (so 5, 5.0, '5' and X'05' differ), in the
/// order of the leading columns (the key of every table of the schema).
std::string quoted_rows(const fs::path& db, const std::string& table) {
    return spatial_sql(db, "SELECT * FROM \"" + table + "\" ORDER BY 1, 2", "quote");
}

/// The tables of a file that hold data: not SpatiaLite's metadata (filled or empty alike in
/// a fresh store), virtual tables, spatial index internals, nor the migration log (its times
/// differ).
std::vector<std::string> file_tables(const fs::path& db) {
    std::vector<std::string> tables;
    std::string list = spatial_sql(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'idx\\_%' ESCAPE "
        "'\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%' "
        "AND name NOT IN ('schema_migrations', 'spatialite_history', 'spatial_ref_sys', "
        "'spatial_ref_sys_aux', 'data_licenses', 'sql_statements_log') AND name NOT LIKE "
        "'geometry\\_columns%' ESCAPE '\\' AND name NOT LIKE 'views\\_%' ESCAPE '\\' AND name "
        "NOT LIKE 'virts\\_%' ESCAPE '\\' ORDER BY name");
    std::size_t start = 0;
    for (std::size_t end; (end = list.find('\n', start)) != std::string::npos; start = end + 1)
        tables.push_back(list.substr(start, end - start));
    return tables;
}

/// The rows of every data table at `location`: 0 for a database without a schema.
long long stored_rows(const data::DatabaseLocation& location) {
    data::Connection db(location);
    if (data::current_schema_version(db) == 0) return 0;
    long long rows = 0;
    for (const std::string& table : k_data_tables)
        rows += db.query_int64("SELECT count(*) FROM " + table);
    return rows;
}

std::string target_text(const data::DatabaseLocation& location) {
    return location.is_postgres() ? location.conninfo() : location.file().string();
}

CommandResult migrate(const std::string& from, const std::string& to) {
    return run_leerstand({"migrate-store", from, to});
}

/// The lines of a command's stderr, without PostgreSQL's NOTICE lines: libpq prints the
/// server's notices (CREATE EXTENSION IF NOT EXISTS while a new database is migrated) on
/// stderr, and those are not the command's own words.
long newline_count(const std::string& text) {
    long lines = 0;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
        if (text.compare(start, 7, "NOTICE:") != 0) ++lines;
    return lines;
}

/// A SpatiaLite store with rows in every table: the demo (Kommunen, buildings, vacancies with
/// history, Zukunftsorte, images, uploads, tile changes), users with a Kommune and a token from
/// the CLI, the Zensus grid from its importer, and what the demo has none of (a session, a
/// membership request, an offer with an inquiry, a need, a match and a message) as rows the
/// stores would write.
fs::path filled_store(const TempDir& dir) {
    const fs::path db = dir / "original.sqlite";
    const CommandResult demo = run_leerstand({"demo", "--db", db.string(), "--seed", "7"});
    EXPECT_EQ(demo.exit_code, 0) << demo.err;
    for (const std::vector<std::string>& user :
         {std::vector<std::string>{"admin", "--role", "admin"},
          std::vector<std::string>{"redaktion", "--role", "editor", "--kommune", k_angermuende}}) {
        std::vector<std::string> args = {leerstand_binary().string(), "user", "add"};
        args.insert(args.end(), user.begin(), user.end());
        args.insert(args.end(), {"--db", db.string()});
        const CommandResult added = run_command(args, k_admin_password + "\n");
        EXPECT_EQ(added.exit_code, 0) << added.err;
    }
    const CommandResult token = run_leerstand(
        {"token", "create", "--user", "admin", "--label", "skript", "--db", db.string()});
    EXPECT_EQ(token.exit_code, 0) << token.err;
    {
        std::ofstream csv(dir / "grid.csv");
        csv << "x_mp_1km,y_mp_1km,leerstandsquote\n4552500,3270500,4.25\n4553500,3270500,7.5\n";
    }
    const CommandResult grid =
        run_leerstand({"import-zensus-grid", (dir / "grid.csv").string(), "--db", db.string()});
    EXPECT_EQ(grid.exit_code, 0) << grid.err;
    spatial_sql(db, R"sql(
INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES
  ('9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f',
   (SELECT id FROM users WHERE name = 'admin'), '2026-12-01T10:00:00Z', '2026-12-02T10:00:00Z');
INSERT INTO membership_requests (kommune_name, person, role, email, message, status, created_at)
  VALUES ('Schwedt/Oder', 'Erika Muster', 'Bürgermeisterin', 'erika@example.org',
          'Wir möchten mitmachen.', 'pending', '2026-11-30T08:00:00Z');
INSERT INTO angebote (vacancy_id, title, kinds, floor_area_m2, conditions, contact_role,
                      contact_email, status, created_at, updated_at, author)
  VALUES ((SELECT min(id) FROM vacancies), 'Laden am Markt', '["miete"]', 84.5, 'ab sofort',
          'Wirtschaftsförderung', 'wf@example.org', 'offen', '2026-11-01T09:00:00Z',
          '2026-11-01T09:00:00Z', 'admin');
INSERT INTO anfragen (angebot_id, name, email, message, intended_use, common_good, status,
                      created_at, updated_at)
  VALUES ((SELECT max(id) FROM angebote), 'Jan Beispiel', 'jan@example.org',
          'Für ein Repair-Café', 'Werkstatt', 1, 'neu', '2026-11-02T09:00:00Z',
          '2026-11-02T09:00:00Z');
INSERT INTO gesuche (title, description, uses, kinds, min_area_m2, kommunen, common_good,
                     contact_name, contact_email, status, source, created_at, updated_at)
  VALUES ('Raum für einen Jugendtreff', 'abends und am Wochenende', '["gewerbe"]', '["miete"]',
          50, '["12073008"]', 1, 'Jugendverein', 'verein@example.org', 'offen', 'redaktion',
          '2026-11-03T09:00:00Z', '2026-11-03T09:00:00Z');
INSERT INTO vermittlungen (angebot_id, gesuch_id, status, score, match, created_at, updated_at,
                           author)
  VALUES ((SELECT max(id) FROM angebote), (SELECT max(id) FROM gesuche), 'kontaktiert', 72,
          '{"reasons":["Fläche passt"]}', '2026-11-04T09:00:00Z', '2026-11-04T09:00:00Z',
          'admin');
INSERT INTO nachrichten (anfrage_id, angebot_id, text, author, sent_at, mailed)
  VALUES ((SELECT max(id) FROM anfragen), (SELECT max(id) FROM angebote), 'Wir melden uns.',
          'admin', '2026-11-05T09:00:00Z', 1);
)sql");
    return db;
}

class MigrateStore : public ::testing::Test {
  protected:
    void SetUp() override { m_original = filled_store(m_dir); }

    TempDir m_dir;
    fs::path m_original;
};

TEST_F(MigrateStore, RoundTripKeepsEveryRow) {
    TestDatabase middle;  // PostgreSQL in the _postgres variant, a second file otherwise
    const fs::path back = m_dir / "back.sqlite";
    const CommandResult there = migrate(m_original.string(), target_text(middle.location()));
    ASSERT_EQ(there.exit_code, 0) << there.err;
    EXPECT_NE(there.out.find("checksums checked"), std::string::npos) << there.out;
    const CommandResult again = migrate(target_text(middle.location()), back.string());
    ASSERT_EQ(again.exit_code, 0) << again.err;

    const std::vector<std::string> tables = file_tables(m_original);
    EXPECT_EQ(tables, file_tables(back));
    for (const std::string& table : k_data_tables)
        EXPECT_NE(std::find(tables.begin(), tables.end(), table), tables.end()) << table;
    for (const std::string& table : tables) {
        const std::string rows = quoted_rows(m_original, table);
        EXPECT_FALSE(rows.empty()) << "the test store has no rows in " << table;
        EXPECT_EQ(rows, quoted_rows(back, table)) << table;
    }
    // The spatial index of the new file finds what the original's finds.
    const std::string in_box =
        "SELECT count(*) FROM buildings WHERE id IN (SELECT rowid FROM SpatialIndex WHERE "
        "f_table_name = 'buildings' AND search_frame = BuildMbr(13.9, 52.9, 14.1, 53.1))";
    EXPECT_EQ(spatial_sql(m_original, in_box), spatial_sql(back, in_box));
    EXPECT_NE(spatial_sql(back, in_box), "0\n");
}

TEST_F(MigrateStore, NewRowsAfterTheCopyGetNewIds) {
    TestDatabase middle;
    ASSERT_EQ(migrate(m_original.string(), target_text(middle.location())).exit_code, 0);
    const long long users = std::stoll(spatial_sql(m_original, "SELECT max(id) FROM users"));
    const CommandResult added =
        run_command({leerstand_binary().string(), "user", "add", "neu", "--role", "planner", "--db",
                     target_text(middle.location())},
                    k_admin_password + "\n");
    ASSERT_EQ(added.exit_code, 0) << added.err;
    data::Connection db(middle.location());
    EXPECT_EQ(db.query_int64("SELECT id FROM users WHERE name = 'neu'"), users + 1);
    const long long log_end =
        std::stoll(spatial_sql(m_original, "SELECT max(seq) FROM tile_changes"));
    db.exec(
        "UPDATE zukunftsorte SET name = 'Umbenannt' WHERE id = (SELECT min(id) FROM "
        "zukunftsorte)");
    EXPECT_GT(db.query_int64("SELECT max(seq) FROM tile_changes"), log_end);
}

/// The GeoJSON answers of a server, with the values that name the moment of the answer left
/// out.
json public_answer(std::uint16_t port, const std::string& target) {
    const HttpResponse response = http_get(port, target);
    EXPECT_EQ(response.status, 200) << target << ": " << response.body;
    json body = json::parse(response.body, nullptr, false);
    if (body.is_object()) body.erase("timeStamp");
    return body;
}

/// The z14 tile holding (lon, lat), as "/tiles/LAYER/14/x/y.geojson".
std::string tile_at(const std::string& layer, double lon, double lat) {
    const double n = std::pow(2.0, 14);
    const double lat_rad = lat * std::numbers::pi / 180.0;
    const auto x = static_cast<long>((lon + 180.0) / 360.0 * n);
    const auto y =
        static_cast<long>((1.0 - std::asinh(std::tan(lat_rad)) / std::numbers::pi) / 2.0 * n);
    return "/tiles/" + layer + "/14/" + std::to_string(x) + "/" + std::to_string(y) + ".geojson";
}

TEST_F(MigrateStore, TheCopyServesLikeTheOriginal) {
    TestDatabase middle;
    ASSERT_EQ(migrate(m_original.string(), target_text(middle.location())).exit_code, 0);
    TempDir work_original;
    TempDir work_copy;
    auto serve = [](const std::string& db, const fs::path& work) {
        return std::vector<std::string>{"--db",         db,
                                        "--work-dir",   work.string(),
                                        "--web",        std::string(LEERSTAND_SOURCE_DIR) + "/web",
                                        "--public-url", "http://atlas.example.org",
                                        "--port",       "0"};
    };
    ServerProcess original(serve(m_original.string(), work_original.path()), work_original.path());
    ServerProcess copy(serve(target_text(middle.location()), work_copy.path()), work_copy.path());

    const std::string centre =
        spatial_sql(m_original,
                    "SELECT X(Centroid(footprint)) || ' ' || Y(Centroid(footprint)) FROM buildings "
                    "WHERE kommune_ags = '12073008' ORDER BY id LIMIT 1");
    double lon = 0;
    double lat = 0;
    ASSERT_EQ(std::sscanf(centre.c_str(), "%lf %lf", &lon, &lat), 2) << centre;
    for (const std::string& target :
         {std::string("/collections/buildings/items?limit=100&kommune=12073008"),
          std::string("/collections/vacancies/items?limit=100"),
          std::string("/collections/zukunftsorte/items"),
          std::string("/collections/kommunen/items?limit=100"), tile_at("buildings", lon, lat),
          tile_at("kommunen", lon, lat)}) {
        const json expected = public_answer(original.port(), target);
        EXPECT_FALSE(expected["features"].empty()) << target;
        EXPECT_EQ(public_answer(copy.port(), target), expected) << target;
    }
}

TEST_F(MigrateStore, RefusesATargetWithRows) {
    TestDatabase target;
    ASSERT_EQ(migrate(m_original.string(), target_text(target.location())).exit_code, 0);
    const long long rows = stored_rows(target.location());
    // A second copy, and a copy of another store, into the filled target.
    TempDir other_dir;
    const fs::path other = other_dir / "other.sqlite";
    ASSERT_EQ(run_leerstand({"demo", "--db", other.string(), "--buildings-only"}).exit_code, 0);
    for (const fs::path& from : {m_original, other}) {
        const CommandResult refused = migrate(from.string(), target_text(target.location()));
        EXPECT_EQ(refused.exit_code, 1) << refused.err;
        EXPECT_NE(refused.err.find("is not empty"), std::string::npos) << refused.err;
        EXPECT_EQ(newline_count(refused.err), 1) << refused.err;
        EXPECT_EQ(stored_rows(target.location()), rows);
    }
}

TEST_F(MigrateStore, RefusesAnOlderSourceAndWritesNothing) {
    // The newest migration not applied, as in a file of the build before this one.
    const int latest = data::latest_schema_version();
    spatial_sql(m_original,
                "DELETE FROM schema_migrations WHERE version = " + std::to_string(latest));
    TestDatabase target;
    const CommandResult refused = migrate(m_original.string(), target_text(target.location()));
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    EXPECT_NE(refused.err.find("schema version " + std::to_string(latest - 1)), std::string::npos)
        << refused.err;
    EXPECT_EQ(newline_count(refused.err), 1) << refused.err;
    if (target.location().is_postgres()) {
        data::Connection db(target.location());
        EXPECT_EQ(data::current_schema_version(db), 0);
    } else {
        EXPECT_FALSE(fs::exists(target.location().file()));
    }
}

TEST_F(MigrateStore, RefusesAMissingSourceAndWrongWords) {
    TestDatabase target;
    const CommandResult missing =
        migrate((m_dir / "nichts.sqlite").string(), target_text(target.location()));
    EXPECT_EQ(missing.exit_code, 1) << missing.err;
    EXPECT_NE(missing.err.find("no database"), std::string::npos) << missing.err;
    EXPECT_FALSE(fs::exists(m_dir / "nichts.sqlite"));
    const CommandResult one_word = run_leerstand({"migrate-store", m_original.string()});
    EXPECT_EQ(one_word.exit_code, 2) << one_word.err;
}

TEST_F(MigrateStore, ABadRowLeavesTheTargetWithoutRows) {
    // SQLite's own client does not check foreign keys; a store opened by the atlas does.
    spatial_sql(m_original,
                "INSERT INTO buildings (kommune_ags, footprint) SELECT '99999999', footprint "
                "FROM buildings ORDER BY id DESC LIMIT 1");
    TestDatabase target;
    const CommandResult failed = migrate(m_original.string(), target_text(target.location()));
    EXPECT_EQ(failed.exit_code, 1) << failed.err;
    EXPECT_EQ(newline_count(failed.err), 1) << failed.err;
    EXPECT_EQ(stored_rows(target.location()), 0);
}

TEST_F(MigrateStore, AMismatchRollsBackAndNamesTheTable) {
    LEERSTAND_REQUIRE_SPATIALITE("the tampering trigger is SQLite's");
    const fs::path target = m_dir / "tampered.sqlite";
    { data::Store migrated(target); }
    // A target whose trigger changes what was written: only the read-back can tell.
    spatial_sql(target,
                "CREATE TRIGGER tamper AFTER INSERT ON vacancy_history BEGIN "
                "UPDATE vacancy_history SET changed_by = 'jemand' WHERE id = NEW.id; END");
    const CommandResult failed = migrate(m_original.string(), target.string());
    EXPECT_EQ(failed.exit_code, 1) << failed.err;
    EXPECT_NE(failed.err.find("vacancy_history differs"), std::string::npos) << failed.err;
    EXPECT_EQ(stored_rows(target), 0);
}

/// Starts the real `leerstand migrate-store FROM TO --progress`, calls `interrupt` with its
/// process id once it reports the first rows of `table`, and waits for it. Returns its exit
/// status (128 + signal for a signal death), or -1 when it never reported `table`.
int interrupt_copy(const std::string& from, const std::string& to, const std::string& table,
                   const std::function<void(pid_t)>& interrupt) {
    int pipe_ends[2];
    if (pipe(pipe_ends) != 0) return -1;
    const std::string binary = leerstand_binary().string();
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(pipe_ends[1], 2);
        close(pipe_ends[0]);
        close(pipe_ends[1]);
        execl(binary.c_str(), binary.c_str(), "migrate-store", from.c_str(), to.c_str(),
              "--progress", static_cast<char*>(nullptr));
        _exit(127);
    }
    close(pipe_ends[1]);
    const std::string wanted = "copying " + table + ": ";
    std::string seen;
    char buffer[256];
    bool interrupted = false;
    for (ssize_t got; !interrupted && (got = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) {
        seen.append(buffer, static_cast<std::size_t>(got));
        if (seen.find(wanted) != std::string::npos) {
            interrupt(pid);
            interrupted = true;
        }
    }
    // Read on, so the child never blocks on a full pipe before it ends.
    while (read(pipe_ends[0], buffer, sizeof buffer) > 0) {
    }
    close(pipe_ends[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return interrupted ? exit_status(status) : -1;
}

/// Doubles the source's buildings four times (72,000), so that a copy is still busy with them
/// when an interruption arrives.
void enlarge(const fs::path& db) {
    for (int doubling = 0; doubling < 4; ++doubling)
        spatial_sql(db,
                    "INSERT INTO buildings (kommune_ags, upload_id, source_ref, function, floors, "
                    "attributes, area_m2, created_at, footprint) SELECT kommune_ags, upload_id, "
                    "source_ref, function, floors, attributes, area_m2, created_at, footprint "
                    "FROM buildings");
}

TEST_F(MigrateStore, KillInTheMiddleLeavesTheTargetWithoutRows) {
    enlarge(m_original);
    TestDatabase target;
    EXPECT_EQ(interrupt_copy(m_original.string(), target_text(target.location()), "buildings",
                             [](pid_t pid) { kill(pid, SIGKILL); }),
              128 + SIGKILL);
    EXPECT_EQ(stored_rows(target.location()), 0);
    // What the kill left is a new store still: the copy can start over.
    const CommandResult again = migrate(m_original.string(), target_text(target.location()));
    ASSERT_EQ(again.exit_code, 0) << again.err;
    data::Connection db(target.location());
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM buildings"), 72000);
}

}  // namespace
}  // namespace leerstand::test

namespace leerstand::test {
namespace {

TEST_F(MigrateStore, ASourceThatGoesAwayLeavesTheTargetWithoutRows) {
    if (test_backend() != Backend::postgres)
        GTEST_SKIP() << "PostgreSQL only: the source is a server that drops the connection";
    enlarge(m_original);
    TestDatabase source;
    ASSERT_EQ(migrate(m_original.string(), target_text(source.location())).exit_code, 0);
    const fs::path target = m_dir / "target.sqlite";
    const std::string conninfo = source.location().conninfo();
    // The server ends the copy's session, as a restart or a network failure would.
    const int status = interrupt_copy(conninfo, target.string(), "buildings", [&](pid_t) {
        const CommandResult ended =
            run_command({LEERSTAND_PSQL, "-X", "-q", "-A", "-t", "-d", conninfo, "-c",
                         "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                         "current_database() AND pid <> pg_backend_pid()"});
        EXPECT_EQ(ended.exit_code, 0) << ended.err;
    });
    EXPECT_EQ(status, 1);
    EXPECT_EQ(stored_rows(target), 0);
}

}  // namespace
}  // namespace leerstand::test
