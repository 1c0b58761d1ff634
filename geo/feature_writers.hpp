#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/license.hpp"

/// Writers for exports: RFC 7946 GeoJSON, CSV with WKT geometry, and GeoPackage (through GDAL).
/// Each writes one feature at a time straight to its file, so an export of a million buildings
/// never holds more than one of them in memory. Geometries are in EPSG:4326, lon/lat.
namespace leerstand::geo {

enum class FieldType { Integer, Real, Text, Boolean };

/// One attribute column. The first field of a writer is the feature id.
struct Field {
    std::string name;
    FieldType type = FieldType::Text;
};

/// A value of a field; monostate is null.
using FieldValue = std::variant<std::monostate, std::int64_t, double, std::string, bool>;

/// How a writer wants its geometries handed to it.
enum class GeometryEncoding {
    GeoJson,  ///< RFC 7946 geometry object text (counter-clockwise outer rings)
    Wkt,      ///< OGC WKT text
    Wkb,      ///< ISO WKB bytes (little or big endian)
};

enum class ExportGeometry { Point, MultiPolygon };

enum class ExportFormat { GeoJson, GeoPackage, Csv };

/// "geojson", "gpkg", "csv" (the file extensions of /export); nullopt-like false otherwise.
bool parse_export_format(std::string_view extension, ExportFormat& format);
std::string_view file_extension(ExportFormat format);
std::string_view media_type(ExportFormat format);

class FeatureWriter {
  public:
    virtual ~FeatureWriter() = default;
    /// The encoding write() expects its geometry in.
    virtual GeometryEncoding geometry_encoding() const = 0;
    /// A point (degrees) in geometry_encoding().
    std::string point(double lon, double lat) const;
    /// Appends one feature. @param values one per field, in the order of the fields.
    /// @param geometry in geometry_encoding(); empty for none.
    /// @throws InvalidInput when values do not match the fields; InternalError on write errors.
    virtual void write(const std::vector<FieldValue>& values, std::string_view geometry) = 0;
    /// Completes the file (closing brackets, GeoPackage commit). Without it the file is
    /// incomplete and must not be handed out.
    virtual void finish() = 0;
    /// Features written so far.
    std::int64_t count() const { return m_count; }

  protected:
    std::int64_t m_count = 0;
};

/// Creates `path` (replacing it) for features of `kind` with `fields`; `layer` names the
/// GeoPackage table (and is ignored by GeoJSON and CSV). The file carries `licenses` where its
/// format has room: GeoJSON as the top-level members `attribution` (the credit lines) and
/// `links` (`rel: "license"`), GeoPackage as the metadata items LICENSE and ATTRIBUTION of the
/// file and of the layer (gpkg_metadata, gpkg_metadata_reference). CSV has no such place.
/// @throws InvalidInput for an empty field list; InternalError when the file cannot be made.
std::unique_ptr<FeatureWriter> make_feature_writer(ExportFormat format,
                                                   const std::filesystem::path& path,
                                                   const std::string& layer, ExportGeometry kind,
                                                   std::vector<Field> fields,
                                                   const std::vector<License>& licenses);

}  // namespace leerstand::geo
