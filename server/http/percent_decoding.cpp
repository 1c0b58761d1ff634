#include "server/http/percent_decoding.hpp"

namespace leerstand::http {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Decodes `text`; a malformed escape gives nullopt when `strict`, else stays as it is.
std::optional<std::string> decode(std::string_view text, bool strict, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+' && plus_is_space) {
            out.push_back(' ');
            continue;
        }
        const int high = c == '%' && i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
        const int low = high >= 0 ? hex_value(text[i + 2]) : -1;
        if (low < 0) {
            if (c == '%' && strict) return std::nullopt;
            out.push_back(c);
            continue;
        }
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return out;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
    return decode(text, true, false);
}

std::string form_decode(std::string_view text) {
    return *decode(text, false, true);
}

}  // namespace leerstand::http
