#include "geo/feature_reader.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string_view>

#include "common/error.hpp"
#include "common/geometry.hpp"
#include "geo/crs_inference.hpp"
#include "geo/encoding.hpp"
#include "geo/polygon_rings.hpp"

namespace leerstand::geo {
namespace {

namespace fs = std::filesystem;

// Drivers a Kommune's GIS plausibly exports; anything else (rasters, databases, web services)
// must not be probed with an uploaded file.
constexpr const char* k_allowed_drivers[] = {
    "ESRI Shapefile", "GPKG",   "GeoJSON", "GeoJSONSeq", "CSV", "FlatGeobuf", "GML", "KML",
    "LIBKML",         "SQLite", nullptr};
constexpr const char* k_formats_hint =
    "Shapefile (.shp with .shx and .dbf, or all parts zipped), GeoPackage, GeoJSON, CSV with a "
    "WKT or lon/lat column, FlatGeobuf, GML or KML";

// Data files we look for inside a zip, in this order of preference.
constexpr std::array<const char*, 10> k_zip_data_extensions = {
    ".shp", ".gpkg", ".geojson", ".json", ".fgb", ".gml", ".kml", ".csv", ".sqlite", ".geojsonl"};

constexpr double k_identify_confidence = 90;  // FindMatches: same definition, name may differ

// ---------------------------------------------------------------- small helpers

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string extension_of(const std::string& path) {
    return lower(fs::path(path).extension().string());
}

/// While alive, GDAL's messages on the calling thread come here instead of stderr; failures
/// are counted (their text is GDAL's own and never shown to users).
class GdalErrorCollector {
  public:
    GdalErrorCollector() : m_pusher(&GdalErrorCollector::handle, this) {}
    GdalErrorCollector(const GdalErrorCollector&) = delete;
    GdalErrorCollector& operator=(const GdalErrorCollector&) = delete;

    int failures() const { return m_failures; }

  private:
    static void CPL_STDCALL handle(CPLErr level, CPLErrorNum /*code*/, const char* /*message*/) {
        auto* self = static_cast<GdalErrorCollector*>(CPLGetErrorHandlerUserData());
        if (self != nullptr && level >= CE_Failure) ++self->m_failures;
    }
    int m_failures = 0;
    CPLErrorHandlerPusher m_pusher;  // last: pushed after, popped before the counter
};

long long vsi_size(const std::string& path) {
    VSIStatBufL stat{};
    if (VSIStatExL(path.c_str(), &stat, VSI_STAT_SIZE_FLAG) != 0) return -1;
    return static_cast<long long>(stat.st_size);
}

struct VsiCloser {
    void operator()(VSILFILE* f) const noexcept { VSIFCloseL(f); }
};
using VsiFilePtr = std::unique_ptr<VSILFILE, VsiCloser>;

/// Up to `limit` bytes from the start of a file (sidecars are tiny; a bad one may not be).
std::string vsi_read_head(const std::string& path, std::size_t limit) {
    VsiFilePtr file(VSIFOpenL(path.c_str(), "rb"));
    if (!file) return {};
    std::string data(limit, '\0');
    data.resize(VSIFReadL(data.data(), 1, limit, file.get()));
    return data;
}

struct CslDeleter {
    void operator()(char** list) const noexcept { CSLDestroy(list); }
};
using CslPtr = std::unique_ptr<char*, CslDeleter>;

std::vector<std::string> to_vector(char** list) {
    std::vector<std::string> out;
    for (char** item = list; item != nullptr && *item != nullptr; ++item) out.emplace_back(*item);
    return out;
}

/// The file beside `shp` with the same stem and extension `ext`, matched case-insensitively
/// (Windows tools write LATIN1.SHX next to latin1.shp).
std::optional<std::string> sidecar(const std::string& shp, const std::string& ext) {
    const fs::path shp_path(shp);
    const std::string dir = shp_path.parent_path().string();
    const std::string wanted = lower(shp_path.stem().string() + ext);
    const CslPtr entries(VSIReadDir(dir.c_str()));
    for (const std::string& entry : to_vector(entries.get())) {
        if (lower(entry) == wanted) return std::string(dir).append("/").append(entry);
    }
    return std::nullopt;
}

bool looks_like_html(std::string_view text) {
    const std::string head = lower(std::string(text.substr(0, 512)));
    return head.find("<!doctype html") != std::string::npos ||
           head.find("<html") != std::string::npos || head.find("<head") != std::string::npos;
}

// ---------------------------------------------------------------- locating the data file

struct ResolvedSource {
    std::string gdal_path;  // what GDAL opens (may be /vsizip/...)
    std::string name;       // the user's file name, for messages
};

bool is_hidden_zip_entry(const std::string& entry) {
    const std::string base = fs::path(entry).filename().string();
    return entry.rfind("__MACOSX", 0) == 0 || base.rfind("._", 0) == 0 || base.empty();
}

/// The members of an error about a file that a client needs for its own text: the name.
nlohmann::json about_file(const std::string& name) {
    return {{"file", name}};
}

/// Picks the data file inside a zip: the shapefile named by `layer_name`, else the first
/// shapefile with records, else the first file of another known format.
std::string pick_zip_entry(const std::string& base, const std::string& name,
                           const std::optional<std::string>& layer_name) {
    const CslPtr listing(VSIReadDirRecursive(base.c_str()));
    if (!listing) {
        throw InvalidInput(ErrorCode{error_code::k_not_geodata},
                           name + " is not a zip archive that can be read; zip the files again",
                           about_file(name));
    }
    std::vector<std::string> entries = to_vector(listing.get());
    std::sort(entries.begin(), entries.end());
    entries.erase(std::remove_if(entries.begin(), entries.end(), is_hidden_zip_entry),
                  entries.end());
    for (const char* wanted_ext : k_zip_data_extensions) {
        std::vector<std::string> matches;
        for (const std::string& entry : entries) {
            if (extension_of(entry) == wanted_ext) matches.push_back(entry);
        }
        if (matches.empty()) continue;
        if (layer_name) {
            for (const std::string& entry : matches) {
                if (lower(fs::path(entry).stem().string()) == lower(*layer_name)) return entry;
            }
        }
        if (std::string(wanted_ext) == ".shp") {
            constexpr long long k_shp_header_only = 100;  // a .shp of this size has no records
            for (const std::string& entry : matches) {
                if (vsi_size(std::string(base).append("/").append(entry)) > k_shp_header_only)
                    return entry;
            }
        }
        return matches.front();
    }
    throw InvalidInput(ErrorCode{error_code::k_not_geodata},
                       "no vector layer in " + name +
                           ": the archive holds no shapefile, GeoPackage, GeoJSON or CSV",
                       about_file(name));
}

ResolvedSource resolve_source(const fs::path& path, const ReadOptions& options) {
    ResolvedSource source;
    source.name = options.display_name.empty() ? path.filename().string() : options.display_name;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw InvalidInput(source.name + " does not exist");
    if (fs::is_directory(path, ec)) {
        throw InvalidInput(source.name + " is a folder; pass the data file itself");
    }
    const std::string absolute = fs::absolute(path, ec).string();
    if (extension_of(absolute) == ".zip") {
        // Braces keep GDAL from splitting the path at a ".zip" inside a folder name.
        const std::string base = "/vsizip/{" + absolute + "}";
        source.gdal_path = base + "/" + pick_zip_entry(base, source.name, options.layer_name);
    } else {
        source.gdal_path = absolute;
    }
    return source;
}

void check_shapefile_parts(const ResolvedSource& source) {
    const std::string magic = vsi_read_head(source.gdal_path, 4);
    // The main file starts with the big-endian file code 9994.
    if (magic != std::string("\x00\x00\x27\x0a", 4)) {
        throw InvalidInput(
            ErrorCode{error_code::k_not_geodata},
            source.name + " is not a geodata file GDAL can read (" + k_formats_hint + ")",
            about_file(source.name));
    }
    const std::string stem = fs::path(source.gdal_path).stem().string();
    std::vector<std::string> missing;
    std::vector<std::string> missing_extensions;  // for the client's own sentence
    if (!sidecar(source.gdal_path, ".shx")) {
        missing.push_back(stem + ".shx (shape index)");
        missing_extensions.emplace_back(".shx");
    }
    if (!sidecar(source.gdal_path, ".dbf")) {
        missing.push_back(stem + ".dbf (attribute table)");
        missing_extensions.emplace_back(".dbf");
    }
    if (missing.empty()) return;
    std::string list = missing.front();
    if (missing.size() == 2) list += " and " + missing.back();
    throw InvalidInput(
        ErrorCode{error_code::k_incomplete_shapefile},
        "the shapefile " + stem + ".shp is incomplete: " + list +
            (missing.size() == 2 ? " are" : " is") +
            " missing; upload all parts (.shp, .shx, .dbf, .prj) together, e.g. zipped",
        {{"missing", missing_extensions}});
}

// ---------------------------------------------------------------- DBF encoding

struct EncodingChoice {
    std::string encoding;
    std::string source;
    std::string gdal_option;  // value for the ENCODING open option; "" = raw bytes
};

struct DbfHeader {
    bool ok = false;
    unsigned char version = 0;
    unsigned char ldid = 0;
    std::uint32_t records = 0;
    std::uint16_t header_length = 0;
    std::uint16_t record_length = 0;
};

DbfHeader read_dbf_header(const std::string& dbf) {
    const std::string head = vsi_read_head(dbf, 32);
    DbfHeader header;
    if (head.size() < 32) return header;
    const auto* bytes = reinterpret_cast<const unsigned char*>(head.data());
    header.ok = true;
    header.version = bytes[0];
    header.records = static_cast<std::uint32_t>(bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) |
                                                (static_cast<std::uint32_t>(bytes[7]) << 24));
    header.header_length = static_cast<std::uint16_t>(bytes[8] | (bytes[9] << 8));
    header.record_length = static_cast<std::uint16_t>(bytes[10] | (bytes[11] << 8));
    header.ldid = bytes[29];
    return header;
}

/// Refuses a DBF whose header cannot be true: GDAL would otherwise open it and quietly read
/// no features (or fewer), and the user would see "0 read" instead of the real problem.
void check_dbf_structure(const std::string& shp) {
    const std::string dbf = sidecar(shp, ".dbf").value_or("");
    const std::string name = fs::path(dbf).filename().string();
    const DbfHeader header = read_dbf_header(dbf);
    // dBASE III/IV/5, FoxPro and Visual FoxPro version bytes, with or without memo flags.
    static const std::string k_versions(
        "\x02\x03\x04\x05\x30\x31\x32\x43\x63\x83\x8b\x8e\xcb\xf5\xfb", 15);
    if (!header.ok || k_versions.find(static_cast<char>(header.version)) == std::string::npos ||
        header.header_length < 33 || header.record_length == 0) {
        throw InvalidInput(ErrorCode{error_code::k_damaged_file},
                           name + " is not a valid dBASE attribute table (damaged header)",
                           about_file(name));
    }
    const long long needed = static_cast<long long>(header.header_length) +
                             static_cast<long long>(header.records) * header.record_length;
    const long long size = vsi_size(dbf);
    if (size < needed) {
        throw InvalidInput(ErrorCode{error_code::k_damaged_file},
                           name + " is truncated: its header announces " +
                               std::to_string(header.records) +
                               " records, but the file holds only " +
                               std::to_string(std::max<long long>(0, size - header.header_length) /
                                              header.record_length) +
                               "; upload the complete file",
                           about_file(name));
    }
    // The .shx holds a 100-byte header and 8 bytes per shape.
    const auto shx = sidecar(shp, ".shx");
    const long long shapes = shx ? (vsi_size(*shx) - 100) / 8 : -1;
    if (shapes >= 0 && shapes != static_cast<long long>(header.records)) {
        throw InvalidInput(ErrorCode{error_code::k_damaged_file},
                           name + " has " + std::to_string(header.records) + " records but " +
                               fs::path(shp).filename().string() + " has " +
                               std::to_string(shapes) + " shapes: the parts do not belong together",
                           about_file(name));
    }
}

/// True when every DBF record is well-formed UTF-8 (then undeclared text is UTF-8, else we
/// take it for Windows-1252, the usual encoding of German shapefiles without declaration).
bool dbf_records_are_utf8(const std::string& dbf, const DbfHeader& header) {
    if (!header.ok || header.record_length == 0) return true;
    VsiFilePtr file(VSIFOpenL(dbf.c_str(), "rb"));
    if (!file || VSIFSeekL(file.get(), header.header_length, SEEK_SET) != 0) return true;
    const std::size_t per_chunk = std::max<std::size_t>(1, (1 << 20) / header.record_length);
    std::vector<char> buffer(per_chunk * header.record_length);
    std::uint32_t left = header.records;
    while (left > 0) {
        const std::size_t want = std::min<std::size_t>(left, per_chunk);
        const std::size_t got = VSIFReadL(buffer.data(), header.record_length, want, file.get());
        for (std::size_t r = 0; r < got; ++r) {
            const std::string_view record(buffer.data() + r * header.record_length,
                                          header.record_length);
            if (!is_valid_utf8(record)) return false;
        }
        if (got < want) break;
        left -= static_cast<std::uint32_t>(got);
    }
    return true;
}

/// True when the whole file is well-formed UTF-8 (read in 1 MiB chunks; a character cut by a
/// chunk border is carried over to the next chunk).
bool file_is_utf8(const std::string& path) {
    VsiFilePtr file(VSIFOpenL(path.c_str(), "rb"));
    if (!file) return true;
    constexpr std::size_t k_chunk = 1 << 20;
    std::string buffer;
    std::size_t carried = 0;
    for (;;) {
        buffer.resize(carried + k_chunk);
        const std::size_t got = VSIFReadL(buffer.data() + carried, 1, k_chunk, file.get());
        const std::size_t size = carried + got;
        if (got == 0) return carried == 0 || is_valid_utf8(std::string_view(buffer.data(), size));
        // Hold back a possibly incomplete character: up to 3 bytes after the last lead byte.
        std::size_t cut = size;
        for (std::size_t back = 1; back <= 3 && back <= size; ++back) {
            const auto byte = static_cast<unsigned char>(buffer[size - back]);
            if ((byte & 0xC0) == 0x80) continue;  // continuation byte
            if (byte >= 0xC0) cut = size - back;  // lead byte: its character may go on
            break;
        }
        if (!is_valid_utf8(std::string_view(buffer.data(), cut))) return false;
        carried = size - cut;
        std::memmove(buffer.data(), buffer.data() + cut, carried);
    }
}

/// The iconv name for an `--encoding` value. @throws InvalidInput for an unknown encoding
std::string checked_encoding(const std::string& forced) {
    std::string name = normalize_encoding_name(forced).value_or(forced);
    to_utf8("", name);  // throws InvalidInput when iconv does not know it
    return name;
}

/// A declared encoding. UTF-8 is read raw: every value is checked (and, if broken, decoded)
/// on our side; other encodings are decoded by GDAL.
EncodingChoice declared(std::string encoding, std::string source) {
    std::string option = encoding == "UTF-8" ? "" : encoding;
    return {std::move(encoding), std::move(source), std::move(option)};
}

/// --encoding, else the .cpg, else the DBF language driver byte, else a guess from the bytes.
EncodingChoice choose_dbf_encoding(const std::string& shp, const ReadOptions& options) {
    if (options.forced_encoding)
        return declared(checked_encoding(*options.forced_encoding), "option");
    std::string note;
    if (const auto cpg = sidecar(shp, ".cpg")) {
        if (auto name = normalize_encoding_name(vsi_read_head(*cpg, 256))) {
            return declared(*name, "cpg");
        }
        note = " (ignored bad .cpg)";  // e.g. an HTML page saved as .cpg
    }
    const std::string dbf = sidecar(shp, ".dbf").value_or("");
    const DbfHeader header = read_dbf_header(dbf);
    if (auto name = encoding_from_ldid(header.ldid)) return declared(*name, "dbf-header" + note);
    // Nothing declared: read raw bytes; each value that is not UTF-8 is decoded as CP1252.
    return {dbf_records_are_utf8(dbf, header) ? "UTF-8" : "CP1252", "guessed" + note, ""};
}

// ---------------------------------------------------------------- CRS

struct CrsChoice {
    OGRSpatialReference srs;
    std::string label;
    std::string source;
};

/// "EPSG:N" when GDAL can tell the code of `srs`.
std::optional<std::string> identify_epsg(const OGRSpatialReference& srs) {
    const char* authority = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (authority != nullptr && code != nullptr && EQUAL(authority, "EPSG")) {
        return std::string("EPSG:") + code;
    }
    OGRSpatialReference copy(srs);
    if (copy.AutoIdentifyEPSG() == OGRERR_NONE) {
        const char* auto_code = copy.GetAuthorityCode(nullptr);
        if (auto_code != nullptr) return std::string("EPSG:") + auto_code;
    }
    int count = 0;
    int* confidence = nullptr;
    OGRSpatialReferenceH* matches = srs.FindMatches(nullptr, &count, &confidence);
    std::optional<std::string> found;
    if (matches != nullptr && count > 0 && confidence[0] >= k_identify_confidence) {
        const auto* best = OGRSpatialReference::FromHandle(matches[0]);
        const char* best_authority = best->GetAuthorityName(nullptr);
        const char* best_code = best->GetAuthorityCode(nullptr);
        if (best_authority != nullptr && best_code != nullptr && EQUAL(best_authority, "EPSG")) {
            found = std::string("EPSG:") + best_code;
        }
    }
    OSRFreeSRSArray(matches);
    CPLFree(confidence);
    return found;
}

void srs_from_epsg(OGRSpatialReference& srs, int epsg, const std::string& what) {
    if (srs.importFromEPSG(epsg) != OGRERR_NONE) {
        throw InvalidInput(ErrorCode{error_code::k_unknown_crs},
                           "EPSG:" + std::to_string(epsg) + " (" + what +
                               ") is not a coordinate system PROJ knows; check the code",
                           {{"epsg", epsg}});
    }
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
}

/// The extent of the features whose coordinates could be in some CRS (finite, below 1e9 in
/// magnitude: no projection in use reaches that), or nothing when there are none. Reads the
/// whole layer, so only for when the layer's own extent decided nothing.
std::optional<Extent> plausible_extent(OGRLayer& layer) {
    constexpr double k_largest = 1e9;
    std::optional<Extent> extent;
    layer.ResetReading();
    for (OGRFeatureUniquePtr feature(layer.GetNextFeature()); feature;
         feature.reset(layer.GetNextFeature())) {
        const OGRGeometry* geometry = feature->GetGeometryRef();
        if (geometry == nullptr || geometry->IsEmpty()) continue;
        OGREnvelope e;
        geometry->getEnvelope(&e);
        const bool plausible = std::isfinite(e.MinX) && std::isfinite(e.MinY) &&
                               std::isfinite(e.MaxX) && std::isfinite(e.MaxY) &&
                               std::fabs(e.MinX) < k_largest && std::fabs(e.MinY) < k_largest &&
                               std::fabs(e.MaxX) < k_largest && std::fabs(e.MaxY) < k_largest;
        if (!plausible) continue;
        if (!extent) {
            extent = Extent{e.MinX, e.MinY, e.MaxX, e.MaxY};
            continue;
        }
        extent->min_x = std::min(extent->min_x, e.MinX);
        extent->min_y = std::min(extent->min_y, e.MinY);
        extent->max_x = std::max(extent->max_x, e.MaxX);
        extent->max_y = std::max(extent->max_y, e.MaxY);
    }
    layer.ResetReading();
    return extent;
}

CrsChoice choose_crs(OGRLayer& layer, const ResolvedSource& source, bool shapefile,
                     const ReadOptions& options) {
    CrsChoice choice;
    if (options.forced_epsg) {
        srs_from_epsg(choice.srs, *options.forced_epsg, "named for the file");
        choice.label = "EPSG:" + std::to_string(*options.forced_epsg);
        choice.source = "option";
        return choice;
    }
    if (const OGRSpatialReference* declared = layer.GetSpatialRef()) {
        choice.srs = *declared;
        choice.srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        const char* name = declared->GetName();
        choice.label = identify_epsg(*declared).value_or(std::string("custom: ") +
                                                         (name != nullptr ? name : "unnamed"));
        choice.source = "file";
        return choice;
    }
    if (shapefile) {
        if (const auto prj = sidecar(source.gdal_path, ".prj")) {
            const std::string text = vsi_read_head(*prj, 4096);
            const std::string stem = fs::path(source.gdal_path).stem().string();
            throw InvalidInput(
                ErrorCode{error_code::k_unknown_crs},
                stem + ".prj is not a projection definition" +
                    (looks_like_html(text) ? " (looks like an HTML page)" : " GDAL can read") +
                    "; " + std::string(k_name_the_crs),
                about_file(stem + ".prj"));
        }
    }
    OGREnvelope envelope;
    if (layer.GetExtent(&envelope, TRUE) != OGRERR_NONE) {
        throw InvalidGeometry(
            ErrorCode{error_code::k_unknown_crs},
            source.name + " has no coordinate system and no coordinates to infer it from; " +
                std::string(k_name_the_crs),
            about_file(source.name));
    }
    CrsGuess guess =
        infer_crs_from_extent({envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY});
    if (!guess.epsg) {
        // One feature at 1e308, infinity or NaN widens the extent beyond every candidate, and
        // would refuse the whole file; such features are rejected one by one when read.
        if (const auto plausible = plausible_extent(layer))
            guess = infer_crs_from_extent(*plausible);
    }
    if (!guess.epsg)
        throw InvalidGeometry(ErrorCode{error_code::k_unknown_crs},
                              source.name + ": " + guess.message, about_file(source.name));
    srs_from_epsg(choice.srs, *guess.epsg, "inferred");
    choice.label = "EPSG:" + std::to_string(*guess.epsg);
    choice.source = "inferred";
    return choice;
}

struct CtDeleter {
    void operator()(OGRCoordinateTransformation* ct) const noexcept {
        OGRCoordinateTransformation::DestroyCT(ct);
    }
};
using CtPtr = std::unique_ptr<OGRCoordinateTransformation, CtDeleter>;

/// The transformation to lon/lat WGS 84. Without an area of interest PROJ weighs several
/// candidate operations for every point (ETRS89 → WGS 84 has a few), which costs more than
/// the projection itself; with the layer's lon/lat extent as area it settles on one.
CtPtr make_transform(const OGRSpatialReference& source, const OGRSpatialReference& wgs84,
                     OGRLayer& layer) {
    CtPtr plain(OGRCreateCoordinateTransformation(&source, &wgs84));
    OGREnvelope extent;
    if (!plain || layer.GetExtent(&extent, FALSE) != OGRERR_NONE) return plain;
    constexpr int k_steps = 4;  // a 5 × 5 grid over the extent
    constexpr std::size_t side = k_steps + 1;
    constexpr std::size_t points = side * side;
    std::array<double, points> x{};
    std::array<double, points> y{};
    for (int i = 0; i <= k_steps; ++i) {
        for (int j = 0; j <= k_steps; ++j) {
            x[i * (k_steps + 1) + j] = extent.MinX + (extent.MaxX - extent.MinX) * i / k_steps;
            y[i * (k_steps + 1) + j] = extent.MinY + (extent.MaxY - extent.MinY) * j / k_steps;
        }
    }
    std::array<int, x.size()> ok{};
    plain->Transform(static_cast<int>(x.size()), x.data(), y.data(), nullptr, nullptr, ok.data());
    if (std::find(ok.begin(), ok.end(), 0) != ok.end()) return plain;
    const auto [west, east] = std::minmax_element(x.begin(), x.end());
    const auto [south, north] = std::minmax_element(y.begin(), y.end());
    OGRCoordinateTransformationOptions options;
    if (!options.SetAreaOfInterest(*west, *south, *east, *north)) return plain;
    CtPtr focused(OGRCreateCoordinateTransformation(&source, &wgs84, options));
    return focused ? std::move(focused) : std::move(plain);
}

/// The official name of the chosen CRS: the EPSG register's when it was identified (a .prj
/// written by ArcGIS says "ETRS_1989_UTM_Zone_32N", the register "ETRS89 / UTM zone 32N").
std::string crs_name_of(const CrsChoice& crs) {
    OGRSpatialReference registered;
    const bool epsg = crs.label.rfind("EPSG:", 0) == 0 &&
                      registered.importFromEPSG(std::atoi(crs.label.c_str() + 5)) == OGRERR_NONE;
    const char* name = epsg ? registered.GetName() : crs.srs.GetName();
    return name != nullptr ? name : "";
}

/// The EPSG code when `label` names a UTM zone ("EPSG:25832", "EPSG:32633"), else 0.
int utm_epsg_of(const std::string& label) {
    if (label.rfind("EPSG:", 0) != 0) return 0;
    const int code = std::atoi(label.c_str() + 5);
    const bool etrs89 = code >= 25828 && code <= 25838;
    const bool wgs84 = (code >= 32601 && code <= 32660) || (code >= 32701 && code <= 32760);
    return etrs89 || wgs84 ? code : 0;
}

// ---------------------------------------------------------------- layers and options

OGRLayer* pick_layer(GDALDataset& dataset, const ResolvedSource& source,
                     const ReadOptions& options) {
    const int count = dataset.GetLayerCount();
    if (count == 0)
        throw InvalidInput(ErrorCode{error_code::k_not_geodata},
                           "no vector layer in " + source.name, about_file(source.name));
    if (options.layer_name) {
        if (OGRLayer* named = dataset.GetLayerByName(options.layer_name->c_str())) return named;
        std::string names;
        for (int i = 0; i < count; ++i) {
            names += (i > 0 ? ", " : "") + std::string(dataset.GetLayer(i)->GetName());
        }
        throw InvalidInput("no layer named '" + *options.layer_name + "' in " + source.name +
                           "; its layers are: " + names);
    }
    if (count == 1) return dataset.GetLayer(0);  // no need to count (a CSV would be scanned)
    for (int i = 0; i < count; ++i) {
        OGRLayer* layer = dataset.GetLayer(i);
        if (layer->GetFeatureCount(TRUE) > 0) return layer;
    }
    return dataset.GetLayer(0);  // all empty: reading yields nothing
}

std::vector<std::string> open_options_for(const std::string& ext, const EncodingChoice& encoding,
                                          GeometryKind kind) {
    if (ext == ".shp") return {"ENCODING=" + encoding.gdal_option};
    if (ext == ".csv") {
        std::vector<std::string> options = {
            "GEOM_POSSIBLE_NAMES=WKT,geometry,geom,the_geom,wkb_geometry,shape",
            "X_POSSIBLE_NAMES=lon,longitude,lng,long,x,easting,rechtswert",
            "Y_POSSIBLE_NAMES=lat,latitude,y,northing,hochwert", "KEEP_GEOM_COLUMNS=NO"};
        if (kind == GeometryKind::Points) {
            // Vacancy lists kept by hand in German spreadsheets name the columns Länge/Breite.
            // Only for points: a building CSV with such columns must keep failing with "has no
            // geometry" rather than turn into rejected points.
            options[1] += ",laenge,l\u00e4nge";
            options[2] += ",breite";
        }
        return options;
    }
    return {};
}

/// Field values as text: numbers in their shortest exact form, dates in ISO 8601 (OGR would
/// write 2021/01/01), everything else as OGR formats it.
void field_as_text(const OGRFeature& feature, int i, OGRFieldType type, std::string& out) {
    if (type == OFTInteger || type == OFTInteger64 || type == OFTReal) {
        // std::to_chars is several times faster than OGR's printf-based formatting, and gives
        // 7735915.47614 where OGR writes a shapefile's 7735915.47613999993.
        char buffer[64];
        const std::to_chars_result done =
            type == OFTReal
                ? std::to_chars(buffer, buffer + sizeof buffer, feature.GetFieldAsDouble(i))
                : std::to_chars(buffer, buffer + sizeof buffer,
                                static_cast<long long>(feature.GetFieldAsInteger64(i)));
        out.assign(buffer, done.ptr);
        return;
    }
    if (type == OFTDate || type == OFTDateTime || type == OFTTime) {
        int year = 0, month = 0, day = 0, hour = 0, minute = 0, tz = 0;
        float second = 0;
        if (feature.GetFieldAsDateTime(i, &year, &month, &day, &hour, &minute, &second, &tz)) {
            char buffer[48];
            if (type == OFTDate) {
                std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
            } else if (type == OFTTime) {
                std::snprintf(buffer, sizeof buffer, "%02d:%02d:%02d", hour, minute,
                              static_cast<int>(second));
            } else {
                std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d", year, month,
                              day, hour, minute, static_cast<int>(second));
            }
            out = buffer;
            // OGR time zone flag: 100 = UTC, 100 ± n = UTC ± n quarter hours, below 2 unknown.
            if (type == OFTDateTime && tz == 100) {
                out += 'Z';
            } else if (type == OFTDateTime && tz > 1) {
                const int minutes = (tz - 100) * 15;
                std::snprintf(buffer, sizeof buffer, "%c%02d:%02d", minutes < 0 ? '-' : '+',
                              std::abs(minutes) / 60, std::abs(minutes) % 60);
                out += buffer;
            }
            return;
        }
    }
    out = feature.GetFieldAsString(i);
}

}  // namespace

// ---------------------------------------------------------------- registration

void ensure_gdal_registered() {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

// ---------------------------------------------------------------- reader

struct FeatureReader::Impl {
    SourceInfo info;
    std::string name;
    GDALDatasetUniquePtr dataset;
    OGRLayer* layer = nullptr;
    CtPtr transform;  // null when the source already is lon/lat WGS 84
    std::vector<std::string> field_names;
    std::vector<OGRFieldType> field_types;
    long long next_index = 0;
    detail::RingSet rings;
    detail::SourceUtm source_utm;  // epsg 0 unless the source is a UTM zone
    detail::FootprintBuilder builder;
    std::vector<int> point_ok;
    std::string value;

    std::string value_encoding;  // set when we decode values ourselves (CSV with --encoding)
    bool points = false;         // GeometryKind::Points
    std::optional<std::size_t> max_vertices;

    /// Every value leaves as UTF-8: valid UTF-8 stays, anything else is taken for CP1252.
    void to_text(std::string_view raw, std::string& out) const {
        if (!value_encoding.empty()) {
            out = to_utf8(raw, value_encoding);
        } else if (is_valid_utf8(raw)) {
            out.assign(raw);
        } else {
            out = to_utf8(raw, "CP1252");
        }
    }

    void read_attributes(const OGRFeature& feature, Attributes& out) {
        std::size_t used = 0;
        for (std::size_t i = 0; i < field_names.size(); ++i) {
            const int field = static_cast<int>(i);
            if (!feature.IsFieldSetAndNotNull(field)) continue;  // null: no entry
            if (out.size() <= used) out.emplace_back();
            auto& [key, text] = out[used++];
            key = field_names[i];
            field_as_text(feature, field, field_types[i], value);
            to_text(value, text);
        }
        out.resize(used);
    }

    /// Geometry of one feature → footprint, or the rejection reason.
    std::string read_geometry(const OGRGeometry* geometry, Footprint& footprint) {
        std::string reason = detail::read_ogr_rings(geometry, rings, max_vertices);
        if (!reason.empty()) return reason;
        if (source_utm.epsg != 0) {
            source_utm.x.assign(rings.x.begin(), rings.x.end());
            source_utm.y.assign(rings.y.begin(), rings.y.end());
        }
        if (transform) {
            const auto n = static_cast<int>(rings.point_count());
            point_ok.assign(rings.point_count(), 0);
            transform->Transform(n, rings.x.data(), rings.y.data(), nullptr, nullptr,
                                 point_ok.data());
            if (std::find(point_ok.begin(), point_ok.end(), 0) != point_ok.end()) {
                return detail::k_cannot_reproject;
            }
        }
        if (!detail::coordinates_ok(rings, true)) return detail::k_invalid_coordinates;
        return builder.build(rings, footprint, source_utm.epsg != 0 ? &source_utm : nullptr);
    }

    /// Geometry of one feature → lon/lat point, or the rejection reason.
    std::string read_point(const OGRGeometry* geometry, PointLocation& location) const {
        if (geometry == nullptr || geometry->IsEmpty()) return detail::k_no_geometry;
        const OGRwkbGeometryType flat = wkbFlatten(geometry->getGeometryType());
        const OGRPoint* point = nullptr;
        if (flat == wkbPoint) {
            point = geometry->toPoint();
        } else if (flat == wkbMultiPoint && geometry->toMultiPoint()->getNumGeometries() == 1) {
            // Some GIS exports write every point layer as MultiPoint.
            point = geometry->toMultiPoint()->getGeometryRef(0);
        } else {
            // Same type names as the polygon path: "not a polygon (X)" → "not a point (X)".
            constexpr std::string_view k_polygon_prefix = "not a polygon";
            return "not a point" + detail::not_a_polygon(*geometry).substr(k_polygon_prefix.size());
        }
        if (point->IsEmpty()) return detail::k_no_geometry;
        double x = point->getX();  // Z and M are not read
        double y = point->getY();
        if (!std::isfinite(x) || !std::isfinite(y)) return detail::k_invalid_coordinates;
        if (transform) {
            int ok = 0;
            if (!transform->Transform(1, &x, &y, nullptr, nullptr, &ok) || ok == 0) {
                return detail::k_cannot_reproject;
            }
        }
        const auto checked = LonLat::checked(x, y);
        if (!checked) return detail::k_invalid_coordinates;
        location.lon = checked->lon;
        location.lat = checked->lat;
        return {};
    }
};

FeatureReader::FeatureReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
FeatureReader::FeatureReader(FeatureReader&&) noexcept = default;
FeatureReader& FeatureReader::operator=(FeatureReader&&) noexcept = default;
FeatureReader::~FeatureReader() = default;

const SourceInfo& FeatureReader::info() const {
    return m_impl->info;
}

FeatureReader FeatureReader::open(const std::filesystem::path& path, const ReadOptions& options) {
    ensure_gdal_registered();
    const GdalErrorCollector quiet;  // GDAL's complaints about a bad file are not for stderr
    auto impl = std::make_unique<Impl>();
    const ResolvedSource source = resolve_source(path, options);
    impl->name = source.name;
    const std::string ext = extension_of(source.gdal_path);
    const bool shapefile = ext == ".shp";

    EncodingChoice encoding{"UTF-8", "format", ""};
    if (shapefile) {
        check_shapefile_parts(source);
        check_dbf_structure(source.gdal_path);
        encoding = choose_dbf_encoding(source.gdal_path, options);
    } else if (ext == ".csv" && options.forced_encoding) {
        // GDAL hands CSV bytes through unchanged; we decode them.
        encoding = {checked_encoding(*options.forced_encoding), "option", ""};
        impl->value_encoding = encoding.encoding;
    } else if (ext == ".csv" && !file_is_utf8(source.gdal_path)) {
        // A CSV saved by Excel on a German Windows: values that are not UTF-8 are CP1252.
        encoding = {"CP1252", "guessed", ""};
    }
    impl->points = options.geometry == GeometryKind::Points;
    impl->max_vertices = options.max_vertices;
    const std::vector<std::string> option_strings =
        open_options_for(ext, encoding, options.geometry);
    std::vector<const char*> open_options;
    open_options.reserve(option_strings.size() + 1);
    for (const std::string& option : option_strings) open_options.push_back(option.c_str());
    open_options.push_back(nullptr);

    impl->dataset.reset(GDALDataset::Open(source.gdal_path.c_str(),
                                          GDAL_OF_VECTOR | GDAL_OF_READONLY, k_allowed_drivers,
                                          open_options.data(), nullptr));
    if (!impl->dataset) {
        throw InvalidInput(
            ErrorCode{error_code::k_not_geodata},
            source.name + " is not a geodata file GDAL can read (" + k_formats_hint + ")",
            about_file(source.name));
    }
    impl->layer = pick_layer(*impl->dataset, source, options);
    OGRFeatureDefn* definition = impl->layer->GetLayerDefn();
    if (definition->GetGeomFieldCount() == 0) {
        throw InvalidInput(
            ErrorCode{error_code::k_no_geometry},
            source.name + " has no geometry" +
                (ext == ".csv" ? ": a CSV needs a WKT column (WKT, geometry, geom) or "
                                 "lon/lat columns"
                               : std::string()),
            about_file(source.name));
    }
    for (int i = 0; i < definition->GetFieldCount(); ++i) {
        const OGRFieldDefn* field = definition->GetFieldDefn(i);
        impl->field_names.emplace_back();
        impl->to_text(field->GetNameRef(), impl->field_names.back());
        impl->field_types.push_back(field->GetType());
    }

    CrsChoice crs = choose_crs(*impl->layer, source, shapefile, options);
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (!crs.srs.IsSame(&wgs84)) {
        impl->transform = make_transform(crs.srs, wgs84, *impl->layer);
        if (!impl->transform) {
            throw InvalidGeometry(ErrorCode{error_code::k_unknown_crs},
                                  "cannot transform " + source.name + " from " + crs.label +
                                      " to WGS 84 lon/lat; " + std::string(k_name_the_crs),
                                  about_file(source.name));
        }
    }

    impl->source_utm.epsg = utm_epsg_of(crs.label);

    SourceInfo& info = impl->info;
    info.format = impl->dataset->GetDriver()->GetDescription();
    info.layer = impl->layer->GetName();
    info.crs = crs.label;
    info.crs_name = crs_name_of(crs);
    info.crs_source = crs.source;
    info.encoding = encoding.encoding;
    info.encoding_source = encoding.source;
    info.feature_count = impl->layer->GetFeatureCount(FALSE);
    impl->layer->ResetReading();
    return FeatureReader(std::move(impl));
}

bool FeatureReader::next(SourceFeature& out) {
    Impl& impl = *m_impl;
    GdalErrorCollector errors;
    OGRFeatureUniquePtr feature(impl.layer->GetNextFeature());
    if (!feature) {
        if (errors.failures() > 0) {
            throw InvalidInput(ErrorCode{error_code::k_damaged_file},
                               impl.name + " is damaged: reading stopped after " +
                                   std::to_string(impl.next_index) + " features",
                               about_file(impl.name));
        }
        return false;
    }
    out.index = impl.next_index++;
    impl.read_attributes(*feature, out.attributes);
    if (impl.points) {
        out.footprint.reset();
        if (!out.point) out.point.emplace();
        out.rejection = impl.read_point(feature->GetGeometryRef(), *out.point);
        if (!out.rejection.empty()) out.point.reset();
        return true;
    }
    out.point.reset();  // `out` may come from a point reader
    if (!out.footprint) out.footprint.emplace();
    out.rejection = impl.read_geometry(feature->GetGeometryRef(), *out.footprint);
    if (!out.rejection.empty()) out.footprint.reset();
    return true;
}

}  // namespace leerstand::geo
