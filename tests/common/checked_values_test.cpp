// The checked value types that parse input once: Ags, IsoDate, LonLat, BoundedText,
// EmailAddress.

#include <gtest/gtest.h>

#include "common/ags.hpp"
#include "common/bounded_text.hpp"
#include "common/email_address.hpp"
#include "common/geometry.hpp"
#include "common/iso_date.hpp"

namespace leerstand {
namespace {

TEST(Ags, TakesFiveDigitsForAKreisAndEightForAGemeinde) {
    ASSERT_TRUE(Ags::parse("12073"));
    EXPECT_FALSE(Ags::parse("12073")->is_gemeinde());
    ASSERT_TRUE(Ags::parse("12073008"));
    EXPECT_TRUE(Ags::parse("12073008")->is_gemeinde());
    EXPECT_EQ(Ags::parse("12073008")->text(), "12073008");
}

TEST(Ags, RefusesEveryOtherShape) {
    for (const char* text : {"", "1207", "120730", "1207300", "120730081", "1207300a", " 12073",
                             "12073 ", "１２０７３", "-1207"})
        EXPECT_FALSE(Ags::parse(text)) << text;
}

TEST(Ags, AGemeindeLiesInTheKreisOfItsFirstFiveDigits) {
    const Ags gemeinde = *Ags::parse("12073008");
    EXPECT_EQ(gemeinde.kreis()->text(), "12073");
    EXPECT_FALSE(Ags::parse("12073")->kreis());
    EXPECT_TRUE(Ags::parse("12073")->covers("12073008"));
    EXPECT_TRUE(gemeinde.covers("12073008"));
    EXPECT_FALSE(gemeinde.covers("12073"));
    EXPECT_FALSE(Ags::parse("12074")->covers("12073008"));
}

TEST(Ags, APrefixIsOneToEightDigits) {
    EXPECT_TRUE(Ags::is_prefix("1"));
    EXPECT_TRUE(Ags::is_prefix("12073008"));
    EXPECT_FALSE(Ags::is_prefix(""));
    EXPECT_FALSE(Ags::is_prefix("120730081"));
    EXPECT_FALSE(Ags::is_prefix("12a"));
}

TEST(IsoDate, TakesOnlyRealCalendarDatesWrittenYyyyMmDd) {
    EXPECT_TRUE(IsoDate::parse("2024-02-29"));
    EXPECT_EQ(IsoDate::parse("2024-02-29")->text(), "2024-02-29");
    for (const char* text : {"2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-4-01",
                             "24-04-01", "2024/04/01", "2024-04-01T00:00", "", "abcd-ef-gh"})
        EXPECT_FALSE(IsoDate::parse(text)) << text;
}

TEST(IsoDate, DatesCompareInCalendarOrder) {
    EXPECT_LT(*IsoDate::parse("2023-12-31"), *IsoDate::parse("2024-01-01"));
    EXPECT_LT(*IsoDate::parse("2024-01-01"), IsoDate::today_utc());
    EXPECT_TRUE(IsoDate::parse(IsoDate::today_utc().text()));
}

TEST(LonLat, IsCheckedForFiniteDegreesInRange) {
    ASSERT_TRUE(LonLat::checked(13.99, 53.01));
    EXPECT_EQ(LonLat::checked(-180, -90)->lon, -180);
    EXPECT_FALSE(LonLat::checked(180.0001, 0));
    EXPECT_FALSE(LonLat::checked(0, -90.5));
    EXPECT_FALSE(LonLat::checked(std::nan(""), 0));
    EXPECT_FALSE(LonLat::checked(0, HUGE_VAL));
}

TEST(BoundedText, CountsCharactersNotBytes) {
    EXPECT_TRUE(BoundedText::parse("Angermünde", 10));  // 11 bytes, 10 characters
    EXPECT_FALSE(BoundedText::parse("Angermünde", 9));
    EXPECT_EQ(BoundedText::parse("", 0)->text(), "");
}

TEST(EmailAddress, TakesWhatPeopleTypeInAForm) {
    for (const char* text : {"erika@example.org", "e.muster+atlas@stadt-angermuende.de",
                             "info@xn--angermnde-x9a.de", "a@b.co"})
        EXPECT_TRUE(EmailAddress::parse(text)) << text;
    EXPECT_EQ(EmailAddress::parse("erika@example.org")->text(), "erika@example.org");
}

TEST(EmailAddress, RefusesWhatCannotBeAnsweredOrWouldBreakAHeader) {
    for (const char* text :
         {"", "erika", "erika@", "@example.org", "erika@localhost", "erika@@example.org",
          "erika@exa mple.org", "erika @example.org", "erika@example..org", "erika@.example.org",
          "erika@example.org.", "erika@-example.org", "erika@example.org\r\nBcc: x@y.z", "a@b@c.de",
          "<erika@example.org>", "erika@example.org, x@y.de", "erika\t@example.org"})
        EXPECT_FALSE(EmailAddress::parse(text)) << text;
    EXPECT_FALSE(EmailAddress::parse(std::string(65, 'a') + "@example.org"));
    EXPECT_TRUE(EmailAddress::parse(std::string(64, 'a') + "@example.org"));
    EXPECT_FALSE(EmailAddress::parse("a@" + std::string(250, 'b') + ".de"));
}

}  // namespace
}  // namespace leerstand
