#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

namespace leerstand {

/// An e-mail address as a person types it into a form: `local@domain`, where the domain has a
/// dot between non-empty labels. Deliberately loose on the local part (RFC 5322 allows far
/// more than anyone types, and only a reply proves an address works); strict on what would
/// break a reply or a mail header: spaces, control characters, a second `@`, overlong parts.
class EmailAddress {
  public:
    /// Longest address a mail server takes (RFC 5321: 254 in a path, 64 before the `@`).
    static constexpr std::size_t k_max_length = 254;
    static constexpr std::size_t k_max_local_length = 64;

    /// The address written in `text`, or nothing when it is not one.
    static std::optional<EmailAddress> parse(std::string_view text) {
        if (text.empty() || text.size() > k_max_length) return std::nullopt;
        const bool clean = std::none_of(text.begin(), text.end(), [](char c) {
            const auto byte = static_cast<unsigned char>(c);
            return byte <= 0x20 || byte == 0x7f || c == '<' || c == '>' || c == ',' || c == ';';
        });
        const std::size_t at = text.find('@');
        if (!clean || at == std::string_view::npos ||
            text.find('@', at + 1) != std::string_view::npos)
            return std::nullopt;
        const std::string_view local = text.substr(0, at);
        const std::string_view domain = text.substr(at + 1);
        if (local.empty() || local.size() > k_max_local_length || !valid_domain(domain))
            return std::nullopt;
        return EmailAddress(std::string(text));
    }

    const std::string& text() const noexcept { return m_text; }

  private:
    explicit EmailAddress(std::string text) : m_text(std::move(text)) {}

    /// Labels separated by dots, at least two, none empty, none starting or ending with '-'.
    static bool valid_domain(std::string_view domain) {
        if (domain.find('.') == std::string_view::npos) return false;
        std::size_t start = 0;
        while (start <= domain.size()) {
            const std::size_t dot = std::min(domain.find('.', start), domain.size());
            const std::string_view label = domain.substr(start, dot - start);
            if (label.empty() || label.front() == '-' || label.back() == '-') return false;
            start = dot + 1;
        }
        return true;
    }

    std::string m_text;
};

}  // namespace leerstand
