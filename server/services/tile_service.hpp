#pragma once

#include <memory>
#include <string>
#include <string_view>
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
    /// process writing to the store). tile() does it first; writers may call it at once.
    void catch_up();

  private:
    std::string render(const TileLayerInfo& layer, const geo::TileId& id, TileFormat format,
                       const Caller& caller, std::int64_t& as_of);

    data::TileStore& m_store;
    TileCache& m_cache;
};

}  // namespace leerstand::services
