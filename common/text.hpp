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

}  // namespace leerstand
