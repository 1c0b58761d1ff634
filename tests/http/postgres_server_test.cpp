// The real `leerstand` on a PostgreSQL/PostGIS store: the CLI fills a fresh database through
// its conninfo, `serve --db postgresql://... --work-dir DIR` answers /health, items, tiles and
// an edit with its ETag; /health follows a database that goes away and comes back; the
// commands that need a file (backup, restore) or a folder of their own (serve without
// --work-dir) refuse a conninfo with one line; two servers on one database agree: a write on one
// is in the other's items at once and in its tiles within a second, and a hidden change leaves
// the public's cached tile on the other as it was. psql is the oracle.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/http/atlas_fixture.hpp"
#include "tests/http/http_client.hpp"
#include "tests/http/server_process.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* k_pg_bindir = "/usr/lib/postgresql/15/bin";
const std::string k_admin_password = "ein-langes-passwort-123";

/// Runs one query with psql (no headers, unaligned) and returns its output without the final
/// newline; fails the test when psql does.
std::string psql(const std::string& conninfo, const std::string& query) {
    const CommandResult result =
        run_command({LEERSTAND_PSQL, "-X", "-q", "-A", "-t", "-d", conninfo, "-c", query});
    EXPECT_EQ(result.exit_code, 0) << query << ": " << result.err;
    std::string out = result.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::vector<std::string> serve_args(const std::string& conninfo, const fs::path& work_dir) {
    return {"--db",       conninfo,
            "--work-dir", work_dir.string(),
            "--web",      std::string(LEERSTAND_SOURCE_DIR) + "/web",
            "--port",     "0"};
}

/// Skips unless the run is on PostgreSQL (the variant registered with
/// leerstand_add_postgres_variant): these tests need a server.
#define REQUIRE_POSTGRES()                                                           \
    do {                                                                             \
        if (test_backend() != Backend::postgres)                                     \
            GTEST_SKIP() << "PostgreSQL only: runs as the _postgres variant (label " \
                            "postgres), with LEERSTAND_TEST_POSTGRES";               \
    } while (0)

TEST(PostgresServe, NeedsAWorkDirWithAConninfo) {
    // No server needed: the options are checked before anything is opened.
    const CommandResult result = run_leerstand(
        {"serve", "--db", "postgresql://atlas@/leerstand?host=/nonexistent", "--port", "0"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("--work-dir"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST(PostgresServe, BackupAndRestoreSendAConninfoToPgDump) {
    TempDir dir;
    const std::string conninfo = "postgresql://atlas:geheim@/leerstand?host=/nonexistent";
    const CommandResult backup =
        run_leerstand({"backup", (dir / "out.sqlite").string(), "--db", conninfo});
    EXPECT_EQ(backup.exit_code, 1) << backup.err;
    EXPECT_NE(backup.err.find("pg_dump"), std::string::npos) << backup.err;
    EXPECT_EQ(std::count(backup.err.begin(), backup.err.end(), '\n'), 1) << backup.err;
    EXPECT_EQ(backup.err.find("geheim"), std::string::npos) << backup.err;
    EXPECT_FALSE(fs::exists(dir / "out.sqlite"));

    fs::create_directories(dir / "in");
    { std::ofstream(dir / "in" / "backup.sqlite") << "not used"; }
    const CommandResult restore =
        run_leerstand({"restore", (dir / "in" / "backup.sqlite").string(), "--db", conninfo});
    EXPECT_EQ(restore.exit_code, 1) << restore.err;
    EXPECT_NE(restore.err.find("pg_restore"), std::string::npos) << restore.err;
    EXPECT_EQ(std::count(restore.err.begin(), restore.err.end(), '\n'), 1) << restore.err;
}

/// The CLI's demo data and an admin's token on a fresh PostgreSQL database, and the real
/// server on it.
class PostgresAtlas : public ::testing::Test {
  protected:
    void SetUp() override {
        REQUIRE_POSTGRES();
        m_database.emplace();
        m_conninfo = m_database->location().conninfo();
        const CommandResult demo = run_leerstand({"demo", "--db", m_conninfo, "--seed", "7"});
        ASSERT_EQ(demo.exit_code, 0) << demo.err;
        const CommandResult user = run_command({leerstand_binary().string(), "user", "add", "admin",
                                                "--role", "admin", "--db", m_conninfo},
                                               k_admin_password + "\n");
        ASSERT_EQ(user.exit_code, 0) << user.err;
        const CommandResult token = run_leerstand(
            {"token", "create", "--user", "admin", "--label", "test", "--db", m_conninfo});
        ASSERT_EQ(token.exit_code, 0) << token.err;
        std::string last = token.out;
        while (!last.empty() && last.back() == '\n') last.pop_back();
        m_token = last.substr(last.rfind('\n') == std::string::npos ? 0 : last.rfind('\n') + 1);
        m_server =
            std::make_unique<ServerProcess>(serve_args(m_conninfo, m_work.path()), m_work.path());
    }

    void TearDown() override {
        if (m_server) m_server->stop(SIGTERM, std::chrono::seconds(5));
        m_server.reset();
    }

    HttpResponse admin(const std::string& method, const std::string& target,
                       const std::optional<json>& body = std::nullopt, HeaderList headers = {},
                       const std::string& content_type = "application/geo+json") {
        headers.emplace_back("Authorization", "Bearer " + m_token);
        std::optional<std::string> text;
        if (body) {
            headers.emplace_back("Content-Type", content_type);
            text = body->dump();
        }
        return http_request(m_server->port(), method, target, headers, text);
    }

    /// A new report at `point` (lon, lat), made by the admin, without the owner's consent; its
    /// id, or 0 when it was refused.
    std::int64_t create_report(std::pair<double, double> point) {
        const json feature = {
            {"type", "Feature"},
            {"geometry", {{"type", "Point"}, {"coordinates", {point.first, point.second}}}},
            {"properties",
             {{"status", "gemeldet"}, {"use", "wohnen"}, {"degree", "vollstaendig"}}}};
        const HttpResponse created = admin("POST", "/collections/vacancies/items", feature);
        EXPECT_EQ(created.status, 201) << created.body;
        return created.status == 201 ? parse_json(created).value("id", std::int64_t{0}) : 0;
    }

    std::optional<TestDatabase> m_database;
    std::string m_conninfo;
    TempDir m_work;
    std::string m_token;
    std::unique_ptr<ServerProcess> m_server;
};

TEST_F(PostgresAtlas, HealthSaysPostgresAndItsSchemaVersionButNotWhere) {
    const HttpResponse response = http_get(m_server->port(), "/health");
    ASSERT_EQ(response.status, 200) << response.body;
    const json body = parse_json(response);
    EXPECT_EQ(body.value("backend", ""), "postgres");
    EXPECT_EQ(body.value("database_reachable", false), true);
    EXPECT_EQ(std::to_string(body.value("schema_version", 0)),
              psql(m_conninfo, "SELECT max(version) FROM schema_migrations"));
    EXPECT_EQ(std::to_string(body["counts"].value("kommunen", -1)),
              psql(m_conninfo, "SELECT count(*) FROM kommunen"));
    EXPECT_EQ(std::to_string(body["counts"].value("users", -1)), "1");
    // Neither the database's name nor its socket folder: /health is public.
    const std::string database = m_conninfo.substr(m_conninfo.rfind('/') + 1);
    EXPECT_EQ(response.body.find("postgresql://"), std::string::npos) << response.body;
    EXPECT_EQ(response.body.find(database.substr(0, database.find('?'))), std::string::npos)
        << response.body;
}

TEST_F(PostgresAtlas, ItemsTilesAndAnEditWithItsEtag) {
    // Items: the demo's Kommunen as psql counts them.
    const HttpResponse items = admin("GET", "/collections/kommunen/items?limit=100");
    ASSERT_EQ(items.status, 200) << items.body;
    const json kommunen = parse_json(items);
    EXPECT_EQ(std::to_string(kommunen.value("numberMatched", -1)),
              psql(m_conninfo, "SELECT count(*) FROM kommunen"));

    // A tile holding a building of Angermünde, its point taken by PostGIS.
    const std::string row = psql(m_conninfo,
                                 "SELECT ST_X(ST_PointOnSurface(footprint)) || ' ' || "
                                 "ST_Y(ST_PointOnSurface(footprint)) FROM buildings WHERE "
                                 "kommune_ags = '" +
                                     k_home_ags + "' ORDER BY id LIMIT 1");
    std::istringstream in(row);
    std::pair<double, double> point;
    in >> point.first >> point.second;
    ASSERT_TRUE(in) << row;
    const TileXyz tile = tile_of(point, 15);
    const std::string tile_path = "/tiles/buildings/" + std::to_string(tile.z) + "/" +
                                  std::to_string(tile.x) + "/" + std::to_string(tile.y) +
                                  ".geojson";
    const HttpResponse tile_response = admin("GET", tile_path);
    ASSERT_EQ(tile_response.status, 200) << tile_path << ": " << tile_response.body;
    EXPECT_FALSE(parse_json(tile_response)["features"].empty());

    // A vacancy created, then changed with its ETag; the old ETag is refused afterwards.
    const std::int64_t id = create_report(point);
    ASSERT_NE(id, 0);
    const std::string item = "/collections/vacancies/items/" + std::to_string(id);
    const std::string etag = admin("GET", item).header("ETag");
    ASSERT_FALSE(etag.empty());
    const json change = {{"properties", {{"status", "bestaetigt"}}}};
    const HttpResponse changed =
        admin("PATCH", item, change, {{"If-Match", etag}}, "application/merge-patch+json");
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_NE(admin("GET", item).header("ETag"), etag);
    EXPECT_EQ(psql(m_conninfo, "SELECT status FROM vacancies WHERE id = " + std::to_string(id)),
              "bestaetigt");
    const HttpResponse stale =
        admin("PATCH", item, change, {{"If-Match", etag}}, "application/merge-patch+json");
    EXPECT_EQ(stale.status, 412) << stale.body;
}

/// The status feature `id` shows in a GeoJSON tile; "" when it is not in it (or the tile is
/// empty, 204).
std::string tile_status(const HttpResponse& tile, std::int64_t id) {
    if (tile.status != 200) return "";
    const json body = parse_json(tile);  // named: a temporary would die before the loop
    for (const json& feature : body["features"])
        if (feature.value("id", std::int64_t{-1}) == id)
            return feature["properties"].value("status", "");
    return "";
}

/// Asks `fetch` every 20 ms until `done` holds for its answer or `limit` passed; the last answer.
HttpResponse poll_until(const std::function<HttpResponse()>& fetch,
                        const std::function<bool(const HttpResponse&)>& done,
                        std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    HttpResponse answer = fetch();
    while (!done(answer) && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        answer = fetch();
    }
    return answer;
}

TEST_F(PostgresAtlas, AWriteOnOneNodeReachesTheOthersItemsAtOnceAndItsTilesWithinASecond) {
    TempDir work_b;
    ServerProcess node_b(
        [&] {
            auto args = serve_args(m_conninfo, work_b.path());
            args.push_back("--debug-cache-header");
            return args;
        }(),
        work_b.path());
    const std::uint16_t a = m_server->port(), b = node_b.port();
    const HeaderList as_admin = {{"Authorization", "Bearer " + m_token}};

    // A published vacancy the public sees in its tile.
    const std::string row = psql(m_conninfo,
                                 "SELECT id || ' ' || ST_X(geom) || ' ' || ST_Y(geom) FROM "
                                 "vacancies WHERE consent_publish = 1 AND status = 'gemeldet' "
                                 "ORDER BY id LIMIT 1");
    std::istringstream in(row);
    std::int64_t id = 0;
    std::pair<double, double> point;
    in >> id >> point.first >> point.second;
    ASSERT_TRUE(in) << "no published vacancy in the demo: " << row;
    const TileXyz xyz = tile_of(point, 15);
    const std::string tile = "/tiles/vacancies/" + std::to_string(xyz.z) + "/" +
                             std::to_string(xyz.x) + "/" + std::to_string(xyz.y) + ".geojson";
    const auto public_tile_on_b = [&] { return http_get(b, tile); };
    const auto admin_tile_on_b = [&] { return http_request(b, "GET", tile, as_admin, {}); };
    const HttpResponse first = public_tile_on_b();
    ASSERT_EQ(tile_status(first, id), "gemeldet")
        << tile << ": " << first.status << " " << first.body;
    const HttpResponse cached = public_tile_on_b();
    ASSERT_EQ(cached.header("X-Cache"), "hit") << "B caches the public's tile";
    ASSERT_EQ(admin_tile_on_b().status, 200);
    ASSERT_EQ(admin_tile_on_b().header("X-Cache"), "hit");

    // The status changed on A: A's own tiles at once (its writer reads the log next), B's items
    // at once, B's cached tiles within a second.
    const auto admin_tile_on_a = [&] { return http_request(a, "GET", tile, as_admin, {}); };
    ASSERT_EQ(tile_status(admin_tile_on_a(), id), "gemeldet");
    const std::string item = "/collections/vacancies/items/" + std::to_string(id);
    const std::string etag = admin("GET", item).header("ETag");
    const json confirmed = {{"properties", {{"status", "bestaetigt"}}}};
    ASSERT_EQ(admin("PATCH", item, confirmed, {{"If-Match", etag}}, "application/merge-patch+json")
                  .status,
              200);
    const auto written = std::chrono::steady_clock::now();
    EXPECT_EQ(tile_status(admin_tile_on_a(), id), "bestaetigt");
    EXPECT_EQ(parse_json(http_get(b, item))["properties"].value("status", ""), "bestaetigt");
    const auto shows_confirmed = [&](const HttpResponse& r) {
        return tile_status(r, id) == "bestaetigt";
    };
    const HttpResponse fresh = poll_until(public_tile_on_b, shows_confirmed, 1s);
    EXPECT_TRUE(shows_confirmed(fresh)) << fresh.body;
    EXPECT_LT(std::chrono::steady_clock::now() - written, std::chrono::milliseconds(1100));
    EXPECT_NE(fresh.header("ETag"), cached.header("ETag"));
    EXPECT_TRUE(shows_confirmed(poll_until(admin_tile_on_b, shows_confirmed, 1s)));

    // A report the public may not see, at the same place, made and changed on A: B's internal
    // tile shows it within a second; the public's tile on B stays cached with the same bytes.
    const HttpResponse public_before = public_tile_on_b();
    ASSERT_EQ(public_before.header("X-Cache"), "hit");
    const std::int64_t hidden_id = create_report(point);
    ASSERT_NE(hidden_id, 0);
    ASSERT_EQ(psql(m_conninfo,
                   "SELECT consent_publish FROM vacancies WHERE id = " + std::to_string(hidden_id)),
              "0");
    const std::string hidden_item = "/collections/vacancies/items/" + std::to_string(hidden_id);
    ASSERT_EQ(admin("PATCH", hidden_item, confirmed,
                    {{"If-Match", admin("GET", hidden_item).header("ETag")}},
                    "application/merge-patch+json")
                  .status,
              200);
    const auto shows_hidden = [&](const HttpResponse& r) {
        return tile_status(r, hidden_id) == "bestaetigt";
    };
    EXPECT_TRUE(shows_hidden(poll_until(admin_tile_on_b, shows_hidden, 1s)));
    const HttpResponse public_after = public_tile_on_b();
    EXPECT_EQ(public_after.header("X-Cache"), "hit") << "B's public tile showed a hidden change";
    EXPECT_EQ(public_after.header("ETag"), public_before.header("ETag"));
    EXPECT_EQ(public_after.body, public_before.body);
    EXPECT_EQ(tile_status(public_after, hidden_id), "");
    EXPECT_EQ(http_get(b, hidden_item).status, 404);
    EXPECT_EQ(http_get(a, hidden_item).status, 404);

    EXPECT_EQ(node_b.stop(SIGTERM, std::chrono::seconds(5)), std::optional<int>(0))
        << "B's listener must not hold up its shutdown";
}

/// Runs a PostgreSQL program as the owner of a test cluster: the `postgres` user when we are
/// root (the server refuses to run as root), as scripts/postgres-cluster does.
CommandResult as_cluster_owner(std::vector<std::string> args) {
    if (::geteuid() == 0) args.insert(args.begin(), {"runuser", "-u", "postgres", "--"});
    return run_command(args);
}

/// A PostgreSQL server of the test's own (scripts/postgres-cluster), which the test may stop
/// and start again; removed by the destructor.
class OwnCluster {
  public:
    explicit OwnCluster(const fs::path& dir) : m_dir(dir) {
        const CommandResult started =
            run_command({std::string(LEERSTAND_SOURCE_DIR) + "/scripts/postgres-cluster", "start",
                         dir.string()});
        if (started.exit_code != 0) throw std::runtime_error("cluster: " + started.err);
        m_template_conninfo = started.out.substr(0, started.out.find('\n'));
    }
    ~OwnCluster() {
        run_command({std::string(LEERSTAND_SOURCE_DIR) + "/scripts/postgres-cluster", "stop",
                     m_dir.string()});
    }
    OwnCluster(const OwnCluster&) = delete;
    OwnCluster& operator=(const OwnCluster&) = delete;

    /// A new database `name` with PostGIS; its conninfo.
    std::string create_database(const std::string& name) {
        psql(conninfo_with_database(m_template_conninfo, "postgres"),
             "CREATE DATABASE " + name + " TEMPLATE leerstand_template");
        return conninfo_with_database(m_template_conninfo, name);
    }
    void stop() { pg_ctl({"stop", "-w", "-m", "fast"}); }
    void start() { pg_ctl({"start", "-w", "-l", (m_dir / "server.log").string()}); }

  private:
    void pg_ctl(std::vector<std::string> args) {
        args.insert(args.begin(), std::string(k_pg_bindir) + "/pg_ctl");
        args.insert(args.end(), {"-D", (m_dir / "data").string()});
        const CommandResult result = as_cluster_owner(args);
        ASSERT_EQ(result.exit_code, 0) << result.err;
    }

    fs::path m_dir;
    std::string m_template_conninfo;
};

/// Per table of the public schema (PostGIS's spatial_ref_sys aside): its name, row count and an
/// md5 over its rows' text in a fixed order, as psql computes them.
std::string table_fingerprints(const std::string& conninfo) {
    const std::string tables =
        psql(conninfo,
             "SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM information_schema."
             "tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name "
             "<> 'spatial_ref_sys'");
    std::istringstream names(tables);
    std::string fingerprints;
    for (std::string table; names >> table;)
        fingerprints += table + " " +
                        psql(conninfo,
                             "SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, "
                             "'|' ORDER BY t::text), '')) FROM \"" +
                                 table + "\" t") +
                        "\n";
    return fingerprints;
}

TEST_F(PostgresAtlas, APgDumpBackupRestoresIntoANewDatabaseThatServes) {
    // The backup docs/configuration.md gives operators: pg_dump's custom format, pg_restore.
    const fs::path dump = m_work.path() / "leerstand.dump";
    const CommandResult dumped =
        run_command({std::string(k_pg_bindir) + "/pg_dump", "--format=custom",
                     "--file=" + dump.string(), m_conninfo});
    ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
    TestDatabase restored_database;
    const std::string restored = restored_database.location().conninfo();
    const CommandResult restore =
        run_command({std::string(k_pg_bindir) + "/pg_restore", "--exit-on-error", "--no-owner",
                     "--dbname=" + restored, dump.string()});
    ASSERT_EQ(restore.exit_code, 0) << restore.err;

    const std::string original = table_fingerprints(m_conninfo);
    ASSERT_NE(original.find("buildings "), std::string::npos) << original;
    EXPECT_EQ(table_fingerprints(restored), original);

    // The restored database opens at the same schema version, serves, and takes new rows (its
    // identity sequences came along, so new ids do not collide with restored ones).
    TempDir work;
    ServerProcess server(serve_args(restored, work.path()), work.path());
    const json health = parse_json(http_get(server.port(), "/health"));
    EXPECT_EQ(health.value("backend", ""), "postgres");
    EXPECT_EQ(std::to_string(health.value("schema_version", 0)),
              psql(m_conninfo, "SELECT max(version) FROM schema_migrations"));
    const HttpResponse items = http_get(server.port(), "/collections/kommunen/items?limit=100");
    ASSERT_EQ(items.status, 200) << items.body;
    EXPECT_EQ(std::to_string(parse_json(items).value("numberMatched", -1)),
              psql(m_conninfo, "SELECT count(*) FROM kommunen"));
    server.stop(SIGTERM, std::chrono::seconds(5));
    const CommandResult user = run_command(
        {leerstand_binary().string(), "user", "add", "zweite", "--role", "admin", "--db", restored},
        k_admin_password + "\n");
    EXPECT_EQ(user.exit_code, 0) << user.err;
    EXPECT_EQ(psql(restored, "SELECT count(*) FROM users"), "2");
}

TEST(PostgresHealth, SaysWhenTheDatabaseIsGoneAndRecoversWhenItIsBack) {
    REQUIRE_POSTGRES();
    TempDir dir;
    OwnCluster cluster(dir / "pg");
    const std::string conninfo = cluster.create_database("atlas");
    ServerProcess server(serve_args(conninfo, dir / "work"), dir.path());
    ASSERT_EQ(http_get(server.port(), "/health").status, 200);

    cluster.stop();
    for (int attempt = 0; attempt < 3; ++attempt) {
        SCOPED_TRACE(attempt);
        const HttpResponse down = http_get(server.port(), "/health");
        ASSERT_EQ(down.status, 503) << down.body;
        EXPECT_EQ(down.header("Content-Type"), "application/problem+json");
        EXPECT_FALSE(down.header("Retry-After").empty());
        const json problem = parse_json(down);
        EXPECT_EQ(problem.value("code", ""), "database_unavailable");
        EXPECT_EQ(problem.value("backend", ""), "postgres");
        EXPECT_EQ(problem.value("database_reachable", true), false);
        EXPECT_EQ(down.body.find(dir.path().string()), std::string::npos) << down.body;
    }
    EXPECT_EQ(::kill(server.pid(), 0), 0) << "the server must keep running";

    cluster.start();
    // The first request after the restart may find the old session gone: it reconnects.
    HttpResponse up = http_get(server.port(), "/health");
    for (int attempt = 0; attempt < 20 && up.status != 200; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        up = http_get(server.port(), "/health");
    }
    ASSERT_EQ(up.status, 200) << up.body;
    EXPECT_EQ(parse_json(up).value("database_reachable", false), true);
    // And real reads again, on every worker: a worker whose session died while idle learns it
    // on its next statement (one 503 with Retry-After) and reconnects for the one after.
    for (int i = 0; i < 4; ++i) {
        HttpResponse items = http_get(server.port(), "/collections/kommunen/items");
        for (int retry = 0; retry < 3 && items.status == 503; ++retry)
            items = http_get(server.port(), "/collections/kommunen/items");
        EXPECT_EQ(items.status, 200) << items.body;
    }
}

}  // namespace
}  // namespace leerstand::test
