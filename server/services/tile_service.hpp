#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "data/tile_store.hpp"
#include "geo/tile_builder.hpp"
#include "server/services/caller.hpp"
#include "server/services/tile_cache.hpp"

/// Map tiles: the four layers at their zooms, cut and encoded on demand, cached, and kept
/// current with the store's change log (DESIGN.md, "Tiles").
namespace leerstand::services {

enum class TileFormat { Mvt, GeoJson };

/// One map layer as tiles offer it.
struct TileLayerInfo {
    std::string name;  ///< URL name, MVT layer name and collection id
    data::TileSource source;
    int min_zoom = 0;  ///< below it (and above max_zoom) a tile is empty
    int max_zoom = geo::k_max_tile_zoom;
    /// True when what a tile shows depends on who asks (the vacancy privacy filter).
    bool per_caller = false;
    std::string title;
    std::string description;
};

/// kommunen (all zooms; Gemeinden carry zensus2022_leerstandsquote, per cent), buildings (from
/// z13), vacancies (from z6), zukunftsorte (all zooms), zensus2011_grid (from z8).
const std::vector<TileLayerInfo>& tile_layers();
/// @throws NotFound naming the layers there are.
const TileLayerInfo& tile_layer(std::string_view name);

/// What every tile is cut with (extent 4096, buffer 64, tolerance 8).
geo::TileOptions tile_options();

/// A tile for one caller. `per_caller` says whether it may differ for another caller (then
/// shared caches must keep them apart).
struct TileAnswer {
    std::shared_ptr<const EncodedTile> tile;
    bool per_caller = false;
    bool from_cache = false;  ///< for the X-Cache header of --debug-cache-header
};

class TileService {
  public:
    TileService(data::TileStore& store, TileCache& cache);

    /// The tile as `caller` may see it: from the cache, or cut from the store and cached.
    /// Unconsented vacancies and their status reach only callers who may read them
    /// (privacy.hpp); no tile carries an internal field. Outside the layer's zooms the tile
    /// is empty.
    TileAnswer tile(const TileLayerInfo& layer, const geo::TileId& id, TileFormat format,
                    const Caller& caller);

    /// Drops the cached tiles that changes committed since the last call touched (by any
    /// process writing to the store). tile() does it first when the cache says the log must
    /// be read (TileCache::must_read_log); writers may call it at once.
    void catch_up();

  private:
    std::string render(const TileLayerInfo& layer, const geo::TileId& id, TileFormat format,
                       const Caller& caller, std::int64_t& as_of);

    data::TileStore& m_store;
    TileCache& m_cache;
};

/// The one listener of a server node on PostgreSQL: a thread with a session of its own that
/// listens for committed tile changes and tells `cache`, so that tile requests read the change
/// log only after a change. When the session is lost, the cache is told (every tile then reads
/// the log, as without a listener) and the thread connects again (after half a second, doubling up
/// to 8 s); once it listens again the cache is cleared, as notifications may have been missed. The
/// destructor stops and joins the thread (within a fifth of a second).
class TileChangeListener {
  public:
    /// Starts the thread. @pre `location` is a PostgreSQL database; `cache` outlives this.
    TileChangeListener(data::DatabaseLocation location, TileCache& cache);
    ~TileChangeListener();
    TileChangeListener(const TileChangeListener&) = delete;
    TileChangeListener& operator=(const TileChangeListener&) = delete;

  private:
    void run();

    const data::DatabaseLocation m_location;
    TileCache& m_cache;
    std::mutex m_mutex;
    std::condition_variable m_wake;  ///< ends the wait between reconnects at once on stop
    std::atomic<bool> m_stop{false};
    std::thread m_thread;  // last: started once everything it uses exists
};

}  // namespace leerstand::services
