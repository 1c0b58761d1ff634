#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "geo/footprint.hpp"

namespace leerstand::geo {

/// Calls GDALAllRegister() exactly once per process (thread-safe).
void ensure_gdal_registered();

/// Which geometries a reader accepts: building footprints or point locations (vacancy reports).
enum class GeometryKind {
    Polygons,  ///< Polygon/MultiPolygon → SourceFeature::footprint
    Points,    ///< Point, or a MultiPoint of exactly one point → SourceFeature::point
};

struct ReadOptions {
    /// The EPSG code the user named for the source (a CLI option, an upload's form field):
    /// overrides the file's CRS.
    std::optional<int> forced_epsg;
    std::optional<std::string> forced_encoding;      ///< `--encoding`: overrides .cpg / DBF header
    std::optional<std::string> layer_name;           ///< pick a layer in multi-layer sources
    GeometryKind geometry = GeometryKind::Polygons;  ///< what a usable feature is
    /// Polygons with more vertices are rejected as read, before anything is copied, repaired
    /// or reprojected: k_max_footprint_vertices for building footprints; none for Kommune
    /// boundaries, which legitimately have many.
    std::optional<std::size_t> max_vertices;
    /// The name messages give the source (an upload's own file name); empty: the file's name.
    /// An HTTP upload is read from a spool file whose name must never reach the user.
    std::string display_name;
};

/// What the reader found out about a source before reading features.
struct SourceInfo {
    std::string format;            ///< GDAL driver short name: "ESRI Shapefile", "GPKG", ...
    std::string layer;             ///< layer name
    std::string crs;               ///< "EPSG:25833", or a short description of a custom CRS
    std::string crs_name;          ///< PROJ's name of the CRS: "ETRS89 / UTM zone 32N"
    std::string crs_source;        ///< "file", "option", or "inferred"
    std::string encoding;          ///< "UTF-8", "CP1252", ...
    std::string encoding_source;   ///< "cpg", "dbf-header", "option", "format", "guessed"
    long long feature_count = -1;  ///< -1 when the driver cannot tell cheaply
};

using Attributes = std::vector<std::pair<std::string, std::string>>;  ///< name → UTF-8 value

/// A point location in EPSG:4326: finite, lon within ±180, lat within ±90.
struct PointLocation {
    double lon = 0.0;
    double lat = 0.0;
};

/// One feature of the source: its attributes and either a usable geometry or the reason why
/// it was rejected ("no geometry", "not a polygon (LineString)", "not a point (Polygon)", ...).
/// A GeometryKind::Polygons reader fills `footprint`, a GeometryKind::Points reader `point`;
/// the other one stays empty.
struct SourceFeature {
    long long index = 0;  ///< 0-based position in the source
    Attributes attributes;
    std::optional<Footprint> footprint;
    std::optional<PointLocation> point;
    std::string rejection;  ///< set when the geometry of the reader's kind is empty
};

/// Streams polygon (or, with GeometryKind::Points, point) features from any GDAL vector source
/// (.shp, .zip, .gpkg, .geojson, .csv). Reprojects to EPSG:4326 lon/lat and drops Z/M; for
/// polygons it also linearises curves, repairs invalid polygons and computes area and anchor
/// point. Single-threaded: use one reader per thread.
class FeatureReader {
  public:
    /// @throws InvalidInput (not a geodata file, missing .shx/.dbf, bad sidecar, no layer),
    ///         InvalidGeometry (no CRS and the ranges do not decide it; the message asks for the
    ///         EPSG code, see crs_inference.hpp)
    static FeatureReader open(const std::filesystem::path& path, const ReadOptions& options);

    FeatureReader(FeatureReader&&) noexcept;
    FeatureReader& operator=(FeatureReader&&) noexcept;
    ~FeatureReader();

    const SourceInfo& info() const;

    /// Reads the next feature into `out`; false at the end of the source.
    bool next(SourceFeature& out);

  private:
    struct Impl;
    explicit FeatureReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::geo
