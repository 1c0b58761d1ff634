#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "data/tile_store.hpp"
#include "geo/tile_math.hpp"

namespace leerstand::services {

/// An encoded tile as it is sent: the body (empty for a tile with nothing in it, sent as 204),
/// its entity tag, and its gzip form, made on first demand and kept.
class EncodedTile {
  public:
    explicit EncodedTile(std::string body);

    const std::string& body() const { return m_body; }
    bool empty() const { return m_body.empty(); }
    /// A strong entity tag of the body ("…" quoted); the gzip form's tag ends in "-gz".
    const std::string& etag() const { return m_etag; }
    std::string gzip_etag() const;
    /// The body gzipped (level 1: a cold tile must be quick; it is kept for later requests).
    const std::string& gzipped() const;
    /// Bytes this tile holds in memory (body plus gzip form once made).
    std::size_t bytes() const;

  private:
    std::string m_body;
    std::string m_etag;
    mutable std::once_flag m_gzip_once;
    mutable std::string m_gzipped;
};

/// Counters for /health-style reporting and tests.
struct TileCacheStats {
    std::size_t entries = 0;
    std::size_t bytes = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions = 0;
    std::uint64_t invalidations = 0;
    /// Times a change listener began to listen (each cleared the cache).
    std::uint64_t listener_connects = 0;
};

/// Where the cache stood when a reader began to read the change log: taken before the read,
/// handed back after it (TileCache::log_read).
struct LogReadTicket {
    std::uint64_t notifications = 0;
    std::uint64_t own_writes = 0;  ///< data::committed_writes() then
};

/// Encoded tiles in memory, least recently used dropped first once the byte budget is spent.
/// Shared by all worker threads (one mutex). Kept current with the store's tile change log:
/// apply() removes exactly the tiles of the changed layers whose buffered area meets a changed
/// box; a tile read from a snapshot older than the last applied change is not stored (it may
/// already be stale).
///
/// Without a change listener every tile request reads the log first (one small query; SQLite,
/// where one process writes). With one (PostgreSQL, TileChangeListener) a request reads it only
/// after a notification or a write of this process, which other nodes' commits and this
/// node's own reach at once (docs/scaling.md).
///
/// Tiles the public gets (`for_public`) are dropped and refused only for changes the public
/// sees: a change of unpublished vacancies must not change whether a public tile comes from
/// the cache (issue 19: polling a tile's cache state showed activity on hidden records).
class TileCache {
  public:
    explicit TileCache(std::size_t byte_budget);

    std::shared_ptr<const EncodedTile> find(const std::string& key);

    /// Stores `tile` under `key`, for the layer bits `layers` and the area `area` (the tile with
    /// its buffer), read at change-log number `as_of`; `for_public`: the public gets it.
    /// Ignored when changes after `as_of` were applied already (for a public tile: changes the
    /// public sees), or when the tile alone exceeds the budget.
    void insert(const std::string& key, unsigned layers, const geo::LonLatBox& area,
                std::shared_ptr<const EncodedTile> tile, std::int64_t as_of, bool for_public);

    /// The change-log number the cache is current with.
    std::int64_t applied_change() const;
    /// Drops the tiles `changes` touch and records changes.latest as applied. Where the changes
    /// are not all listed, drops every tile they may touch: all but the public ones when those
    /// the public sees are listed, else all.
    void apply(const data::TileChanges& changes);
    void clear();

    /// Must the change log be read before a tile is answered? Yes without a listening
    /// listener; with one, when a notification or a write of this process (`own_writes`,
    /// data::committed_writes()) came since the last read.
    bool must_read_log(std::uint64_t own_writes) const;
    /// Taken just before the log is read, handed to log_read() once what it said is applied:
    /// what arrives meanwhile has the next request read it again.
    LogReadTicket log_ticket(std::uint64_t own_writes) const;
    void log_read(const LogReadTicket& ticket);

    /// From the listener: transactions that logged tile changes committed.
    void notified();
    /// From the listener, once it listens (again): notifications before may have been missed,
    /// so the cache is cleared and the log is read before the next tile.
    void listener_connected();
    /// From the listener, when its session was lost: until it listens again, every tile reads
    /// the log first, as without a listener.
    void listener_lost();

    TileCacheStats stats() const;
    std::size_t byte_budget() const { return m_budget; }

  private:
    struct Entry {
        std::string key;
        unsigned layers;
        geo::LonLatBox area;
        std::shared_ptr<const EncodedTile> tile;
        std::size_t bytes;
        bool for_public;
    };
    using Lru = std::list<Entry>;

    void erase(Lru::iterator entry);
    /// Drops every tile. @pre m_mutex held.
    void drop_all();
    /// Erases the entries `drop` picks, counting them as invalidations.
    template <typename Predicate>
    void erase_if(Predicate drop);
    void evict_to_budget();

    const std::size_t m_budget;
    mutable std::mutex m_mutex;
    Lru m_lru;  // most recently used first
    std::unordered_map<std::string, Lru::iterator> m_index;
    std::int64_t m_applied = 0;
    std::int64_t m_applied_seen_by_public = 0;  ///< the newest applied change the public sees
    TileCacheStats m_stats;
    bool m_listening = false;
    std::uint64_t m_notifications = 0;
    LogReadTicket m_read;  ///< the newest ticket whose log read was applied
};

}  // namespace leerstand::services
