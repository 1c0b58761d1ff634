#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/services/zensus_baseline.hpp"

namespace leerstand::services {

/// One rejected feature: its 0-based position in the source and why.
struct FeatureError {
    long long index = 0;
    std::string reason;
};

/// The features an import would not store because they lie outside the area it stores into
/// (the chosen Kommune, or the uploader's Gemeinden): where they lie instead, so a report can
/// say "1.914 Gebäude liegen in Bayreuth, Harsdorf, …" rather than repeat one AGS per feature.
struct OutsideFeatures {
    std::int64_t count = 0;
    /// Extent of their anchor points (a point on each footprint), lon/lat; valid when count > 0.
    double west = 0.0, south = 0.0, east = 0.0, north = 0.0;
    std::map<std::string, std::int64_t> by_kommune;  ///< AGS of the Kommune each lies in
    std::int64_t in_no_kommune = 0;                  ///< in no Kommune the atlas knows

    /// Counts one feature anchored at (lon, lat) in the Kommune `ags` (none: in no Kommune).
    void add(double lon, double lat, const std::optional<std::string>& ags);
};

/// What an import did, for the console, `--json` and the `uploads` table.
struct ImportReport {
    std::string file;
    std::string target;  ///< "buildings" or "kommunen"
    std::string format, source_layer;
    std::string crs, crs_name, crs_source;
    std::string encoding, encoding_source;
    std::string mode;     ///< "append" / "replace"
    std::string kommune;  ///< --kommune, if given
    /// Without a Kommune (automatic assignment): the AGS keys (Gemeinden or Kreise) features
    /// may be stored in; empty: every Kommune of the atlas.
    std::vector<std::string> scope;
    std::int64_t read = 0;
    std::int64_t stored = 0;
    std::int64_t rejected = 0;
    std::int64_t repaired = 0;
    std::map<std::string, std::int64_t> rejected_by_reason;
    std::map<std::string, std::int64_t> stored_by_kommune;
    OutsideFeatures outside;
    std::map<std::string, std::string> kommune_names;  ///< AGS → name, for the Kommunen named
    std::vector<FeatureError> errors;                  ///< the first k_max_listed_errors rejections
    /// Kommunen imports: stored Gemeinden without a Zensus 2022 row (AGS changed since the
    /// census); reported, never dropped.
    ZensusGaps zensus_gaps;
    double seconds = 0.0;
    std::int64_t upload_id = 0;

    static constexpr std::size_t k_max_listed_errors = 100;

    void reject(long long index, const std::string& reason);
};

/// Called now and then while importing: features done so far and the total (-1 if unknown).
using ProgressCallback = std::function<void(std::int64_t done, std::int64_t total)>;

/// The report as a JSON document (the shape printed by `--json` and kept in `uploads.report`).
std::string report_to_json(const ImportReport& report);

/// The per-feature errors as a JSON array (kept in `uploads.errors`).
std::string errors_to_json(const ImportReport& report);

}  // namespace leerstand::services
