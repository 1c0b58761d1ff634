#pragma once

#include <algorithm>
#include <string>
#include <string_view>

/// ASCII case helpers for protocol text: header names and values, media types, column names,
/// "EPSG:" prefixes. Not for user text (umlauts stay as they are).
namespace leerstand {

/// `text` with A–Z turned into a–z; every other byte unchanged.
inline std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// Whether `a` and `b` are equal when A–Z and a–z count as the same.
inline bool ascii_iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto fold = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return fold(x) == fold(y);
           });
}

/// The number of characters (Unicode code points) of UTF-8 `text`: what users count, and what
/// the text limits of the API mean.
inline std::size_t utf8_characters(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

/// The first `max_characters` characters of UTF-8 `text` (never half a character), with "…"
/// appended when something was cut.
inline std::string utf8_shortened(std::string_view text, std::size_t max_characters) {
    std::size_t characters = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        if (characters++ == max_characters) return std::string(text.substr(0, i)) + "…";
    }
    return std::string(text);
}

/// True for an http(s) address with a host (`https://host...`), without spaces or control
/// characters: the only links the atlas stores or hands out.
inline bool is_web_url(std::string_view text) {
    std::string_view rest;
    if (text.starts_with("https://"))
        rest = text.substr(8);
    else if (text.starts_with("http://"))
        rest = text.substr(7);
    else
        return false;
    if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#')
        return false;
    return std::none_of(text.begin(), text.end(),
                        [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

}  // namespace leerstand
