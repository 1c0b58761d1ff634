#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "server/services/import_report.hpp"

namespace leerstand::data {
class Store;
}

namespace leerstand::services {

struct ImportOptions {
    std::filesystem::path file;
    std::optional<std::string> kommune;  ///< assign all to this AGS; reject outside it
    /// Without `kommune`: store only in Kommunen these AGS keys cover (a Kreis key covers its
    /// Gemeinden) and reject the rest as outside the uploader's area; nullopt: anywhere.
    std::optional<std::vector<std::string>> scope;
    std::optional<int> srs;                   ///< EPSG code overriding the file's CRS
    std::optional<std::string> encoding;      ///< overrides .cpg / DBF header
    std::optional<std::string> source_layer;  ///< layer of a multi-layer source
    bool replace = false;                     ///< replace the Kommune's earlier buildings
    std::string user = "cli";
    /// The queued `uploads` row of an HTTP upload (Store::create_upload); 0: make a new row.
    std::int64_t upload_id = 0;
    /// The name the report shows as `file`; empty: the name of `file` (an HTTP upload waits
    /// under a generated name, but its report names the client's file).
    std::string display_name;
};

/// Imports building footprints in one transaction: reads and repairs them (geo/), assigns each
/// to the Kommune containing its point on surface, stores them (data/). A feature outside the
/// chosen Kommune or scope is rejected, and the report says where such features lie. When nothing
/// can be stored, or on any error, the store stays exactly as it was and a failed upload is
/// recorded. Reading and writing run on two threads, so the import uses both cores.
/// @throws InvalidInput, InvalidGeometry, Unsupported for unusable files or options.
ImportReport import_buildings(data::Store& store, const ImportOptions& options,
                              const ProgressCallback& progress = {});

/// Imports Kommune boundaries from VG250/VG5000-style files (fields AGS, GEN, BEZ; only GF = 4
/// where that field exists), upserting by AGS in one transaction.
ImportReport import_kommunen(data::Store& store, const ImportOptions& options,
                             const ProgressCallback& progress = {});

}  // namespace leerstand::services
