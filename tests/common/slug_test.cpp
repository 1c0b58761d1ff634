// The readable part of a Kommune's page address (common/slug.hpp).

#include <gtest/gtest.h>

#include "common/slug.hpp"

namespace leerstand {
namespace {

TEST(NameSlug, WritesUmlautsOutAndJoinsWordsWithHyphens) {
    EXPECT_EQ(name_slug("Angermünde"), "angermuende");
    EXPECT_EQ(name_slug("Herzberg (Elster)"), "herzberg-elster");
    EXPECT_EQ(name_slug("Neukirchen/Erzgeb."), "neukirchen-erzgeb");
    EXPECT_EQ(name_slug("Wunsiedel i. Fichtelgebirge"), "wunsiedel-i-fichtelgebirge");
    EXPECT_EQ(name_slug("Großräschen"), "grossraeschen");
    EXPECT_EQ(name_slug("ÖHRINGEN"), "oehringen");
    EXPECT_EQ(name_slug("Übach-Palenberg"), "uebach-palenberg");
    EXPECT_EQ(name_slug("Halle (Saale)"), "halle-saale");
}

TEST(NameSlug, DropsTheOfficialSuffixAfterAComma) {
    EXPECT_EQ(name_slug("Angermünde, Stadt"), "angermuende");
    EXPECT_EQ(name_slug("Lübeck, Hansestadt"), "luebeck");
}

TEST(NameSlug, TakesTheAccentsOffOtherLatinLetters) {
    EXPECT_EQ(name_slug("Cottbus/Chóśebuz"), "cottbus-chosebuz");
    EXPECT_EQ(name_slug("Bad Muskau/Mužakow"), "bad-muskau-muzakow");
    EXPECT_EQ(name_slug("Łęknica"), "leknica");
}

TEST(NameSlug, LeavesNoHyphenAtEitherEndAndNoRunOfThem) {
    EXPECT_EQ(name_slug("  Sankt  --  Peter  "), "sankt-peter");
    EXPECT_EQ(name_slug("(Elster)"), "elster");
    EXPECT_EQ(name_slug("Ort 2"), "ort-2");
    EXPECT_EQ(name_slug("–"), "");
    EXPECT_EQ(name_slug(""), "");
}

TEST(NameSlug, BrokenUtf8BecomesAGap) {
    EXPECT_EQ(name_slug("Ab\xff"
                        "cd"),
              "ab-cd");
    EXPECT_EQ(name_slug("Ab\xc3"), "ab");
}

}  // namespace
}  // namespace leerstand
