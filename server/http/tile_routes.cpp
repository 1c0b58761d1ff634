#include <pistache/http.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/http/transport/direct_send.hpp"
#include "server/services/thread_store.hpp"
#include "server/services/tile_metadata.hpp"
#include "server/services/tile_service.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;
using services::TileFormat;

constexpr const char* k_mvt = "application/vnd.mapbox-vector-tile";

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

/// The format of an OGC API tile: `f=mvt|geojson`, else the Accept header, else MVT.
TileFormat ogc_tile_format(const Rest::Request& request) {
    if (const auto f = query_value(request, "f")) {
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
    const std::string tms = path_param(request, ":tms");
    if (tms != services::k_web_mercator_quad)
        throw NotFound("no tile matrix set '" + tms + "'; there is WebMercatorQuad");
}

/// Sends a tile set's description; revalidated on each use unless the handler set
/// Cache-Control.
void send_document(Http::ResponseWriter& writer, const nlohmann::json& body) {
    if (!writer.headers().has("Cache-Control")) set_header(writer, "Cache-Control", "no-cache");
    send_json(writer, Http::Code::Ok, body);
}

/// `/tiles/{layer}/{z}/{x}/{y}.{mvt,geojson}`.
void get_xyz_tile(const ApiContext& context, const Rest::Request& request,
                  Http::ResponseWriter& writer) {
    const std::string file = path_param(request, ":file");
    const std::size_t dot = file.rfind('.');
    const std::string extension = dot == std::string::npos ? "" : file.substr(dot + 1);
    TileFormat format = TileFormat::Mvt;
    if (extension == "geojson" || extension == "json")
        format = TileFormat::GeoJson;
    else if (extension != "mvt" && extension != "pbf")
        throw NotFound("tiles are .mvt (or .pbf) and .geojson");
    const geo::TileId id =
        parse_tile(path_param(request, ":z"), path_param(request, ":x"), file.substr(0, dot));
    answer_tile(context, request, writer, path_param(request, ":layer"), id, format);
}

/// `/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}`.
void get_ogc_tile(const ApiContext& context, const Rest::Request& request,
                  Http::ResponseWriter& writer) {
    require_web_mercator(request);
    // OGC order: tileMatrix/tileRow/tileCol, that is z/y/x.
    const geo::TileId id =
        parse_tile(path_param(request, ":z"), path_param(request, ":x"), path_param(request, ":y"));
    answer_tile(context, request, writer, path_param(request, ":collection"), id,
                ogc_tile_format(request));
}

/// `/tiles/{layer}.json`: the bounds cover what the caller may see, so it depends on who asks.
void get_tilejson(const ApiContext& context, const Rest::Request& request,
                  Http::ResponseWriter& writer) {
    const std::string file = path_param(request, ":file");
    const std::size_t dot = file.rfind('.');
    if (dot == std::string::npos || file.substr(dot) != ".json")
        throw NotFound("TileJSON is at /tiles/{layer}.json");
    const services::TileLayerInfo& layer = services::tile_layer(file.substr(0, dot));
    const services::Caller caller = request_caller(request, context);
    set_caller_cache_headers(writer, caller);
    send_document(
        writer, services::tilejson(layer, base_url(), services::thread_store(context.db), caller));
}

void get_tile_matrix_sets(const ApiContext&, const Rest::Request&, Http::ResponseWriter& writer) {
    send_document(writer, services::tile_matrix_sets(base_url()));
}

void get_tile_matrix_set(const ApiContext&, const Rest::Request& request,
                         Http::ResponseWriter& writer) {
    send_document(writer, services::tile_matrix_set(path_param(request, ":tms")));
}

void get_tilesets(const ApiContext&, const Rest::Request& request, Http::ResponseWriter& writer) {
    const auto& layer = services::tile_layer(path_param(request, ":collection"));
    send_document(writer, services::tilesets(layer, base_url()));
}

/// A tile set's extent covers what the caller may see, so it depends on who asks.
void get_tileset(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    require_web_mercator(request);
    const auto& layer = services::tile_layer(path_param(request, ":collection"));
    const services::Caller caller = request_caller(request, context);
    set_caller_cache_headers(writer, caller);
    send_document(writer,
                  services::tileset(layer, base_url(), services::thread_store(context.db), caller));
}

}  // namespace

void add_tile_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/tiles/:layer/:z/:x/:file", Method::Get, get_xyz_tile},
                        {"/tiles/:file", Method::Get, get_tilejson},
                        {"/tileMatrixSets", Method::Get, get_tile_matrix_sets},
                        {"/tileMatrixSets/:tms", Method::Get, get_tile_matrix_set},
                        {"/collections/:collection/tiles", Method::Get, get_tilesets},
                        {"/collections/:collection/tiles/:tms", Method::Get, get_tileset},
                        {"/collections/:collection/tiles/:tms/:z/:y/:x", Method::Get, get_ogc_tile},
                    });
}

}  // namespace leerstand::http
