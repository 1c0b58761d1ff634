// Writes wait for SQLite's write lock away from Pistache's workers (issue 7, concurrency):
// while another process holds the lock, write requests wait, and reads on every connection are
// answered meanwhile; when the queue of waiting writes is full, a write gets the documented
// 503 with Retry-After; once the lock is free, every waiting write is stored.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/http/atlas_fixture.hpp"
#include "tests/http/http_client.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

/// Another process's write transaction on the database (a desktop GIS, a script): holds
/// SQLite's write lock from construction until destruction.
class WriteLockHolder {
  public:
    explicit WriteLockHolder(const std::filesystem::path& db) {
        if (sqlite3_open(db.c_str(), &m_db) != SQLITE_OK ||
            sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("cannot lock the database: ") +
                                     sqlite3_errmsg(m_db));
    }
    ~WriteLockHolder() {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(m_db);
    }
    WriteLockHolder(const WriteLockHolder&) = delete;
    WriteLockHolder& operator=(const WriteLockHolder&) = delete;

  private:
    sqlite3* m_db = nullptr;
};

class WriteQueue : public AtlasServerTest {
  protected:
    /// Sends a vacancy for building `n` of the home Kommune as admin on its own connection and
    /// leaves the answer unread.
    std::unique_ptr<RawConnection> send_create(int n) {
        const std::string body =
            vacancy_feature(building_point(k_home_ags, n), {{"status", "gemeldet"}}).dump();
        auto connection = std::make_unique<RawConnection>(port(), 30s);
        connection->write_all(
            "POST /collections/vacancies/items HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Authorization: Bearer " +
            m_tokens[Who::Admin] + "\r\nContent-Type: application/geo+json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body);
        return connection;
    }

    int vacancy_count() { return std::stoi(spatial_sql(db(), "SELECT count(*) FROM vacancies")); }
};

TEST_F(WriteQueue, ReadsAreAnsweredWhileWritesWaitForTheLock) {
    const int before = vacancy_count();
    std::vector<std::unique_ptr<RawConnection>> writes;
    {
        const WriteLockHolder lock(db());
        // More waiting writes than Pistache has workers: before writes left the workers,
        // each of them held one until SQLite's busy timeout (5 s) ran out.
        for (int n = 0; n < 6; ++n) writes.push_back(send_create(n));
        std::this_thread::sleep_for(500ms);  // let the server read them
        // Fresh connections land on every worker in turn; each read is answered while the
        // writes still wait, well within their busy timeout.
        for (int i = 0; i < 8; ++i) {
            const HttpResponse health = http_request(port(), "GET", "/health", 3s);
            ASSERT_EQ(health.status, 200) << health.body;
            const HttpResponse kommunen =
                http_request(port(), "GET", "/collections/kommunen/items?limit=1", 3s);
            ASSERT_EQ(kommunen.status, 200) << kommunen.body;
        }
        EXPECT_EQ(vacancy_count(), before) << "the lock holder let no write in yet";
    }
    for (auto& write : writes) EXPECT_EQ(write->answer_status(), 201);
    EXPECT_EQ(vacancy_count(), before + 6);
}

TEST_F(WriteQueue, BeyondTheQueueAWriteGets503WithRetryAfterAndTheRestAreStored) {
    const int before = vacancy_count();
    constexpr int k_writes = 80;  // 4 running + 64 waiting fit; the rest are turned away
    std::vector<std::unique_ptr<RawConnection>> writes;
    {
        const WriteLockHolder lock(db());
        for (int n = 0; n < k_writes; ++n) writes.push_back(send_create(n));
        std::this_thread::sleep_for(1s);  // let the server read them all
    }
    int created = 0, refused = 0;
    for (auto& write : writes) {
        std::string answer;
        while (answer.find("\r\n\r\n") == std::string::npos && write->read_more(answer)) {
        }
        const int status = std::stoi(answer.substr(9, 3));
        if (status == 201) {
            ++created;
        } else {
            ASSERT_EQ(status, 503) << answer;
            EXPECT_NE(answer.find("\r\nRetry-After: "), std::string::npos) << answer;
            ++refused;
        }
    }
    EXPECT_GE(refused, 1);
    EXPECT_EQ(created + refused, k_writes);
    EXPECT_EQ(vacancy_count(), before + created) << "every 201 is stored, nothing else";
}

}  // namespace
}  // namespace leerstand::test
