#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

/// The server's upload path (services/upload_jobs.cpp submit() and run_job(), then the reading
/// loops of services/import_service.cpp and services/vacancy_import.cpp) without the database,
/// as one function that the fuzzer and its regression test both call.
namespace leerstand::fuzz {

/// What reading one fuzz input gave.
struct UploadOutcome {
    std::string file_name;   ///< the client's file name the selector byte chose
    bool points = false;     ///< read as vacancy points, else as building polygons
    std::string error_type;  ///< "InvalidInput", "TooLarge", ...; empty when the file was read
    std::string message;     ///< what() of that error
    long long read = 0;      ///< features read
    long long usable = 0;    ///< features with a footprint (polygons) or a point
    std::map<std::string, long long> rejected_by_reason;

    bool refused() const { return !error_type.empty(); }
};

/// Byte 0 chooses how the rest is uploaded: bits 0–2 the file name and packaging (k_modes in
/// the .cpp: 0 .zip, 1 .geojson, 2 .gpkg, 3 .csv, 4 shapefile parts zipped, 5 no extension,
/// 6 .json, 7 named entries zipped), bit 3 points (vacancies) instead of polygons (buildings).
/// The file is written to a per-process folder in /dev/shm (or the temp folder) and removed.
///
/// leerstand::Error and its subclasses (the refusals our code makes on purpose) are caught and
/// described in the outcome. Anything else is a finding and leaves the function: other
/// exceptions propagate, and a feature that breaks the reader's promises (coordinates not
/// finite or outside lon/lat, WKB that is not a closed-ring MultiPolygon, text that is not
/// UTF-8) throws std::logic_error.
UploadOutcome read_upload_for_fuzzing(const std::uint8_t* data, std::size_t size);

/// A zip of stored (uncompressed) entries, byte for byte as named: mode 4 and 7 build their
/// archives with it, the seed script and the tests their inputs.
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& entries);

}  // namespace leerstand::fuzz
