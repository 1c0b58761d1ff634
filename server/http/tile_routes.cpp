#include "server/http/tile_routes.hpp"

#include <pistache/http.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "server/http/routing.hpp"
#include "server/http/transport/answer.hpp"
#include "server/http/transport/direct_send.hpp"
#include "server/http/transport/public_url.hpp"
#include "server/http/transport/response_headers.hpp"
#include "server/services/thread_store.hpp"
#include "server/services/tile_metadata.hpp"
#include "server/services/tile_service.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
using services::TileFormat;

constexpr const char* k_mvt = "application/vnd.mapbox-vector-tile";
constexpr const char* k_geojson = "application/geo+json";

std::string_view media_type(TileFormat format) {
    return format == TileFormat::Mvt ? k_mvt : k_geojson;
}

geo::TileId parse_tile(const std::string& z, const std::string& x, const std::string& y) {
    const auto tile = geo::TileId::parse(z, x, y);
    if (!tile)
        throw InvalidInput("tile " + z + "/" + x + "/" + y + " does not exist: z must be 0 to " +
                           std::to_string(geo::k_max_tile_zoom) +
                           ", x and y whole numbers from 0 to 2^z - 1");
    return *tile;
}

/// True when the client takes gzip (a coding "gzip" or "*" without q=0).
bool accepts_gzip(const Rest::Request& request) {
    const auto header = header_value(request, "Accept-Encoding");
    if (!header) return false;
    std::string_view rest = *header;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string item = trimmed(std::string(rest.substr(0, comma)));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const std::size_t semicolon = item.find(';');
        const std::string coding = trimmed(item.substr(0, semicolon));
        if (coding != "gzip" && coding != "*") continue;
        if (semicolon == std::string::npos) return true;
        std::string parameter = trimmed(item.substr(semicolon + 1));
        const bool refused = parameter.rfind("q=0", 0) == 0 &&
                             parameter.find_first_not_of("0.", 2) == std::string::npos;
        return !refused;
    }
    return false;
}

/// True when If-None-Match lists one of the tile's tags (or "*").
bool not_modified(const Rest::Request& request, const services::EncodedTile& tile) {
    const auto header = header_value(request, "If-None-Match");
    if (!header) return false;
    const std::string& value = *header;
    return trimmed(value) == "*" || value.find(tile.etag()) != std::string::npos ||
           value.find(tile.gzip_etag()) != std::string::npos;
}

void send_tile(const ApiContext& context, const Rest::Request& request,
               Http::ResponseWriter& writer, const services::TileAnswer& answer, TileFormat format,
               const services::Caller& caller) {
    const services::EncodedTile& tile = *answer.tile;
    if (answer.per_caller) {
        set_header(writer, "Vary", "Accept-Encoding, Cookie, Authorization");
        // Signed-in callers may see unpublished vacancies: only their own browser keeps them.
        set_header(writer, "Cache-Control",
                   caller.signed_in() ? "private, no-cache" : "public, max-age=30");
    } else {
        set_header(writer, "Vary", "Accept-Encoding");
        set_header(writer, "Cache-Control", "public, max-age=60");
    }
    if (context.debug_cache_header)
        set_header(writer, "X-Cache", answer.from_cache ? "hit" : "miss");
    if (tile.empty()) {
        writer.send(Http::Code::No_Content);
        return;
    }
    const bool gzip = accepts_gzip(request) && !tile.gzipped().empty();
    set_header(writer, "ETag", gzip ? tile.gzip_etag() : tile.etag());
    if (not_modified(request, tile)) {
        writer.send(Http::Code::Not_Modified);
        return;
    }
    if (gzip) writer.headers().add<Http::Header::ContentEncoding>(Http::Header::Encoding::Gzip);
    send_without_copying(writer, request.version(), Http::Code::Ok,
                         gzip ? tile.gzipped() : tile.body(), media_type(format));
}

void answer_tile(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer, const std::string& layer_name, const geo::TileId& id,
                 TileFormat format) {
    const services::TileLayerInfo& layer = services::tile_layer(layer_name);
    // Only per-caller layers need to know who asks (a session lookup per tile otherwise).
    const services::Caller caller =
        layer.per_caller ? request_caller(request, context) : services::Caller::anonymous();
    services::TileService tiles(services::thread_service<data::TileStore>(context.db),
                                *context.tiles);
    send_tile(context, request, writer, tiles.tile(layer, id, format, caller), format, caller);
}

/// `/tiles/{layer}/{z}/{x}/{y}.{mvt,geojson}`.
void get_xyz_tile(const ApiContext& context, const Rest::Request& request,
                  Http::ResponseWriter& writer) {
    const std::string file = request.param(":file").as<std::string>();
    const std::size_t dot = file.rfind('.');
    const std::string extension = dot == std::string::npos ? "" : file.substr(dot + 1);
    TileFormat format = TileFormat::Mvt;
    if (extension == "geojson" || extension == "json")
        format = TileFormat::GeoJson;
    else if (extension != "mvt" && extension != "pbf")
        throw NotFound("tiles are .mvt (or .pbf) and .geojson");
    const geo::TileId id = parse_tile(request.param(":z").as<std::string>(),
                                      request.param(":x").as<std::string>(), file.substr(0, dot));
    answer_tile(context, request, writer, request.param(":layer").as<std::string>(), id, format);
}

/// The format of an OGC API tile: `f=mvt|geojson`, else the Accept header, else MVT.
TileFormat ogc_tile_format(const Rest::Request& request) {
    if (const auto f = request.query().get("f")) {
        if (*f == "mvt") return TileFormat::Mvt;
        if (*f == "geojson" || *f == "json") return TileFormat::GeoJson;
        throw InvalidInput("f must be mvt or geojson");
    }
    const auto accept = header_value(request, "Accept");
    if (accept && accept->find("geo+json") != std::string::npos &&
        accept->find("mapbox-vector-tile") == std::string::npos)
        return TileFormat::GeoJson;
    return TileFormat::Mvt;
}

void require_web_mercator(const Rest::Request& request) {
    const std::string tms = request.param(":tms").as<std::string>();
    if (tms != services::k_web_mercator_quad)
        throw NotFound("no tile matrix set '" + tms + "'; there is WebMercatorQuad");
}

void get_ogc_tile(const ApiContext& context, const Rest::Request& request,
                  Http::ResponseWriter& writer) {
    require_web_mercator(request);
    // OGC order: tileMatrix/tileRow/tileCol, that is z/y/x.
    const geo::TileId id =
        parse_tile(request.param(":z").as<std::string>(), request.param(":x").as<std::string>(),
                   request.param(":y").as<std::string>());
    answer_tile(context, request, writer, request.param(":collection").as<std::string>(), id,
                ogc_tile_format(request));
}

/// Sends a JSON document; revalidated on each use unless the handler set Cache-Control.
void send_document(Http::ResponseWriter& writer, const nlohmann::json& body,
                   const char* content_type = "application/json") {
    if (!writer.headers().has("Cache-Control")) set_header(writer, "Cache-Control", "no-cache");
    send_answer(writer, Http::Code::Ok, body.dump(), content_type);
}

void get_tilejson(const ApiContext& context, const Rest::Request& request,
                  Http::ResponseWriter& writer) {
    const std::string file = request.param(":file").as<std::string>();
    const std::size_t dot = file.rfind('.');
    if (dot == std::string::npos || file.substr(dot) != ".json")
        throw NotFound("TileJSON is at /tiles/{layer}.json");
    const services::TileLayerInfo& layer = services::tile_layer(file.substr(0, dot));
    const services::Caller caller = request_caller(request, context);
    // The bounds cover what the caller may see: the document depends on who asks.
    set_caller_cache_headers(writer, caller);
    send_document(
        writer, services::tilejson(layer, base_url(), services::thread_store(context.db), caller));
}

Handler with_context(const ApiContext& context,
                     void (*handler)(const ApiContext&, const Rest::Request&,
                                     Http::ResponseWriter&)) {
    return [&context, handler](const Rest::Request& request, Http::ResponseWriter& writer,
                               const std::string&) { handler(context, request, writer); };
}

}  // namespace

void add_tile_routes(Rest::Router& router, const ApiContext& context) {
    add_routes(router, "/tiles/:layer/:z/:x/:file",
               {{Http::Method::Get, with_context(context, &get_xyz_tile)}});
    add_routes(router, "/tiles/:file", {{Http::Method::Get, with_context(context, &get_tilejson)}});
    add_routes(router, "/tileMatrixSets",
               {{Http::Method::Get,
                 [](const Rest::Request&, Http::ResponseWriter& writer, const std::string&) {
                     send_document(writer, services::tile_matrix_sets(base_url()));
                 }}});
    add_routes(
        router, "/tileMatrixSets/:tms",
        {{Http::Method::Get,
          [](const Rest::Request& request, Http::ResponseWriter& writer, const std::string&) {
              send_document(writer,
                            services::tile_matrix_set(request.param(":tms").as<std::string>()));
          }}});
    add_routes(router, "/collections/:collection/tiles",
               {{Http::Method::Get, [](const Rest::Request& request, Http::ResponseWriter& writer,
                                       const std::string&) {
                     const auto& layer =
                         services::tile_layer(request.param(":collection").as<std::string>());
                     send_document(writer, services::tilesets(layer, base_url()));
                 }}});
    add_routes(router, "/collections/:collection/tiles/:tms",
               {{Http::Method::Get, [&context](const Rest::Request& request,
                                               Http::ResponseWriter& writer, const std::string&) {
                     require_web_mercator(request);
                     const auto& layer =
                         services::tile_layer(request.param(":collection").as<std::string>());
                     const services::Caller caller = request_caller(request, context);
                     set_caller_cache_headers(writer, caller);
                     send_document(writer,
                                   services::tileset(layer, base_url(),
                                                     services::thread_store(context.db), caller));
                 }}});
    add_routes(router, "/collections/:collection/tiles/:tms/:z/:y/:x",
               {{Http::Method::Get, with_context(context, &get_ogc_tile)}});
}

}  // namespace leerstand::http
