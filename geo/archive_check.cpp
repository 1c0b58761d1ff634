#include "geo/archive_check.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <utility>

#include "common/error.hpp"
#include "geo/encoding.hpp"

namespace leerstand::geo {

namespace {

constexpr const char* k_formats_hint = "use a zipped Shapefile, GeoPackage, GeoJSON or CSV";
constexpr std::size_t k_head_bytes = std::size_t{64} * 1024;

// Data files the import looks for inside a zip (see FeatureReader); a zip without one of
// these is not something the atlas reads.
constexpr std::array<std::string_view, 5> k_zip_data_extensions = {".shp", ".gpkg", ".geojson",
                                                                   ".json", ".csv"};

// Zip record signatures and sizes (APPNOTE.TXT 6.3.x §4.3).
constexpr std::uint32_t k_end_of_central_directory = 0x06054b50;
constexpr std::uint32_t k_zip64_end_of_central_directory = 0x06064b50;
constexpr std::uint32_t k_zip64_locator = 0x07064b50;
constexpr std::uint32_t k_central_file_header = 0x02014b50;
constexpr std::size_t k_eocd_size = 22;
constexpr std::size_t k_zip64_locator_size = 20;
constexpr std::size_t k_zip64_eocd_size = 56;
constexpr std::size_t k_central_header_size = 46;
constexpr std::size_t k_max_comment_size = 0xFFFF;
constexpr std::uint16_t k_zip64_extra_id = 0x0001;
constexpr std::uint32_t k_saturated32 = 0xFFFFFFFF;
constexpr std::uint16_t k_saturated16 = 0xFFFF;

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// The lower-case extension of the last path component ("" when there is none).
std::string extension_of(std::string_view name) {
    const std::size_t slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return {};
    return lower(name.substr(dot));
}

/// Text safe for a message: control characters, and every non-ASCII byte of a name that is not
/// UTF-8 (old zips store names in CP437), become '?'.
std::string printable(std::string_view text) {
    const bool utf8 = is_valid_utf8(text);
    std::string out;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        out.push_back(c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8) ? '?' : ch);
    }
    return out;
}

std::string describe_bytes(std::uint64_t bytes) {
    constexpr std::uint64_t k_mib = 1ull << 20;
    if (bytes >= k_mib && bytes % k_mib == 0) return std::to_string(bytes / k_mib) + " MiB";
    return std::to_string(bytes) + " bytes";
}

Unsupported not_readable(const std::string& name, const std::string& why = {}) {
    const std::string shown = name.empty() ? std::string("the upload") : printable(name);
    return Unsupported(shown + (why.empty() ? "" : " " + why) +
                       (why.empty() ? " is" : ", so it is") +
                       " not a format the atlas reads: " + k_formats_hint);
}

// ---------------------------------------------------------------------------- content sniffing

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

bool is_zip(std::string_view head) {
    // A local file header, or the end record of an empty archive.
    return starts_with(head, std::string_view("PK\x03\x04", 4)) ||
           starts_with(head, std::string_view("PK\x05\x06", 4));
}

bool is_geopackage(std::string_view head) {
    return starts_with(head, std::string_view("SQLite format 3\0", 16));
}

bool is_shapefile(std::string_view head) {
    return starts_with(head, std::string_view("\x00\x00\x27\x0a", 4));  // file code 9994
}

bool is_json_object(std::string_view head) {
    if (starts_with(head, "\xEF\xBB\xBF")) head.remove_prefix(3);  // a UTF-8 BOM
    const std::size_t first = head.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && head[first] == '{';
}

bool is_text(std::string_view head) {
    // CSV may come in any 8-bit encoding (--encoding decides later); only binary data has NULs.
    return !head.empty() && head.find('\0') == std::string_view::npos && !is_zip(head) &&
           !is_geopackage(head);
}

std::optional<UploadFormat> format_for_extension(const std::string& extension) {
    if (extension == ".zip") return UploadFormat::Zip;
    if (extension == ".shp") return UploadFormat::Shapefile;
    if (extension == ".gpkg") return UploadFormat::GeoPackage;
    if (extension == ".geojson" || extension == ".json") return UploadFormat::GeoJson;
    if (extension == ".csv") return UploadFormat::Csv;
    return std::nullopt;
}

bool content_matches(UploadFormat format, std::string_view head) {
    switch (format) {
        case UploadFormat::Zip:
            return is_zip(head);
        case UploadFormat::Shapefile:
            return is_shapefile(head);
        case UploadFormat::GeoPackage:
            return is_geopackage(head);
        case UploadFormat::GeoJson:
            return is_json_object(head);
        case UploadFormat::Csv:
            return is_text(head) && !is_shapefile(head);
    }
    return false;
}

// ---------------------------------------------------------------------------- zip reading

/// Bounds-checked little-endian reads from the archive bytes.
class ByteReader {
  public:
    ByteReader(std::string_view bytes, std::string name)
        : m_bytes(bytes), m_name(std::move(name)) {}

    std::uint64_t read(std::uint64_t offset, std::size_t width) const {
        if (offset > m_bytes.size() || width > m_bytes.size() - offset) throw broken();
        std::uint64_t value = 0;
        for (std::size_t i = width; i-- > 0;)
            value = (value << 8) | static_cast<unsigned char>(m_bytes[offset + i]);
        return value;
    }
    std::uint16_t u16(std::uint64_t offset) const {
        return static_cast<std::uint16_t>(read(offset, 2));
    }
    std::uint32_t u32(std::uint64_t offset) const {
        return static_cast<std::uint32_t>(read(offset, 4));
    }
    std::uint64_t u64(std::uint64_t offset) const { return read(offset, 8); }
    std::string_view slice(std::uint64_t offset, std::uint64_t length) const {
        if (offset > m_bytes.size() || length > m_bytes.size() - offset) throw broken();
        return m_bytes.substr(offset, length);
    }
    std::uint64_t size() const { return m_bytes.size(); }

    InvalidInput broken() const {
        return InvalidInput(printable(m_name) +
                            " is not a zip archive that can be read (its central directory is "
                            "damaged or missing); zip the files again");
    }

  private:
    std::string_view m_bytes;
    std::string m_name;
};

struct CentralDirectory {
    std::uint64_t entries = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};

/// Finds the end-of-central-directory record (the last one whose comment reaches the end of
/// the file) and, for a ZIP64 archive, the ZIP64 record it points to.
CentralDirectory locate_central_directory(const ByteReader& zip) {
    if (zip.size() < k_eocd_size) throw zip.broken();
    const std::uint64_t lowest = zip.size() > k_eocd_size + k_max_comment_size
                                     ? zip.size() - k_eocd_size - k_max_comment_size
                                     : 0;
    std::optional<std::uint64_t> eocd;
    for (std::uint64_t pos = zip.size() - k_eocd_size + 1; pos-- > lowest;) {
        if (zip.u32(pos) == k_end_of_central_directory &&
            pos + k_eocd_size + zip.u16(pos + 20) == zip.size()) {
            eocd = pos;
            break;
        }
    }
    if (!eocd) throw zip.broken();

    CentralDirectory cd;
    const std::uint16_t disk = zip.u16(*eocd + 4), cd_disk = zip.u16(*eocd + 6);
    const std::uint16_t disk_entries = zip.u16(*eocd + 8);
    cd.entries = zip.u16(*eocd + 10);
    cd.size = zip.u32(*eocd + 12);
    cd.offset = zip.u32(*eocd + 16);
    std::uint64_t directory_end = *eocd;
    const bool zip64 =
        cd.entries == k_saturated16 || cd.size == k_saturated32 || cd.offset == k_saturated32;
    if (zip64 && *eocd >= k_zip64_locator_size &&
        zip.u32(*eocd - k_zip64_locator_size) == k_zip64_locator) {
        const std::uint64_t record = zip.u64(*eocd - k_zip64_locator_size + 8);
        if (zip.u32(record) != k_zip64_end_of_central_directory) throw zip.broken();
        zip.slice(record, k_zip64_eocd_size);
        if (zip.u32(record + 16) != 0 || zip.u32(record + 20) != 0 ||
            zip.u64(record + 24) != zip.u64(record + 32))
            throw InvalidInput(
                "multi-part (split) zip archives are not supported; zip the "
                "files again as one archive");
        cd.entries = zip.u64(record + 32);
        cd.size = zip.u64(record + 40);
        cd.offset = zip.u64(record + 48);
        directory_end = record;
    } else if (disk != 0 || cd_disk != 0 || disk_entries != cd.entries) {
        throw InvalidInput(
            "multi-part (split) zip archives are not supported; zip the files "
            "again as one archive");
    }
    if (cd.size > directory_end) throw zip.broken();
    // Data prepended to the archive (a self-extractor stub) shifts every offset; the directory
    // always ends where the end records begin.
    if (cd.offset + cd.size != directory_end) cd.offset = directory_end - cd.size;
    return cd;
}

/// The 64-bit sizes of an entry whose 32-bit fields are saturated (ZIP64 extra field).
void apply_zip64_extra(std::string_view extra, std::uint64_t& uncompressed,
                       std::uint64_t& compressed, const ByteReader& zip) {
    std::size_t pos = 0;
    while (pos + 4 <= extra.size()) {
        const ByteReader field(extra, {});
        const std::uint16_t id = field.u16(pos), length = field.u16(pos + 2);
        if (pos + 4 + length > extra.size()) throw zip.broken();
        if (id == k_zip64_extra_id) {
            std::size_t at = pos + 4;
            const auto next = [&](std::uint64_t& value) {
                if (value != k_saturated32) return;
                if (at + 8 > pos + 4 + length) throw zip.broken();
                value = field.u64(at);
                at += 8;
            };
            next(uncompressed);  // the order is fixed: uncompressed, compressed, offset, disk
            next(compressed);
            return;
        }
        pos += 4 + length;
    }
    if (uncompressed == k_saturated32) throw zip.broken();
}

bool is_absolute_or_escaping(std::string_view name) {
    if (name.empty()) return false;
    if (name.front() == '/' || name.front() == '\\') return true;
    if (name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) && name[1] == ':')
        return true;  // a Windows drive letter
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t end = std::min(name.find_first_of("/\\", start), name.size());
        if (name.substr(start, end - start) == "..") return true;
        start = end + 1;
    }
    return false;
}

bool is_hidden_entry(std::string_view name) {
    // macOS Finder adds resource forks that look like data files
    if (starts_with(name, "__MACOSX/")) return true;
    const std::size_t slash = name.find_last_of('/');
    const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
    return base.empty() || starts_with(base, "._");
}

// ---------------------------------------------------------------------------- files

struct VsiCloser {
    void operator()(VSILFILE* file) const noexcept { VSIFCloseL(file); }
};
using VsiFilePtr = std::unique_ptr<VSILFILE, VsiCloser>;

struct CslDeleter {
    void operator()(char** list) const noexcept { CSLDestroy(list); }
};
using CslPtr = std::unique_ptr<char*, CslDeleter>;

/// Up to `limit` bytes from the start of the file.
std::string read_file(const std::filesystem::path& path, const std::string& display_name,
                      std::size_t limit = std::string::npos) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InvalidInput(printable(display_name) + " cannot be read");
    std::string bytes;
    std::string chunk(1 << 16, '\0');
    while (bytes.size() < limit && in) {
        const std::size_t want = std::min(chunk.size(), limit - bytes.size());
        in.read(chunk.data(), static_cast<std::streamsize>(want));
        bytes.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    }
    return bytes;
}

}  // namespace

std::string upload_extension(UploadFormat format) {
    switch (format) {
        case UploadFormat::Zip:
            return ".zip";
        case UploadFormat::Shapefile:
            return ".shp";
        case UploadFormat::GeoPackage:
            return ".gpkg";
        case UploadFormat::GeoJson:
            return ".geojson";
        case UploadFormat::Csv:
            return ".csv";
    }
    return {};
}

std::string upload_format_name(UploadFormat format) {
    switch (format) {
        case UploadFormat::Zip:
            return "zip archive";
        case UploadFormat::Shapefile:
            return "Shapefile";
        case UploadFormat::GeoPackage:
            return "GeoPackage";
        case UploadFormat::GeoJson:
            return "GeoJSON";
        case UploadFormat::Csv:
            return "CSV";
    }
    return {};
}

UploadFormat detect_upload_format(std::string_view file_name, std::string_view head) {
    const std::string name(file_name);
    const std::string extension = extension_of(file_name);
    if (!extension.empty()) {
        const auto format = format_for_extension(extension);
        if (!format) throw not_readable(name);
        if (!content_matches(*format, head))
            throw not_readable(
                name, "does not contain what a " + upload_format_name(*format) + " file contains");
        return *format;
    }
    // No extension (a script that sent no file name): the content alone decides.
    for (UploadFormat format : {UploadFormat::Zip, UploadFormat::GeoPackage,
                                UploadFormat::Shapefile, UploadFormat::GeoJson}) {
        if (content_matches(format, head)) return format;
    }
    if (content_matches(UploadFormat::Csv, head)) return UploadFormat::Csv;
    throw not_readable(name);
}

ZipListing check_zip(std::string_view bytes, const std::string& display_name,
                     const ZipLimits& limits) {
    const ByteReader zip(bytes, display_name);
    const CentralDirectory cd = locate_central_directory(zip);
    const std::string shown = printable(display_name);
    const auto too_many = [&](std::uint64_t count) {
        return TooLarge(shown + " holds " + (count > limits.max_entries ? "more than " : "") +
                        std::to_string(limits.max_entries) + " files; the limit is " +
                        std::to_string(limits.max_entries) + " files per zip");
    };
    // The count in the end record is checked before walking the directory, so a huge one costs
    // nothing; the walk below checks again in case the record lies.
    if (cd.entries > limits.max_entries) throw too_many(cd.entries);

    ZipListing listing;
    std::uint64_t pos = cd.offset;
    const std::uint64_t end = cd.offset + cd.size;
    while (pos < end) {
        if (zip.u32(pos) != k_central_file_header) throw zip.broken();
        if (listing.entries.size() >= limits.max_entries) throw too_many(limits.max_entries + 1);
        const std::uint16_t flags = zip.u16(pos + 8);
        std::uint64_t compressed = zip.u32(pos + 20);
        std::uint64_t uncompressed = zip.u32(pos + 24);
        const std::uint16_t name_length = zip.u16(pos + 28);
        const std::uint16_t extra_length = zip.u16(pos + 30);
        const std::uint16_t comment_length = zip.u16(pos + 32);
        const std::string_view name = zip.slice(pos + k_central_header_size, name_length);
        const std::string_view extra =
            zip.slice(pos + k_central_header_size + name_length, extra_length);
        if (uncompressed == k_saturated32 || compressed == k_saturated32)
            apply_zip64_extra(extra, uncompressed, compressed, zip);

        if (name.find('\0') != std::string_view::npos)
            throw InvalidInput(shown + " holds an entry whose name contains a NUL byte");
        if (is_absolute_or_escaping(name))
            throw InvalidInput(shown + " holds the entry '" + printable(name) +
                               "', which points outside the archive (an absolute path or '..'); "
                               "zip the files again without folders above them");
        if ((flags & 0x1u) != 0)
            throw InvalidInput(shown + " is encrypted (entry '" + printable(name) +
                               "'); upload it without a password");
        if (uncompressed >
            limits.max_unpacked_bytes - std::min(listing.unpacked_bytes, limits.max_unpacked_bytes))
            throw TooLarge(shown + " unpacks to more than " +
                           describe_bytes(limits.max_unpacked_bytes) + "; the limit is " +
                           describe_bytes(limits.max_unpacked_bytes) + " unpacked per upload");
        listing.unpacked_bytes += uncompressed;
        listing.entries.push_back({std::string(name), uncompressed});
        pos += k_central_header_size + name_length + extra_length + comment_length;
    }
    if (pos != end) throw zip.broken();

    const bool has_data =
        std::any_of(listing.entries.begin(), listing.entries.end(), [](const ZipEntry& entry) {
            return !is_hidden_entry(entry.name) &&
                   std::find(k_zip_data_extensions.begin(), k_zip_data_extensions.end(),
                             extension_of(entry.name)) != k_zip_data_extensions.end();
        });
    if (!has_data)
        throw Unsupported(shown +
                          " holds no Shapefile, GeoPackage, GeoJSON or CSV file, so it "
                          "is not a format the atlas reads: " +
                          k_formats_hint);
    return listing;
}

UploadFormat check_upload_file(const std::filesystem::path& path, const std::string& display_name,
                               const ZipLimits& limits) {
    const std::string head = read_file(path, display_name, k_head_bytes);
    const UploadFormat format = detect_upload_format(display_name, head);
    // The whole archive: the central directory sits at its end.
    if (format == UploadFormat::Zip) check_zip(read_file(path, display_name), display_name, limits);
    return format;
}

void verify_zip_file(const std::filesystem::path& path, const std::string& display_name,
                     const ZipLimits& limits) {
    check_zip(read_file(path, display_name), display_name, limits);
    // Braces keep GDAL from splitting the path at a ".zip" inside a folder name.
    const std::string base = "/vsizip/{" + std::filesystem::absolute(path).string() + "}";
    std::string buffer(1 << 20, '\0');
    // A damaged entry is the import's to report (with the feature it stopped at); GDAL's own
    // text would only clutter the server log.
    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
    // The entries as GDAL names them, not as the directory stores them: GDAL converts names
    // without the UTF-8 flag from CP437, so a raw name like "Geb\x84ude.csv" does not open,
    // while the import finds and inflates "Gebäude.csv" (a zip bomb that check_zip passes).
    // GDAL's size of an entry is the directory's uncompressed size.
    const CslPtr names(VSIReadDirRecursive(base.c_str()));
    for (char** name = names.get(); name != nullptr && *name != nullptr; ++name) {
        const std::string entry = base + "/" + *name;
        VSIStatBufL stat{};
        if (VSIStatL(entry.c_str(), &stat) != 0 || VSI_ISDIR(stat.st_mode)) continue;
        const auto declared = static_cast<std::uint64_t>(stat.st_size);
        const VsiFilePtr file(VSIFOpenL(entry.c_str(), "rb"));
        if (!file) continue;  // GDAL cannot read it, so the import will not either
        std::uint64_t total = 0;
        while (true) {
            const std::size_t got = VSIFReadL(buffer.data(), 1, buffer.size(), file.get());
            total += got;
            if (total > declared)
                throw InvalidInput(printable(display_name) + " is damaged: the entry '" +
                                   printable(*name) +
                                   "' holds more data than the archive says; zip the files "
                                   "again");
            if (got < buffer.size()) break;
        }
    }
}

void guard_gdal_read_limits() {
    constexpr const char* k_option = "OGR_GEOJSON_MAX_OBJ_SIZE";
    const char* value = CPLGetConfigOption(k_option, nullptr);
    // "0" means unlimited; the documented default is 200 (MB).
    if (value != nullptr && std::strtod(value, nullptr) <= 0.0)
        CPLSetThreadLocalConfigOption(k_option, "200");
}

}  // namespace leerstand::geo
