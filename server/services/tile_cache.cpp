#include "server/services/tile_cache.hpp"

#include <algorithm>

#include <cstdio>
#include <functional>
#include <string_view>

#include "server/services/gzip.hpp"

namespace leerstand::services {

namespace {

// Gzip does not pay for a few bytes; such bodies are sent as they are.
constexpr std::size_t k_min_gzip_bytes = 256;
// Key, list node and map slot, roughly, so that many empty tiles still count.
constexpr std::size_t k_entry_overhead = 160;

/// A strong tag from the body's 64-bit hash. libstdc++'s string hash (Murmur-style, eight
/// bytes a step) instead of byte-wise FNV-1a: hashing was 4 % of making all z14 GeoJSON tiles.
/// It may differ between builds; a client then fetches a tile once more.
std::string body_etag(const std::string& body) {
    const std::uint64_t hash = std::hash<std::string_view>{}(body);
    char text[24];
    std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
    return text;
}

}  // namespace

EncodedTile::EncodedTile(std::string body) : m_body(std::move(body)), m_etag(body_etag(m_body)) {}

std::string EncodedTile::gzip_etag() const {
    return m_etag.substr(0, m_etag.size() - 1) + "-gz\"";
}

const std::string& EncodedTile::gzipped() const {
    std::call_once(m_gzip_once, [this] {
        m_gzipped = m_body.size() < k_min_gzip_bytes ? std::string() : gzip(m_body, 1);
    });
    return m_gzipped;
}

std::size_t EncodedTile::bytes() const {
    // Once made, the gzip form is as large as the body at most; count it from the start, so an
    // entry's size does not change while it sits in the cache.
    return m_body.size() * 2;
}

TileCache::TileCache(std::size_t byte_budget) : m_budget(byte_budget) {}

std::shared_ptr<const EncodedTile> TileCache::find(const std::string& key) {
    const std::lock_guard lock(m_mutex);
    const auto found = m_index.find(key);
    if (found == m_index.end()) {
        ++m_stats.misses;
        return nullptr;
    }
    ++m_stats.hits;
    m_lru.splice(m_lru.begin(), m_lru, found->second);
    return found->second->tile;
}

void TileCache::insert(const std::string& key, unsigned layers, const geo::LonLatBox& area,
                       std::shared_ptr<const EncodedTile> tile, std::int64_t as_of,
                       bool for_public) {
    const std::size_t bytes = tile->bytes() + key.size() + k_entry_overhead;
    const std::lock_guard lock(m_mutex);
    if (as_of < (for_public ? m_applied_seen_by_public : m_applied) || bytes > m_budget) return;
    if (const auto found = m_index.find(key); found != m_index.end()) erase(found->second);
    m_lru.push_front(Entry{key, layers, area, std::move(tile), bytes, for_public});
    m_index.emplace(key, m_lru.begin());
    m_stats.bytes += bytes;
    evict_to_budget();
}

std::int64_t TileCache::applied_change() const {
    const std::lock_guard lock(m_mutex);
    return m_applied;
}

template <typename Predicate>
void TileCache::erase_if(Predicate drop) {
    for (auto entry = m_lru.begin(); entry != m_lru.end();) {
        const auto next = std::next(entry);
        if (drop(*entry)) {
            ++m_stats.invalidations;
            erase(entry);
        }
        entry = next;
    }
}

void TileCache::apply(const data::TileChanges& changes) {
    using Listed = data::TileChanges::Listed;
    const std::lock_guard lock(m_mutex);
    if (changes.latest <= m_applied) return;
    m_applied = changes.latest;
    if (changes.listed == Listed::None) {
        m_applied_seen_by_public = changes.latest;
        erase_if([](const Entry&) { return true; });
        return;
    }
    for (const data::TileChange& change : changes.changes)
        if (change.seen_by_public)
            m_applied_seen_by_public = std::max(m_applied_seen_by_public, change.seq);
    erase_if([&](const Entry& entry) {
        // Unlisted changes the public does not see may touch any tile but the public's.
        if (changes.listed == Listed::SeenByPublic && !entry.for_public) return true;
        return std::any_of(
            changes.changes.begin(), changes.changes.end(), [&](const data::TileChange& change) {
                const geo::LonLatBox box{change.box.min_lon, change.box.min_lat, change.box.max_lon,
                                         change.box.max_lat};
                return (change.seen_by_public || !entry.for_public) &&
                       (change.layers & entry.layers) != 0 && entry.area.intersects(box);
            });
    });
}

void TileCache::clear() {
    const std::lock_guard lock(m_mutex);
    drop_all();
}

bool TileCache::must_read_log(std::uint64_t own_writes) const {
    const std::lock_guard lock(m_mutex);
    return !m_listening || m_read.notifications < m_notifications || m_read.own_writes < own_writes;
}

LogReadTicket TileCache::log_ticket(std::uint64_t own_writes) const {
    const std::lock_guard lock(m_mutex);
    return {m_notifications, own_writes};
}

void TileCache::log_read(const LogReadTicket& ticket) {
    const std::lock_guard lock(m_mutex);
    m_read.notifications = std::max(m_read.notifications, ticket.notifications);
    m_read.own_writes = std::max(m_read.own_writes, ticket.own_writes);
}

void TileCache::notified() {
    const std::lock_guard lock(m_mutex);
    ++m_notifications;
}

void TileCache::listener_connected() {
    const std::lock_guard lock(m_mutex);
    // In this order under one lock: no request can find the listener listening and the log
    // read while the tiles of the missed notifications are still here.
    ++m_notifications;
    drop_all();
    ++m_stats.listener_connects;
    m_listening = true;
}

void TileCache::listener_lost() {
    const std::lock_guard lock(m_mutex);
    m_listening = false;
}

TileCacheStats TileCache::stats() const {
    const std::lock_guard lock(m_mutex);
    TileCacheStats stats = m_stats;
    stats.entries = m_lru.size();
    return stats;
}

void TileCache::drop_all() {
    m_index.clear();
    m_lru.clear();
    m_stats.bytes = 0;
}

void TileCache::erase(Lru::iterator entry) {
    m_stats.bytes -= entry->bytes;
    m_index.erase(entry->key);
    m_lru.erase(entry);
}

void TileCache::evict_to_budget() {
    while (m_stats.bytes > m_budget && !m_lru.empty()) {
        ++m_stats.evictions;
        erase(std::prev(m_lru.end()));
    }
}

}  // namespace leerstand::services
