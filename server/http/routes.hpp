#pragma once

#include <pistache/http.h>
#include <pistache/router.h>

#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/database_location.hpp"
#include "server/http/transport/routing.hpp"

namespace leerstand::services {
class LoginRateLimiter;
class SmtpRelay;
class UploadJobs;
class TileCache;
struct SiteConfig;
}  // namespace leerstand::services

/// The routes of the HTTP API and the web app: each `*_routes.cpp` is a table of routes and
/// the handlers it names.
namespace leerstand::http {

class StaticFiles;

/// What the routes share across worker threads. Per-thread state (Store, services) is created
/// on each worker on first use.
struct ApiContext {
    data::DatabaseLocation db{std::filesystem::path()};
    std::filesystem::path export_spool_dir;  ///< this node's exports wait here (NodeFolders)
    bool secure_cookies = false;             ///< mark the session cookie `Secure` (behind HTTPS)
    /// Peers whose `X-Real-IP` names the client (canonical_ip spellings); nobody by default.
    std::vector<std::string> trusted_proxies;
    std::shared_ptr<services::LoginRateLimiter> login_limiter;
    std::shared_ptr<services::UploadJobs> uploads;
    std::shared_ptr<services::TileCache> tiles;  ///< encoded tiles of all workers
    bool debug_cache_header = false;             ///< X-Cache on tile answers (ServeOptions)
    std::shared_ptr<const StaticFiles> files;    ///< the web app
    std::string basemap_url;                     ///< the web map's XYZ template; empty: no basemap
    std::string basemap_attribution;             ///< plain text
    std::string page_policy;                     ///< the web app page's CSP (page_content_policy)
    std::string embed_policy;                    ///< the embed pages' CSP: any site may frame them
    std::shared_ptr<const services::SiteConfig> site;  ///< the operator's texts and data licence
    /// Membership requests per client (services::k_membership_request_limits).
    std::shared_ptr<services::LoginRateLimiter> membership_limiter;
    int membership_retention_days = 90;   ///< told to whoever sends a request (ServeOptions)
    int activation_retention_days = 180;  ///< inquiries and needs (ServeOptions)
    /// The operator's SMTP relay; null when none is configured (then no mail is sent).
    std::shared_ptr<const services::SmtpRelay> mail;
    /// Inquiries per client (part "inquiries"; services::k_inquiry_limits).
    std::shared_ptr<services::LoginRateLimiter> inquiry_limiter;
    /// Needs of the public form per client (services::k_need_limits; part "needs").
    std::shared_ptr<services::LoginRateLimiter> need_limiter;
};

/// A route's handler: a few lines that read the request, call a use case and send its answer.
using RouteHandler = void (*)(const ApiContext&, const Pistache::Rest::Request&,
                              Pistache::Http::ResponseWriter&);

/// One row of a route table. Rows of one path share its lane.
struct Route {
    std::string_view path;  ///< Pistache's syntax: `/collections/:collection/items`
    Pistache::Http::Method method;
    RouteHandler handler;
    Lane lane = Lane::ByMethod;
};

/// Registers every row of `table` with its handler bound to `context`; a path that answers GET
/// answers HEAD too, and other methods get 405 with `Allow` (transport/routing.hpp).
/// @pre `context` outlives the router.
void add_route_table(Pistache::Rest::Router& router, const ApiContext& context,
                     std::initializer_list<Route> table);

/// Registers `handler`, bound to `context`, for every request no route matches.
/// @pre `context` outlives the router.
void add_fallback_route(Pistache::Rest::Router& router, const ApiContext& context,
                        RouteHandler handler);

/// Registers every route below.
/// @pre `context` outlives the router.
/// @throws std::exception when the compiled-in OpenAPI document is not valid JSON.
void add_all_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// The OGC API – Features read side (`/conformance`, `/collections[/{id}]`, items of all four
/// collections) and the write side: `/collections/{vacancies,zukunftsorte}/items[/{id}]` (GET,
/// POST, PUT, PATCH, DELETE), `/collections/vacancies/items/{id}/history` (api_routes.cpp).
void add_api_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// Sign-in: `/api/login`, `/api/logout`, `/api/me` (account_routes.cpp).
void add_account_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// Uploads: `POST /api/uploads` queues an import, `GET /api/uploads/{id}` tells how it goes
/// (upload_routes.cpp).
void add_upload_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// The summaries: `GET /api/summary` (the whole network) and `GET /api/kommunen/{ags}/summary`
/// (a Gemeinde, or a Kreis with its Gemeinden). The caller decides between exact and public
/// figures (services::SummaryService) (summary_routes.cpp).
void add_summary_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// The Kommune profiles: `GET /api/kommunen/{ags}/profile` (also by the Kommune's slug) and
/// `PATCH` (a JSON Merge Patch with If-Match), services::ProfileService (profile_routes.cpp).
void add_profile_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// `GET /export/{collection}.{geojson,gpkg,csv}`: the collection with the filters of items
/// (bbox, datetime, kommune, status, use), as the caller may see it, as a download
/// (`Content-Disposition: attachment`). Written to a spool file next to the database first
/// (memory stays flat for a million buildings, and a failure yields a clean problem instead of
/// half a download), then sent paced to the client and removed. Spool files an earlier process
/// left behind are removed here (export_routes.cpp).
void add_export_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// The map tiles and their metadata (tile_routes.cpp):
/// - `GET /tiles/{layer}/{z}/{x}/{y}.mvt|.geojson` (XYZ; Leaflet, MapLibre, QGIS),
/// - `GET /tiles/{layer}.json` (TileJSON 3.0),
/// - OGC API – Tiles: `/tileMatrixSets[/WebMercatorQuad]`, `/collections/{id}/tiles`,
///   `/collections/{id}/tiles/WebMercatorQuad[/{z}/{y}/{x}]` (`f=mvt|geojson` or Accept).
/// Tiles come with an ETag (If-None-Match gives 304), gzip when accepted, 204 when empty.
void add_tile_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// Pictures (image_routes.cpp): `POST /api/images` (multipart `file`, optional `kommune`;
/// editors and admins) stores an image as three metadata-free JPEG sizes;
/// `GET /images/{id}/{320,800,1600}.jpg` serves them, public and cached for a year.
void add_image_routes(Pistache::Rest::Router& router, const ApiContext& context);
/// Membership of the network (membership_routes.cpp): `GET /api/network` (the members, public),
/// `POST /api/membership-requests` (the public form), `GET /api/membership-requests` and
/// `POST /api/membership-requests/{id}/accept|decline` (admins).
void add_membership_routes(Pistache::Rest::Router& router, const ApiContext& context);
/// Inquiries about offers (inquiry_routes.cpp, part "inquiries"): `POST
/// /api/angebote/{id}/anfragen` (the public form), `GET /api/anfragen`, `PATCH
/// /api/anfragen/{id}` and `POST /api/anfragen/{id}/antworten` (the staff inbox).
void add_inquiry_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// Suggestions and their outcomes, staff only (match_routes.cpp, part matches):
/// `GET /api/angebote/{id}/vorschlaege`, `GET /api/gesuche/{id}/vorschlaege`,
/// `POST /api/vermittlungen`, `PATCH /api/vermittlungen/{id}` (If-Match).
void add_match_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// Needs of the public (need_routes.cpp; part "needs" of issue 23): `POST /api/gesuche` (the
/// form: stores the need unconfirmed and mails the link) and `POST /api/gesuche/bestaetigung`
/// (the link's token confirms it). Staff write needs as the collection `gesuche`.
void add_need_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// `GET /api` (also `?f=json`): the OpenAPI 3.0 description of the whole HTTP API, as
/// `application/vnd.oai.openapi+json;version=3.0`, with `servers` set to the public URL. The
/// landing page links it as `service-desc`; GDAL's OAPIF driver and QGIS read it (page size
/// limits, result types) (openapi_routes.cpp).
/// @throws std::exception when the compiled-in document is not valid JSON (at registration, so a
///         broken document stops the server from starting instead of failing every request).
void add_openapi_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// The web app's public pages (`/zukunftsorte`, `/netzwerk`, `/mitglied-werden`, `/ueber`,
/// `/impressum`, `/datenschutz`, `/kommunen/{ags or slug}`, …): index.html with the page's own
/// title and link-preview tags (app_pages.hpp); the app opens the page the path names
/// (web/router.js) (page_routes.cpp).
void add_page_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// The web app and what is around it: `/` (the app for browsers, the OGC API landing page for
/// API clients), `/api/config`, `/health`, and static files for every path no route matches
/// (web_routes.cpp).
void add_web_routes(Pistache::Rest::Router& router, const ApiContext& context);

/// Who may frame the embed pages (`/embed/kommunen/{ags}`): every site. Every other answer
/// keeps `frame-ancestors 'none'` and `X-Frame-Options: DENY`.
inline constexpr const char* k_embed_frame_ancestors = "*";

/// The Content-Security-Policy of the web app's page: its own scripts, styles and API only,
/// images also from the basemap at `basemap_url` (an XYZ template). No inline script or style
/// attribute runs, so injected markup could do nothing either. `frame_ancestors`: who may show
/// the page in a frame (nobody but for the embed pages).
std::string page_content_policy(const std::string& basemap_url,
                                std::string_view frame_ancestors = "'none'");

}  // namespace leerstand::http
