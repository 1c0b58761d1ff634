#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

/// The web app's static files: no Pistache types, so the path rules can be unit-tested.
namespace leerstand::http {

/// A file ready to send.
struct StaticFile {
    std::string content_type;
    std::string body;
};

/// Serves files from a web root. `/` is `index.html`; `/vendor/leaflet/<path>` comes from
/// `<root>/node_modules/leaflet/dist/<path>` (Leaflet is vendored through npm, never a CDN).
/// Only regular files with a known extension whose canonical path stays inside the root are
/// served; `node_modules` itself, the npm manifests and dot files are not.
class StaticFiles {
  public:
    /// @throws InvalidInput when `web_root` is not a directory.
    explicit StaticFiles(const std::filesystem::path& web_root);

    /// The file for a raw request path (still percent-encoded, no query string).
    /// @throws InvalidInput for malformed percent-encoding or a NUL byte (400); NotFound for
    ///         anything not served, including `..`, dot files, encoded `/`, `\` or `%` (404).
    std::filesystem::path resolve(std::string_view raw_path) const;

    /// `resolve` plus reading the file and choosing its Content-Type.
    StaticFile load(std::string_view raw_path) const;

    const std::filesystem::path& root() const { return m_root; }

  private:
    std::filesystem::path m_root;     ///< canonical
    std::filesystem::path m_leaflet;  ///< canonical when present, else lexically normal
};

/// Content-Type for a file by its extension, or nullopt when files of that kind are not served.
std::optional<std::string> content_type_for(const std::filesystem::path& file);

}  // namespace leerstand::http
