#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/database_location.hpp"
#include "server/http/transport/public_url.hpp"
#include "server/services/smtp_relay.hpp"

namespace leerstand::http {

/// OpenStreetMap's standard tiles: the basemap unless the operator names another (or none).
inline constexpr const char* k_default_basemap_url =
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
inline constexpr const char* k_default_basemap_attribution = "© OpenStreetMap-Mitwirkende";

/// What `leerstand serve` needs.
struct ServeOptions {
    /// A SpatiaLite file or a PostgreSQL conninfo (`--db`).
    data::DatabaseLocation db{std::filesystem::path()};
    /// This node's own folders (uploads waiting for their job, exports being sent): needed
    /// with PostgreSQL, where several servers share one database; empty = next to the
    /// SpatiaLite file.
    std::filesystem::path work_dir;
    std::string bind = "127.0.0.1";
    std::uint16_t port = 8080;  ///< 0 asks for an ephemeral port
    unsigned threads = 2;       ///< Pistache workers; raised to 2 if lower (transport/endpoint.cpp)
    std::filesystem::path web_root;  ///< empty = LEERSTAND_DEFAULT_WEB_ROOT (the repo's web/)
    /// The operator's texts and data licence (JSON); empty = services::default_site_file().
    std::filesystem::path site_file;
    bool secure_cookies = false;  ///< session cookie only over HTTPS (behind a TLS proxy)
    /// The base of every link the API writes; none: the address it prints when it listens.
    std::optional<PublicUrl> public_url;
    /// Peers (canonical_ip spellings) whose `X-Real-IP` names the client; none by default.
    std::vector<std::string> trusted_proxies;
    std::uint64_t max_upload_bytes = 64ull << 20;   ///< largest upload request body (413 above)
    std::uint64_t tile_cache_bytes = 256ull << 20;  ///< memory for encoded tiles (LRU beyond)
    /// The web map's basemap: an XYZ template with {z}, {x}, {y}; empty = no basemap (offline).
    std::string basemap_url = k_default_basemap_url;
    std::string basemap_attribution = k_default_basemap_attribution;  ///< plain text
    /// X-Cache: hit|miss on tile answers (tests, benchmarks). Off: whether a tile was cached
    /// tells a client that someone else asked for it, or that something changed under it.
    bool debug_cache_header = false;
    /// How long the personal data of a decided membership request is kept.
    std::chrono::days membership_retention{90};
    /// How long the personal data of a closed inquiry or need is kept (issue 23).
    std::chrono::days activation_retention{180};
    /// The SMTP relay for mail to inquirers, need authors and staff; none: no mail is sent.
    std::optional<services::RelaySettings> mail_relay;
};

/// The folders a server keeps for itself, beside the database it shares with other nodes.
struct NodeFolders {
    std::filesystem::path uploads;       ///< uploaded files waiting for their job
    std::filesystem::path export_spool;  ///< exports between being written and being sent
};

/// Under `work_dir` when given; else next to the SpatiaLite file (`DIR/uploads` and
/// `FILE-export-spool`, named as SQLite names its -wal file).
/// @throws InvalidInput for PostgreSQL without `work_dir`: the message names --work-dir.
NodeFolders node_folders(const data::DatabaseLocation& db, const std::filesystem::path& work_dir);

/// Opens (and migrates) the store, then serves HTTP until SIGINT or SIGTERM and returns the
/// process exit code: 0 after a signal, 1 when start-up fails (a one-line message on stderr).
/// Once ready, prints "listening on http://HOST:PORT" (the real port, also for port 0) to
/// stdout and flushes; without `public_url`, that URL is the base of the API's links, and
/// when it names every address (0.0.0.0, ::) a warning on stderr says to pass --public-url.
/// @pre Called from the main thread before any other thread exists: it blocks SIGINT and
///      SIGTERM so that every worker inherits the mask and the main thread can `sigwait`.
int serve(const ServeOptions& options);

}  // namespace leerstand::http
