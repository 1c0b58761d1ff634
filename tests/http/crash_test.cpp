// Crash consistency (issue 7): the real server is SIGKILLed during a burst of vacancy edits,
// during an HTTP upload and during a schema migration. After each kill the database must pass
// `PRAGMA integrity_check`, hold every write that was acknowledged with a 2xx, and hold nothing
// half-written; the server must start on it again and serve.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/cli_support.hpp"
#include "tests/http/atlas_fixture.hpp"

extern char** environ;

namespace leerstand::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string vacancy_path(std::int64_t id) {
    return "/collections/vacancies/items/" + std::to_string(id);
}

/// Vacancies whose version disagrees with their history. Every create and update writes one
/// history row and raises the version by one in the same transaction (vacancy_store.cpp), so a
/// write that was half stored — the row without its history or the reverse — shows up here.
long long vacancies_disagreeing_with_history(const fs::path& db) {
    return sql_count(db,
                     "SELECT count(*) FROM vacancies v WHERE v.version != (SELECT count(*) FROM "
                     "vacancy_history h WHERE h.vacancy_id = v.id AND h.action IN ('create', "
                     "'update')) OR v.updated_at != (SELECT max(changed_at) FROM vacancy_history "
                     "h WHERE h.vacancy_id = v.id) OR coalesce(v.internal_notes, '') != "
                     "coalesce((SELECT json_extract(h.new_values, '$.internal_notes') FROM "
                     "vacancy_history h WHERE h.vacancy_id = v.id AND json_extract(h.new_values, "
                     "'$.internal_notes') IS NOT NULL ORDER BY h.id DESC LIMIT 1), '')");
}

class Crash : public AtlasServerTest {
  protected:
    /// SIGKILLs the server; it must die of the signal.
    void kill_server() {
        const auto status = m_server->stop(SIGKILL, std::chrono::seconds(10));
        ASSERT_TRUE(status.has_value());
        EXPECT_EQ(*status, 128 + SIGKILL);
        m_server.reset();
    }

    void expect_sound(const fs::path& file) {
        EXPECT_EQ(sql(file, "PRAGMA integrity_check"), "ok");
        EXPECT_EQ(sql(file, "PRAGMA foreign_key_check"), "");
        for (const char* index : {"idx_buildings_footprint", "idx_vacancies_geom"})
            EXPECT_EQ(sql(file, std::string("SELECT rtreecheck('") + index + "')"), "ok") << index;
    }
};

// ---------------------------------------------------------------------------------------------
// A burst of edits

/// What a writer was told: the vacancy and the version of its last 2xx.
struct Acknowledged {
    std::string tag;  ///< internal notes are "<tag>#<version>"
    std::int64_t version = 0;
};

// Fails if an acknowledged create or edit is missing after the kill (lost write), if a vacancy's
// row and its history disagree (a half-written edit), or if a create nobody was told about is
// stored beyond the one request each writer had in flight.
TEST_F(Crash, KillDuringABurstOfEditsKeepsEveryAcknowledgedWriteAndNothingHalfWritten) {
    constexpr int k_writers = 4;
    constexpr int k_edits_per_vacancy = 4;
    // Enough buildings for every create of every writer (each writer goes round its own set).
    std::vector<std::pair<double, double>> points;
    {
        std::istringstream rows(spatial_sql(
            db(),
            "SELECT X(PointOnSurface(footprint)) || ' ' || Y(PointOnSurface(footprint)) "
            "FROM buildings WHERE kommune_ags = '" +
                k_home_ags + "' ORDER BY id LIMIT 400"));
        double lon = 0, lat = 0;
        while (rows >> lon >> lat) points.emplace_back(lon, lat);
    }
    ASSERT_GE(points.size(), 100u);

    std::mutex mutex;
    std::map<std::int64_t, Acknowledged> acknowledged;  // by vacancy id
    std::atomic<int> acks{0};
    std::atomic<int> failures{0};
    std::atomic<bool> killed{false};
    const std::string token = m_tokens[Who::Admin];
    const std::uint16_t server_port = port();

    std::vector<std::thread> writers;
    for (int w = 0; w < k_writers; ++w) {
        writers.emplace_back([&, w] {
            try {
                for (int n = 0; !killed; ++n) {
                    const std::string tag = "w" + std::to_string(w) + "c" + std::to_string(n);
                    const auto point = points[(static_cast<std::size_t>(w) +
                                               k_writers * static_cast<std::size_t>(n)) %
                                              points.size()];
                    const std::string feature =
                        vacancy_feature(point,
                                        {{"status", "gemeldet"}, {"internal_notes", tag + "#1"}})
                            .dump();
                    HeaderList headers = {{"Authorization", "Bearer " + token},
                                          {"Content-Type", "application/geo+json"}};
                    const HttpResponse created = http_request(
                        server_port, "POST", "/collections/vacancies/items", headers, feature);
                    if (created.status == 503) continue;  // busy: retry with a new create
                    if (created.status != 201) {
                        if (!killed) {
                            ++failures;
                            ADD_FAILURE() << "create: " << created.status << " " << created.body;
                        }
                        return;
                    }
                    const std::int64_t id = json::parse(created.body).at("id").get<std::int64_t>();
                    {
                        std::lock_guard lock(mutex);
                        acknowledged[id] = {tag, 1};
                    }
                    ++acks;
                    for (std::int64_t version = 1; version <= k_edits_per_vacancy && !killed;) {
                        const std::string body =
                            json{{"properties",
                                  {{"internal_notes", tag + "#" + std::to_string(version + 1)}}}}
                                .dump();
                        const HeaderList patch_headers = {
                            {"Authorization", "Bearer " + token},
                            {"Content-Type", "application/merge-patch+json"},
                            {"If-Match", "\"" + std::to_string(version) + "\""}};
                        const HttpResponse edited = http_request(
                            server_port, "PATCH", vacancy_path(id), patch_headers, body);
                        if (edited.status == 503) continue;
                        if (edited.status != 200) {
                            if (!killed) {
                                ++failures;
                                ADD_FAILURE() << "edit: " << edited.status << " " << edited.body;
                            }
                            return;
                        }
                        ++version;
                        {
                            std::lock_guard lock(mutex);
                            acknowledged[id].version = version;
                        }
                        ++acks;
                    }
                }
            } catch (const std::exception&) {
                // The connection broke: the server was killed under this request.
            }
        });
    }

    // Kill once the burst is well under way (a liveness limit, not a timing assertion).
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (acks < 60 && failures == 0 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const int acks_before_kill = acks;
    kill_server();
    killed = true;
    for (auto& writer : writers) writer.join();
    ASSERT_EQ(failures, 0);
    ASSERT_GE(acks_before_kill, 60) << "the burst did not get going";
    RecordProperty("acknowledged_writes", std::to_string(acks.load()));
    RecordProperty("acknowledged_creates", std::to_string(acknowledged.size()));

    // The database as the kill left it, before any server touches it again.
    expect_sound(db());
    EXPECT_EQ(vacancies_disagreeing_with_history(db()), 0) << "a write was half stored";
    for (const auto& [id, ack] : acknowledged) {
        SCOPED_TRACE("vacancy " + std::to_string(id) + " (" + ack.tag + ")");
        const std::string row =
            sql(db(), "SELECT version || '|' || internal_notes FROM vacancies WHERE id = " +
                          std::to_string(id));
        ASSERT_FALSE(row.empty()) << "an acknowledged create is gone";
        const std::int64_t version = std::stoll(row.substr(0, row.find('|')));
        // Every acknowledged edit is there; at most the one in flight at the kill went further.
        EXPECT_GE(version, ack.version) << "acknowledged edits lost";
        EXPECT_LE(version, ack.version + 1);
        EXPECT_EQ(row.substr(row.find('|') + 1), ack.tag + "#" + std::to_string(version));
    }
    // Creates nobody heard of: at most one per writer (its request in flight).
    EXPECT_LE(sql_count(db(), "SELECT count(*) FROM vacancies WHERE internal_notes GLOB 'w*c*#*'"),
              static_cast<long long>(acknowledged.size()) + k_writers);

    // And the server works on it again: the last acknowledged vacancy takes one more edit.
    restart_server();
    ASSERT_FALSE(acknowledged.empty());
    const auto& [id, ack] = *acknowledged.rbegin();
    const std::string etag = etag_of(vacancy_path(id));
    const HttpResponse edited = call(Who::Admin, "PATCH", vacancy_path(id),
                                     json{{"properties", {{"internal_notes", "nach dem Absturz"}}}},
                                     {{"If-Match", etag}}, "application/merge-patch+json");
    EXPECT_EQ(edited.status, 200) << edited.body;
    EXPECT_EQ(call(Who::Admin, "GET", "/health").status, 200);
}

// ---------------------------------------------------------------------------------------------
// An upload

class CrashUpload : public Crash {
  protected:
    std::vector<std::string> extra_serve_args() const override { return {"--max-upload-mb", "64"}; }

    HttpResponse post_upload(const std::string& file_name, const std::string& content) {
        const MultipartBody form =
            multipart({{"kommune", k_home_ags}, {"layer", "buildings"}}, file_name, content);
        const HeaderList headers = {{"Content-Type", form.content_type},
                                    {"Authorization", "Bearer " + m_tokens[Who::Admin]}};
        return with_retry([&] {
            return http_request(port(), "POST", "/api/uploads", headers, form.body,
                                std::chrono::seconds(60));
        });
    }

    json job_status(const std::string& job) {
        const HttpResponse response = call(Who::Admin, "GET", job);
        EXPECT_EQ(response.status, 200) << response.body;
        return json::parse(response.body, nullptr, false);
    }

    long long buildings_of(const std::string& job) {
        const std::string id = job.substr(job.rfind('/') + 1);
        return sql_count(db(), "SELECT count(*) FROM buildings WHERE upload_id = " + id);
    }
};

/// `n` small square footprints on a grid around the middle of Angermünde (EPSG:4326).
std::string many_footprints(int n) {
    const int side = static_cast<int>(std::ceil(std::sqrt(n)));
    std::string out = "{\"type\":\"FeatureCollection\",\"features\":[";
    char buffer[400];
    for (int i = 0; i < n; ++i) {
        const double lon = 13.93 + 0.0003 * (i % side), lat = 53.00 + 0.0002 * (i / side);
        const double d = 0.0001;
        std::snprintf(buffer, sizeof buffer,
                      "%s{\"type\":\"Feature\",\"properties\":{\"name\":\"H%d\"},\"geometry\":{"
                      "\"type\":\"Polygon\",\"coordinates\":[[[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],"
                      "[%.7f,%.7f],[%.7f,%.7f]]]}}",
                      i == 0 ? "" : ",", i, lon, lat, lon + d, lat, lon + d, lat + d, lon, lat + d,
                      lon, lat);
        out += buffer;
    }
    return out + "]}";
}

// Fails if a kill while the body arrives leaves an upload row or buildings behind, if a kill
// while the import job runs leaves part of its buildings (the import is one transaction), if the
// killed upload is not reported as failed after the restart, or if a new upload then fails.
TEST_F(CrashUpload, KillDuringAnUploadStoresAllOrNothingAndTheNextUploadWorks) {
    const std::string content = many_footprints(60000);
    const long long buildings_before = sql_count(db(), "SELECT count(*) FROM buildings");
    const long long uploads_before = sql_count(db(), "SELECT count(*) FROM uploads");

    // 1. Killed while the request body is still arriving: nothing may be stored.
    {
        const MultipartBody form =
            multipart({{"kommune", k_home_ags}, {"layer", "buildings"}}, "gross.geojson", content);
        RawConnection connection(port(), std::chrono::seconds(10));
        const std::string head =
            "POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Authorization: Bearer " +
            m_tokens[Who::Admin] + "\r\nContent-Type: " + form.content_type +
            "\r\nContent-Length: " + std::to_string(form.body.size()) + "\r\n\r\n";
        ASSERT_TRUE(connection.write_all(head + form.body.substr(0, form.body.size() / 2)));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        kill_server();
    }
    expect_sound(db());
    EXPECT_EQ(sql_count(db(), "SELECT count(*) FROM uploads"), uploads_before);
    EXPECT_EQ(sql_count(db(), "SELECT count(*) FROM buildings"), buildings_before);
    restart_server();

    // 2. Killed while the import job runs.
    const HttpResponse accepted = post_upload("gross.geojson", content);
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const std::string job = accepted.header("Location");
    ASSERT_FALSE(job.empty());
    json seen;
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
        seen = job_status(job);
        const std::string state = seen.value("state", "");
        ASSERT_TRUE(state == "queued" || state == "running")
            << "the upload ended before it could be killed; make the file larger: " << seen.dump();
        if (state == "running" && seen["progress"].value("done", 0) > 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(seen.value("state", ""), "running") << seen.dump();
    kill_server();
    RecordProperty("features_done_at_kill", seen["progress"].dump());

    expect_sound(db());
    const long long killed_buildings = buildings_of(job);
    EXPECT_EQ(sql_count(db(), "SELECT count(*) FROM buildings"),
              buildings_before + killed_buildings);

    // 3. After the restart the killed upload is reported failed and a new one goes through.
    restart_server();
    const json after = job_status(job);
    const HttpResponse again = post_upload("gross-2.geojson", content);
    ASSERT_EQ(again.status, 202) << again.body;
    const std::string job2 = again.header("Location");
    json done;
    const auto deadline2 = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline2) {
        done = job_status(job2);
        if (done.value("state", "") == "done" || done.value("state", "") == "failed") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(done.value("state", ""), "done") << done.dump();
    const long long stored = done["report"].value("stored", -1LL);
    EXPECT_GT(stored, 10000) << done.dump();
    EXPECT_EQ(buildings_of(job2), stored);

    if (killed_buildings == 0) {
        // The kill beat the commit: nothing of it, and it says so.
        EXPECT_EQ(after.value("state", ""), "failed") << after.dump();
        EXPECT_TRUE(after.contains("error")) << after.dump();
    } else {
        // The commit beat the kill: then all of it, and it is done.
        EXPECT_EQ(killed_buildings, stored) << "part of an upload was stored";
        EXPECT_EQ(after.value("state", ""), "done") << after.dump();
    }
    expect_sound(db());
    EXPECT_EQ(call(Who::Admin, "GET", "/health").status, 200);
    // No copy of the killed upload is left in the server's work folder (it may hold personal
    // data); the finished one removed its own.
    std::vector<std::string> left;
    for (const auto& entry : fs::directory_iterator(m_dir / "uploads"))
        left.push_back(entry.path().filename().string());
    EXPECT_TRUE(left.empty()) << "left in uploads/: " << left.front();
}

// ---------------------------------------------------------------------------------------------
// A migration

/// Undoes migrations 2–5 of data/migrations.cpp on a current database, so the next start
/// applies them again: 5 added an index, 4 replaced three triggers of 3, 3 added tile_changes
/// and ten triggers, 2 replaced an index on buildings by two others.
/// The newest migration this test knows the objects of (schema_disagreement).
constexpr int k_latest_migration = 15;
/// The versions after 1 up to it, in order (numbers may be skipped).
constexpr std::array<int, 14> k_versions_after_1 = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static_assert(k_versions_after_1.back() == k_latest_migration);

const char* const k_undo_migrations_after_1 = R"sql(
DROP TABLE nachrichten; DROP TABLE vermittlungen; DROP TABLE anfragen;
DROP TABLE gesuche; DROP TABLE angebote;
DROP INDEX kommunen_slug;
ALTER TABLE kommunen DROP COLUMN slug;
ALTER TABLE kommunen DROP COLUMN profile_version;
SELECT DisableSpatialIndex('zensus2011_grid', 'cell');
DROP TABLE idx_zensus2011_grid_cell;
DELETE FROM geometry_columns_statistics WHERE f_table_name = 'zensus2011_grid';
DELETE FROM geometry_columns_auth WHERE f_table_name = 'zensus2011_grid';
DELETE FROM geometry_columns_time WHERE f_table_name = 'zensus2011_grid';
SELECT DiscardGeometryColumn('zensus2011_grid', 'cell');
DROP TABLE zensus2011_grid;
DROP TABLE membership_requests;
ALTER TABLE zukunftsorte DROP COLUMN story;
ALTER TABLE zukunftsorte DROP COLUMN images;
DROP TABLE image_variants; DROP TABLE images;
DROP INDEX vacancy_history_changed_at;
ALTER TABLE vacancies DROP COLUMN public_version;
ALTER TABLE vacancies DROP COLUMN public_created_at;
ALTER TABLE vacancies DROP COLUMN public_updated_at;
DROP INDEX vacancies_building_shown;
DROP TRIGGER vacancies_tile_insert; DROP TRIGGER vacancies_tile_update;
DROP TRIGGER vacancies_tile_delete; DROP TRIGGER zukunftsorte_tile_insert;
DROP TRIGGER zukunftsorte_tile_update; DROP TRIGGER zukunftsorte_tile_delete;
DROP TRIGGER kommunen_tile_insert; DROP TRIGGER kommunen_tile_update;
DROP TRIGGER kommunen_tile_delete; DROP TABLE tile_changes;
DROP INDEX buildings_id; DROP INDEX buildings_kommune_area;
CREATE INDEX buildings_kommune_ags ON buildings (kommune_ags);
DELETE FROM schema_migrations WHERE version >= 2;
)sql";

/// Where the schema disagrees with schema_migrations: "" when each applied version has all its
/// objects and each unapplied one none of them (each migration is one transaction).
std::string schema_disagreement(const fs::path& db) {
    auto count = [&](const std::string& where) {
        return sql_count(db, "SELECT count(*) FROM sqlite_master WHERE " + where);
    };
    const std::string versions =
        sql(db,
            "SELECT group_concat(version) FROM (SELECT version FROM schema_migrations ORDER "
            "BY version)");
    std::string expected_prefix = "1";
    int applied = 1;
    for (const int v : k_versions_after_1) {
        if (versions.size() <= expected_prefix.size()) break;
        expected_prefix += "," + std::to_string(v);
        applied = v;
    }
    if (versions != expected_prefix) return "schema_migrations holds " + versions;
    std::string problems;
    auto check = [&](int version, long long found, long long when_applied,
                     const std::string& what) {
        const long long want = applied >= version ? when_applied : 0;
        if (found != want)
            problems += "version " + std::to_string(version) + (applied >= version ? "" : " not") +
                        " applied but " + std::to_string(found) + " " + what + "; ";
    };
    check(2, count("type = 'index' AND name IN ('buildings_id', 'buildings_kommune_area')"), 2,
          "of its indexes");
    if ((count("type = 'index' AND name = 'buildings_kommune_ags'") == 1) == (applied >= 2))
        problems += "the index migration 2 drops disagrees; ";
    check(3,
          count("(type = 'table' AND name = 'tile_changes') OR (type = 'trigger' AND (name GLOB "
                "'*_tile_*' OR name = 'tile_changes_keep_newest'))"),
          11, "of its table and triggers");
    check(4, count("type = 'trigger' AND name GLOB '*_tile_update' AND sql LIKE '%WHEN OLD.%'"), 3,
          "of its triggers");
    check(5, count("type = 'index' AND name = 'vacancies_building_shown'"), 1, "of its index");
    check(6,
          count("type = 'table' AND name = 'vacancies' AND sql LIKE '%public_version%' AND sql "
                "LIKE '%public_created_at%' AND sql LIKE '%public_updated_at%'"),
          1, "of its columns");
    check(7,
          count("(type = 'table' AND name = 'tile_changes' AND sql LIKE '%public INTEGER%') OR "
                "(type = 'trigger' AND name GLOB 'vacancies_tile_*' AND sql LIKE '%, public)%')"),
          4, "of its column and triggers");
    check(8, count("type = 'index' AND name = 'vacancy_history_changed_at'"), 1, "of its index");
    check(9,
          count("(type = 'table' AND name IN ('images', 'image_variants')) OR (type = 'index' AND "
                "name = 'images_kommune_ags')"),
          3, "of its tables and index");
    check(12, count("type = 'table' AND name IN ('zensus2011_grid', 'idx_zensus2011_grid_cell')"),
          2, "of its tables");
    check(13,
          count("(type = 'index' AND name = 'kommunen_slug') OR (type = 'table' AND name = "
                "'kommunen' AND sql LIKE '%slug TEXT%' AND sql LIKE '%profile_version%')"),
          2, "of its columns and index");
    check(14,
          count("type = 'table' AND name IN ('angebote', 'anfragen', 'gesuche', "
                "'vermittlungen', 'nachrichten')"),
          5, "of its tables");
    check(11,
          count("(type = 'table' AND name = 'membership_requests') OR (type = 'index' AND name = "
                "'membership_requests_decided_at')"),
          2, "of its table and index");
    check(10,
          count("type = 'table' AND name = 'zukunftsorte' AND sql LIKE '%story TEXT%' AND sql LIKE "
                "'%images TEXT%'"),
          1, "of its columns");
    return problems;
}

/// `leerstand serve` started without waiting for it (ServerProcess waits until it listens,
/// which is after the migrations).
pid_t spawn_server(const fs::path& db) {
    std::vector<std::string> args = {
        leerstand_binary().string(), "serve", "--db", db.string(), "--port", "0"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    const int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return error == 0 ? pid : -1;
}

// Fails if a kill at any moment of the start leaves a migration half applied (some of its
// objects without its schema_migrations row, or the reverse), breaks the file, or keeps the
// next normal start from reaching the latest version.
TEST_F(Crash, KillDuringAMigrationLeavesEachMigrationWholeOrNotAtAll) {
    ASSERT_TRUE(m_server->stop(SIGTERM, std::chrono::seconds(10)).has_value());
    m_server.reset();
    ASSERT_EQ(schema_disagreement(db()), "") << "the check must accept a current database";
    // 60,000 more buildings, so migration 2's two indexes take a while to build.
    spatial_sql(db(),
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) "
                "INSERT INTO buildings (kommune_ags, footprint, area_m2, source_ref) SELECT "
                "b.kommune_ags, b.footprint, b.area_m2, 'crash-test' FROM n JOIN buildings b ON "
                "b.id = (SELECT min(id) FROM buildings) + n.i % 1000");
    spatial_sql(db(), k_undo_migrations_after_1);
    spatial_sql(db(), "PRAGMA wal_checkpoint(TRUNCATE)");
    ASSERT_EQ(sql(db(), "SELECT group_concat(version) FROM schema_migrations"), "1");
    ASSERT_EQ(schema_disagreement(db()), "");
    const fs::path old_schema = m_dir / "old-schema.sqlite";
    fs::rename(db(), old_schema);
    fs::remove(db().string() + "-wal");
    fs::remove(db().string() + "-shm");

    // Each round starts from the old schema and kills the server after a delay, or as soon as
    // the migration's transaction has written to the WAL (mid-transaction).
    std::vector<int> delays_ms = {0, 20, 40, 60, 80, 100, 130, 160, 200, 250, 300, 400};
    const int k_wal_rounds = 4;
    std::map<std::string, int> outcomes;  // schema_migrations after the kill → rounds
    for (std::size_t round = 0; round < delays_ms.size() + k_wal_rounds; ++round) {
        const bool on_wal = round >= delays_ms.size();
        SCOPED_TRACE(on_wal ? "kill when the WAL grows, round " + std::to_string(round)
                            : "kill after " + std::to_string(delays_ms[round]) + " ms");
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db().string() + suffix);
        fs::copy_file(old_schema, db());
        const pid_t pid = spawn_server(db());
        ASSERT_GT(pid, 0);
        if (on_wal) {
            const fs::path wal = db().string() + "-wal";
            const auto deadline = Clock::now() + std::chrono::seconds(10);
            std::error_code error;
            while (Clock::now() < deadline && !(fs::exists(wal) && fs::file_size(wal, error) > 0))
                std::this_thread::yield();
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(delays_ms[round]));
        }
        kill(pid, SIGKILL);
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);

        expect_sound(db());
        EXPECT_EQ(schema_disagreement(db()), "");
        ++outcomes[sql(db(), "SELECT group_concat(version) FROM schema_migrations")];
    }
    std::string summary;
    for (const auto& [versions, rounds] : outcomes)
        summary += "[" + versions + "]×" + std::to_string(rounds) + " ";
    RecordProperty("versions_after_kills", summary);
    std::cout << "schema_migrations after the kills: " << summary << "\n";

    // A normal start on the last killed database reaches the latest version and serves.
    restart_server();
    EXPECT_EQ(call(Who::Anonymous, "GET", "/health").status, 200);
    ASSERT_TRUE(m_server->stop(SIGTERM, std::chrono::seconds(10)).has_value());
    m_server.reset();
    std::string all_versions = "1";
    for (const int v : k_versions_after_1) all_versions += "," + std::to_string(v);
    EXPECT_EQ(sql(db(), "SELECT group_concat(version) FROM schema_migrations"), all_versions);
    EXPECT_EQ(schema_disagreement(db()), "");
    expect_sound(db());
    EXPECT_EQ(sql_count(db(), "SELECT count(*) FROM buildings WHERE source_ref = 'crash-test'"),
              60000);
}

}  // namespace
}  // namespace leerstand::test
