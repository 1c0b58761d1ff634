#include "geo/encoding.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>

#include "common/error.hpp"

namespace leerstand::geo {
namespace {

/// Upper-cased `text` without spaces, '-', '_' and '.', for matching "ANSI 1250", "utf_8", ...
std::string squeeze(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '\t') continue;
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

/// "1252" → "CP1252", "850" → "CP850", "88591" → "ISO-8859-1"; nullopt for other numbers.
std::optional<std::string> from_code_page_number(std::string_view digits) {
    static constexpr std::array<std::string_view, 26> k_code_pages = {
        "437", "737", "775",  "850",  "852",  "855",  "857",  "860", "861",
        "862", "863", "864",  "865",  "866",  "869",  "874",  "932", "936",
        "949", "950", "1250", "1251", "1252", "1253", "1254", "1255"};
    if (digits == "1256" || digits == "1257" || digits == "1258") return "CP" + std::string(digits);
    if (std::find(k_code_pages.begin(), k_code_pages.end(), digits) != k_code_pages.end()) {
        return "CP" + std::string(digits);
    }
    if (digits == "65001") return "UTF-8";
    if (starts_with(digits, "8859") && digits.size() > 4) {
        // from_chars, not stoi: a .cpg (or an upload's encoding field) reading
        // "8859 99999999999" must not throw std::out_of_range past our error types.
        const std::string_view part = digits.substr(4);
        int n = 0;
        const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), n);
        if (error == std::errc() && end == part.data() + part.size() && n >= 1 && n <= 16 &&
            n != 12)
            return "ISO-8859-" + std::to_string(n);
    }
    return std::nullopt;
}

/// CP1252 bytes 0x80–0x9F (the rest is ISO-8859-1, i.e. equal to the code point). The five
/// undefined bytes map to the C1 control of the same value, as WHATWG's windows-1252 does.
constexpr std::array<std::uint16_t, 32> k_cp1252_high = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_code_point(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// Single-byte decoding without iconv for the two encodings German data uses most.
std::string decode_latin(std::string_view text, bool cp1252) {
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    for (char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte < 0x80) {
            out += ch;
        } else if (cp1252 && byte < 0xA0) {
            append_code_point(out, k_cp1252_high[byte - 0x80]);
        } else {
            append_code_point(out, byte);
        }
    }
    return out;
}

struct IconvCloser {
    void operator()(void* cd) const noexcept { iconv_close(static_cast<iconv_t>(cd)); }
};
using IconvPtr = std::unique_ptr<void, IconvCloser>;

std::string decode_iconv(std::string_view text, const std::string& encoding) {
    iconv_t cd = iconv_open("UTF-8", encoding.c_str());
    // iconv's documented failure value is the handle (iconv_t)-1: no other way to test it.
    if (cd == reinterpret_cast<iconv_t>(-1)) {  // NOLINT(performance-no-int-to-ptr)
        throw InvalidInput("unknown text encoding '" + encoding +
                           "': use e.g. UTF-8, CP1252, ISO-8859-1 or CP850");
    }
    IconvPtr guard(cd);
    std::string out;
    std::string input(text);  // iconv wants a mutable char*
    char* in = input.data();
    std::size_t in_left = input.size();
    std::array<char, 1024> buffer{};
    while (in_left > 0) {
        char* dst = buffer.data();
        std::size_t dst_left = buffer.size();
        const std::size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
        out.append(buffer.data(), buffer.size() - dst_left);
        if (rc == static_cast<std::size_t>(-1)) {
            if (errno == E2BIG) continue;
            // A byte the encoding does not define: U+FFFD, then go on with the next byte.
            out += "\xEF\xBF\xBD";
            ++in;
            --in_left;
            iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset the shift state
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> normalize_encoding_name(std::string_view declared) {
    // Strip a UTF-8 BOM and surrounding whitespace; a .cpg holds one short line.
    if (starts_with(declared, "\xEF\xBB\xBF")) declared.remove_prefix(3);
    while (!declared.empty() && std::isspace(static_cast<unsigned char>(declared.front()))) {
        declared.remove_prefix(1);
    }
    while (!declared.empty() && std::isspace(static_cast<unsigned char>(declared.back()))) {
        declared.remove_suffix(1);
    }
    if (declared.empty() || declared.size() > 40) return std::nullopt;
    for (char c : declared) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7F || c == '<' || c == '>') return std::nullopt;
    }
    const std::string name = squeeze(declared);
    if (name == "UTF8" || name == "UTF8BOM") return "UTF-8";
    if (name == "ASCII" || name == "USASCII") return "ASCII";
    if (name == "LATIN1") return "ISO-8859-1";
    if (name == "LATIN2") return "ISO-8859-2";
    if (name == "LATIN9") return "ISO-8859-15";
    if (name == "KOI8R") return "KOI8-R";
    if (name == "KOI8U") return "KOI8-U";
    if (name == "BIG5") return "BIG5";
    if (name == "GBK" || name == "GB2312" || name == "GB18030") return name;
    if (name == "SHIFTJIS" || name == "SJIS") return "SHIFT_JIS";
    if (name == "EUCJP") return "EUC-JP";
    if (name == "EUCKR") return "EUC-KR";
    if (name == "MACROMAN" || name == "MACINTOSH") return "MACINTOSH";
    if (all_digits(name)) return from_code_page_number(name);
    // "CP1252", "WINDOWS1252", "WIN1252", "ANSI1250", "MS1252", "IBM850", "OEM850", "DOS850",
    // "ISO88591", "ISO8859-15" (squeezed to "ISO885915").
    for (std::string_view prefix : {"WINDOWS", "ANSI", "WIN", "CP", "MS", "IBM", "OEM", "DOS"}) {
        if (starts_with(name, prefix) && all_digits(std::string_view(name).substr(prefix.size()))) {
            return from_code_page_number(std::string_view(name).substr(prefix.size()));
        }
    }
    if (starts_with(name, "ISO") && all_digits(std::string_view(name).substr(3))) {
        return from_code_page_number(std::string_view(name).substr(3));
    }
    return std::nullopt;
}

std::optional<std::string> encoding_from_ldid(unsigned char ldid) {
    // dBase / ESRI language driver ids (DBF header byte 29). 0x57 is ESRI's "ANSI": in the
    // German files we see it means Windows-1252 (GDAL reads it as ISO-8859-1, which loses
    // €, „ and “).
    switch (ldid) {
        case 0x01:
        case 0x09:
        case 0x0B:
        case 0x0D:
        case 0x0F:
        case 0x11:
        case 0x15:
        case 0x18:
        case 0x19:
        case 0x1B:
            return "CP437";
        case 0x02:
        case 0x0A:
        case 0x0E:
        case 0x10:
        case 0x12:
        case 0x14:
        case 0x16:
        case 0x1A:
        case 0x1D:
        case 0x25:
        case 0x37:
            return "CP850";
        case 0x03:
        case 0x57:
        case 0x58:
        case 0x59:
            return "CP1252";
        case 0x04:
            return "MACINTOSH";
        case 0x08:
        case 0x17:
        case 0x66:
            return "CP865";
        case 0x13:
        case 0x7B:
            return "CP932";
        case 0x1C:
        case 0x6C:
            return "CP863";
        case 0x1F:
        case 0x22:
        case 0x23:
        case 0x40:
        case 0x64:
        case 0x87:
            return "CP852";
        case 0x24:
            return "CP860";
        case 0x26:
        case 0x65:
            return "CP866";
        case 0x4D:
        case 0x7A:
            return "CP936";
        case 0x4E:
        case 0x79:
            return "CP949";
        case 0x4F:
        case 0x78:
            return "CP950";
        case 0x50:
        case 0x7C:
            return "CP874";
        case 0x67:
            return "CP861";
        case 0x6A:
        case 0x86:
            return "CP737";
        case 0x6B:
        case 0x88:
            return "CP857";
        case 0x7D:
            return "CP1255";
        case 0x7E:
            return "CP1256";
        case 0x96:
            return "MAC-CYRILLIC";
        case 0x97:
            return "MAC-CENTRALEUROPE";
        case 0x98:
            return "MACGREEK";
        case 0xC8:
            return "CP1250";
        case 0xC9:
            return "CP1251";
        case 0xCA:
            return "CP1254";
        case 0xCB:
            return "CP1253";
        case 0xCC:
            return "CP1257";
        default:
            return std::nullopt;
    }
}

bool is_valid_utf8(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        // ASCII fast path, 8 bytes at a time: attribute values are mostly ASCII.
        while (end - p >= 8) {
            std::uint64_t chunk;
            std::memcpy(&chunk, p, 8);
            if ((chunk & 0x8080808080808080ULL) != 0) break;
            p += 8;
        }
        if (p >= end) break;
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra = 0;
        std::uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;  // continuation byte, overlong lead (C0/C1) or > U+10FFFF lead
        }
        if (end - p <= extra) return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
            return false;  // overlong
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // UTF-16 surrogate
        p += extra + 1;
    }
    return true;
}

std::string to_utf8(std::string_view text, const std::string& encoding) {
    const std::string name = normalize_encoding_name(encoding).value_or(encoding);
    if (name == "UTF-8" || name == "ASCII") {
        // Broken sequences become U+FFFD so the result is always well-formed.
        return is_valid_utf8(text) ? std::string(text) : decode_iconv(text, "UTF-8");
    }
    if (name == "CP1252") return decode_latin(text, true);
    if (name == "ISO-8859-1") return decode_latin(text, false);
    return decode_iconv(text, name);
}

}  // namespace leerstand::geo
