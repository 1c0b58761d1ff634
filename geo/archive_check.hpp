#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

/// Checks an uploaded file before anything parses it: is it a format the atlas reads (by name
/// and by content), and is a zip within its limits (no zip bombs, no path tricks)?
namespace leerstand::geo {

/// The formats an upload may have.
enum class UploadFormat { Zip, Shapefile, GeoPackage, GeoJson, Csv };

/// The extension an upload of this format is saved with: ".zip", ".shp", ".gpkg", ".geojson",
/// ".csv".
std::string upload_extension(UploadFormat format);

/// "zip archive", "Shapefile", "GeoPackage", "GeoJSON", "CSV".
std::string upload_format_name(UploadFormat format);

/// Decides the format from the client's file name and the first bytes of the content (64 KiB
/// are plenty). Both must agree: zip magic `PK\3\4` for .zip, "SQLite format 3" for .gpkg, a
/// JSON object for .geojson/.json, text without NUL bytes for .csv, the shapefile code 9994
/// for .shp. A name without an extension is decided by the content alone.
/// @throws Unsupported ("… is not a format the atlas reads: use a zipped Shapefile,
///         GeoPackage, GeoJSON or CSV") for anything else.
UploadFormat detect_upload_format(std::string_view file_name, std::string_view head);

/// Limits for the content of a zip.
struct ZipLimits {
    std::uint64_t max_unpacked_bytes = 512ull << 20;  ///< sum of the entries' sizes
    std::uint64_t max_entries = 1000;                 ///< files and folders
};

/// One entry of a zip's central directory.
struct ZipEntry {
    std::string name;        ///< as stored
    std::uint64_t size = 0;  ///< declared uncompressed size
};

/// What a zip's central directory says.
struct ZipListing {
    std::vector<ZipEntry> entries;
    std::uint64_t unpacked_bytes = 0;  ///< sum of the declared uncompressed sizes
};

/// Reads a zip's central directory (nothing is inflated, so an honest zip bomb costs nothing)
/// and checks it.
/// @throws TooLarge when the entries or the sum of their declared sizes exceed `limits`;
///         InvalidInput for entry names with ".." components, absolute paths or NUL bytes, for
///         encrypted or multi-disk archives and for anything that is not a readable zip;
///         Unsupported when no entry is a Shapefile, GeoPackage, GeoJSON or CSV.
/// `display_name` (the client's file name) is only used in messages.
ZipListing check_zip(std::string_view bytes, const std::string& display_name,
                     const ZipLimits& limits);

/// detect_upload_format() and, for a zip, check_zip() on a file on disk.
UploadFormat check_upload_file(const std::filesystem::path& path, const std::string& display_name,
                               const ZipLimits& limits);

/// check_zip(), then reads every entry GDAL lists (under the names GDAL gives them, which the
/// import uses too) through /vsizip/ and stops as soon as one yields more bytes than its
/// declared size. GDAL (3.6) keeps inflating past the declared size, so a zip that lies in its
/// directory would otherwise unpack without bound during the import; this costs at most
/// `limits.max_unpacked_bytes` of inflating. Run it off the request thread.
/// @throws what check_zip() throws; InvalidInput for an entry larger than declared.
void verify_zip_file(const std::filesystem::path& path, const std::string& display_name,
                     const ZipLimits& limits);

/// GDAL's own guard against huge GeoJSON objects (OGR_GEOJSON_MAX_OBJ_SIZE, 200 MB) can be
/// switched off with the value 0 in the environment or the process configuration. This puts it
/// back, for the calling thread only (the upload job thread calls it).
void guard_gdal_read_limits();

}  // namespace leerstand::geo
