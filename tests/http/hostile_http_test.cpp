// Hostile HTTP against the real server (issue 7): malformed request lines and headers, oversized
// and deep input, numbers out of range, SQL metacharacters in every filter, idle and slow
// connections. Each must get a clean 4xx (or a closed connection), nothing stored may change,
// and the server must go on serving everyone else.

#include <gtest/gtest.h>

#include <cctype>
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

class HostileHttp : public AtlasServerTest {
  protected:
    /// Sends `bytes` on a fresh connection; the status of the answer (0: closed without one).
    int status_of_raw(const std::string& bytes) {
        RawConnection connection(port(), 15s);
        connection.write_all(bytes);
        return connection.answer_status();
    }

    /// The server still answers a normal request.
    void expect_still_serving() {
        const HttpResponse health = http_get(port(), "/health");
        EXPECT_EQ(health.status, 200) << health.body;
    }

    /// Row counts of the tables a request could damage.
    std::string table_counts() {
        return spatial_sql(
            db(),
            "SELECT (SELECT count(*) FROM vacancies) || '/' || (SELECT count(*) FROM "
            "buildings) || '/' || (SELECT count(*) FROM users) || '/' || (SELECT "
            "count(*) FROM kommunen) || '/' || (SELECT count(*) FROM sessions)");
    }
};

/// `text` with everything but letters and digits percent-encoded, so it reaches the filter.
std::string url_encoded(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

/// 4xx, or the server closed the connection without answering.
void expect_refused(int status, const std::string& what) {
    EXPECT_TRUE(status == 0 || (status >= 400 && status < 500)) << what << ": status " << status;
}

TEST_F(HostileHttp, MalformedRequestLinesAndHeadersAreRefused) {
    const std::string host = "Host: 127.0.0.1\r\n";
    const std::vector<std::pair<std::string, std::string>> requests = {
        {"garbage", "HELLO THERE\r\n\r\n"},
        {"no version", "GET /health\r\n\r\n"},
        {"unknown version", "GET /health HTTP/9.9\r\n" + host + "\r\n"},
        {"unknown method", "BREW /health HTTP/1.1\r\n" + host + "\r\n"},
        {"header without colon",
         "GET /health HTTP/1.1\r\n" + host + "this is not a header\r\n\r\n"},
        {"binary bytes",
         std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n"},
        {"nul in path", std::string("GET /he\0alth HTTP/1.1\r\n", 23) + host + "\r\n"},
    };
    // All at once: three of them get their 408 only after the server's 10 s request timeout,
    // and meanwhile it must answer everyone else. One after another they took 31 s.
    std::vector<std::unique_ptr<RawConnection>> connections;
    for (const auto& request : requests) {
        connections.push_back(std::make_unique<RawConnection>(port(), 15s));
        connections.back()->write_all(request.second);
    }
    expect_still_serving();
    for (std::size_t i = 0; i < requests.size(); ++i) {
        SCOPED_TRACE(requests[i].first);
        expect_refused(connections[i]->answer_status(), requests[i].first);
    }
    expect_still_serving();
}

TEST_F(HostileHttp, AnUnparsableContentLengthGetsA400ProblemAndTheServerGoesOn) {
    // Pistache 0.0.5 parses Content-Length before any of our code runs; its own input step
    // answered what it cannot parse with a 500 whose body was its exception text
    // (`basic_string::_M_create` for -5). Our input step (request_intake.cpp) answers 400.
    const std::string before = table_counts();
    for (const char* length : {"-5", "99999999999999999999", "abc"}) {
        SCOPED_TRACE(length);
        RawConnection connection(port(), 15s);
        connection.write_all(std::string("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                         "Content-Type: application/json\r\n"
                                         "Content-Length: ") +
                             length + "\r\n\r\n{}");
        std::string answer;
        while (answer.find("}") == std::string::npos && connection.read_more(answer)) {
        }
        EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 400") << answer;
        EXPECT_NE(answer.find("application/problem+json"), std::string::npos) << answer;
        EXPECT_EQ(answer.find("basic_string"), std::string::npos) << answer;
        EXPECT_EQ(answer.find("stoull"), std::string::npos) << answer;
        expect_still_serving();
    }
    EXPECT_EQ(table_counts(), before);
}

TEST_F(HostileHttp, AmbiguousBodyLengthsGetA400ProblemAndTheConnectionIsClosed) {
    // Two Content-Length headers, or one with Transfer-Encoding, can be read two ways: a proxy
    // in front that reads the other way sees another request where we see a body (request
    // smuggling). Pistache keeps one of each and went on; the intake now refuses the request.
    const std::string start = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    const std::vector<std::pair<std::string, std::string>> requests = {
        {"two equal lengths", start + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"},
        {"two lengths", start + "Content-Length: 2\r\ncontent-length: 7\r\n\r\n{}"},
        {"length and chunked",
         start + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
        {"chunked and length",
         start + "transfer-encoding: chunked\r\nCONTENT-LENGTH: 5\r\n\r\n0\r\n\r\n"},
    };
    for (const auto& [what, bytes] : requests) {
        SCOPED_TRACE(what);
        RawConnection connection(port(), 15s);
        ASSERT_TRUE(connection.write_all(bytes));
        std::string answer;
        // Read until the server closes: a kept connection would time out here.
        while (connection.read_more(answer)) {
        }
        EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 400") << answer;
        EXPECT_NE(answer.find("application/problem+json"), std::string::npos) << answer;
        EXPECT_NE(answer.find("Connection: Close"), std::string::npos) << answer;
        EXPECT_EQ(answer.find("\"status\":200"), std::string::npos) << answer;
        expect_still_serving();
    }
}

TEST_F(HostileHttp, OversizedHeadersUrlsAndBodiesAreRefused) {
    const std::string before = table_counts();
    // A 200 KB URL and a 200 KB header: no path or header of ours is that long.
    expect_refused(
        http_get(port(), "/collections/vacancies/items?kommune=" + std::string(200000, '1')).status,
        "long URL");
    expect_refused(status_of_raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " +
                                 std::string(200000, 'a') + "\r\n\r\n"),
                   "long header");
    EXPECT_EQ(http_get(port(), "/health?x=" + std::string(10000, 'x')).status, 414);
    // A body announced past the upload limit is refused as soon as the headers are in (Pistache
    // alone took it until that much had arrived): 413, then the connection is closed, so the
    // client stops sending.
    {
        RawConnection announced(port(), 5s);
        ASSERT_TRUE(
            announced.write_all("POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Content-Type: multipart/form-data; boundary=x\r\n"
                                "Content-Length: 300000000\r\n\r\n--x\r\n"));
        std::string answer;
        while (announced.read_more(answer)) {
        }
        EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 413") << answer;
        EXPECT_NE(answer.find("Content-Length: 300000000"), std::string::npos) << answer;
        expect_still_serving();
    }
    EXPECT_EQ(table_counts(), before);
    expect_still_serving();
}

TEST_F(HostileHttp, HostileJsonGetsProblemsAndStoresNothing) {
    const std::string before = table_counts();
    const std::string point = "[13.99, 53.01]";
    const std::vector<std::pair<std::string, std::string>> bodies = {
        {"invalid UTF-8",
         "{\"type\":\"Feature\",\"properties\":{\"status\":\"gemeldet\",\"note\":\"\xff\xfe\"},"
         "\"geometry\":{\"type\":\"Point\",\"coordinates\":" +
             point + "}}"},
        {"deeply nested", std::string(100000, '[') + std::string(100000, ']')},
        {"nested properties", "{\"type\":\"Feature\",\"properties\":" + std::string(50000, '[') +
                                  std::string(50000, ']') + "}"},
        {"coordinates 1e308",
         "{\"type\":\"Feature\",\"properties\":{\"status\":\"gemeldet\"},"
         "\"geometry\":{\"type\":\"Point\",\"coordinates\":[1e308,1e308]}}"},
        {"coordinates overflow",
         "{\"type\":\"Feature\",\"properties\":{\"status\":\"gemeldet\"},"
         "\"geometry\":{\"type\":\"Point\",\"coordinates\":[1e999,5]}}"},
        {"floor area out of range",
         "{\"type\":\"Feature\",\"properties\":{\"status\":\"gemeldet\",\"floor_area_m2\":1e300},"
         "\"geometry\":{\"type\":\"Point\",\"coordinates\":" +
             point + "}}"},
        {"truncated", "{\"type\":\"Feature\",\"properties\":{\"status\":"},
        {"not an object", "\"just a string\""},
    };
    for (const auto& [what, body] : bodies) {
        SCOPED_TRACE(what);
        const HttpResponse response =
            http_request(port(), "POST", "/collections/vacancies/items",
                         {{"Authorization", "Bearer " + m_tokens.at(Who::Editor)},
                          {"Content-Type", "application/geo+json"}},
                         body);
        EXPECT_GE(response.status, 400) << response.body;
        EXPECT_LT(response.status, 500) << response.body;
        EXPECT_EQ(response.header("Content-Type"), "application/problem+json") << response.body;
        // No internal detail (SQL, exception text of a library) reaches the client.
        EXPECT_EQ(response.body.find("sqlite"), std::string::npos) << response.body;
        EXPECT_EQ(response.body.find("nlohmann"), std::string::npos) << response.body;
    }
    EXPECT_EQ(table_counts(), before);
    expect_still_serving();
}

TEST_F(HostileHttp, SqlMetacharactersAndOutOfRangeNumbersInEveryFilterAreHarmless) {
    const std::string before = table_counts();
    const std::vector<std::string> hostile = {"'",
                                              "' OR '1'='1",
                                              "1; DROP TABLE vacancies; --",
                                              "\") OR 1=1 --",
                                              "%27%20OR%201%3D1",
                                              "%00",
                                              "1e400",
                                              "-1",
                                              "99999999999999999999999",
                                              "NaN",
                                              "..%2F..%2Fetc%2Fpasswd"};
    const std::vector<std::string> targets = {
        "/collections/vacancies/items?kommune=", "/collections/vacancies/items?status=",
        "/collections/vacancies/items?use=",     "/collections/vacancies/items?datetime=",
        "/collections/vacancies/items?bbox=",    "/collections/vacancies/items?limit=",
        "/collections/vacancies/items?offset=",  "/collections/buildings/items?kommune=",
        "/collections/kommunen/items?bbox=",     "/api/kommunen/",
        "/collections/vacancies/items/",         "/tiles/buildings/14/8826/",
        "/export/vacancies.csv?kommune="};
    for (const std::string& target : targets)
        for (const std::string& value : hostile) {
            const std::string url = target + url_encoded(value);
            SCOPED_TRACE(url);
            const HttpResponse response = call(Who::Planner, "GET", url);
            // Either a clean refusal or an honest (empty) answer; never a server error.
            EXPECT_LT(response.status, 500) << response.body;
            if (response.status >= 400) {
                EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
            }
            if (response.status == 200 &&
                response.header("Content-Type") == "application/geo+json") {
                const json body = json::parse(response.body, nullptr, false);
                ASSERT_FALSE(body.is_discarded());
                // An injected OR 1=1 would return every vacancy of other Kommunen too.
                if (body.contains("features")) {
                    EXPECT_EQ(body["features"].size(), 0u) << response.body.substr(0, 300);
                }
            }
        }
    EXPECT_EQ(table_counts(), before);
    expect_still_serving();
}

TEST_F(HostileHttp, IdleAndSlowConnectionsDoNotKeepOthersWaiting) {
    // Two hundred connections that say nothing, and one that sends a header byte a second.
    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < 200; ++i) idle.push_back(std::make_unique<RawConnection>(port(), 30s));
    RawConnection slow(port(), 30s);
    const std::string request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    for (std::size_t i = 0; i < 4; ++i) {
        ASSERT_TRUE(slow.write_all(request.substr(i, 1)));
        // Meanwhile everyone else is served (a liveness check with http_get's own timeout).
        expect_still_serving();
        std::this_thread::sleep_for(1s);
    }
    ASSERT_TRUE(slow.write_all(request.substr(4)));
    EXPECT_EQ(slow.answer_status(), 200) << "a slow but complete request is still answered";
    idle.clear();
    expect_still_serving();
}

// HTTP/1.1 lets a client send its next requests before the answers come (pipelining). Pistache
// 0.0.5 dropped what followed the first request in a read: the client waited forever. Here
// three GETs come in one write, and three more split across writes in the middle of a head:
// each gets its answer, in order, the same as when asked alone. The tile last: it is written
// straight to the socket (direct_send.hpp), the others through Pistache's queue, and it must
// not overtake them.
TEST_F(HostileHttp, PipelinedReadsAreAnsweredInOrder) {
    const std::vector<std::string> targets = {"/health", "/collections/kommunen/items?limit=2",
                                              "/tiles/kommunen/5/17/10.geojson"};
    std::vector<HttpResponse> alone;
    std::string all;
    for (const std::string& target : targets) {
        alone.push_back(http_get(port(), target));
        ASSERT_EQ(alone.back().status, 200) << target;
        all += request_text(port(), "GET", target, {}, std::nullopt, true);
    }
    RawConnection connection(port(), 15s);
    ASSERT_TRUE(connection.write_all(all));
    const std::size_t cut = all.size() / 2 + 7;  // inside the second request's head
    ASSERT_TRUE(connection.write_all(all.substr(0, cut)));
    std::this_thread::sleep_for(100ms);  // so that the server reads the two parts apart
    ASSERT_TRUE(connection.write_all(all.substr(cut)));
    std::string rest;
    for (int round = 0; round < 2; ++round) {
        for (std::size_t i = 0; i < targets.size(); ++i) {
            const HttpResponse answer = read_response(connection, "GET", rest);
            EXPECT_EQ(answer.status, 200) << targets[i];
            EXPECT_EQ(answer.header("Content-Type"), alone[i].header("Content-Type")) << targets[i];
            // The same content; the page of items carries the time it was made.
            const json got = json::parse(answer.body, nullptr, false);
            ASSERT_FALSE(got.is_discarded()) << targets[i];
            if (got.contains("features")) {
                EXPECT_EQ(got["features"], json::parse(alone[i].body)["features"]) << targets[i];
            }
        }
    }
    EXPECT_TRUE(rest.empty()) << rest;
    expect_still_serving();
}

}  // namespace
}  // namespace leerstand::test
