// --public-url: what it accepts and the one spelling links and the Origin check use.
#include "server/http/transport/public_url.hpp"

#include <gtest/gtest.h>

namespace leerstand::http {
namespace {

TEST(PublicUrl, IsSchemeHostAndPortInOneSpelling) {
    const auto url = PublicUrl::parse("HTTPS://Atlas.Example.org/");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->base(), "https://atlas.example.org");
    EXPECT_EQ(url->authority(), "atlas.example.org");
    EXPECT_EQ(PublicUrl::parse("https://atlas.example.org:443")->base(),
              "https://atlas.example.org");
    EXPECT_EQ(PublicUrl::parse("http://atlas.example.org:80")->base(), "http://atlas.example.org");
    EXPECT_EQ(PublicUrl::parse("http://127.0.0.1:8080")->authority(), "127.0.0.1:8080");
    EXPECT_EQ(PublicUrl::parse("https://atlas.example.org:8443")->base(),
              "https://atlas.example.org:8443");
    EXPECT_EQ(PublicUrl::parse("http://[::1]:8080/")->base(), "http://[::1]:8080");
}

TEST(PublicUrl, RefusesWhatIsNoSchemeHostAndPort) {
    for (const char* text :
         {"", "atlas.example.org", "ftp://atlas.example.org", "https://", "https:///",
          "https://atlas.example.org/leerstand", "https://atlas.example.org//",
          "https://atlas.example.org?x=1", "https://atlas.example.org#top",
          "https://user@atlas.example.org", "https://atlas.example.org:0",
          "https://atlas.example.org:65536", "https://atlas.example.org:", "https://[::1",
          "https://[127.0.0.1]", "https://atlas example.org", "null"})
        EXPECT_FALSE(PublicUrl::parse(text)) << text;
}

}  // namespace
}  // namespace leerstand::http
