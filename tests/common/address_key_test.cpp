// Street addresses as people type them (common/address_key.hpp).

#include <gtest/gtest.h>

#include "common/address_key.hpp"

namespace leerstand {
namespace {

AddressSearch parsed(std::string_view text) {
    const auto search = parse_address_search(text);
    EXPECT_TRUE(search) << text;
    return search.value_or(AddressSearch{});
}

TEST(AddressKey, SpellsStreetsOneWay) {
    EXPECT_EQ(street_key("Berliner Straße"), "berlinerstrasse");
    EXPECT_EQ(street_key("Berliner Str."), "berlinerstrasse");
    EXPECT_EQ(street_key("berliner strasse"), "berlinerstrasse");
    EXPECT_EQ(street_key("Berlinerstr."), "berlinerstrasse");
    EXPECT_EQ(street_key("Über dem Bäckergäßchen"), "ueberdembaeckergaesschen");
    EXPECT_EQ(street_key("Straße des 17. Juni"), "strassedes17juni");
    EXPECT_EQ(housenumber_key("12 a"), "12a");
    EXPECT_EQ(housenumber_key("12A"), "12a");
    EXPECT_EQ(housenumber_key("12-14"), "1214");
}

TEST(AddressKey, ReadsTheHouseNumberAtTheEnd) {
    for (const char* text :
         {"Berliner Str. 12", "berliner strasse 12", "Berliner Straße 12", "BERLINER STRASSE 12",
          "Berlinerstr.12", "Berliner Str. 12, Angermünde"}) {
        const AddressSearch search = parsed(text);
        EXPECT_EQ(search.street, "berlinerstrasse") << text;
        EXPECT_EQ(search.housenumber, "12") << text;
    }
    EXPECT_EQ(parsed("Markt 3 b").housenumber, "3b");
    EXPECT_EQ(parsed("Markt 3 b").street, "markt");
    EXPECT_EQ(parsed("Straße des 17. Juni").street, "strassedes17juni");
    EXPECT_EQ(parsed("Straße des 17. Juni").housenumber, "");
    EXPECT_EQ(parsed("Straße des 17. Juni 5").street, "strassedes17juni");
    EXPECT_EQ(parsed("Straße des 17. Juni 5").housenumber, "5");
    EXPECT_EQ(parsed("Weg A").street, "wega");
    EXPECT_EQ(parsed("12").street, "");
    EXPECT_EQ(parsed("12").housenumber, "12");
    EXPECT_FALSE(parse_address_search(" ,. -"));
    EXPECT_FALSE(parse_address_search(""));
}

TEST(AddressKey, MatchesAPartOfTheStreetAndTheStartOfTheNumber) {
    const AddressSearch berliner12 = parsed("Berliner Str. 12");
    EXPECT_TRUE(address_matches(berliner12, "Berliner Straße", "12"));
    EXPECT_TRUE(address_matches(berliner12, "Berliner Straße", "12a"));
    EXPECT_TRUE(address_matches(berliner12, "Große Berliner Straße", "12 B"));
    EXPECT_FALSE(address_matches(berliner12, "Berliner Straße", "120"));
    EXPECT_FALSE(address_matches(berliner12, "Berliner Straße", "1"));
    EXPECT_FALSE(address_matches(berliner12, "Berliner Straße", ""));
    EXPECT_FALSE(address_matches(berliner12, "Berliner Platz", "12"));
    const AddressSearch street = parsed("berliner");
    EXPECT_TRUE(address_matches(street, "Berliner Straße", "7"));
    EXPECT_TRUE(address_matches(street, "Berliner Straße", ""));
    EXPECT_FALSE(address_matches(street, "Markt", "7"));
    EXPECT_TRUE(address_matches(parsed("Muenchener Str 1"), "Münchener Straße", "1"));
}

}  // namespace
}  // namespace leerstand
