// The spelling of addresses that --trusted-proxy and the TCP peer are compared in.
#include "server/http/transport/client_address.hpp"

#include <gtest/gtest.h>

namespace leerstand::http {
namespace {

TEST(CanonicalIp, OneAddressHasOneSpelling) {
    EXPECT_EQ(canonical_ip("127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(canonical_ip("::ffff:127.0.0.1"), "127.0.0.1") << "what a dual-stack socket says";
    EXPECT_EQ(canonical_ip("::FFFF:7f00:1"), "127.0.0.1");
    EXPECT_EQ(canonical_ip("::1"), "::1");
    EXPECT_EQ(canonical_ip("0:0:0:0:0:0:0:1"), "::1");
    EXPECT_EQ(canonical_ip("2001:DB8:0::1"), "2001:db8::1");
}

TEST(CanonicalIp, NamesRangesAndJunkAreNoAddresses) {
    for (const char* text : {"", "localhost", "nginx.local", "127.0.0.1/8", "127.0.0.1:80", "[::1]",
                             " 127.0.0.1", "127.1", "1.2.3.256", "::1%lo"})
        EXPECT_FALSE(canonical_ip(text)) << text;
}

}  // namespace
}  // namespace leerstand::http
