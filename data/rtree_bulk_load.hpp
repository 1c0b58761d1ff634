#pragma once

#include <cstdint>
#include <optional>
#include <string>

/// Bulk loading of SQLite R*Trees (the spatial indexes of SpatiaLite), for code inside data/.
namespace leerstand::data {

class Connection;
class Statement;

/// What a bulk load wrote.
struct RtreeBulkLoadStats {
    std::int64_t entries = 0;  ///< rows of the index (leaf cells)
    std::int64_t nodes = 0;    ///< nodes including the root
    int depth = 0;             ///< 0: every entry sits in the root
};

/// Most entries one bulk load keeps in memory (32 bytes each, so 256 MB at most). Bigger loads
/// are declined and left to SQLite's own inserts, which need no memory.
inline constexpr std::int64_t k_rtree_bulk_load_max_entries = 8'000'000;

/// Replaces the content of the R*Tree virtual table `table` by a tree packed from the boxes that
/// `source` yields, one row per entry with the columns (id, xmin, xmax, ymin, ymax).
///
/// Handles the tables SpatiaLite creates: SQLite's `rtree` module (32-bit float coordinates), two
/// dimensions, no auxiliary columns. Boxes are rounded outward to float exactly as SQLite's own
/// insert does, so the leaves hold the same values, and every node but the root is at least a
/// third full, as SQLite's own deletes expect. The table is dropped and created again from its
/// stored SQL, then its shadow tables (`<table>_node`, `_rowid`, `_parent`) are written directly;
/// SQLite keeps using and updating the result like any tree it built itself.
///
/// Returns std::nullopt, having changed nothing, when the table is not of that kind, when the
/// connection may not write shadow tables (SQLITE_DBCONFIG_DEFENSIVE), or when `source` yields a
/// box SQLite would not store unchanged (NULL, NaN or infinite values, min > max, a repeated id)
/// or more than k_rtree_bulk_load_max_entries rows. The caller then fills the index the usual way.
///
/// `expected_entries` (may be 0) sizes the buffer up front, which saves the temporary copy of a
/// growing one.
///
/// @pre An open transaction on `db`: the load is all or nothing with it, so a rollback or a
///      killed process leaves the earlier tree as it was. Throws InternalError otherwise.
/// @post `source` has been reset.
std::optional<RtreeBulkLoadStats> bulk_load_rtree(Connection& db, const std::string& table,
                                                  Statement& source,
                                                  std::int64_t expected_entries = 0);

}  // namespace leerstand::data
