#include "server/services/tile_metadata.hpp"

#include <cmath>

#include "baseline/zensus2022.hpp"
#include "baseline/zensus_grid.hpp"
#include "common/error.hpp"
#include "data/collection_store.hpp"
#include "server/services/privacy.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

constexpr const char* k_tms_uri =
    "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
constexpr const char* k_crs_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857";
constexpr const char* k_mvt = "application/vnd.mapbox-vector-tile";
constexpr const char* k_rel_tiling_scheme = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";
// Half the equator in Web Mercator metres, and the cell size of zoom 0 (256 pixels).
constexpr double k_half_world = 20037508.342789244;
constexpr double k_cell_size_z0 = 2 * k_half_world / 256;

json link(const std::string& href, const std::string& rel, const std::string& type,
          const std::string& title, bool templated = false) {
    json result = {{"href", href}, {"rel", rel}, {"type", type}, {"title", title}};
    if (templated) result["templated"] = true;
    return result;
}

geo::LonLatBox layer_extent(const TileLayerInfo& layer, data::Store& store, const Caller& caller) {
    // An empty layer still gets a tileset over Germany, so clients can open it.
    const data::Bbox germany{5.8, 47.2, 15.1, 55.1};
    const data::Bbox box = data::CollectionStore(store)
                               .extent(layer.name, vacancy_visibility(caller))
                               .value_or(germany);
    return {box.min_lon, box.min_lat, box.max_lon, box.max_lat};
}

/// What the layer's features carry (TileJSON vector_layers fields), from tile_store.hpp.
json layer_fields(const TileLayerInfo& layer) {
    switch (layer.source) {
        case data::TileSource::Kommunen:
            return {{"ags", "String"},
                    {"name", "String"},
                    {"bez", "String"},
                    {"zensus2022_leerstandsquote", "Number"}};
        case data::TileSource::Buildings:
            return {
                {"kommune_ags", "String"}, {"vacancy_id", "Number"}, {"vacancy_status", "String"}};
        case data::TileSource::Vacancies:
            return {{"status", "String"},
                    {"use", "String"},
                    {"vacant_since", "String"},
                    {"kommune_ags", "String"},
                    {"building_id", "Number"}};
        case data::TileSource::Zukunftsorte:
            return {{"name", "String"}, {"kind", "String"}, {"kommune_ags", "String"}};
        case data::TileSource::Zensus2011Grid:
            return {{"leerstandsquote", "Number"}};
    }
    return json::object();
}

/// Licences of third-party data travel with every output (DESIGN.md).
std::string layer_attribution(const TileLayerInfo& layer) {
    switch (layer.source) {
        case data::TileSource::Kommunen:
            return std::string("Leerstandsatlas; ") + baseline::k_zensus2022_attribution + ", " +
                   baseline::k_zensus_license_name;
        case data::TileSource::Zensus2011Grid:
            return std::string(baseline::k_zensus2011_grid_attribution) + ", " +
                   baseline::k_zensus_license_name;
        default:
            return "Leerstandsatlas";
    }
}

std::string tiles_path(const TileLayerInfo& layer, const std::string& base) {
    return base + "/collections/" + layer.name + "/tiles";
}

}  // namespace

json tilejson(const TileLayerInfo& layer, const std::string& base, data::Store& store,
              const Caller& caller) {
    const geo::LonLatBox box = layer_extent(layer, store, caller);
    return {{"tilejson", "3.0.0"},
            {"name", layer.name},
            {"description", layer.description},
            {"scheme", "xyz"},
            {"tiles", json::array({base + "/tiles/" + layer.name + "/{z}/{x}/{y}.mvt"})},
            {"minzoom", layer.min_zoom},
            {"maxzoom", layer.max_zoom},
            {"bounds", json::array({box.min_lon, box.min_lat, box.max_lon, box.max_lat})},
            {"attribution", layer_attribution(layer)},
            {"vector_layers", json::array({{{"id", layer.name},
                                            {"description", layer.description},
                                            {"minzoom", layer.min_zoom},
                                            {"maxzoom", layer.max_zoom},
                                            {"fields", layer_fields(layer)}}})}};
}

json tile_matrix_sets(const std::string& base) {
    const std::string href = base + "/tileMatrixSets/" + k_web_mercator_quad;
    return {{"tileMatrixSets",
             json::array({{{"id", k_web_mercator_quad},
                           {"title", "Google Maps Compatible for the World"},
                           {"uri", k_tms_uri},
                           {"links", json::array({link(href, "self", "application/json",
                                                       k_web_mercator_quad)})}}})}};
}

json tile_matrix_set(const std::string& id) {
    if (id != k_web_mercator_quad)
        throw NotFound("no tile matrix set '" + id + "'; there is WebMercatorQuad");
    json matrices = json::array();
    for (int z = 0; z <= geo::k_max_tile_zoom; ++z) {
        const double cell = k_cell_size_z0 / std::ldexp(1.0, z);
        const auto size = static_cast<std::int64_t>(1) << z;
        matrices.push_back({{"id", std::to_string(z)},
                            {"identifier", std::to_string(z)},
                            {"topLeftCorner", json::array({-k_half_world, k_half_world})},
                            {"scaleDenominator", cell / 0.00028},
                            {"cellSize", cell},
                            {"cornerOfOrigin", "topLeft"},
                            {"pointOfOrigin", json::array({-k_half_world, k_half_world})},
                            {"tileWidth", 256},
                            {"tileHeight", 256},
                            {"matrixWidth", size},
                            {"matrixHeight", size}});
    }
    // The 2.0 members, plus the 1.0 ones (identifier, supportedCRS, boundingBox, topLeftCorner)
    // that older clients need: GDAL 3.6's OGCAPI driver (Debian 12, and QGIS on it) reads a
    // tile matrix set only in the 1.0 form.
    return {{"id", k_web_mercator_quad},
            {"identifier", k_web_mercator_quad},
            {"title", "Google Maps Compatible for the World"},
            {"uri", k_tms_uri},
            {"crs", k_crs_3857},
            {"supportedCRS", k_crs_3857},
            {"boundingBox",
             {{"type", "BoundingBoxType"},
              {"crs", k_crs_3857},
              {"lowerCorner", json::array({-k_half_world, -k_half_world})},
              {"upperCorner", json::array({k_half_world, k_half_world})}}},
            {"orderedAxes", json::array({"E", "N"})},
            {"wellKnownScaleSet", "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible"},
            {"tileMatrices", std::move(matrices)}};
}

json tilesets(const TileLayerInfo& layer, const std::string& base) {
    const std::string path = tiles_path(layer, base);
    return {
        {"tilesets",
         json::array({{{"title", layer.title},
                       {"dataType", "vector"},
                       {"crs", k_crs_3857},
                       {"tileMatrixSetURI", k_tms_uri},
                       {"links", json::array({link(path + "/" + k_web_mercator_quad, "self",
                                                   "application/json", layer.title),
                                              link(base + "/tileMatrixSets/" + k_web_mercator_quad,
                                                   k_rel_tiling_scheme, "application/json",
                                                   k_web_mercator_quad)})}}})},
        {"links", json::array({link(path, "self", "application/json", layer.title)})}};
}

json tileset(const TileLayerInfo& layer, const std::string& base, data::Store& store,
             const Caller& caller) {
    const geo::LonLatBox box = layer_extent(layer, store, caller);
    const std::string path = tiles_path(layer, base) + "/" + k_web_mercator_quad;
    json limits = json::array();
    for (int z = layer.min_zoom; z <= layer.max_zoom; ++z) {
        const geo::TileRange range = geo::tiles_touching(z, box);
        limits.push_back({{"tileMatrix", std::to_string(z)},
                          {"minTileRow", range.min_y},
                          {"maxTileRow", range.max_y},
                          {"minTileCol", range.min_x},
                          {"maxTileCol", range.max_x}});
    }
    const std::string item = path + "/{tileMatrix}/{tileRow}/{tileCol}";
    return {
        {"title", layer.title},
        {"description", layer.description},
        {"dataType", "vector"},
        {"crs", k_crs_3857},
        {"tileMatrixSetURI", k_tms_uri},
        {"boundingBox",
         {{"lowerLeft", json::array({box.min_lon, box.min_lat})},
          {"upperRight", json::array({box.max_lon, box.max_lat})},
          {"crs", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}},
        {"tileMatrixSetLimits", std::move(limits)},
        {"layers", json::array({{{"id", layer.name},
                                 {"title", layer.title},
                                 {"dataType", "vector"},
                                 {"geometryDimension",
                                  layer.source == data::TileSource::Kommunen ||
                                          layer.source == data::TileSource::Buildings ||
                                          layer.source == data::TileSource::Zensus2011Grid
                                      ? 2
                                      : 0},
                                 {"minTileMatrix", std::to_string(layer.min_zoom)},
                                 {"maxTileMatrix", std::to_string(layer.max_zoom)}}})},
        {"links", json::array({link(path, "self", "application/json", layer.title),
                               link(base + "/tileMatrixSets/" + k_web_mercator_quad,
                                    k_rel_tiling_scheme, "application/json", k_web_mercator_quad),
                               link(item + "?f=mvt", "item", k_mvt, "Mapbox Vector Tile", true),
                               link(item + "?f=geojson", "item", "application/geo+json",
                                    "GeoJSON tile", true)})}};
}

const std::vector<std::string>& tiles_conformance() {
    static const std::vector<std::string> classes = {
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geojson",
    };
    return classes;
}

}  // namespace leerstand::services
