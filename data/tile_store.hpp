#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "common/geometry.hpp"
#include "data/bbox.hpp"
#include "data/connection.hpp"
#include "data/vacancy_records.hpp"

namespace leerstand::data {

class Store;

/// The map layers and their bits in the tile change log.
enum class TileSource {
    Kommunen = 1,
    Buildings = 2,
    Vacancies = 4,
    Zukunftsorte = 8,
    Zensus2011Grid = 16,
};

inline constexpr unsigned tile_source_bit(TileSource source) {
    return static_cast<unsigned>(source);
}

/// The PostgreSQL channel every transaction that logs a tile change notifies at its commit
/// (migration 15); TileChangeListener listens on it.
inline constexpr const char* k_tile_change_channel = "leerstand_changes";

/// A box a committed write touched, for the layers in `layers` (TileSource bits).
struct TileChange {
    std::int64_t seq = 0;
    unsigned layers = 0;
    Bbox box;
    /// False for a change of unpublished vacancies only: it changes no tile of the public.
    bool seen_by_public = true;
};

/// What has changed since a sequence number the reader saw.
struct TileChanges {
    /// Which changes `changes` lists.
    enum class Listed {
        All,           ///< every change
        SeenByPublic,  ///< too many to list: only those the public sees; the others unknown
        None,          ///< rows were pruned or too many: everything may have changed
    };
    /// The newest sequence number in the log (0 when empty).
    std::int64_t latest = 0;
    Listed listed = Listed::All;
    std::vector<TileChange> changes;
};

/// Read access for map tiles: the features of one layer in a box, with exactly the properties
/// a map shows (nothing internal), and the change log that keeps cached tiles current.
/// Properties per layer (absent values are left out):
/// - kommunen: ags, name, bez (feature id: the AGS as a number)
/// - buildings: kommune_ags, vacancy_id and vacancy_status of the building's vacancy the
///   caller may see (an open one before a closed one, then the latest)
/// - vacancies (visible ones only): status, use, vacant_since, kommune_ags, building_id
/// - zukunftsorte: name, kind, kommune_ags
/// - zensus2011_grid: leerstandsquote (per cent; official figures, public)
class TileStore {
  public:
    explicit TileStore(Store& store);

    /// Calls `visit` for every feature of `source` whose box meets `box` (candidates from the
    /// R*Tree; the tiler clips exactly). Everything is read in one read transaction, and the
    /// change-log number that snapshot includes is returned, so a tile can be cached as "as of"
    /// that number.
    std::int64_t read_features(TileSource source, const Bbox& box,
                               const VacancyVisibility& visibility,
                               const std::function<void(const MapFeature&)>& visit);

    /// The newest change-log number (0 when none).
    std::int64_t latest_change();
    /// The changes after `seq`: all of them when at most `limit`; else those the public sees
    /// when they are at most `limit`; else none (Listed::None).
    TileChanges changes_after(std::int64_t seq, std::size_t limit = 1000);

  private:
    Statement& layer_query(const std::string& sql);

    Connection& m_db;
    std::optional<Statement> m_latest_change;  ///< asked before every tile: prepared once
    /// The layers' queries by their text (one per layer and kind of caller), prepared once:
    /// preparing one was a sixtieth of a dense tile's instructions.
    std::map<std::string, Statement> m_layer_queries;
};

/// A PostgreSQL session listening on k_tile_change_channel: one per server node, so that the
/// node learns of tile changes other nodes commit without asking the log before every tile.
class TileChangeSubscription {
  public:
    /// Connects and listens; from then on no commit of a tile change goes unnoticed (those
    /// before must be read from the log). @throws StorageBusy when the database cannot be
    /// reached, InternalError for a SpatiaLite file (one process: nothing to listen for).
    explicit TileChangeSubscription(const DatabaseLocation& location);

    /// Waits up to `timeout`; true when transactions that logged tile changes committed since
    /// the last call. @throws StorageBusy when the session was lost: notifications may have
    /// been missed, so everything may have changed.
    bool wait(std::chrono::milliseconds timeout);

  private:
    Connection m_connection;
};

/// Adds a change row for `layers` (TileSource bits) over `box`, seen by the public, inside the
/// caller's transaction: for writers that bypass the triggers of migration 3 (the building
/// import; buildings are public).
void record_tile_change(Connection& connection, unsigned layers, const Bbox& box);

}  // namespace leerstand::data
