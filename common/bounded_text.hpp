#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/text.hpp"

namespace leerstand {

/// Text within a field's limit, counted in characters (code points), as users count and as
/// the API's maxLength means. UTF-8 validity is the intake's check (JSON parser, multipart).
class BoundedText {
  public:
    /// `text`, or nothing when it has more than `max_characters` characters.
    static std::optional<BoundedText> parse(std::string_view text, std::size_t max_characters) {
        if (utf8_characters(text) > max_characters) return std::nullopt;
        return BoundedText(std::string(text));
    }

    const std::string& text() const noexcept { return m_text; }
    std::string take() && noexcept { return std::move(m_text); }

  private:
    explicit BoundedText(std::string text) : m_text(std::move(text)) {}

    std::string m_text;
};

}  // namespace leerstand
