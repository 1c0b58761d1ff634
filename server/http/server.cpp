#include "server/http/server.hpp"

#include <iostream>
#include <memory>

#include "common/error.hpp"
#include "server/http/routes.hpp"
#include "server/http/static_files.hpp"
#include "server/http/transport/client_address.hpp"
#include "server/http/transport/endpoint.hpp"
#include "server/services/auth_service.hpp"
#include "server/services/inquiry_service.hpp"
#include "server/services/membership_service.hpp"
#include "server/services/need_service.hpp"
#include "server/services/retention_job.hpp"
#include "server/services/site.hpp"
#include "server/services/smtp_relay.hpp"
#include "server/services/status_service.hpp"
#include "server/services/tile_cache.hpp"
#include "server/services/tile_service.hpp"
#include "server/services/upload_jobs.hpp"

namespace leerstand::http {

namespace {

namespace fs = std::filesystem;

std::string url_host(const std::string& bind) {
    // An IPv6 literal needs brackets inside a URL.
    return bind.find(':') != std::string::npos && bind.front() != '[' ? "[" + bind + "]" : bind;
}

/// True when `bind` means every address of the machine: no client reaches the server there.
bool binds_every_address(const std::string& bind) {
    const std::string address = bind.starts_with('[') ? bind.substr(1, bind.size() - 2) : bind;
    const auto canonical = canonical_ip(address);
    return canonical && (*canonical == "0.0.0.0" || *canonical == "::");
}

/// The URL the server listens on, as it prints it.
std::string listening_url(const std::string& bind, std::uint16_t port) {
    return "http://" + url_host(bind) + ":" + std::to_string(port);
}

/// Sets the base of the API's links: `--public-url`, else `listening` (checked at start).
void set_public_url(const ServeOptions& options, const std::string& listening) {
    if (options.public_url) {
        use_public_url(*options.public_url);
        return;
    }
    use_public_url(PublicUrl::parse(listening).value());
    if (binds_every_address(options.bind))
        std::cerr << "leerstand: warning: links in API answers name " << listening
                  << ", which no client can reach; pass --public-url with the URL clients use"
                  << std::endl;
}

}  // namespace

NodeFolders node_folders(const data::DatabaseLocation& db, const fs::path& work_dir) {
    if (!work_dir.empty()) {
        const fs::path dir = fs::absolute(work_dir);
        return {dir / "uploads", dir / "export-spool"};
    }
    if (db.is_postgres())
        throw InvalidInput(
            "a PostgreSQL --db needs --work-dir DIR: a folder of this server's own for uploads "
            "and exports");
    // Next to the database, on the same disk, as before PostgreSQL existed.
    const fs::path file = fs::absolute(db.file());
    fs::path spool = file;
    spool += "-export-spool";
    return {file.parent_path() / "uploads", spool};
}

namespace {

int fail(const std::string& message) {
    std::cerr << "leerstand: " << message << std::endl;
    return 1;
}

}  // namespace

int serve(const ServeOptions& options) {
    // First: it blocks the stop signals before any thread exists (see endpoint.hpp).
    Endpoint endpoint;

    ApiContext api;
    NodeFolders folders;
    try {
        if (!options.db.is_postgres() && options.db.file().empty())
            throw InvalidInput("no database given; pass --db PATH or --db postgresql://...");
        folders = node_folders(options.db, options.work_dir);
        api.files = std::make_shared<const StaticFiles>(
            options.web_root.empty() ? fs::path(LEERSTAND_DEFAULT_WEB_ROOT) : options.web_root);
        // A bad site file stops the start with its one line, before any request sees it.
        api.site = std::make_shared<const services::SiteConfig>(services::read_site_config(
            options.site_file.empty() ? services::default_site_file() : options.site_file));
        // Open and migrate on this thread first, so a bad --db fails now, not on a request.
        services::read_status(options.db);
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    if (!options.public_url && !PublicUrl::parse(listening_url(options.bind, 1)))
        return fail("no link can name the address " + options.bind + "; pass --public-url URL");

    api.db = options.db;
    api.export_spool_dir = folders.export_spool;
    api.secure_cookies = options.secure_cookies;
    api.trusted_proxies = options.trusted_proxies;
    api.login_limiter = std::make_shared<services::LoginRateLimiter>();
    api.membership_limiter =
        services::make_public_form_limiter(services::k_membership_request_limits);
    api.inquiry_limiter = services::make_public_form_limiter(services::k_inquiry_limits);
    api.need_limiter = services::make_public_form_limiter(services::k_need_limits);
    api.membership_retention_days = static_cast<int>(options.membership_retention.count());
    api.activation_retention_days = static_cast<int>(options.activation_retention.count());
    if (options.mail_relay) {
        try {
            api.mail = std::make_shared<const services::SmtpRelay>(*options.mail_relay);
        } catch (const std::exception& e) {
            return fail(std::string("cannot use the mail relay: ") + e.what());
        }
    }
    api.tiles = std::make_shared<services::TileCache>(options.tile_cache_bytes);
    // Several nodes may write one PostgreSQL store: the node's one listener tells its tile
    // cache of their commits (docs/scaling.md). A SpatiaLite file has one writer process.
    std::unique_ptr<services::TileChangeListener> tile_listener;
    if (options.db.is_postgres())
        tile_listener = std::make_unique<services::TileChangeListener>(options.db, *api.tiles);
    api.debug_cache_header = options.debug_cache_header;
    api.basemap_url = options.basemap_url;
    api.basemap_attribution = options.basemap_attribution;
    api.page_policy = page_content_policy(options.basemap_url);
    api.embed_policy = page_content_policy(options.basemap_url, k_embed_frame_ancestors);
    services::UploadLimits limits;
    limits.max_body_bytes = options.max_upload_bytes;
    try {
        api.uploads = std::make_shared<services::UploadJobs>(options.db, folders.uploads, limits);
    } catch (const std::exception& e) {
        return fail(std::string("cannot prepare uploads: ") + e.what());
    }
    // Every deletion of personal data past its time (docs/privacy.md): one line each.
    std::vector<services::RetentionTask> retention_tasks = {
        services::retention_task<services::MembershipService>("membership request(s) decided",
                                                              options.membership_retention),
        services::retention_task<services::InquiryService>("inquiry(ies) closed",
                                                           options.activation_retention),
        services::retention_task<services::NeedService>("need(s) closed",
                                                        options.activation_retention),
    };
    std::unique_ptr<services::RetentionJob> retention;
    try {
        retention =
            std::make_unique<services::RetentionJob>(options.db, std::move(retention_tasks));
    } catch (const std::exception& e) {
        return fail(std::string("cannot start the retention job: ") + e.what());
    }
    add_all_routes(endpoint.router(), api);

    std::uint16_t port = 0;
    try {
        port = endpoint.listen(
            {options.bind, options.port, options.threads, options.max_upload_bytes});
    } catch (const std::exception& e) {
        return fail("cannot listen on " + options.bind + ":" + std::to_string(options.port) + ": " +
                    e.what());
    }

    const std::string listening = listening_url(options.bind, port);
    // Only now is the port known (--port 0): a request in the moment before this gets relative
    // links, never the Host it sent.
    set_public_url(options, listening);
    std::cout << "listening on " << listening << std::endl;

    const int signal_number = endpoint.wait_for_stop_signal();
    std::cerr << "leerstand: " << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
              << " received, shutting down" << std::endl;
    try {
        endpoint.stop();
        // After the workers: no request can queue a job any more.
        api.uploads->stop();
        tile_listener.reset();
    } catch (const std::exception& e) {
        return fail(std::string("shutdown failed: ") + e.what());
    }
    return 0;
}

}  // namespace leerstand::http
