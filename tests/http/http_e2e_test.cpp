// End-to-end tests of `leerstand serve`: the real binary on an ephemeral port, real HTTP over a
// socket, a fresh SpatiaLite file per test.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/http/http_client.hpp"
#include "tests/http/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path k_sqlite3 = "/usr/bin/sqlite3";

fs::path source_dir() {
    return fs::path(LEERSTAND_SOURCE_DIR);
}
fs::path web_root() {
    return source_dir() / "web";
}

/// Runs SQL with the sqlite3 shell: an oracle that shares no code with our store.
std::string sqlite3(const fs::path& db, const std::string& sql) {
    const CommandResult result = run_command({k_sqlite3.string(), db.string(), sql});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
}

/// Asserts an RFC 9457 body with `status` and a non-empty detail; returns it.
json expect_problem(const HttpResponse& response, int status) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
    EXPECT_EQ(response.header("X-Content-Type-Options"), "nosniff");
    json body = json::parse(response.body, nullptr, false);
    EXPECT_TRUE(body.is_object()) << response.body;
    if (!body.is_object()) return body;
    EXPECT_EQ(body.value("status", 0), status);
    EXPECT_TRUE(body.contains("type") && body["type"].is_string());
    EXPECT_TRUE(body.contains("title") && body["title"].is_string());
    EXPECT_TRUE(body.contains("instance") && body["instance"].is_string());
    EXPECT_TRUE(body.contains("detail") && body["detail"].is_string() &&
                !body["detail"].get<std::string>().empty());
    return body;
}

class HttpServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        m_server = std::make_unique<ServerProcess>(
            std::vector<std::string>{"--db", db().string(), "--port", "0", "--web",
                                     web_root().string()},
            m_dir.path());
    }

    void TearDown() override {
        if (m_server) m_server->stop(SIGTERM, std::chrono::seconds(5));
    }

    fs::path db() const { return m_dir / "t.sqlite"; }
    std::uint16_t port() const { return m_server->port(); }

    TempDir m_dir;
    std::unique_ptr<ServerProcess> m_server;
};

TEST_F(HttpServerTest, HealthReportsSchemaVersionAndZeroCountsOnAFreshDatabase) {
    const HttpResponse response = http_get(port(), "/health");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/json");
    const json body = json::parse(response.body);
    EXPECT_EQ(body.at("status"), "ok");
    ASSERT_TRUE(body.at("schema_version").is_number_integer());
    EXPECT_GE(body.at("schema_version").get<int>(), 1);

    const json& counts = body.at("counts");
    for (const char* name : {"kommunen", "buildings", "zukunftsorte", "users"}) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(counts.contains(name));
        EXPECT_EQ(counts.at(name), 0);
    }
    EXPECT_EQ(counts.size(), 4u);
    EXPECT_FALSE(counts.contains("vacancies")) << "the public must not learn unpublished counts";
    EXPECT_FALSE(counts.contains("uploads")) << "nor that someone uploaded them";

    if (!fs::exists(k_sqlite3)) GTEST_SKIP() << "sqlite3 shell not installed; oracle skipped";
    EXPECT_EQ(sqlite3(db(), "SELECT max(version) FROM schema_migrations"),
              std::to_string(body.at("schema_version").get<int>()) + "\n");
}

TEST_F(HttpServerTest, HealthCountsFollowTheDatabase) {
    if (!fs::exists(k_sqlite3)) GTEST_SKIP() << "sqlite3 shell not installed";
    // Written by another process while the server runs: the workers must see committed data.
    sqlite3(db(),
            "INSERT INTO users (name, role, password_hash) VALUES "
            "('anna', 'editor', 'x'), ('ben', 'planner', 'y')");
    const HttpResponse response = http_get(port(), "/health");
    ASSERT_EQ(response.status, 200) << response.body;
    const json counts = json::parse(response.body).at("counts");
    EXPECT_EQ(counts.at("users"), 2);
    EXPECT_EQ(counts.at("kommunen"), 0);
}

TEST_F(HttpServerTest, HttpOneOneClientsKeepTheirConnectionAcrossRequests) {
    const fs::path curl = "/usr/bin/curl";
    if (!fs::exists(curl)) GTEST_SKIP() << "curl not installed (scripts/setup installs it)";
    // curl sends no Connection header and believes the answer: with `Connection: Close` it
    // opens a new connection for the second URL (num_connects 1 instead of 0).
    const std::string url = "http://127.0.0.1:" + std::to_string(port()) + "/health";
    const CommandResult result =
        run_command({curl.string(), "-s", "-o", "/dev/null", "-o", "/dev/null", "-w",
                     "%{http_code} %{num_connects}\n", url, url});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, "200 1\n200 0\n");

    // Our test client asks to close: that is still honoured in the answer.
    EXPECT_EQ(http_get(port(), "/health").header("Connection"), "Close");
}

TEST_F(HttpServerTest, EveryAnswerCarriesTheSecurityHeaders) {
    for (const char* target : {"/health", "/collections", "/no-such-thing", "/app.js"}) {
        SCOPED_TRACE(target);
        const HttpResponse response = http_get(port(), target);
        EXPECT_EQ(response.header("X-Content-Type-Options"), "nosniff");
        EXPECT_EQ(response.header("Referrer-Policy"), "strict-origin");
        EXPECT_EQ(response.header("Content-Security-Policy"),
                  "default-src 'none'; frame-ancestors 'none'");
    }
    // The page of the web app may load its own scripts and styles, and the basemap's images
    // (OpenStreetMap's by default); nothing inline, no frames around it.
    const std::string page = http_get(port(), "/").header("Content-Security-Policy");
    for (const char* part : {"default-src 'self'", "script-src 'self'", "style-src 'self'",
                             "img-src 'self' data: blob: https://tile.openstreetmap.org",
                             "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'"})
        EXPECT_NE(page.find(part), std::string::npos) << part << " missing in " << page;
    EXPECT_EQ(page.find("unsafe-inline"), std::string::npos) << page;
}

TEST_F(HttpServerTest, RootServesTheIndexPage) {
    const HttpResponse response = http_get(port(), "/");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(response.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(response.body, file_bytes(web_root() / "index.html"));
    EXPECT_NE(response.body.find("<html lang=\"de\">"), std::string::npos);
    EXPECT_NE(response.body.find("id=\"status\""), std::string::npos);
}

TEST_F(HttpServerTest, PublicPagesServeTheAppWithTheirOwnTitle) {
    for (const auto& [path, title] :
         {std::pair{"/netzwerk", "Das Netzwerk"}, std::pair{"/zukunftsorte", "Zukunftsorte"},
          std::pair{"/impressum", "Impressum"}, std::pair{"/datenschutz", "Datenschutz"}}) {
        const HttpResponse response = http_get(port(), path);
        ASSERT_EQ(response.status, 200) << path << ": " << response.body;
        EXPECT_EQ(response.header("Content-Type"), "text/html; charset=utf-8") << path;
        EXPECT_NE(response.body.find(std::string("<title>") + title + " – Leerstandsatlas</title>"),
                  std::string::npos)
            << path;
        EXPECT_NE(response.body.find("id=\"page\""), std::string::npos) << path;
        EXPECT_NE(response.header("Content-Security-Policy").find("frame-ancestors 'none'"),
                  std::string::npos)
            << path;
    }
}

TEST_F(HttpServerTest, ScriptsAndStylesCarryTheirContentTypes) {
    const HttpResponse script = http_get(port(), "/app.js");
    ASSERT_EQ(script.status, 200) << script.body;
    EXPECT_EQ(script.header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(script.body, file_bytes(web_root() / "app.js"));

    const HttpResponse style = http_get(port(), "/style.css?v=1");  // the query is ignored
    ASSERT_EQ(style.status, 200) << style.body;
    EXPECT_EQ(style.header("Content-Type"), "text/css; charset=utf-8");
    EXPECT_EQ(style.body, file_bytes(web_root() / "style.css"));
}

TEST_F(HttpServerTest, VendoredLeafletComesFromNodeModules) {
    const fs::path dist = web_root() / "node_modules" / "leaflet" / "dist";
    if (!fs::exists(dist / "leaflet.js"))
        GTEST_SKIP() << dist << " is missing; run `npm ci` in web/ (scripts/setup does)";

    const HttpResponse script = http_get(port(), "/vendor/leaflet/leaflet.js");
    ASSERT_EQ(script.status, 200) << script.body;
    EXPECT_EQ(script.header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(script.body, file_bytes(dist / "leaflet.js"));

    // Two levels below the vendor prefix: Pistache's own "*" routes match one segment only.
    const HttpResponse icon = http_get(port(), "/vendor/leaflet/images/marker-icon.png");
    ASSERT_EQ(icon.status, 200) << icon.body;
    EXPECT_EQ(icon.header("Content-Type"), "image/png");
    EXPECT_EQ(icon.body, file_bytes(dist / "images" / "marker-icon.png"));
}

TEST_F(HttpServerTest, TraversalAttemptsGetProblemsAndNeverTheFile) {
    // Each target would reach a real file if the path were joined naively; `marker` is a
    // string from that file which must never appear in the response.
    struct Attempt {
        std::string target;
        int status;
        std::string marker;
    };
    const std::string cmake = "cmake_minimum_required";
    const std::string npm = "playwright-core";
    const std::vector<Attempt> attempts = {
        {"/../CMakeLists.txt", 404, cmake},
        {"/%2e%2e/CMakeLists.txt", 404, cmake},
        {"/%2E%2E/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 404, "root:"},
        {"/%2e%2e/%2e%2e/etc/passwd", 404, "root:"},
        {"/vendor/leaflet/../../../package.json", 404, npm},
        {"/vendor/leaflet/%2e%2e/%2e%2e/%2e%2e/package.json", 404, npm},
        {"/..%2f..%2fREADME.md", 404, ""},
        {"/..%2fCMakeLists.txt", 404, cmake},
        {"/%252e%252e/CMakeLists.txt", 404, cmake},  // double encoding
        {"/..\\CMakeLists.txt", 404, cmake},
        {"/..%5cCMakeLists.txt", 404, cmake},
        {"/package.json", 404, npm},
        {"/node_modules/leaflet/package.json", 404, "\"leaflet\""},
        {"/index.html%00.png", 400, "<html"},
        {"/%00", 400, ""},
        {"/%zz", 400, ""},
        {"/index.html/", 404, "<html"},
        {"//etc/passwd", 404, "root:"},
    };
    ASSERT_TRUE(fs::exists(source_dir() / "CMakeLists.txt"));
    for (const Attempt& attempt : attempts) {
        SCOPED_TRACE(attempt.target);
        const HttpResponse response = http_get(port(), attempt.target);
        expect_problem(response, attempt.status);
        if (!attempt.marker.empty()) {
            EXPECT_EQ(response.body.find(attempt.marker), std::string::npos) << response.body;
        }
    }
    // The server is still healthy afterwards.
    EXPECT_EQ(http_get(port(), "/health").status, 200);
}

TEST_F(HttpServerTest, UnknownPathIsANotFoundProblem) {
    const HttpResponse response = http_get(port(), "/gibt/es/nicht");
    const json body = expect_problem(response, 404);
    EXPECT_EQ(body.value("instance", ""), "/gibt/es/nicht");
    EXPECT_FALSE(response.header("X-Request-Id").empty());
    EXPECT_EQ(body.value("request_id", ""), response.header("X-Request-Id"));
}

TEST_F(HttpServerTest, OtherMethodsOnHealthAreMethodNotAllowedProblems) {
    const HttpResponse response = http_request(port(), "POST", "/health");
    expect_problem(response, 405);
    // HEAD is GET without the body (http_edges_test.cpp has the details).
    EXPECT_EQ(response.header("Allow"), "GET, HEAD");
    EXPECT_EQ(http_request(port(), "HEAD", "/health").status, 200);
}

TEST_F(HttpServerTest, InternalErrorsAreLoggedButNeverEchoed) {
    if (!fs::exists(k_sqlite3)) GTEST_SKIP() << "sqlite3 shell not installed";
    // Break the store under the running server: counting users now fails inside SQLite.
    sqlite3(db(),
            "DROP TABLE user_kommunen; DROP TABLE tokens; DROP TABLE sessions; "
            "DROP TABLE users");
    const HttpResponse response = http_get(port(), "/health");
    const json body = expect_problem(response, 500);
    const std::string request_id = body.value("request_id", "");
    ASSERT_FALSE(request_id.empty());
    EXPECT_NE(body.value("detail", "").find(request_id), std::string::npos);
    for (const char* leak : {"users", "no such table", "SQLite", "SELECT"})
        EXPECT_EQ(response.body.find(leak), std::string::npos) << leak << " in " << response.body;

    // The log has the real cause under the same request id.
    const std::string log = m_server->stderr_text();
    EXPECT_NE(log.find(request_id), std::string::npos) << log;
    EXPECT_NE(log.find("no such table"), std::string::npos) << log;
}

TEST_F(HttpServerTest, SigtermStopsTheServerWithExitCodeZero) {
    ASSERT_EQ(http_get(port(), "/health").status, 200);
    const auto started = std::chrono::steady_clock::now();
    const std::optional<int> status = m_server->stop(SIGTERM, std::chrono::seconds(5));
    ASSERT_TRUE(status.has_value()) << "still running 5 s after SIGTERM";
    EXPECT_EQ(*status, 0) << m_server->stderr_text();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
    m_server.reset();
}

TEST_F(HttpServerTest, SigintStopsTheServerWithExitCodeZero) {
    const std::optional<int> status = m_server->stop(SIGINT, std::chrono::seconds(5));
    ASSERT_TRUE(status.has_value()) << "still running 5 s after SIGINT";
    EXPECT_EQ(*status, 0) << m_server->stderr_text();
    m_server.reset();
}

TEST_F(HttpServerTest, SecondServerOnTheSamePortFailsWithOneLine) {
    TempDir other;
    const CommandResult result =
        run_command({"timeout", "20", leerstand_binary().string(), "serve", "--db",
                     (other / "t.sqlite").string(), "--port", std::to_string(port()), "--web",
                     web_root().string()});
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.exit_code, 124) << "the second server kept running";
    EXPECT_EQ(result.out.find("listening on"), std::string::npos) << result.out;
    ASSERT_FALSE(result.err.empty());
    EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << result.err;
    EXPECT_NE(result.err.find(std::to_string(port())), std::string::npos) << result.err;
}

/// Runs `leerstand serve` that must fail at start-up (with a time limit, in case it serves).
CommandResult serve_expecting_failure(const std::vector<std::string>& args) {
    std::vector<std::string> command{"timeout", "20",     leerstand_binary().string(),
                                     "serve",   "--port", "0"};
    command.insert(command.end(), args.begin(), args.end());
    return run_command(command);
}

void expect_one_line_failure(const CommandResult& result) {
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.exit_code, 124) << "the server started instead of failing";
    EXPECT_EQ(result.out.find("listening on"), std::string::npos) << result.out;
    ASSERT_FALSE(result.err.empty());
    EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "not one line: " << result.err;
}

TEST(HttpServerStartup, UnusableDatabasePathFailsFastWithOneLine) {
    // /proc does not allow creating directories or files.
    const CommandResult result = serve_expecting_failure(
        {"--db", "/proc/leerstand-test/t.sqlite", "--web", web_root().string()});
    expect_one_line_failure(result);
}

TEST(HttpServerStartup, MissingWebRootFailsFastWithOneLine) {
    TempDir dir;
    const CommandResult result = serve_expecting_failure(
        {"--db", (dir / "t.sqlite").string(), "--web", (dir / "no-such-dir").string()});
    expect_one_line_failure(result);
    EXPECT_NE(result.err.find("no-such-dir"), std::string::npos) << result.err;
}

// JSON answers replace bytes that are not UTF-8 instead of throwing: an attribution in Latin-1
// once stopped the server at start with nlohmann's error text.
TEST(HttpServerStartup, AnAttributionThatIsNotUtf8IsServedWithAReplacementCharacter) {
    TempDir dir;
    ServerProcess server({"--db", (dir / "t.sqlite").string(), "--port", "0", "--web",
                          web_root().string(), "--basemap-attribution", "Kacheln \xA9 OSM"},
                         dir.path());
    const HttpResponse response = http_get(server.port(), "/api/config");
    ASSERT_EQ(response.status, 200) << response.body;
    const json body = json::parse(response.body);
    EXPECT_EQ(body.at("basemap").at("attribution"), "Kacheln \uFFFD OSM");
    server.stop(SIGTERM, std::chrono::seconds(5));
}

}  // namespace
}  // namespace leerstand::test
