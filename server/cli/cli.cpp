#include "server/cli/cli.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "common/iso_date.hpp"
#include "data/backup.hpp"
#include "data/store.hpp"
#include "data/store_copy.hpp"
#include "geo/crs_inference.hpp"
#include "geo/feature_reader.hpp"
#include "server/cli/account_commands.hpp"
#include "server/cli/cli_errors.hpp"
#include "server/cli/export_command.hpp"
#include "server/cli/named_options.hpp"
#include "server/cli/stats_command.hpp"
#include "server/http/server.hpp"
#include "server/http/transport/client_address.hpp"
#include "server/services/demo_service.hpp"
#include "server/services/import_service.hpp"
#include "server/services/smtp_relay.hpp"
#include "server/services/vacancy_import.hpp"
#include "server/services/zensus_grid_import.hpp"

namespace leerstand::cli {

namespace {

const char* const k_usage = R"(Leerstandsatlas — map, track and reactivate vacant buildings.

Usage:
  leerstand import FILE [--layer buildings|vacancies] [--db PATH] [--kommune AGS]
                        [--srs EPSG:N] [--encoding ENC] [--mode append|replace]
                        [--source-layer NAME] [--json] [--progress]
      Import building footprints, or with --layer vacancies vacancy reports (points), from
      .shp, .zip, .gpkg, .geojson/.json, .csv with WKT or lon/lat.
  leerstand import-kommunen FILE [--db PATH] [--srs EPSG:N] [--encoding ENC]
                        [--source-layer NAME] [--json] [--progress]
      Import Kommune boundaries from VG250/VG5000-style files (fields AGS, GEN, BEZ).
  leerstand import-zensus-grid FILE [--db PATH]
      Replace the Zensus 2011 1 km grid of vacant dwellings (the map's optional overlay) with
      FILE: CSV x_mp_1km,y_mp_1km,leerstandsquote (EPSG:3035 cell centres, per cent). All or
      nothing: a bad row is named with its line number and nothing is stored.
  leerstand demo [--db PATH] [--seed N] [--as-of YYYY-MM-DD] [--buildings-only]
      Fill an empty database with demo data at the four founding members of the network: their
      real outlines (BKG VG5000 2021), buildings, profiles, vacancy reports with two years of
      history up to the month of --as-of (default today) and Zukunftsorte. --buildings-only:
      Kommunen and buildings alone. The same options give the same data.
  leerstand serve [--db PATH|CONNINFO] [--work-dir DIR] [--bind ADDR] [--port N]
                  [--threads N] [--web DIR]
                  [--max-upload-mb N] [--tile-cache-mb N] [--secure-cookies]
                  [--basemap-url TEMPLATE|none] [--basemap-attribution TEXT]
                  [--public-url URL] [--trusted-proxy ADDR[,ADDR...]]
                  [--site FILE] [--debug-cache-header] [--membership-retention-days N]
                  [--activation-retention-days N] [--smtp-url URL --mail-from ADDR]
                  [--smtp-user NAME]
      Serve the map and the HTTP API (default http://127.0.0.1:8080). --work-dir: this
      server's own folder for uploads and exports (default: next to the database file;
      required with a PostgreSQL --db). --secure-cookies (or
      LEERSTAND_SECURE_COOKIES=1) marks the session cookie Secure, for use behind HTTPS.
      --tile-cache-mb: memory for encoded tiles (default 256). --basemap-url: the map's
      background tiles (default OpenStreetMap's; none for none, e.g. offline).
      --public-url: where clients reach the server (https://atlas.example.org), the base of
      every link the API writes; default the URL it listens on. No path prefix.
      --trusted-proxy: the IP address of a reverse proxy (repeat it, or a comma list) that
      may name the client in X-Real-IP, for the sign-in limit; nobody by default.
      --site: the operator's name, contact, texts of Über, Impressum and Datenschutz and
      the licence of the network's data (JSON; default config/site.example.json).
      --debug-cache-header adds X-Cache: hit|miss to tile answers, for tests and benchmarks:
      it tells every client whether others asked for a tile, so never on a public server.
      --membership-retention-days: days after its decision that the personal data of a
      membership request (person, role, e-mail, message) is deleted (default 90).
      --activation-retention-days: days after closing that the personal data of an inquiry
      or a need (name, e-mail, phone, message) is deleted (default 180).
      --smtp-url: the SMTP relay (smtp://host:port or smtps://host:port) that mails
      inquiries, need confirmations and answers; --mail-from: their sender. Without them no
      mail is sent. --smtp-user: the relay's user; its password is $LEERSTAND_SMTP_PASSWORD.
  leerstand user add NAME --role admin|planner|editor [--kommune AGS ...] [--db PATH]
      Add a user; the password is the first line of stdin (at least 10 characters).
  leerstand user list [--db PATH] [--json]
  leerstand token create --user NAME [--label TEXT] [--db PATH]
      Print a new API token on the last line; it is shown once and stored only as a hash.
  leerstand token revoke (ID | --token SECRET|-) [--db PATH]
  leerstand stats [--kommune AGS] [--db PATH]
      Print the summary of a Kommune (a Kreis key covers its Gemeinden) or of the network as
      JSON, with exact figures.
  leerstand export COLLECTION --format geojson|gpkg|csv [--out FILE] [--kommune AGS]
                   [--bbox W,S,E,N] [--datetime T] [--status S] [--use U] [--db PATH]
                   [--site FILE]
      Export kommunen, buildings, vacancies or zukunftsorte with every detail (GeoJSON and
      CSV go to stdout without --out), with the licences of the data (the network's from
      --site, as serve).
  leerstand backup OUT [--db PATH]
      Copy the database to OUT while the server runs: one consistent snapshot (SQLite online
      backup), checked with PRAGMA integrity_check, written to OUT.partial and then renamed to
      OUT. OUT must not exist. A PostgreSQL database is backed up with pg_dump instead.
  leerstand restore IN [--db PATH]
      Replace the database with the backup IN, after checking it. Stop the server first and
      start it again afterwards; a refused or interrupted restore leaves the old database.
      A PostgreSQL database is restored with pg_restore instead.
  leerstand migrate-store FROM TO [--progress]
      Copy a whole store (every table, ids and geometries kept) from FROM to TO, each a
      SpatiaLite file or a postgresql:// conninfo: a Kommune's file into PostgreSQL, or back.
      TO must be new or an empty store; FROM must be of this build's schema version. One
      transaction: the copy commits only after each table's row count and checksum match
      the source's, so a failed or interrupted copy leaves TO empty.
  leerstand help | --help

The database is --db PATH, else $LEERSTAND_DB, else var/leerstand.sqlite; a
postgresql://user@host/dbname conninfo instead of PATH names a PostgreSQL/PostGIS database.
Exit codes: 0 ok, 1 error, 2 usage error, 3 import stored nothing.
)";

/// `--name value` options and positional arguments of one subcommand.
class Arguments {
  public:
    Arguments(const std::vector<std::string>& args, const std::set<std::string>& valued,
              const std::set<std::string>& flags) {
        for (std::size_t i = 0; i < args.size(); ++i) {
            const auto& arg = args[i];
            if (arg.rfind("--", 0) != 0) {
                m_positional.push_back(arg);
                continue;
            }
            auto eq = arg.find('=');
            std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            if (flags.count(name) && eq == std::string::npos) {
                m_values[name].push_back("");
            } else if (valued.count(name)) {
                if (eq != std::string::npos) {
                    m_values[name].push_back(arg.substr(eq + 1));
                } else if (i + 1 < args.size()) {
                    m_values[name].push_back(args[++i]);
                } else {
                    throw UsageError("option --" + name + " needs a value");
                }
            } else {
                throw UsageError("unknown option " + arg);
            }
        }
    }

    /// The option's value; the last one when it was given more than once.
    std::optional<std::string> value(const std::string& name) const {
        auto it = m_values.find(name);
        return it == m_values.end() ? std::nullopt : std::optional(it->second.back());
    }
    /// Every value of an option that may be repeated, in order.
    std::vector<std::string> values(const std::string& name) const {
        auto it = m_values.find(name);
        return it == m_values.end() ? std::vector<std::string>() : it->second;
    }
    bool flag(const std::string& name) const { return m_values.count(name) > 0; }
    const std::vector<std::string>& positional() const { return m_positional; }

    const std::string& single_file() const {
        if (m_positional.size() != 1) throw UsageError("expected exactly one FILE");
        return m_positional.front();
    }

  private:
    std::map<std::string, std::vector<std::string>> m_values;
    std::vector<std::string> m_positional;
};

data::DatabaseLocation database_path(const Arguments& args) {
    return database_location(args.value("db"));
}

long parse_number(const std::string& text, const std::string& what, long min, long max) {
    try {
        std::size_t used = 0;
        long value = std::stol(text, &used);
        if (used == text.size() && value >= min && value <= max) return value;
    } catch (const std::exception&) {
    }
    throw UsageError(what + " must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", not '" + text + "'");
}

std::optional<int> parse_srs(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    std::string code = *text;
    for (const char* prefix : {"EPSG:", "epsg:"})
        if (code.rfind(prefix, 0) == 0) code = code.substr(5);
    return static_cast<int>(parse_number(code, "--srs (EPSG:N)", 1, 999999));
}

// ---- progress and report -------------------------------------------------------------------

/// A one-line progress bar on stderr, redrawn in place.
services::ProgressCallback progress_bar(bool enabled) {
    if (!enabled) return {};
    auto start = std::chrono::steady_clock::now();
    return [start](std::int64_t done, std::int64_t total) {
        double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
        constexpr int k_width = 30;
        std::string bar;
        if (total > 0) {
            int filled =
                static_cast<int>(k_width * std::min<double>(1.0, double(done) / double(total)));
            bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
                  std::string(static_cast<std::size_t>(k_width - filled), ' ') + "] ";
        }
        std::fprintf(stderr, "\r%s%lld / %s features, %.0f/s   ", bar.c_str(),
                     static_cast<long long>(done), total >= 0 ? std::to_string(total).c_str() : "?",
                     rate);
        std::fflush(stderr);
    };
}

void print_report(const services::ImportReport& r, std::ostream& out) {
    out << "Imported " << r.target << " from " << r.file << " in " << r.seconds << " s\n"
        << "  format:   " << r.format << " (layer " << r.source_layer << ")\n"
        << "  CRS:      " << r.crs << " (" << r.crs_source << ")\n"
        << "  encoding: " << r.encoding << " (" << r.encoding_source << ")\n"
        << "  read " << r.read << ", stored " << r.stored << ", rejected " << r.rejected;
    if (r.repaired) out << ", repaired " << r.repaired;
    out << "\n";
    if (!r.rejected_by_reason.empty()) {
        out << "  rejected by reason:\n";
        for (const auto& [reason, count] : r.rejected_by_reason)
            out << "    " << count << "  " << reason << "\n";
    }
    if (r.target == "buildings" && !r.stored_by_kommune.empty()) {
        out << "  stored per Kommune:\n";
        for (const auto& [ags, count] : r.stored_by_kommune)
            out << "    " << ags << "  " << count << "\n";
    }
    if (r.target == "kommunen" && r.zensus_gaps.count > 0) {
        // AGS change with mergers; such a Gemeinde is stored, but without the official figure.
        out << "  without a Zensus 2022 row (AGS changed since the census?): "
            << r.zensus_gaps.count << " Gemeinden";
        const char* separator = ", e.g. ";
        for (const auto& [ags, name] : r.zensus_gaps.first) {
            out << separator << ags << " " << name;
            separator = ", ";
        }
        out << "\n";
    }
    out << "  upload id " << r.upload_id << "\n";
}

services::ImportOptions import_options(const Arguments& args) {
    services::ImportOptions options;
    options.file = args.single_file();
    options.kommune = args.value("kommune");
    options.srs = parse_srs(args.value("srs"));
    options.encoding = args.value("encoding");
    options.source_layer = args.value("source-layer");
    auto mode = args.value("mode").value_or("append");
    if (mode != "append" && mode != "replace")
        throw UsageError("--mode must be append or replace, not '" + mode + "'");
    options.replace = mode == "replace";
    if (!std::filesystem::exists(options.file))
        throw InvalidInput("file not found: " + options.file.string());
    return options;
}

using ImportFunction = services::ImportReport (*)(data::Store&, const services::ImportOptions&,
                                                  const services::ProgressCallback&);

int run_import(const std::vector<std::string>& raw, ImportFunction import) {
    Arguments args(raw, {"db", "kommune", "srs", "encoding", "mode", "source-layer", "layer"},
                   {"json", "progress", "no-progress"});
    if (const auto layer = args.value("layer")) {
        if (import != &services::import_buildings)
            throw UsageError("--layer belongs to `leerstand import`");
        if (*layer == "vacancies")
            import = &services::import_vacancies;
        else if (*layer != "buildings")
            throw UsageError("--layer must be buildings or vacancies, not '" + *layer + "'");
    }
    auto options = import_options(args);
    bool show_progress = !args.flag("no-progress") && (args.flag("progress") || isatty(2));
    geo::ensure_gdal_registered();
    data::Store store(database_path(args));
    auto report = import(store, options, progress_bar(show_progress));
    if (show_progress) std::cerr << "\n";
    if (args.flag("json")) {
        std::cout << services::report_to_json(report) << "\n";
    } else {
        print_report(report, std::cout);
    }
    if (report.stored == 0) {
        std::cerr << "leerstand: nothing was stored from " << options.file.filename().string()
                  << "; the database is unchanged\n";
        return k_exit_nothing_stored;
    }
    return k_exit_ok;
}

int run_zensus_grid_import(const std::vector<std::string>& raw) {
    Arguments args(raw, {"db"}, {});
    const std::filesystem::path file = args.single_file();
    if (!std::filesystem::exists(file)) throw InvalidInput("file not found: " + file.string());
    data::Store store(database_path(args));
    const auto report = services::import_zensus_grid(store, file);
    std::cout << "Imported the Zensus 2011 grid from " << file.filename().string() << ": "
              << report.cells << " cells in " << report.seconds << " s\n";
    return k_exit_ok;
}

int run_demo(const std::vector<std::string>& raw) {
    Arguments args(raw, {"db", "seed", "as-of"}, {"buildings-only"});
    services::DemoOptions options;
    if (auto seed = args.value("seed"))
        options.seed = static_cast<std::uint64_t>(parse_number(*seed, "--seed", 0, 1L << 62));
    if (auto as_of = args.value("as-of")) {
        options.as_of = IsoDate::parse(*as_of);
        if (!options.as_of) throw UsageError("--as-of must be a date YYYY-MM-DD, not " + *as_of);
    }
    options.buildings_only = args.flag("buildings-only");
    data::Store store(database_path(args));
    auto report = services::generate_demo(store, options);
    std::cout << "Demo data: " << report.kommunen << " Kommunen, " << report.buildings
              << " buildings, " << report.vacancies << " vacancy reports, " << report.zukunftsorte
              << " Zukunftsorte\n";
    return k_exit_ok;
}

/// The basemap template as given, or "" for `none` or an empty value (no basemap: offline).
std::string basemap_url(const std::string& url) {
    if (url.empty() || url == "none") return "";
    const bool web =
        url.starts_with("http://") || url.starts_with("https://") || url.starts_with('/');
    for (const char* part : {"{z}", "{x}", "{y}"})
        if (!web || url.find(part) == std::string::npos)
            throw UsageError(
                "--basemap-url must be an http(s) tile template with {z}, {x} and {y}, "
                "or none");
    return url;
}

/// The addresses of `--trusted-proxy` (each repeat may be a comma list), as canonical_ip
/// spells them.
std::vector<std::string> trusted_proxies(const std::vector<std::string>& values) {
    std::vector<std::string> addresses;
    for (const std::string& value : values) {
        std::istringstream list(value + ",");  // a trailing comma is an empty address
        for (std::string address; std::getline(list, address, ',');) {
            const auto canonical = http::canonical_ip(address);
            if (!canonical)
                throw UsageError(
                    "--trusted-proxy must be IP addresses such as 127.0.0.1 or ::1 (repeated or "
                    "comma-separated), not '" +
                    address + "'");
            addresses.push_back(*canonical);
        }
    }
    return addresses;
}

/// The SMTP relay of `--smtp-url` and `--mail-from` (both or neither), checked before serving.
std::optional<services::RelaySettings> mail_relay(const Arguments& args) {
    const auto url = args.value("smtp-url");
    const auto from = args.value("mail-from");
    if (!url && !from) {
        if (args.value("smtp-user")) throw UsageError("--smtp-user needs --smtp-url");
        return std::nullopt;
    }
    if (!url || !from) throw UsageError("--smtp-url and --mail-from go together");
    services::RelaySettings settings;
    settings.url = *url;
    settings.from = *from;
    settings.user = args.value("smtp-user").value_or("");
    if (const char* password = std::getenv("LEERSTAND_SMTP_PASSWORD")) settings.password = password;
    try {
        services::SmtpRelay check(settings);
    } catch (const InvalidInput& e) {
        throw UsageError(std::string("--smtp-url/--mail-from: ") + e.what());
    }
    return settings;
}

int run_serve(const std::vector<std::string>& raw) {
    Arguments args(raw,
                   {"db", "work-dir", "bind", "port", "threads", "web", "max-upload-mb",
                    "tile-cache-mb", "basemap-url", "basemap-attribution", "trusted-proxy",
                    "public-url", "site", "membership-retention-days", "activation-retention-days",
                    "smtp-url", "mail-from", "smtp-user"},
                   {"secure-cookies", "debug-cache-header"});
    http::ServeOptions options;
    options.db = database_path(args);
    if (auto dir = args.value("work-dir")) options.work_dir = *dir;
    try {
        // Checked here too, for the usage exit code: PostgreSQL needs --work-dir.
        http::node_folders(options.db, options.work_dir);
    } catch (const InvalidInput& e) {
        throw UsageError(e.what());
    }
    options.bind = args.value("bind").value_or("127.0.0.1");
    if (auto port = args.value("port"))
        options.port = static_cast<std::uint16_t>(parse_number(*port, "--port", 0, 65535));
    if (auto threads = args.value("threads"))
        options.threads = static_cast<unsigned>(parse_number(*threads, "--threads", 1, 64));
    if (auto web = args.value("web")) options.web_root = *web;
    if (auto site = args.value("site")) options.site_file = *site;
    if (auto megabytes = args.value("max-upload-mb"))
        options.max_upload_bytes =
            static_cast<std::uint64_t>(parse_number(*megabytes, "--max-upload-mb", 1, 4096)) << 20;
    if (auto megabytes = args.value("tile-cache-mb"))
        options.tile_cache_bytes =
            static_cast<std::uint64_t>(parse_number(*megabytes, "--tile-cache-mb", 1, 65536)) << 20;
    if (auto url = args.value("basemap-url")) options.basemap_url = basemap_url(*url);
    if (auto attribution = args.value("basemap-attribution"))
        options.basemap_attribution = *attribution;
    options.trusted_proxies = trusted_proxies(args.values("trusted-proxy"));
    if (auto url = args.value("public-url")) {
        options.public_url = http::PublicUrl::parse(*url);
        if (!options.public_url)
            throw UsageError(
                "--public-url must be http:// or https:// with a host and an optional port, "
                "nothing after it but '/' (no path), not '" +
                *url + "'");
    }
    const char* secure = std::getenv("LEERSTAND_SECURE_COOKIES");
    options.secure_cookies = args.flag("secure-cookies") || (secure && std::string(secure) == "1");
    options.debug_cache_header = args.flag("debug-cache-header");
    if (auto days = args.value("membership-retention-days"))
        options.membership_retention =
            std::chrono::days(parse_number(*days, "--membership-retention-days", 0, 3650));
    if (auto days = args.value("activation-retention-days"))
        options.activation_retention =
            std::chrono::days(parse_number(*days, "--activation-retention-days", 0, 3650));
    options.mail_relay = mail_relay(args);
    return http::serve(options);
}

/// "12.3 MB": sizes in the one-line summaries of backup and restore.
std::string megabytes(std::uintmax_t bytes) {
    std::ostringstream text;
    text.setf(std::ios::fixed);
    text.precision(1);
    text << static_cast<double>(bytes) / 1e6 << " MB";
    return text.str();
}

/// The one FILE of backup and restore.
const std::string& backup_file(const Arguments& args, const char* command, const char* name) {
    if (args.positional().size() != 1)
        throw UsageError(std::string(command) + " needs exactly one " + name);
    return args.positional().front();
}

/// The SpatiaLite file that backup and restore copy: PostgreSQL has its own tools for that.
std::filesystem::path backup_database_file(const Arguments& args, const char* command) {
    const data::DatabaseLocation db = database_path(args);
    if (db.is_postgres())
        throw Unsupported(std::string(command) +
                          " copies a SpatiaLite file; back up a PostgreSQL database with "
                          "pg_dump and restore it with pg_restore (docs/configuration.md)");
    return db.file();
}

int run_backup(const std::vector<std::string>& raw) {
    Arguments args(raw, {"db"}, {});
    const std::filesystem::path out = backup_file(args, "backup", "OUT file");
    const std::filesystem::path db = backup_database_file(args, "backup");
    const auto summary = data::backup_database(db, out);
    std::cout << "backup " << summary.path.string() << ": " << megabytes(summary.bytes)
              << ", schema version " << summary.schema_version << ", a consistent copy of "
              << db.string() << "\n";
    return k_exit_ok;
}

int run_restore(const std::vector<std::string>& raw) {
    Arguments args(raw, {"db"}, {});
    const std::filesystem::path in = backup_file(args, "restore", "IN file");
    const auto summary = data::restore_database(in, backup_database_file(args, "restore"));
    std::cout << "restored " << summary.path.string() << " from " << in.string() << ": "
              << megabytes(summary.bytes) << ", schema version " << summary.schema_version
              << "; start the server again\n";
    return k_exit_ok;
}

int run_migrate_store(const std::vector<std::string>& raw) {
    Arguments args(raw, {}, {"progress"});
    if (args.positional().size() != 2) throw UsageError("migrate-store needs FROM and TO");
    const data::DatabaseLocation from = database_location(args.positional()[0]);
    const data::DatabaseLocation to = database_location(args.positional()[1]);
    data::StoreCopyProgress progress;
    if (args.flag("progress"))
        progress = [](const std::string& table, std::int64_t rows) {
            std::cerr << "copying " << table << ": " << rows << " rows" << std::endl;
        };
    const auto report = data::copy_store(from, to, progress);
    std::int64_t rows = 0;
    for (const auto& table : report.tables) {
        std::cout << "  " << table.table << ": " << table.rows << " rows\n";
        rows += table.rows;
    }
    std::cout << "copied " << from.display() << " to " << to.display() << ": " << rows
              << " rows in " << report.tables.size() << " tables, schema version "
              << report.schema_version << ", counts and checksums checked, " << report.seconds
              << " s\n";
    return k_exit_ok;
}

int dispatch(const std::vector<std::string>& args) {
    if (args.empty()) throw UsageError("missing command");
    const std::string& command = args.front();
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "help" || command == "--help" || command == "-h") {
        std::cout << k_usage;
        return k_exit_ok;
    }
    if (command == "import") return run_import(rest, &services::import_buildings);
    if (command == "import-kommunen") return run_import(rest, &services::import_kommunen);
    if (command == "import-zensus-grid") return run_zensus_grid_import(rest);
    if (command == "demo") return run_demo(rest);
    if (command == "serve") return run_serve(rest);
    if (command == "user") return run_user_command(rest, std::cin, std::cout, std::cerr);
    if (command == "token") return run_token_command(rest, std::cin, std::cout, std::cerr);
    if (command == "stats") return run_stats_command(rest, std::cout, std::cerr);
    if (command == "export") return run_export_command(rest, std::cout, std::cerr);
    if (command == "backup") return run_backup(rest);
    if (command == "restore") return run_restore(rest);
    if (command == "migrate-store") return run_migrate_store(rest);
    throw UsageError("unknown command '" + command + "'");
}

}  // namespace

int run(const std::vector<std::string>& args) {
    return guarded(std::cerr, [&] { return dispatch(args); });
}

}  // namespace leerstand::cli
