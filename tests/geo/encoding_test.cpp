#include "geo/encoding.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"

using namespace leerstand::geo;

TEST(Encoding, NormalizesDeclaredNames) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"UTF-8", "UTF-8"},
        {"utf8", "UTF-8"},
        {"UTF-8\r\n", "UTF-8"},
        {"\xEF\xBB\xBFUTF-8", "UTF-8"},
        {"1252", "CP1252"},
        {"ANSI 1252", "CP1252"},
        {"ANSI 1250", "CP1250"},
        {"CP1252", "CP1252"},
        {"cp1252", "CP1252"},
        {"windows-1252", "CP1252"},
        {"ISO-8859-1", "ISO-8859-1"},
        {"88591", "ISO-8859-1"},
        {"latin1", "ISO-8859-1"},
        {"ISO 8859-15", "ISO-8859-15"},
        {"850", "CP850"},
        {"IBM437", "CP437"},
        {"65001", "UTF-8"},
        {"KOI8-R", "KOI8-R"},
    };
    for (const auto& [declared, expected] : cases) {
        EXPECT_EQ(normalize_encoding_name(declared), expected) << declared;
    }
}

TEST(Encoding, RejectsJunkAsEncodingName) {
    EXPECT_FALSE(normalize_encoding_name("<!DOCTYPE html><html><head>"));
    EXPECT_FALSE(normalize_encoding_name(""));
    EXPECT_FALSE(normalize_encoding_name("   "));
    EXPECT_FALSE(normalize_encoding_name("ANSI"));  // "the system code page": says nothing
    EXPECT_FALSE(normalize_encoding_name("9999"));
    EXPECT_FALSE(normalize_encoding_name("klingon"));
    EXPECT_FALSE(normalize_encoding_name(std::string(100, 'A')));
}

TEST(Encoding, MapsDbfLanguageDriverIds) {
    EXPECT_EQ(encoding_from_ldid(0x57), "CP1252");
    EXPECT_EQ(encoding_from_ldid(0x03), "CP1252");
    EXPECT_EQ(encoding_from_ldid(0x01), "CP437");
    EXPECT_EQ(encoding_from_ldid(0x02), "CP850");
    EXPECT_EQ(encoding_from_ldid(0x64), "CP852");
    EXPECT_EQ(encoding_from_ldid(0x26), "CP866");
    EXPECT_EQ(encoding_from_ldid(0xC8), "CP1250");
    EXPECT_FALSE(encoding_from_ldid(0x00));
    EXPECT_FALSE(encoding_from_ldid(0xFF));
}

TEST(Encoding, ValidatesUtf8) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("Angerm\xC3\xBCnde"));
    EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x92\xA9"));  // U+1F4A9
    EXPECT_TRUE(is_valid_utf8("Hn\xC4\x9Bvo\xC5\xA1ick\xC3\xBD h\xC3\xA1j"));
    EXPECT_FALSE(is_valid_utf8("R\xF6slau"));         // CP1252 ö
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong, 3 bytes
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // UTF-16 surrogate
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
    EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
    // The 8-byte ASCII fast path must not skip a bad byte after it.
    EXPECT_FALSE(is_valid_utf8(std::string(37, 'a') + "\xFC"));
    EXPECT_TRUE(is_valid_utf8(std::string(37, 'a') + "\xC3\xBC" + std::string(9, 'b')));
}

TEST(Encoding, ConvertsToUtf8) {
    EXPECT_EQ(to_utf8("M\xFClheim", "CP1252"), "M\xC3\xBClheim");
    EXPECT_EQ(to_utf8("\x80 \x84\x93", "windows-1252"), "\xE2\x82\xAC \xE2\x80\x9E\xE2\x80\x9C");
    EXPECT_EQ(to_utf8("\x80", "ISO-8859-1"), "\xC2\x80");  // a C1 control in Latin-1
    EXPECT_EQ(to_utf8("Stra\xDF"
                      "e",
                      "latin1"),
              "Stra\xC3\x9F"
              "e");
    // CP1250 through iconv; the UTF-8 text is what sjs_utf8_emoji/utf.dbf stores.
    EXPECT_EQ(to_utf8("Hn\xECvo\x9Aick\xFD h\xE1j", "ANSI 1250"),
              "Hn\xC4\x9Bvo\xC5\xA1ick\xC3\xBD h\xC3\xA1j");
    EXPECT_EQ(to_utf8("\x81", "CP850"), "\xC3\xBC");
    EXPECT_EQ(to_utf8("plain", "UTF-8"), "plain");
    EXPECT_EQ(to_utf8("a\xFF"
                      "b",
                      "UTF-8"),
              "a\xEF\xBF\xBD"
              "b");  // broken byte → U+FFFD
    EXPECT_THROW(to_utf8("x", "no-such-encoding"), leerstand::InvalidInput);
}
