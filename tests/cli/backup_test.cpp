// `leerstand backup` and `leerstand restore` against the real server: a backup taken during a
// burst of vacancy edits is one consistent snapshot holding every acknowledged edit, a restore
// brings the data back through the server, and every refusal leaves the files as they were.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/cli_support.hpp"
#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void write_file(const fs::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

/// The error output of a failed command is one line "leerstand: …".
void expect_one_line_error(const CommandResult& result, const std::string& part) {
    EXPECT_EQ(result.err.rfind("leerstand: ", 0), 0u) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find(part), std::string::npos) << result.err;
}

std::string vacancy_path(std::int64_t id) {
    return "/collections/vacancies/items/" + std::to_string(id);
}

/// What a restore must keep or bring back: every vacancy with its version and notes, the
/// history and the users, and the database's own verdict on itself.
std::string fingerprint(const fs::path& db) {
    return sql(db, "PRAGMA integrity_check") + " | " +
           sql(db,
               "SELECT count(*) || ':' || coalesce(group_concat(id || '/' || version || '/' || "
               "coalesce(internal_notes, ''), ','), '') FROM (SELECT * FROM vacancies ORDER BY "
               "id)") +
           " | " + sql(db, "SELECT count(*) FROM vacancy_history") + " | " +
           sql(db, "SELECT group_concat(name) FROM (SELECT name FROM users ORDER BY name)");
}

/// Vacancies whose version disagrees with their history: every create and update writes one
/// history row and raises the version by one in the same transaction, so a copy that mixes two
/// moments of the database shows up here.
long long vacancies_disagreeing_with_history(const fs::path& db) {
    return sql_count(db,
                     "SELECT count(*) FROM vacancies v WHERE v.version != (SELECT count(*) FROM "
                     "vacancy_history h WHERE h.vacancy_id = v.id AND h.action IN ('create', "
                     "'update')) OR v.updated_at != (SELECT max(changed_at) FROM vacancy_history "
                     "h WHERE h.vacancy_id = v.id)");
}

class BackupTest : public AtlasServerTest {
  protected:
    fs::path backup_file() const { return m_dir / "backup.sqlite"; }

    CommandResult backup(const fs::path& out) {
        return run_leerstand({"backup", out.string(), "--db", db().string()});
    }
    CommandResult restore(const fs::path& in) {
        return run_leerstand({"restore", in.string(), "--db", db().string()});
    }

    void stop_server() {
        ASSERT_TRUE(m_server->stop(SIGTERM, std::chrono::seconds(10)).has_value());
        m_server.reset();
    }
    void start_server_again() {
        // Logs of its own: the old server.out still names the old port.
        const fs::path logs = m_dir / ("restart-" + std::to_string(++m_restarts));
        fs::create_directories(logs);
        m_server = std::make_unique<ServerProcess>(
            std::vector<std::string>{"--db", db().string(), "--port", "0", "--web",
                                     std::string(LEERSTAND_SOURCE_DIR) + "/web"},
            logs);
    }

    /// Sets a vacancy's internal notes; returns the response.
    HttpResponse set_notes(std::int64_t id, const std::string& notes) {
        const std::string path = vacancy_path(id);
        return call(Who::Admin, "PATCH", path, json{{"properties", {{"internal_notes", notes}}}},
                    {{"If-Match", etag_of(path)}}, "application/merge-patch+json");
    }

    int m_restarts = 0;
};

// ---------------------------------------------------------------------------------------------
// A backup while the server takes edits

TEST_F(BackupTest, ABackupDuringABurstOfEditsIsOneSnapshotWithEveryAcknowledgedEdit) {
    constexpr int k_writers = 3;
    std::array<std::int64_t, k_writers> ids{};
    for (int i = 0; i < k_writers; ++i) {
        ids[static_cast<std::size_t>(i)] = create_vacancy({{"status", "gemeldet"}}, k_home_ags, i);
        ASSERT_GT(ids[static_cast<std::size_t>(i)], 0);
    }
    // Some 60 MB of padding, so copying takes long enough for edits to land during it.
    sql(db(),
        "CREATE TABLE backup_test_padding (b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
        "SELECT i + 1 FROM n WHERE i < 120) INSERT INTO backup_test_padding SELECT "
        "randomblob(500000) FROM n");
    ASSERT_EQ(vacancies_disagreeing_with_history(db()), 0) << "the invariant must hold live";

    // Each writer edits its own vacancy as fast as the server answers; acknowledged[i] is the
    // version of its last 200. Edit k+1 sets the notes to "v<id>#<k+1>", the version it makes.
    std::array<std::atomic<std::int64_t>, k_writers> acknowledged{};
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    const std::string token = m_tokens[Who::Admin];
    const std::uint16_t server_port = port();
    std::vector<std::thread> writers;
    for (int i = 0; i < k_writers; ++i) {
        acknowledged[static_cast<std::size_t>(i)] = 1;
        writers.emplace_back([&, i] {
            const std::int64_t id = ids[static_cast<std::size_t>(i)];
            for (std::int64_t version = 1; !stop; ++version) {
                const std::string notes =
                    "v" + std::to_string(id) + "#" + std::to_string(version + 1);
                const std::string body = json{{"properties", {{"internal_notes", notes}}}}.dump();
                const HeaderList headers = {{"Authorization", "Bearer " + token},
                                            {"Content-Type", "application/merge-patch+json"},
                                            {"If-Match", "\"" + std::to_string(version) + "\""}};
                const HttpResponse response = with_retry([&] {
                    return http_request(server_port, "PATCH", vacancy_path(id), headers, body);
                });
                if (response.status != 200) {
                    ADD_FAILURE() << "edit " << notes << ": " << response.status << " "
                                  << response.body;
                    ++failures;
                    return;
                }
                acknowledged[static_cast<std::size_t>(i)] = version + 1;
            }
        });
    }
    auto acknowledged_now = [&] {
        std::array<std::int64_t, k_writers> now{};
        for (std::size_t i = 0; i < k_writers; ++i) now[i] = acknowledged[i];
        return now;
    };
    const auto warm_up_until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < warm_up_until && failures == 0) {
        const auto now = acknowledged_now();
        if (*std::min_element(now.begin(), now.end()) >= 5) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    const auto before = acknowledged_now();
    const CommandResult result = backup(backup_file());
    const auto after = acknowledged_now();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop = true;
    for (auto& writer : writers) writer.join();
    ASSERT_EQ(failures, 0);

    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out.rfind("backup " + backup_file().string() + ": ", 0), 0u) << result.out;
    EXPECT_NE(result.out.find("MB, schema version "), std::string::npos) << result.out;
    EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
    long long edits_during_backup = 0;
    for (std::size_t i = 0; i < k_writers; ++i) edits_during_backup += after[i] - before[i];
    RecordProperty("edits_during_backup", std::to_string(edits_during_backup));
    EXPECT_GT(edits_during_backup, 0) << "no edit overlapped the backup; the test proves nothing";

    // The copy: sound, one self-contained file, nothing left beside it.
    const fs::path copy = backup_file();
    EXPECT_FALSE(fs::exists(copy.string() + ".partial"));
    EXPECT_FALSE(fs::exists(copy.string() + "-wal"));
    EXPECT_EQ(sql(copy, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(sql(copy, "PRAGMA journal_mode"), "delete");
    EXPECT_EQ(sql_count(copy, "SELECT count(*) FROM backup_test_padding"), 120);
    EXPECT_EQ(sql(copy, "SELECT max(version) FROM schema_migrations"),
              sql(db(), "SELECT max(version) FROM schema_migrations"));
    // One moment of the database: versions, history and timestamps agree for every vacancy.
    EXPECT_EQ(vacancies_disagreeing_with_history(copy), 0);
    for (std::size_t i = 0; i < k_writers; ++i) {
        const std::string id = std::to_string(ids[i]);
        const long long version = sql_count(copy, "SELECT version FROM vacancies WHERE id = " + id);
        // Every edit acknowledged before the backup started is in it; at most the one in flight
        // when the backup ended is there without its answer.
        EXPECT_GE(version, before[i]) << "vacancy " << id << " lost acknowledged edits";
        EXPECT_LE(version, after[i] + 1) << "vacancy " << id;
        EXPECT_EQ(sql(copy, "SELECT internal_notes FROM vacancies WHERE id = " + id),
                  "v" + id + "#" + std::to_string(version));
        EXPECT_EQ(sql(copy,
                      "SELECT json_extract(new_values, '$.internal_notes') FROM vacancy_history "
                      "WHERE vacancy_id = " +
                          id + " ORDER BY id DESC LIMIT 1"),
                  "v" + id + "#" + std::to_string(version));
    }
}

// ---------------------------------------------------------------------------------------------
// Restore

TEST_F(BackupTest, ARestoreBringsTheBackupBackThroughTheServer) {
    const std::int64_t kept = create_vacancy({{"status", "gemeldet"}}, k_home_ags, 0);
    ASSERT_EQ(set_notes(kept, "vor der Sicherung").status, 200);
    const CommandResult saved = backup(backup_file());
    ASSERT_EQ(saved.exit_code, 0) << saved.err;
    // Changes after the backup, which the restore must undo.
    ASSERT_EQ(set_notes(kept, "nach der Sicherung").status, 200);
    const std::int64_t later = create_vacancy({{"status", "gemeldet"}}, k_home_ags, 1);

    // While the server runs, a restore is refused and changes nothing.
    const CommandResult refused = restore(backup_file());
    EXPECT_EQ(refused.exit_code, 1);
    expect_one_line_error(refused, "stop the server");
    EXPECT_FALSE(fs::exists(db().string() + ".restoring"));
    const json live = json::parse(call(Who::Admin, "GET", vacancy_path(kept)).body);
    EXPECT_EQ(live["properties"]["internal_notes"], "nach der Sicherung");

    stop_server();
    const CommandResult restored = restore(backup_file());
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    EXPECT_EQ(restored.out.rfind("restored " + db().string() + " from ", 0), 0u) << restored.out;
    EXPECT_NE(restored.out.find("start the server again"), std::string::npos) << restored.out;
    EXPECT_FALSE(fs::exists(db().string() + "-wal"));
    EXPECT_FALSE(fs::exists(db().string() + "-shm"));
    EXPECT_FALSE(fs::exists(db().string() + ".restoring"));
    EXPECT_TRUE(fs::exists(backup_file())) << "a restore reads its backup, it does not move it";

    start_server_again();
    const HttpResponse old = call(Who::Admin, "GET", vacancy_path(kept));
    ASSERT_EQ(old.status, 200) << old.body;
    EXPECT_EQ(json::parse(old.body)["properties"]["internal_notes"], "vor der Sicherung");
    EXPECT_EQ(old.header("ETag"), "\"2\"");
    EXPECT_EQ(call(Who::Admin, "GET", vacancy_path(later)).status, 404);
    const json history = json::parse(call(Who::Admin, "GET", vacancy_path(kept) + "/history").body);
    EXPECT_EQ(history["changes"].size(), 2u) << history.dump();
    // The restored database takes writes again (the server put it back into WAL mode).
    EXPECT_EQ(set_notes(kept, "wieder da").status, 200);
    EXPECT_EQ(sql(db(), "PRAGMA journal_mode"), "wal");
}

// ---------------------------------------------------------------------------------------------
// Refusals

TEST_F(BackupTest, ABackupNeverOverwritesAFileNorCopiesAForeignDatabase) {
    write_file(backup_file(), "wertvoll");
    const CommandResult exists = backup(backup_file());
    EXPECT_EQ(exists.exit_code, 1);
    expect_one_line_error(exists, "already exists");
    EXPECT_EQ(file_bytes(backup_file()), "wertvoll");
    EXPECT_FALSE(fs::exists(backup_file().string() + ".partial"));

    const fs::path foreign = m_dir / "foreign.sqlite";
    sql(foreign, "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    const fs::path out = m_dir / "foreign-backup.sqlite";
    const CommandResult not_ours =
        run_leerstand({"backup", out.string(), "--db", foreign.string()});
    EXPECT_EQ(not_ours.exit_code, 1);
    expect_one_line_error(not_ours, "not a Leerstandsatlas database");
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(out.string() + ".partial"));

    const fs::path text = m_dir / "notes.txt";
    write_file(text, std::string(8192, 'x'));
    const CommandResult not_sqlite = run_leerstand({"backup", out.string(), "--db", text.string()});
    EXPECT_EQ(not_sqlite.exit_code, 1);
    expect_one_line_error(not_sqlite, "not a SQLite database");
    EXPECT_FALSE(fs::exists(out));

    const CommandResult missing =
        run_leerstand({"backup", out.string(), "--db", (m_dir / "none.sqlite").string()});
    EXPECT_EQ(missing.exit_code, 1);
    expect_one_line_error(missing, "there is no database");
    EXPECT_FALSE(fs::exists(m_dir / "none.sqlite")) << "a backup must not create its source";

    EXPECT_EQ(run_leerstand({"backup", "--db", db().string()}).exit_code, 2);
    EXPECT_EQ(run_leerstand({"backup", "a", "b", "--db", db().string()}).exit_code, 2);
    EXPECT_EQ(run_leerstand({"backup", out.string(), "--force"}).exit_code, 2);
    EXPECT_EQ(run_leerstand({"restore", "--db", db().string()}).exit_code, 2);
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(BackupTest, ARefusedOrBrokenRestoreLeavesTheOldDatabase) {
    const std::int64_t id = create_vacancy({{"status", "gemeldet"}}, k_home_ags, 0);
    const CommandResult saved = backup(backup_file());
    ASSERT_EQ(saved.exit_code, 0) << saved.err;
    // The live database moves on after the backup, so a wrong restore would show.
    ASSERT_EQ(set_notes(id, "nur im alten Stand").status, 200);
    stop_server();
    const std::string before = fingerprint(db());
    ASSERT_NE(before.find("nur im alten Stand"), std::string::npos) << before;

    const std::string good = file_bytes(backup_file());
    const fs::path text = m_dir / "notes.txt";
    write_file(text, std::string(8192, 'x'));
    const fs::path truncated = m_dir / "truncated.sqlite";
    write_file(truncated, good.substr(0, good.size() / 2));
    const fs::path newer = m_dir / "newer.sqlite";
    fs::copy_file(backup_file(), newer);
    sql(newer,
        "INSERT INTO schema_migrations (version, applied_at) VALUES (999, "
        "'2999-01-01T00:00:00Z')");
    const fs::path foreign = m_dir / "foreign.sqlite";
    sql(foreign, "CREATE TABLE t (x)");
    const fs::path damaged = m_dir / "damaged.sqlite";
    {
        // A sound header with garbage in the pages behind it.
        std::string bytes = good;
        for (std::size_t at = 4096 * 2; at < bytes.size(); at += 4096)
            for (std::size_t j = 0; j < 64 && at + j < bytes.size(); ++j) bytes[at + j] = '\x5a';
        write_file(damaged, bytes);
    }

    const struct {
        fs::path in;
        std::string message;
    } cases[] = {
        {text, "not a SQLite database"},
        {truncated, "damaged"},
        {newer, "newer Leerstandsatlas (schema version 999"},
        {foreign, "not a Leerstandsatlas database"},
        {damaged, ""},
        {m_dir / "absent.sqlite", "there is no backup"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.in.filename().string());
        const CommandResult result = restore(c.in);
        EXPECT_EQ(result.exit_code, 1) << result.out;
        expect_one_line_error(result, c.message);
        EXPECT_FALSE(fs::exists(db().string() + ".restoring"));
        EXPECT_EQ(fingerprint(db()), before);
    }

    // The old database still serves, with the change made after the backup.
    start_server_again();
    const HttpResponse current = call(Who::Admin, "GET", vacancy_path(id));
    ASSERT_EQ(current.status, 200) << current.body;
    EXPECT_EQ(json::parse(current.body)["properties"]["internal_notes"], "nur im alten Stand");
}

}  // namespace
}  // namespace leerstand::test
