#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// Plain records passed between the use cases and the store. No SQLite types here: the store
/// interface must stay the same when it moves to PostGIS.
namespace leerstand::data {

using Wkb = std::vector<unsigned char>;  ///< ISO WKB, EPSG:4326 lon/lat

struct KommuneRecord {
    std::string ags;         ///< 8-digit Gemeinde key or 5-digit Kreis key
    std::string name;        ///< GEN
    std::string bez;         ///< Stadt, Gemeinde, Landkreis, ...
    std::string parent_ags;  ///< the Kreis of a Gemeinde (first 5 digits), empty for a Kreis
    Wkb boundary;            ///< MultiPolygon
    double area_m2 = 0.0;
};

struct KommuneBoundary {
    std::string ags;
    Wkb boundary;
    std::string name;  ///< GEN, e.g. "Bindlach": reports name Kommunen, not only their AGS
};

struct BuildingRecord {
    std::string kommune_ags;
    std::string source_ref;  ///< "osm:way/123", "alkis:DEBY...", or the source's own id
    std::string function;    ///< building function / use as given by the source
    std::optional<int> floors;
    std::string name;
    std::string street, housenumber, postcode, city;
    std::string attributes_json;  ///< all source attributes, UTF-8 JSON object
    Wkb footprint;                ///< MultiPolygon
    double area_m2 = 0.0;
};

/// One row of `uploads`: who imported what, how it was read and what came of it.
struct UploadRecord {
    /// 0 for a new row; otherwise the row made earlier by Store::create_upload (HTTP uploads
    /// wait in state "queued"), which the import then fills in instead of inserting one.
    std::int64_t id = 0;
    std::string user;  ///< "cli" for command-line imports
    std::string file_name;
    std::string format;
    std::string layer;  ///< "buildings", "kommunen", "vacancies"
    std::string kommune_ags;
    std::string mode;  ///< "append" or "replace"
    std::string crs;
    std::string encoding;
    std::int64_t features_read = 0;
    std::int64_t stored = 0;
    std::int64_t rejected = 0;
    std::string errors_json = "[]";  ///< per-feature errors (capped)
    std::string report_json = "{}";  ///< the whole report as printed by --json
    std::string state;               ///< "queued", "running", "done", "failed"
    std::string created_at;          ///< read back only
    std::string finished_at;         ///< read back only; empty while unfinished
};

struct StoreCounts {
    std::int64_t kommunen = 0;
    std::int64_t buildings = 0;
    std::int64_t vacancies = 0;
    std::int64_t zukunftsorte = 0;
    std::int64_t uploads = 0;
    std::int64_t users = 0;
};

}  // namespace leerstand::data
