// The edges of the HTTP adapter that an outside test found open (issue 19, points 9 and 10):
// who a client is for the sign-in limit (its TCP peer; a header only from a trusted proxy),
// which URL the API's links name (--public-url, never the request's Host), and HEAD answered
// like GET without a body. The real server over real sockets; several clients are several
// loopback addresses (127.0.0.x), so nothing here has to trust a header to be a second client.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"
#include "tests/http/http_client.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Sign-in limit per (name, client) and per client (issue 19, point 9)

class SignInFromClients : public AtlasServerTest {
  protected:
    /// Signs in from the loopback address `from`, naming `real_ip` in X-Real-IP when given.
    HttpResponse sign_in(const std::string& from, const std::string& name,
                         const std::string& secret,
                         const std::optional<std::string>& real_ip = std::nullopt) {
        HeaderList headers = {{"Content-Type", "application/json"}};
        if (real_ip) headers.emplace_back("X-Real-IP", *real_ip);
        RawConnection connection(port(), 15s, std::nullopt, from);
        const std::string body = json{{"name", name}, {"password", secret}}.dump();
        EXPECT_TRUE(
            connection.write_all(request_text(port(), "POST", "/api/login", headers, body, false)));
        std::string rest;
        return read_response(connection, "POST", rest);
    }

    /// The status of the editor's sign-in with the right password from `from`.
    int editor_signs_in(const std::string& from,
                        const std::optional<std::string>& real_ip = std::nullopt) {
        return sign_in(from, user_name(Who::Editor), password(Who::Editor), real_ip).status;
    }

    /// Twenty failed sign-ins from `from`, each with a name of its own, so that only the
    /// client's count across names can add up; attempt i names `real_ip(i)` in X-Real-IP.
    void fail_twenty_names(const std::string& from,
                           const std::function<std::string(int)>& real_ip) {
        for (int i = 0; i < 20; ++i) {
            const HttpResponse answer =
                sign_in(from, "nobody-" + std::to_string(i), "wrong-password-123", real_ip(i));
            EXPECT_EQ(answer.status, 401) << "attempt " << i << ": " << answer.body;
        }
    }

    /// A new address for each attempt.
    static std::string any_address(int i) { return "198.51.100." + std::to_string(i); }
};

TEST_F(SignInFromClients, AnotherClientsFailuresNeverLockTheOwnerOut) {
    // 127.0.0.2 guesses the admin's password, far more often than any limit allows.
    HttpResponse last;
    for (int i = 0; i < 8; ++i)
        last = sign_in("127.0.0.2", user_name(Who::Admin), "guess-number-" + std::to_string(i));
    EXPECT_EQ(last.status, 429) << "the guessing client is locked out";
    EXPECT_FALSE(last.header("Retry-After").empty());
    // The admin, from another client, signs in.
    const HttpResponse owner = sign_in("127.0.0.1", user_name(Who::Admin), password(Who::Admin));
    EXPECT_EQ(owner.status, 200) << owner.body;
}

TEST_F(SignInFromClients, FiveFailuresLockANameOnlyForTheClientThatMadeThem) {
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(sign_in("127.0.0.1", user_name(Who::Planner), "wrong-password-123").status, 401);
    const HttpResponse locked =
        sign_in("127.0.0.1", user_name(Who::Planner), password(Who::Planner));
    EXPECT_EQ(locked.status, 429) << "even the right password, from the guessing client";
    EXPECT_EQ(editor_signs_in("127.0.0.1"), 200) << "another name from that client";
    EXPECT_EQ(sign_in("127.0.0.2", user_name(Who::Planner), password(Who::Planner)).status, 200)
        << "the name from another client";
}

TEST_F(SignInFromClients, WithoutATrustedProxyXRealIpNamesNoOtherClient) {
    // Twenty failures from one loopback client, each claiming another address: one client.
    fail_twenty_names("127.0.0.1", any_address);
    EXPECT_EQ(editor_signs_in("127.0.0.1", "198.51.100.200"), 429)
        << "its failures add up, whatever X-Real-IP says";
    EXPECT_EQ(editor_signs_in("127.0.0.2"), 200);
}

class SignInBehindTrustedProxy : public SignInFromClients {
  protected:
    std::vector<std::string> extra_serve_args() const override {
        return {"--trusted-proxy", "127.0.0.1"};
    }
};

TEST_F(SignInBehindTrustedProxy, EachClientTheProxyNamesCountsOnItsOwn) {
    // nginx connects from 127.0.0.1 and names the client in X-Real-IP (scripts/proxy).
    fail_twenty_names("127.0.0.1", any_address);
    EXPECT_EQ(editor_signs_in("127.0.0.1", "198.51.100.200"), 200)
        << "twenty clients with a failure each lock nobody";
    fail_twenty_names("127.0.0.1", [](int) { return "192.0.2.1"; });
    EXPECT_EQ(editor_signs_in("127.0.0.1", "192.0.2.1"), 429)
        << "the guessing client behind the proxy is locked out";
    EXPECT_EQ(editor_signs_in("127.0.0.1", "192.0.2.2"), 200)
        << "another client behind the same proxy is not";
}

TEST_F(SignInBehindTrustedProxy, XRealIpFromAnotherPeerIsIgnored) {
    fail_twenty_names("127.0.0.2", any_address);
    EXPECT_EQ(editor_signs_in("127.0.0.2", "198.51.100.200"), 429)
        << "127.0.0.2 is no trusted proxy: it stays one client";
}

// ---------------------------------------------------------------------------------------------
// Links name the public URL, never the request's Host (issue 19, point 10)

/// Every link the API wrote into `body`: `href` members, TileJSON `tiles` and OpenAPI
/// `servers` URLs, at any depth.
void collect_links(const json& body, std::vector<std::string>& links) {
    if (body.is_array()) {
        for (const json& item : body) collect_links(item, links);
        return;
    }
    if (!body.is_object()) return;
    // Licence links name the licence texts (fixed, or from the operator's site file), never this
    // server; that they do not name the foreign host is checked on the whole body.
    if (body.value("rel", json()) == "license") return;
    for (const auto& [key, value] : body.items()) {
        if (key == "href" && value.is_string()) links.push_back(value.get<std::string>());
        if (key == "tiles" && value.is_array())
            for (const json& url : value)
                if (url.is_string()) links.push_back(url.get<std::string>());
        if (key == "servers" && value.is_array())
            for (const json& server : value) links.push_back(server.value("url", ""));
        collect_links(value, links);
    }
}

/// The documents whose links are checked: landing page, collections, one collection, items
/// pages with next and prev links, TileJSON, tilesets, a tileset, tile matrix sets, OpenAPI.
const std::vector<std::string> k_documents_with_links = {
    "/?f=json",
    "/collections",
    "/collections/vacancies",
    "/collections/buildings/items?limit=1&offset=1",
    "/tiles/buildings.json",
    "/collections/buildings/tiles",
    "/collections/buildings/tiles/WebMercatorQuad",
    "/tileMatrixSets",
    "/api",
};

class LinksUnderAForeignHost : public AtlasServerTest {
  protected:
    /// GET `target` as a client that names `evil.example` as the host and https as the scheme.
    HttpResponse get_from_foreign_host(const std::string& target) {
        RawConnection connection(port(), 15s);
        EXPECT_TRUE(connection.write_all("GET " + target +
                                         " HTTP/1.1\r\nHost: evil.example\r\n"
                                         "X-Forwarded-Proto: https\r\nX-Forwarded-Host: "
                                         "evil.example\r\nAccept: application/json\r\n"
                                         "Connection: close\r\n\r\n"));
        std::string rest;
        return read_response(connection, "GET", rest);
    }

    /// Every document's links start with `base` + "/" (or are `base`), and nothing names the
    /// foreign host.
    void expect_links_to(const std::string& base) {
        for (const std::string& target : k_documents_with_links) {
            SCOPED_TRACE(target);
            const HttpResponse answer = get_from_foreign_host(target);
            ASSERT_EQ(answer.status, 200) << answer.body;
            EXPECT_EQ(answer.body.find("evil.example"), std::string::npos) << answer.body;
            const json body = json::parse(answer.body, nullptr, false);
            ASSERT_FALSE(body.is_discarded());
            std::vector<std::string> links;
            collect_links(body, links);
            EXPECT_FALSE(links.empty());
            for (const std::string& link : links)
                EXPECT_TRUE(link == base || link.rfind(base + "/", 0) == 0) << link;
            if (target.find("/items?") != std::string::npos) {
                std::set<std::string> rels;
                for (const json& link : body["links"]) rels.insert(link.value("rel", ""));
                EXPECT_EQ(rels, (std::set<std::string>{"self", "next", "prev"}));
            }
        }
    }
};

TEST_F(LinksUnderAForeignHost, WithoutPublicUrlLinksNameTheAddressTheServerPrinted) {
    expect_links_to("http://127.0.0.1:" + std::to_string(port()));
}

class LinksWithPublicUrl : public LinksUnderAForeignHost {
  protected:
    std::vector<std::string> extra_serve_args() const override {
        return {"--public-url", "https://Atlas.Example.org/"};
    }
};

TEST_F(LinksWithPublicUrl, LinksNameThePublicUrlOnly) {
    expect_links_to("https://atlas.example.org");
}

TEST_F(LinksWithPublicUrl, BrowsersUnderThePublicUrlOrTheirHostMayWriteOthersMayNot) {
    const json feature = vacancy_feature(building_point(k_home_ags), {{"status", "gemeldet"}});
    // A browser's write carries the session cookie (a script of another origin may write with
    // its token and no cookie: cors_test.cpp).
    const HttpResponse signed_in = http_request(
        port(), "POST", "/api/login", {{"Content-Type", "application/json"}},
        json{{"name", user_name(Who::Editor)}, {"password", password(Who::Editor)}}.dump());
    ASSERT_EQ(signed_in.status, 200) << signed_in.body;
    const std::string set_cookie = signed_in.header("Set-Cookie");
    const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
    const auto create_from = [&](const std::string& origin) {
        return http_request(
            port(), "POST", "/collections/vacancies/items",
            {{"Origin", origin}, {"Cookie", cookie}, {"Content-Type", "application/geo+json"}},
            feature.dump());
    };
    EXPECT_EQ(create_from("https://atlas.example.org").status, 201);
    // The Host this client sent (127.0.0.1:PORT): a browser that reached the server directly.
    EXPECT_EQ(create_from("http://127.0.0.1:" + std::to_string(port())).status, 201);
    for (const std::string foreign :
         {"http://evil.example", "https://atlas.example.org.evil", "http://127.0.0.1:9", "null"}) {
        const HttpResponse refused = create_from(foreign);
        EXPECT_EQ(refused.status, 403) << foreign << ": " << refused.body;
    }
}

class WildcardBind : public AtlasServerTest {
  protected:
    std::vector<std::string> extra_serve_args() const override { return {"--bind", "0.0.0.0"}; }
};

TEST_F(WildcardBind, TheServerWarnsOnceToPassPublicUrl) {
    ASSERT_EQ(http_get(port(), "/health").status, 200);
    std::istringstream lines(m_server->stderr_text());
    int warnings = 0;
    for (std::string line; std::getline(lines, line);)
        if (line.find("--public-url") != std::string::npos) ++warnings;
    EXPECT_EQ(warnings, 1) << m_server->stderr_text();
}

// ---------------------------------------------------------------------------------------------
// HEAD is GET without the body (issue 19, point 10)

/// Headers that are expected to differ between two answers to the same request: the time,
/// the request id, and whether the tile cache had the tile (the HEAD of a fresh tile fills it).
bool differs_between_answers(const std::string& name) {
    return name == "date" || name == "x-request-id" || name == "x-cache";
}

std::map<std::string, std::string> comparable_headers(const HttpResponse& answer) {
    std::map<std::string, std::string> headers;
    for (const auto& [name, value] : answer.headers)
        if (!differs_between_answers(name) && name != "content-length") headers[name] = value;
    return headers;
}

class HeadRequests : public AtlasServerTest {};

TEST_F(HeadRequests, GetRoutesAnswerHeadWithGetsHeadersAndNoBody) {
    const TileXyz cached = tile_of(building_point(k_home_ags), 11);
    const TileXyz fresh = tile_of(building_point(k_home_ags), 12);
    const auto tile = [](const char* layer, const TileXyz& t, const char* extension) {
        return std::string("/tiles/") + layer + "/" + std::to_string(t.z) + "/" +
               std::to_string(t.x) + "/" + std::to_string(t.y) + "." + extension;
    };
    const std::string cached_tile = tile("kommunen", cached, "mvt");
    ASSERT_EQ(http_get(port(), cached_tile).status, 200);
    const HeaderList as_planner = {{"Authorization", "Bearer " + m_tokens.at(Who::Planner)}};
    struct Case {
        std::string target;
        HeaderList headers;
    };
    const std::vector<Case> cases = {
        {"/collections", {}},                         // send_json
        {"/?f=json", {}},                             // the landing page
        {"/collections/kommunen/items?limit=2", {}},  // items
        {"/collections/vacancies/items?limit=3", as_planner},
        {"/collections/kommunen/items/" + k_home_ags, {}},
        {"/api/summary", {}},  // send_summary
        {"/api", {}},          // the OpenAPI document
        {"/health", {}},       // send_body
        {"/api/config", {}},
        {"/tiles/kommunen.json", {}},  // send_document
        {cached_tile, {}},             // a cached tile (direct send)
        {tile("kommunen", fresh, "geojson"), {{"Accept-Encoding", "gzip"}}},  // a fresh tile
        {cached_tile, {{"If-None-Match", "*"}}},                              // 304
        {"/tiles/buildings/5/17/10.mvt", {}},  // 204: below the layer's zooms
        {"/export/kommunen.csv", {}},          // an export (paced, download lane)
        {"/app.js", {}},                       // a static file
        {"/", {{"Accept", "text/html"}}},      // the web page
        {"/gibt/es/nicht", {}},                // a problem (404)
        {"/collections/nope", {}},             // a problem from a route
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.target);
        // HEAD, then GET on the same connection: a body after the HEAD's head would be read
        // as the start of the GET's answer.
        RawConnection connection(port(), 15s);
        ASSERT_TRUE(connection.write_all(
            request_text(port(), "HEAD", c.target, c.headers, std::nullopt, true)));
        std::string rest;
        const HttpResponse head = read_response(connection, "HEAD", rest);
        EXPECT_TRUE(rest.empty()) << "body bytes after the HEAD's head: " << rest.substr(0, 80);
        ASSERT_TRUE(connection.write_all(
            request_text(port(), "GET", c.target, c.headers, std::nullopt, true)));
        const HttpResponse get = read_response(connection, "GET", rest);
        EXPECT_TRUE(rest.empty()) << rest.substr(0, 80);

        EXPECT_EQ(head.status, get.status);
        EXPECT_EQ(comparable_headers(head), comparable_headers(get));
        // The Content-Length of the body GET sent; a problem's body names its request id.
        std::size_t expected = get.body.size();
        const std::string get_id = get.header("X-Request-Id");
        if (!get_id.empty() && get.body.find(get_id) != std::string::npos)
            expected = expected - get_id.size() + head.header("X-Request-Id").size();
        if (get.status != 204 && get.status != 304) {
            EXPECT_EQ(head.header("Content-Length"), std::to_string(expected));
        } else {
            EXPECT_EQ(head.header("Content-Length"), get.header("Content-Length"));
        }
    }
}

// A HEAD answer goes through Pistache's queue, a cached tile's GET answer straight to the
// socket (direct_send.hpp): pipelined, neither may overtake the other.
TEST_F(HeadRequests, PipelinedHeadAndGetAreAnsweredInOrder) {
    const std::string tile = "/tiles/kommunen/5/17/10.mvt";
    ASSERT_EQ(http_get(port(), tile).status, 200);
    const std::vector<std::pair<std::string, std::string>> asked = {
        {"HEAD", tile}, {"GET", tile}, {"HEAD", "/health"}, {"GET", tile}, {"HEAD", tile}};
    std::string all;
    for (const auto& [method, target] : asked)
        all += request_text(port(), method, target, {}, std::nullopt, true);
    RawConnection connection(port(), 15s);
    ASSERT_TRUE(connection.write_all(all));
    std::string rest;
    for (const auto& [method, target] : asked) {
        SCOPED_TRACE(method + " " + target);
        const HttpResponse answer = read_response(connection, method, rest);
        EXPECT_EQ(answer.status, 200);
        EXPECT_EQ(answer.header("Content-Type"),
                  target == tile ? "application/vnd.mapbox-vector-tile" : "application/json");
        if (method == "GET") {
            EXPECT_EQ(std::to_string(answer.body.size()), answer.header("Content-Length"));
        }
    }
    EXPECT_TRUE(rest.empty()) << rest.substr(0, 80);
}

TEST_F(HeadRequests, PathsWithoutGetRefuseHeadAndAllowListsHeadWithGet) {
    RawConnection connection(port(), 15s);
    ASSERT_TRUE(
        connection.write_all(request_text(port(), "HEAD", "/api/login", {}, std::nullopt, true)));
    std::string rest;
    const HttpResponse head = read_response(connection, "HEAD", rest);
    EXPECT_EQ(head.status, 405);
    EXPECT_EQ(head.header("Allow"), "POST");
    ASSERT_TRUE(
        connection.write_all(request_text(port(), "DELETE", "/health", {}, std::nullopt, true)));
    const HttpResponse refused = read_response(connection, "DELETE", rest);
    EXPECT_EQ(refused.status, 405);
    EXPECT_EQ(refused.header("Allow"), "GET, HEAD");
    EXPECT_EQ(http_request(port(), "PUT", "/collections/vacancies/items").header("Allow"),
              "GET, HEAD, POST");
}

}  // namespace
}  // namespace leerstand::test
