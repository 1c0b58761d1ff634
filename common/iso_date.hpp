#pragma once

#include <chrono>
#include <compare>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace leerstand {

/// A calendar date written YYYY-MM-DD, as the store keeps it and the API writes it; dates
/// compare as their text.
class IsoDate {
  public:
    /// The date written in `text`, or nothing unless it is a real date in the form YYYY-MM-DD.
    static std::optional<IsoDate> parse(std::string_view text) {
        if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
        for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
        const std::chrono::year_month_day date{
            std::chrono::year{static_cast<int>(number(text.substr(0, 4)))},
            std::chrono::month{number(text.substr(5, 2))},
            std::chrono::day{number(text.substr(8, 2))}};
        if (!date.ok()) return std::nullopt;
        return IsoDate(std::string(text));
    }

    /// Today in UTC: the server's idea of "today" whatever the machine's time zone.
    static IsoDate today_utc() {
        const std::chrono::year_month_day today{
            std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
        char text[16];
        std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(today.year()),
                      static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day()));
        return IsoDate(text);
    }

    const std::string& text() const noexcept { return m_text; }
    int year() const { return static_cast<int>(number(std::string_view(m_text).substr(0, 4))); }
    unsigned month() const { return number(std::string_view(m_text).substr(5, 2)); }
    unsigned day() const { return number(std::string_view(m_text).substr(8, 2)); }

    // clang-tidy 14 reads the defaulted comparison as a 0 literal compared with a pointer.
    friend auto operator<=>(const IsoDate&,
                            const IsoDate&) = default;  // NOLINT(modernize-use-nullptr)

  private:
    explicit IsoDate(std::string text) : m_text(std::move(text)) {}

    static unsigned number(std::string_view digits) {
        unsigned value = 0;
        for (char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
        return value;
    }

    std::string m_text;
};

}  // namespace leerstand
