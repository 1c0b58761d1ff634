#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/slug.hpp"

/// Street addresses as people type them: "Berliner Str. 12", "berliner strasse 12" and
/// "Berliner Straße 12" are one address. The search of vacancies by address (`address=`) and
/// the SQL function that applies it (data/connection.cpp) both use these keys.
namespace leerstand {

namespace detail {

/// The words of `text` as name_slug() spells them (lower-case ASCII, umlauts written out), so
/// that an address folds exactly as a Kommune's name does. A comma ends the text ("Berliner
/// Str. 12, Angermünde": the place after it is not part of the street).
inline std::vector<std::string> address_words(std::string_view text) {
    std::vector<std::string> words;
    const std::string slug = name_slug(text);
    std::size_t start = 0;
    while (start < slug.size()) {
        std::size_t end = slug.find('-', start);
        if (end == std::string::npos) end = slug.size();
        words.push_back(slug.substr(start, end - start));
        start = end + 1;
    }
    return words;
}

inline bool starts_with_digit(const std::string& word) {
    return !word.empty() && word.front() >= '0' && word.front() <= '9';
}

/// The words joined without separators ("Berliner Straße" and "Berlinerstraße" are spelled
/// both ways), each "…str" written out as "…strasse" ("Str.", "Hauptstr.").
inline std::string street_key_of(const std::vector<std::string>& words, std::size_t count) {
    std::string key;
    for (std::size_t i = 0; i < count; ++i) {
        key += words[i];
        if (words[i].ends_with("str")) key += "asse";
    }
    return key;
}

}  // namespace detail

/// The key of a street name: "Berliner Str." → "berlinerstrasse".
inline std::string street_key(std::string_view street) {
    const auto words = detail::address_words(street);
    return detail::street_key_of(words, words.size());
}

/// The key of a house number: "12 a" → "12a", "12-14" → "1214".
inline std::string housenumber_key(std::string_view housenumber) {
    std::string key;
    for (const std::string& word : detail::address_words(housenumber)) key += word;
    return key;
}

/// A search by address: a part of the street's key and the start of the house number's key;
/// either may be empty, not both.
struct AddressSearch {
    std::string street;
    std::string housenumber;
};

/// Reads what someone typed: the house number is the run of words at the end that begins with
/// a digit and goes on with digits or single letters ("12", "12 a", "12-14"); the words
/// before it are the street. "Straße des 17. Juni 5" has the street "strassedes17juni".
/// nullopt when nothing readable is left.
inline std::optional<AddressSearch> parse_address_search(std::string_view text) {
    const auto words = detail::address_words(text);
    std::size_t number_start = words.size();
    for (std::size_t i = words.size(); i-- > 0;) {
        if (detail::starts_with_digit(words[i]))
            number_start = i;
        else if (words[i].size() != 1 || number_start != words.size())
            break;  // a word of the street; a lone letter only ends a number ("12 a")
    }
    AddressSearch search;
    search.street = detail::street_key_of(words, number_start);
    for (std::size_t i = number_start; i < words.size(); ++i) search.housenumber += words[i];
    if (search.street.empty() && search.housenumber.empty()) return std::nullopt;
    return search;
}

/// Whether a building at `street` `housenumber` is one `search` asks for: its street key holds
/// the searched street, and its house number key is the searched one or that followed by
/// something other than a digit ("12" finds "12" and "12a", never "120").
inline bool address_matches(const AddressSearch& search, std::string_view street,
                            std::string_view housenumber) {
    if (!search.street.empty() && street_key(street).find(search.street) == std::string::npos)
        return false;
    if (search.housenumber.empty()) return true;
    const std::string number = housenumber_key(housenumber);
    if (!number.starts_with(search.housenumber)) return false;
    return number.size() == search.housenumber.size() ||
           !detail::starts_with_digit(number.substr(search.housenumber.size()));
}

}  // namespace leerstand
