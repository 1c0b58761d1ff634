#pragma once

#include <algorithm>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace leerstand {

/// An Amtlicher Gemeindeschlüssel as the atlas uses it: 8 digits for a Gemeinde, 5 for a Kreis
/// (the first five digits of its Gemeinden). Checked once where it enters; after that a
/// string of the right shape.
class Ags {
  public:
    /// The AGS written in `text`, or nothing when it is not 5 or 8 ASCII digits.
    static std::optional<Ags> parse(std::string_view text) {
        if ((text.size() != 5 && text.size() != 8) || !all_digits(text)) return std::nullopt;
        return Ags(std::string(text));
    }

    /// True for 1 to 8 digits: the leading part of AGS, as a filter takes it ("12" is Brandenburg).
    static bool is_prefix(std::string_view text) {
        return !text.empty() && text.size() <= 8 && all_digits(text);
    }

    const std::string& text() const noexcept { return m_text; }
    bool is_gemeinde() const noexcept { return m_text.size() == 8; }

    /// The Kreis a Gemeinde lies in; nothing for a Kreis.
    std::optional<Ags> kreis() const {
        if (!is_gemeinde()) return std::nullopt;
        return Ags(m_text.substr(0, 5));
    }

    /// True when `key` is this Kommune or lies in it (a Gemeinde of this Kreis).
    bool covers(std::string_view key) const { return key.starts_with(m_text); }

    friend auto operator<=>(const Ags&, const Ags&) = default;

  private:
    explicit Ags(std::string text) : m_text(std::move(text)) {}

    static bool all_digits(std::string_view text) {
        return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    }

    std::string m_text;
};

}  // namespace leerstand
