#include "server/services/tile_service.hpp"

#include <algorithm>
#include <iostream>

#include "baseline/zensus2022.hpp"
#include "common/error.hpp"
#include "geo/tile_encoders.hpp"
#include "server/services/privacy.hpp"

namespace leerstand::services {

namespace {

const std::shared_ptr<const EncodedTile>& empty_tile() {
    static const auto k_empty = std::make_shared<const EncodedTile>(std::string());
    return k_empty;
}

constexpr const char* k_public_audience = "public";

/// Who a per-caller tile is for: callers with the same vacancy visibility see the same tile.
std::string audience_key(const data::VacancyVisibility& visibility) {
    if (visibility.all) return "all";
    if (visibility.internal_prefixes.empty()) return k_public_audience;
    std::vector<std::string> prefixes = visibility.internal_prefixes;
    std::sort(prefixes.begin(), prefixes.end());
    std::string key = "in";
    for (const std::string& prefix : prefixes) key += ":" + prefix;
    return key;
}

std::string cache_key(const TileLayerInfo& layer, const geo::TileId& id, TileFormat format,
                      const std::string& audience) {
    return layer.name + (format == TileFormat::Mvt ? "/mvt/" : "/json/") + audience + "/" +
           std::to_string(id.z) + "/" + std::to_string(id.x) + "/" + std::to_string(id.y);
}

/// Does the feature's box meet `box`? (Then the first query returned it already.)
bool reaches(const MapFeature& feature, const data::Bbox& box) {
    double min_lon = 1e9, max_lon = -1e9, min_lat = 1e9, max_lat = -1e9;
    auto take = [&](const LonLat& p) {
        min_lon = std::min(min_lon, p.lon);
        max_lon = std::max(max_lon, p.lon);
        min_lat = std::min(min_lat, p.lat);
        max_lat = std::max(max_lat, p.lat);
    };
    if (feature.point) take(*feature.point);
    for (const LonLatPolygon& polygon : feature.polygons)
        if (!polygon.empty())
            for (const LonLat& p : polygon.front()) take(p);
    return min_lon <= box.max_lon && max_lon >= box.min_lon && min_lat <= box.max_lat &&
           max_lat >= box.min_lat;
}

/// The official baseline on each Gemeinde of the kommunen layer, so a map can colour every
/// Gemeinde loaded without asking for its figures (with all of Germany, 11,000 of them).
void add_zensus_baseline(geo::TileLayer& layer) {
    for (geo::TileFeature& feature : layer.features) {
        const auto ags = std::find_if(feature.properties.begin(), feature.properties.end(),
                                      [](const FeatureProperty& p) { return p.key == "ags"; });
        if (ags == feature.properties.end()) continue;
        const auto* text = std::get_if<std::string>(&ags->value);
        const auto* gemeinde = text ? baseline::zensus2022().find(*text) : nullptr;
        if (gemeinde == nullptr || !gemeinde->leerstandsquote) continue;
        feature.properties.push_back({"zensus2022_leerstandsquote", *gemeinde->leerstandsquote});
    }
}

}  // namespace

const std::vector<TileLayerInfo>& tile_layers() {
    static const std::vector<TileLayerInfo> k_layers = {
        {"kommunen", data::TileSource::Kommunen, 0, geo::k_max_tile_zoom, false, "Kommunen",
         "Boundaries of the Kommunen (Gemeinden and Kreise), simplified per zoom"},
        {"buildings", data::TileSource::Buildings, 13, geo::k_max_tile_zoom, true, "Gebäude",
         "Building footprints with the status of the vacancy the caller may see"},
        {"vacancies", data::TileSource::Vacancies, 6, geo::k_max_tile_zoom, true, "Leerstände",
         "Vacancy reports the caller may see"},
        {"zukunftsorte", data::TileSource::Zukunftsorte, 0, geo::k_max_tile_zoom, false,
         "Zukunftsorte", "Places that came back to life"},
        // 1 km cells are under a pixel below zoom 8: smaller zooms would only be empty.
        {"zensus2011_grid", data::TileSource::Zensus2011Grid, 8, geo::k_max_tile_zoom, false,
         "Leerstandsquote Zensus 2011 (1-km-Gitter)",
         "Share of vacant dwellings per 1 km cell, Zensus 2011 (official figures)"},
    };
    return k_layers;
}

const TileLayerInfo& tile_layer(std::string_view name) {
    for (const TileLayerInfo& layer : tile_layers())
        if (layer.name == name) return layer;
    throw NotFound(ErrorCode{error_code::k_unknown_collection},
                   "no tile layer '" + std::string(name) +
                       "'; there are kommunen, buildings, vacancies, zukunftsorte and "
                       "zensus2011_grid");
}

geo::TileOptions tile_options() {
    return geo::TileOptions{};
}

TileService::TileService(data::TileStore& store, TileCache& cache)
    : m_store(store), m_cache(cache) {}

void TileService::catch_up() {
    // The ticket first: what arrives while the log is read has the next request read again.
    const LogReadTicket ticket = m_cache.log_ticket(data::committed_writes());
    const std::int64_t applied = m_cache.applied_change();
    if (m_store.latest_change() > applied) m_cache.apply(m_store.changes_after(applied));
    m_cache.log_read(ticket);
}

TileAnswer TileService::tile(const TileLayerInfo& layer, const geo::TileId& id, TileFormat format,
                             const Caller& caller) {
    TileAnswer answer;
    answer.per_caller = layer.per_caller;
    if (id.z < layer.min_zoom || id.z > layer.max_zoom) {
        answer.tile = empty_tile();
        return answer;
    }
    if (m_cache.must_read_log(data::committed_writes())) catch_up();
    const std::string audience =
        layer.per_caller ? audience_key(vacancy_visibility(caller)) : "any";
    const std::string key = cache_key(layer, id, format, audience);
    if (auto cached = m_cache.find(key)) {
        answer.tile = std::move(cached);
        answer.from_cache = true;
        return answer;
    }
    std::int64_t as_of = 0;
    auto tile = std::make_shared<const EncodedTile>(render(layer, id, format, caller, as_of));
    const geo::TileOptions options = tile_options();
    // The public's tiles: those of layers without per-caller content, and the public's own.
    const bool for_public = audience == "any" || audience == k_public_audience;
    m_cache.insert(key, data::tile_source_bit(layer.source),
                   geo::tile_bounds(id, options.buffer, options.extent), tile, as_of, for_public);
    answer.tile = std::move(tile);
    return answer;
}

std::string TileService::render(const TileLayerInfo& layer, const geo::TileId& id,
                                TileFormat format, const Caller& caller, std::int64_t& as_of) {
    geo::TileBuilder builder(layer.name, id, tile_options());
    const geo::LonLatBox box = builder.query_box();
    const data::VacancyVisibility visibility =
        layer.per_caller ? vacancy_visibility(caller) : data::VacancyVisibility{};
    as_of = m_store.read_features(
        layer.source, data::Bbox{box.min_lon, box.min_lat, box.max_lon, box.max_lat}, visibility,
        [&builder](const MapFeature& feature) { builder.add(feature); });
    // A tile at the world's edge has its buffer beyond ±180°: what lies there in the store is
    // on the other side (the builder shifts it). Features both queries return are added once.
    std::vector<data::Bbox> beyond;
    if (box.min_lon < -180) beyond.push_back({box.min_lon + 360, box.min_lat, 180, box.max_lat});
    if (box.max_lon > 180) beyond.push_back({-180, box.min_lat, box.max_lon - 360, box.max_lat});
    const data::Bbox inside{std::max(box.min_lon, -180.0), box.min_lat,
                            std::min(box.max_lon, 180.0), box.max_lat};
    for (const data::Bbox& wrapped : beyond)
        m_store.read_features(layer.source, wrapped, visibility,
                              [&builder, &inside](const MapFeature& feature) {
                                  if (!reaches(feature, inside)) builder.add(feature);
                              });
    geo::TileLayer cut = builder.take();
    if (cut.features.empty()) return {};
    if (layer.source == data::TileSource::Kommunen) add_zensus_baseline(cut);
    // In id order, not the spatial index's: the index's order changes when other rows are
    // written (an internal edit rewrites a point, a hidden report splits a node), and the
    // public must get the same bytes and ETag for the same features (issue 19).
    // Mostly they come so already (the building import writes ids in the index's order).
    const auto by_id = [](const geo::TileFeature& a, const geo::TileFeature& b) {
        return a.id < b.id;
    };
    if (!std::is_sorted(cut.features.begin(), cut.features.end(), by_id))
        std::stable_sort(cut.features.begin(), cut.features.end(), by_id);
    return format == TileFormat::Mvt ? geo::encode_mvt(cut) : geo::encode_geojson_tile(cut);
}

namespace {

// How long the listener waits for a notification before it looks at the stop flag again.
constexpr std::chrono::milliseconds k_listen_slice{200};
// How long it waits before connecting again after its session was lost, doubled while the
// database stays away (each failed attempt logs a line).
constexpr std::chrono::milliseconds k_first_reconnect_delay{500};
constexpr std::chrono::milliseconds k_longest_reconnect_delay{8000};

}  // namespace

TileChangeListener::TileChangeListener(data::DatabaseLocation location, TileCache& cache)
    : m_location(std::move(location)), m_cache(cache), m_thread([this] { run(); }) {}

TileChangeListener::~TileChangeListener() {
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void TileChangeListener::run() {
    bool failing = false;  // one line of ours per outage, not one per retry
    std::chrono::milliseconds delay = k_first_reconnect_delay;
    while (!m_stop) {
        try {
            data::TileChangeSubscription subscription(m_location);
            m_cache.listener_connected();
            if (failing) std::cerr << "leerstand: tile change listener connected again\n";
            failing = false;
            delay = k_first_reconnect_delay;
            while (!m_stop)
                if (subscription.wait(k_listen_slice)) m_cache.notified();
        } catch (const std::exception& e) {
            m_cache.listener_lost();
            if (!failing)
                std::cerr << "leerstand: tile change listener lost its session (" << e.what()
                          << "); every tile reads the change log until it is back\n";
            failing = true;
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, delay, [this] { return m_stop.load(); });
            delay = std::min(delay * 2, k_longest_reconnect_delay);
        }
    }
    m_cache.listener_lost();
}

}  // namespace leerstand::services
