#pragma once

#include <cstdint>
#include <string>
#include <string_view>

/// The readable part of a Kommune's page address: `/kommunen/angermuende` for "Angermünde".
namespace leerstand {

namespace detail {

/// The ASCII spelling of a lower-case letter of the Latin alphabets used in German place names
/// (German, Sorbian, Danish, Polish and Czech names near the borders), or nullptr.
inline const char* ascii_spelling(char32_t letter) {
    switch (letter) {
        case U'ä':
            return "ae";
        case U'ö':
            return "oe";
        case U'ü':
            return "ue";
        case U'ß':
            return "ss";
        case U'á':
        case U'à':
        case U'â':
        case U'ã':
        case U'å':
        case U'ā':
        case U'ă':
        case U'ą':
            return "a";
        case U'æ':
            return "ae";
        case U'ç':
        case U'ć':
        case U'č':
            return "c";
        case U'ď':
            return "d";
        case U'é':
        case U'è':
        case U'ê':
        case U'ë':
        case U'ě':
        case U'ę':
        case U'ē':
            return "e";
        case U'í':
        case U'ì':
        case U'î':
        case U'ï':
            return "i";
        case U'ł':
        case U'ľ':
        case U'ĺ':
            return "l";
        case U'ń':
        case U'ň':
        case U'ñ':
            return "n";
        case U'ó':
        case U'ò':
        case U'ô':
        case U'õ':
        case U'ō':
            return "o";
        case U'ø':
        case U'œ':
            return "oe";
        case U'ř':
        case U'ŕ':
            return "r";
        case U'ś':
        case U'š':
        case U'ş':
            return "s";
        case U'ť':
            return "t";
        case U'ú':
        case U'ù':
        case U'û':
        case U'ů':
        case U'ū':
            return "u";
        case U'ý':
        case U'ÿ':
            return "y";
        case U'ź':
        case U'ž':
        case U'ż':
            return "z";
        default:
            return nullptr;
    }
}

/// The lower-case form of the upper-case letters ascii_spelling knows (Latin-1 and Latin
/// Extended-A); other code points are returned unchanged.
inline char32_t lower_latin(char32_t c) {
    if (c >= U'A' && c <= U'Z') return c + (U'a' - U'A');
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;  // À–Þ but ×
    if (c >= 0x100 && c <= 0x17F && c != 0x138 && c != 0x178) {
        // Latin Extended-A pairs upper and lower case as even/odd, except in 0x139–0x148
        // and 0x179–0x17E, where the upper case is odd.
        const bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if (odd_upper ? (c % 2 == 1) : (c % 2 == 0)) return c + 1;
    }
    return c;
}

/// The code point starting at `text[i]`, advancing `i`; U+FFFD for a broken sequence.
inline char32_t next_code_point(std::string_view text, std::size_t& i) {
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
    const unsigned char first = byte(i++);
    if (first < 0x80) return first;
    const int length = first >= 0xF0 ? 3 : first >= 0xE0 ? 2 : first >= 0xC0 ? 1 : 0;
    if (length == 0) return 0xFFFD;
    char32_t value = first & (0x3F >> length);
    for (int n = 0; n < length; ++n) {
        if (i >= text.size() || (byte(i) & 0xC0) != 0x80) return 0xFFFD;
        value = (value << 6) | (byte(i++) & 0x3F);
    }
    return value;
}

}  // namespace detail

/// The slug of a Kommune's name: lower case ASCII letters and digits, words joined by '-'.
/// Umlauts are written out (ä → ae, ö → oe, ü → ue, ß → ss), accented letters lose their
/// accents, an official suffix after a comma ("Angermünde, Stadt") is dropped, and every other
/// run of characters becomes one '-'. "Herzberg (Elster)" → "herzberg-elster". Empty when
/// nothing readable is left.
inline std::string name_slug(std::string_view name) {
    if (const std::size_t comma = name.find(','); comma != std::string_view::npos)
        name = name.substr(0, comma);
    std::string slug;
    bool gap = false;
    for (std::size_t i = 0; i < name.size();) {
        const char32_t c = detail::lower_latin(detail::next_code_point(name, i));
        const char* spelled = nullptr;
        char plain[2] = {0, 0};
        if ((c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9')) {
            plain[0] = static_cast<char>(c);
            spelled = plain;
        } else {
            spelled = detail::ascii_spelling(c);
        }
        if (spelled == nullptr) {
            gap = true;
            continue;
        }
        if (gap && !slug.empty()) slug += '-';
        gap = false;
        slug += spelled;
    }
    return slug;
}

}  // namespace leerstand
