// The edges of the HTTP adapter that an outside test found open (issue 19, points 9 and 10):
// who a client is for the sign-in limit (its TCP peer; a header only from a trusted proxy),
// which URL the API's links name (--public-url, never the request's Host), and HEAD answered
// like GET without a body. The real server over real sockets; several clients are several
// loopback addresses (127.0.0.x), so nothing here has to trust a header to be a second client.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
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
    EXPECT_EQ(sign_in("127.0.0.1", user_name(Who::Editor), password(Who::Editor)).status, 200)
        << "another name from that client";
    EXPECT_EQ(sign_in("127.0.0.2", user_name(Who::Planner), password(Who::Planner)).status, 200)
        << "the name from another client";
}

}  // namespace
}  // namespace leerstand::test
