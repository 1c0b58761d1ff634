#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/database_location.hpp"

namespace leerstand::data {

/// One table of a finished copy: its rows, and the checksum both databases agreed on.
struct TableCopyReport {
    std::string table;
    std::int64_t rows = 0;
    std::uint64_t checksum = 0;
};

/// What copy_store() did.
struct StoreCopyReport {
    int schema_version = 0;
    std::vector<TableCopyReport> tables;
    double seconds = 0;
};

/// Called while a table is copied (every few thousand rows and at its end) with the rows so far.
using StoreCopyProgress = std::function<void(const std::string& table, std::int64_t rows)>;

/// Copies every table of the store at `from` into the new store at `to`, between SpatiaLite
/// and PostgreSQL in either direction (or file to file): ids kept, geometries as WKB,
/// PostgreSQL's identity sequences moved past the highest copied id.
///
/// The source must be a store of this build's schema version (an older one is refused: open
/// it once with this build to migrate it); it is read as one snapshot and never written. The
/// target must be new or a migrated store with no rows; it is migrated first, then filled in
/// ONE transaction that commits only after every table's row count and checksum (over the
/// rows in key order, as both backends read them) equal the source's. So a refused target is
/// not written, and a failed, mismatched or killed copy leaves it an empty store.
///
/// @throws NotFound when `from` names a file that does not exist, InvalidInput for a source
/// that is no store or of another schema version, Conflict for a target that holds rows or
/// has another schema version, InternalError naming the table whose copy differs.
StoreCopyReport copy_store(const DatabaseLocation& from, const DatabaseLocation& to,
                           const StoreCopyProgress& progress = {});

}  // namespace leerstand::data
