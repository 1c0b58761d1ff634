#include "data/database_location.hpp"

#include "common/error.hpp"

namespace leerstand::data {

namespace {

constexpr std::string_view k_hidden_password = "***";

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) noexcept {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const char c = text[i];
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != prefix[i]) return false;
    }
    return true;
}

// Replaces the password of "scheme://user:password@host..." (the part between the first ':'
// after the scheme and the last '@' before the path).
std::string hide_user_password(std::string uri) {
    const std::size_t authority = uri.find("://") + 3;
    const std::size_t path = uri.find_first_of("/?", authority);
    const std::size_t authority_end = path == std::string::npos ? uri.size() : path;
    const std::size_t at = uri.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
    if (at == std::string::npos || at < authority) return uri;
    const std::size_t colon = uri.find(':', authority);
    if (colon == std::string::npos || colon > at) return uri;
    return uri.replace(colon + 1, at - colon - 1, k_hidden_password);
}

// Replaces the value of every "password=" query parameter.
std::string hide_query_password(std::string uri) {
    const std::size_t query = uri.find('?');
    if (query == std::string::npos) return uri;
    std::size_t start = query + 1;
    while (start < uri.size()) {
        std::size_t end = uri.find('&', start);
        if (end == std::string::npos) end = uri.size();
        constexpr std::string_view key = "password=";
        if (uri.compare(start, key.size(), key) == 0) {
            uri.replace(start + key.size(), end - start - key.size(), k_hidden_password);
            end = start + key.size() + k_hidden_password.size();
        }
        start = end + 1;
    }
    return uri;
}

}  // namespace

bool is_postgres_uri(std::string_view text) noexcept {
    return starts_with_ignoring_case(text, "postgresql://") ||
           starts_with_ignoring_case(text, "postgres://");
}

DatabaseLocation::DatabaseLocation(const std::string& text) {
    if (is_postgres_uri(text)) {
        m_postgres = true;
        m_conninfo = text;
    } else {
        m_file = text;
    }
}

DatabaseLocation::DatabaseLocation(const std::filesystem::path& path)
    : DatabaseLocation(path.string()) {}

DatabaseLocation::DatabaseLocation(const char* text) : DatabaseLocation(std::string(text)) {}

const std::filesystem::path& DatabaseLocation::file() const {
    if (m_postgres)
        throw InternalError("the database " + display() + " is PostgreSQL, not a SpatiaLite file");
    return m_file;
}

const std::string& DatabaseLocation::conninfo() const {
    if (!m_postgres)
        throw InternalError("the database " + display() + " is a SpatiaLite file, not PostgreSQL");
    return m_conninfo;
}

std::string DatabaseLocation::display() const {
    if (!m_postgres) return m_file.string();
    const std::string without_user_password = hide_user_password(m_conninfo);
    return hide_query_password(without_user_password);
}

}  // namespace leerstand::data
