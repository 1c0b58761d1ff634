#include "geo/feature_writers.hpp"

#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogr_feature.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"
#include "geo/feature_reader.hpp"

namespace leerstand::geo {

namespace {

namespace fs = std::filesystem;

struct FileClose {
    void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileClose>;

// Large stdio buffers: an export is one long sequential write.
constexpr std::size_t k_file_buffer = 1u << 20;

void append_number(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void append_integer(std::string& out, std::int64_t value) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (u < 0x20) {
                    out += "\\u00";
                    out += hex[u >> 4];
                    out += hex[u & 0xF];
                } else {
                    out += c;  // the store holds valid UTF-8 (checked on the way in)
                }
        }
    }
    out += '"';
}

/// The credit lines of `licenses`: "© A; © B".
std::string attribution_of(const std::vector<License>& licenses) {
    std::string text;
    for (const License& license : licenses)
        text += (text.empty() ? "" : "; ") + license.attribution;
    return text;
}

/// The licences by name and address: "ODbL 1.0 <https://…>; CC BY 4.0 <https://…>".
std::string license_list_of(const std::vector<License>& licenses) {
    std::string text;
    for (const License& license : licenses)
        text += (text.empty() ? "" : "; ") + license.title + " <" + license.url + ">";
    return text;
}

/// Opens `path` for writing (replacing it) with a large buffer.
FilePtr create_file(const fs::path& path) {
    FilePtr file(std::fopen(path.c_str(), "wb"));
    if (!file) throw InternalError("cannot create the export file " + path.string());
    std::setvbuf(file.get(), nullptr, _IOFBF, k_file_buffer);
    return file;
}

void write_all(std::FILE* file, const std::string& text) {
    if (std::fwrite(text.data(), 1, text.size(), file) != text.size())
        throw InternalError("cannot write the export file");
}

void check_arity(const std::vector<Field>& fields, const std::vector<FieldValue>& values) {
    if (values.size() != fields.size())
        throw InvalidInput("a feature has " + std::to_string(values.size()) + " values for " +
                           std::to_string(fields.size()) + " fields");
}

/// Little-endian WKB of a 2D point.
std::string wkb_point(double lon, double lat) {
    std::string out(21, '\0');
    out[0] = 1;  // little endian
    const std::uint32_t type = 1;
    std::memcpy(out.data() + 1, &type, 4);
    std::memcpy(out.data() + 5, &lon, 8);
    std::memcpy(out.data() + 13, &lat, 8);
    return out;
}

// ---------------------------------------------------------------------------------------------

/// RFC 7946 FeatureCollection: the first field becomes the Feature's `id`, the others its
/// properties, in the order given.
class GeoJsonWriter final : public FeatureWriter {
  public:
    GeoJsonWriter(const fs::path& path, std::vector<Field> fields,
                  const std::vector<License>& licenses)
        : m_file(create_file(path)), m_fields(std::move(fields)) {
        // Before the features: a reader that stops early has still seen whose data it is.
        std::string head = "{\"type\":\"FeatureCollection\",\"attribution\":";
        append_json_string(head, attribution_of(licenses));
        head += ",\"links\":[";
        for (std::size_t i = 0; i < licenses.size(); ++i) {
            head += i == 0 ? "{\"href\":" : ",{\"href\":";
            append_json_string(head, licenses[i].url);
            head += ",\"rel\":\"license\",\"type\":\"text/html\",\"title\":";
            append_json_string(head, licenses[i].title + ": " + licenses[i].attribution);
            head += '}';
        }
        head += "],\"features\":[";
        write_all(m_file.get(), head);
        for (std::size_t i = 1; i < m_fields.size(); ++i) {
            std::string key;
            append_json_string(key, m_fields[i].name);
            m_keys.push_back(std::move(key));
        }
    }

    GeometryEncoding geometry_encoding() const override { return GeometryEncoding::GeoJson; }

    void write(const std::vector<FieldValue>& values, std::string_view geometry) override {
        check_arity(m_fields, values);
        m_line.clear();
        m_line += m_count == 0 ? "\n" : ",\n";
        m_line += "{\"type\":\"Feature\",\"id\":";
        append_value(values[0]);
        m_line += ",\"geometry\":";
        if (geometry.empty())
            m_line += "null";
        else
            m_line += geometry;
        m_line += ",\"properties\":{";
        for (std::size_t i = 1; i < values.size(); ++i) {
            if (i > 1) m_line += ',';
            m_line += m_keys[i - 1];
            m_line += ':';
            append_value(values[i]);
        }
        m_line += "}}";
        write_all(m_file.get(), m_line);
        ++m_count;
    }

    void finish() override {
        write_all(m_file.get(), "\n]}\n");
        if (std::fflush(m_file.get()) != 0) throw InternalError("cannot write the export file");
        m_file.reset();
    }

  private:
    void append_value(const FieldValue& value) {
        if (std::holds_alternative<std::monostate>(value))
            m_line += "null";
        else if (const auto* i = std::get_if<std::int64_t>(&value))
            append_integer(m_line, *i);
        else if (const auto* d = std::get_if<double>(&value))
            append_number(m_line, *d);
        else if (const auto* s = std::get_if<std::string>(&value))
            append_json_string(m_line, *s);
        else
            m_line += std::get<bool>(value) ? "true" : "false";
    }

    FilePtr m_file;
    std::vector<Field> m_fields;
    std::vector<std::string> m_keys;  ///< property names, already JSON-escaped
    std::string m_line;               ///< reused for every feature
};

// ---------------------------------------------------------------------------------------------

/// RFC 4180 CSV in UTF-8: a `WKT` column first (GDAL's CSV driver and QGIS pick it up as the
/// geometry), then the fields in the order given.
class CsvWriter final : public FeatureWriter {
  public:
    CsvWriter(const fs::path& path, std::vector<Field> fields)
        : m_file(create_file(path)), m_fields(std::move(fields)) {
        m_line = "WKT";
        for (const Field& field : m_fields) {
            m_line += ',';
            append_cell(field.name);
        }
        m_line += "\r\n";
        write_all(m_file.get(), m_line);
    }

    GeometryEncoding geometry_encoding() const override { return GeometryEncoding::Wkt; }

    void write(const std::vector<FieldValue>& values, std::string_view geometry) override {
        check_arity(m_fields, values);
        m_line.clear();
        append_cell(geometry);
        for (const FieldValue& value : values) {
            m_line += ',';
            if (const auto* i = std::get_if<std::int64_t>(&value))
                append_integer(m_line, *i);
            else if (const auto* d = std::get_if<double>(&value))
                append_number(m_line, *d);
            else if (const auto* s = std::get_if<std::string>(&value))
                append_cell(*s);
            else if (const auto* b = std::get_if<bool>(&value))
                m_line += *b ? "true" : "false";
            // null: an empty cell
        }
        m_line += "\r\n";
        write_all(m_file.get(), m_line);
        ++m_count;
    }

    void finish() override {
        if (std::fflush(m_file.get()) != 0) throw InternalError("cannot write the export file");
        m_file.reset();
    }

  private:
    void append_cell(std::string_view text) {
        if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
            m_line += text;
            return;
        }
        m_line += '"';
        for (const char c : text) {
            if (c == '"') m_line += '"';
            m_line += c;
        }
        m_line += '"';
    }

    FilePtr m_file;
    std::vector<Field> m_fields;
    std::string m_line;
};

// ---------------------------------------------------------------------------------------------

/// A GeoPackage through GDAL's GPKG driver, in one transaction. An integer first field is
/// also the feature id (fid).
class GpkgWriter final : public FeatureWriter {
  public:
    GpkgWriter(const fs::path& path, const std::string& layer, ExportGeometry kind,
               std::vector<Field> fields, const std::vector<License>& licenses)
        : m_fields(std::move(fields)) {
        ensure_gdal_registered();
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
        if (!driver) throw InternalError("GDAL has no GPKG driver");
        std::error_code ignored;
        fs::remove(path, ignored);
        m_dataset.reset(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!m_dataset) throw InternalError("cannot create the GeoPackage: " + last_gdal_error());
        OGRSpatialReference wgs84;
        wgs84.importFromEPSG(4326);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        const OGRwkbGeometryType type = kind == ExportGeometry::Point ? wkbPoint : wkbMultiPolygon;
        m_layer = m_dataset->CreateLayer(layer.c_str(), &wgs84, type, nullptr);
        if (!m_layer) throw InternalError("cannot create the layer: " + last_gdal_error());
        // GDAL writes these into gpkg_metadata (scope the file, and the table) when it closes.
        const std::string license = license_list_of(licenses);
        const std::string attribution = attribution_of(licenses);
        for (GDALMajorObject* object : {static_cast<GDALMajorObject*>(m_dataset.get()),
                                        static_cast<GDALMajorObject*>(m_layer)}) {
            if (object->SetMetadataItem("LICENSE", license.c_str()) != CE_None ||
                object->SetMetadataItem("ATTRIBUTION", attribution.c_str()) != CE_None)
                throw InternalError("cannot write the licence into the GeoPackage");
        }
        for (const Field& field : m_fields) {
            OGRFieldDefn definition(field.name.c_str(), ogr_type(field.type));
            if (field.type == FieldType::Boolean) definition.SetSubType(OFSTBoolean);
            if (m_layer->CreateField(&definition) != OGRERR_NONE)
                throw InternalError("cannot create the field " + field.name);
        }
        if (m_dataset->StartTransaction() != OGRERR_NONE)
            throw InternalError("cannot start the GeoPackage transaction");
    }

    GeometryEncoding geometry_encoding() const override { return GeometryEncoding::Wkb; }

    void write(const std::vector<FieldValue>& values, std::string_view geometry) override {
        check_arity(m_fields, values);
        OGRFeature feature(m_layer->GetLayerDefn());
        for (std::size_t i = 0; i < values.size(); ++i) {
            const int index = static_cast<int>(i);
            const FieldValue& value = values[i];
            if (const auto* n = std::get_if<std::int64_t>(&value)) {
                feature.SetField(index, static_cast<GIntBig>(*n));
                if (i == 0) feature.SetFID(*n);
            } else if (const auto* d = std::get_if<double>(&value)) {
                feature.SetField(index, *d);
            } else if (const auto* s = std::get_if<std::string>(&value)) {
                feature.SetField(index, s->c_str());
            } else if (const auto* b = std::get_if<bool>(&value)) {
                feature.SetField(index, *b ? 1 : 0);
            } else {
                feature.SetFieldNull(index);
            }
        }
        if (!geometry.empty()) {
            OGRGeometry* parsed = nullptr;
            if (OGRGeometryFactory::createFromWkb(geometry.data(), nullptr, &parsed,
                                                  geometry.size()) != OGRERR_NONE)
                throw InternalError("a stored geometry is not WKB");
            feature.SetGeometryDirectly(parsed);
        }
        if (m_layer->CreateFeature(&feature) != OGRERR_NONE)
            throw InternalError("cannot write to the GeoPackage: " + last_gdal_error());
        ++m_count;
    }

    void finish() override {
        if (m_dataset->CommitTransaction() != OGRERR_NONE)
            throw InternalError("cannot commit the GeoPackage");
        m_dataset.reset();  // closing writes the metadata and the spatial index
    }

  private:
    static OGRFieldType ogr_type(FieldType type) {
        switch (type) {
            case FieldType::Integer:
                return OFTInteger64;
            case FieldType::Real:
                return OFTReal;
            case FieldType::Boolean:
                return OFTInteger;
            case FieldType::Text:
                break;
        }
        return OFTString;
    }
    static std::string last_gdal_error() {
        const char* message = CPLGetLastErrorMsg();
        return message && *message ? message : "unknown GDAL error";
    }

    GDALDatasetUniquePtr m_dataset;
    OGRLayer* m_layer = nullptr;  ///< owned by m_dataset
    std::vector<Field> m_fields;
};

}  // namespace

bool parse_export_format(std::string_view extension, ExportFormat& format) {
    if (extension == "geojson")
        format = ExportFormat::GeoJson;
    else if (extension == "gpkg")
        format = ExportFormat::GeoPackage;
    else if (extension == "csv")
        format = ExportFormat::Csv;
    else
        return false;
    return true;
}

std::string_view file_extension(ExportFormat format) {
    switch (format) {
        case ExportFormat::GeoJson:
            return "geojson";
        case ExportFormat::GeoPackage:
            return "gpkg";
        case ExportFormat::Csv:
            break;
    }
    return "csv";
}

std::string_view media_type(ExportFormat format) {
    switch (format) {
        case ExportFormat::GeoJson:
            return "application/geo+json";
        case ExportFormat::GeoPackage:
            return "application/geopackage+sqlite3";
        case ExportFormat::Csv:
            break;
    }
    return "text/csv; charset=utf-8";
}

std::string FeatureWriter::point(double raw_lon, double raw_lat) const {
    // 7 decimals (about 1 cm), as every other output of the atlas.
    const double lon = std::round(raw_lon * 1e7) / 1e7;
    const double lat = std::round(raw_lat * 1e7) / 1e7;
    std::string out;
    switch (geometry_encoding()) {
        case GeometryEncoding::Wkb:
            return wkb_point(lon, lat);
        case GeometryEncoding::Wkt:
            out = "POINT (";
            append_number(out, lon);
            out += ' ';
            append_number(out, lat);
            out += ')';
            return out;
        case GeometryEncoding::GeoJson:
            break;
    }
    out = "{\"type\":\"Point\",\"coordinates\":[";
    append_number(out, lon);
    out += ',';
    append_number(out, lat);
    out += "]}";
    return out;
}

std::unique_ptr<FeatureWriter> make_feature_writer(ExportFormat format, const fs::path& path,
                                                   const std::string& layer, ExportGeometry kind,
                                                   std::vector<Field> fields,
                                                   const std::vector<License>& licenses) {
    if (fields.empty()) throw InvalidInput("an export needs at least the id field");
    switch (format) {
        case ExportFormat::GeoJson:
            return std::make_unique<GeoJsonWriter>(path, std::move(fields), licenses);
        case ExportFormat::Csv:
            return std::make_unique<CsvWriter>(path, std::move(fields));
        case ExportFormat::GeoPackage:
            break;
    }
    return std::make_unique<GpkgWriter>(path, layer, kind, std::move(fields), licenses);
}

}  // namespace leerstand::geo
