#include "server/http/static_files.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "server/http/percent_decoding.hpp"

namespace leerstand::http {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_not_served = "no file is served at this path";

// Top-level entries of the web root that exist for the build, not for browsers.
constexpr std::array<std::string_view, 3> k_hidden_top_level = {"node_modules", "package.json",
                                                                "package-lock.json"};

std::vector<std::string_view> split_segments(std::string_view path) {
    std::vector<std::string_view> segments;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = path.find('/', start);
        segments.push_back(path.substr(start, slash - start));
        if (slash == std::string_view::npos) return segments;
        start = slash + 1;
    }
}

// Decodes one segment and rejects everything a file name of ours never contains. Decoding per
// segment means an encoded "/" (%2f) can never act as a separator.
std::string decode_segment(std::string_view raw_segment) {
    auto decoded = percent_decode(raw_segment);
    if (!decoded) throw InvalidInput("the request path has a malformed percent-encoding");
    if (decoded->find('\0') != std::string::npos)
        throw InvalidInput("the request path contains a NUL byte");
    // Empty: "//" or a trailing "/". Leading ".": ".", "..", dot files. "%" after decoding:
    // double encoding such as %252e. "/" or "\": encoded separators.
    if (decoded->empty() || decoded->front() == '.' ||
        decoded->find_first_of("/\\%") != std::string::npos)
        throw NotFound(std::string(k_not_served));
    return *decoded;
}

bool is_within(const fs::path& base, const fs::path& candidate) {
    auto [base_end, ignored] =
        std::mismatch(base.begin(), base.end(), candidate.begin(), candidate.end());
    return base_end == base.end();
}

fs::path canonical_or_normal(const fs::path& path) {
    std::error_code ec;
    fs::path canonical = fs::canonical(path, ec);
    return ec ? path.lexically_normal() : canonical;
}

}  // namespace

std::optional<std::string> content_type_for(const fs::path& file) {
    static const std::array<std::pair<std::string_view, std::string_view>, 13> k_types = {{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
    }};
    const std::string extension = file.extension().string();
    for (const auto& [known, type] : k_types)
        if (extension == known) return std::string(type);
    return std::nullopt;
}

StaticFiles::StaticFiles(const fs::path& web_root) {
    std::error_code ec;
    if (!fs::is_directory(web_root, ec))
        throw InvalidInput("the web root " + web_root.string() +
                           " is not a directory; pass --web with the repository's web/ folder");
    m_root = fs::canonical(web_root);
    m_leaflet = canonical_or_normal(m_root / "node_modules" / "leaflet" / "dist");
}

fs::path StaticFiles::resolve(std::string_view raw_path) const {
    if (raw_path.empty() || raw_path.front() != '/')
        throw InvalidInput("the request path must start with '/'");
    // A raw backslash never belongs to our URLs and some clients treat it as a separator.
    if (raw_path.find('\\') != std::string_view::npos) throw NotFound(std::string(k_not_served));

    std::vector<std::string> segments;
    if (raw_path == "/") {
        segments.emplace_back("index.html");
    } else {
        for (std::string_view raw_segment : split_segments(raw_path.substr(1)))
            segments.push_back(decode_segment(raw_segment));
    }

    fs::path base = m_root;
    auto first = segments.begin();
    if (segments.size() >= 2 && segments[0] == "vendor" && segments[1] == "leaflet") {
        base = m_leaflet;
        first += 2;
    } else if (std::find(k_hidden_top_level.begin(), k_hidden_top_level.end(), segments[0]) !=
               k_hidden_top_level.end()) {
        throw NotFound(std::string(k_not_served));
    }
    if (first == segments.end()) throw NotFound(std::string(k_not_served));

    fs::path candidate = base;
    for (auto it = first; it != segments.end(); ++it) candidate /= *it;

    // Symlinks could still lead out of the root: compare canonical paths.
    std::error_code ec;
    fs::path canonical = fs::canonical(candidate, ec);
    if (ec || !is_within(base, canonical) || !fs::is_regular_file(canonical, ec) ||
        !content_type_for(canonical))
        throw NotFound(std::string(k_not_served));
    return canonical;
}

StaticFile StaticFiles::load(std::string_view raw_path) const {
    const fs::path file = resolve(raw_path);
    std::ifstream in(file, std::ios::binary);
    if (!in) throw NotFound(std::string(k_not_served));
    StaticFile result;
    result.content_type = content_type_for(file).value_or("application/octet-stream");
    result.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) throw InternalError("reading " + file.string() + " failed");
    return result;
}

}  // namespace leerstand::http
