#include "tests/fuzz/upload_fuzz_entry.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "common/error.hpp"
#include "geo/archive_check.hpp"
#include "geo/encoding.hpp"
#include "geo/feature_reader.hpp"
#include "geo/kommune_locator.hpp"
#include "geo/spatial_order.hpp"

namespace leerstand::fuzz {
namespace {

namespace fs = std::filesystem;

// The server's defaults (services/upload_jobs.hpp UploadLimits, upload_jobs.cpp k_sniff_bytes).
constexpr std::uint64_t k_max_body_bytes = 64ull << 20;
constexpr geo::ZipLimits k_zip_limits{512ull << 20, 1000};
constexpr std::size_t k_sniff_bytes = 64 * 1024;

enum class Packaging { AsIs, ShapefileParts, NamedEntries };

struct Mode {
    const char* file_name;
    Packaging packaging;
};

// Indexed by bits 0–2 of the selector byte.
constexpr Mode k_modes[8] = {
    {"upload.zip", Packaging::AsIs},           {"upload.geojson", Packaging::AsIs},
    {"upload.gpkg", Packaging::AsIs},          {"upload.csv", Packaging::AsIs},
    {"upload.zip", Packaging::ShapefileParts}, {"upload", Packaging::AsIs},
    {"upload.json", Packaging::AsIs},          {"upload.zip", Packaging::NamedEntries},
};

// ------------------------------------------------------------------------ input → file bytes

/// Reads little-endian lengths and slices off the front of the fuzz input; a length beyond the
/// end takes what is left, so every input means something.
class Cursor {
  public:
    explicit Cursor(std::string_view bytes) : m_bytes(bytes) {}

    std::uint32_t u32() { return static_cast<std::uint32_t>(number(4)); }
    std::uint8_t u8() { return static_cast<std::uint8_t>(number(1)); }
    std::string take(std::size_t length) {
        length = std::min(length, m_bytes.size());
        std::string out(m_bytes.substr(0, length));
        m_bytes.remove_prefix(length);
        return out;
    }
    std::string rest() { return take(m_bytes.size()); }
    bool empty() const { return m_bytes.empty(); }

  private:
    std::uint64_t number(std::size_t width) {
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < width && i < m_bytes.size(); ++i)
            value |= std::uint64_t{static_cast<unsigned char>(m_bytes[i])} << (8 * i);
        m_bytes.remove_prefix(std::min(width, m_bytes.size()));
        return value;
    }
    std::string_view m_bytes;
};

/// Mode 4: u32 lengths of .shp, .shx, .dbf and .prj, those parts, the rest is the .cpg; an empty
/// part is left out, so missing parts are tried too. The fuzzer mutates shapefile bytes
/// directly instead of fighting a zip around them.
std::string shapefile_parts_zip(std::string_view content) {
    Cursor in(content);
    const std::uint32_t lengths[4] = {in.u32(), in.u32(), in.u32(), in.u32()};
    const char* const names[5] = {"a.shp", "a.shx", "a.dbf", "a.prj", "a.cpg"};
    std::vector<std::pair<std::string, std::string>> entries;
    for (int i = 0; i < 5; ++i) {
        std::string part = i < 4 ? in.take(lengths[i]) : in.rest();
        if (!part.empty()) entries.emplace_back(names[i], std::move(part));
    }
    return stored_zip(entries);
}

/// Mode 7: up to 8 entries of u8 name length, name, u32 data length, data. Entry names are the
/// fuzzer's to choose: "../", CP437 bytes, several data files, odd extensions.
std::string named_entries_zip(std::string_view content) {
    Cursor in(content);
    std::vector<std::pair<std::string, std::string>> entries;
    while (!in.empty() && entries.size() < 8) {
        std::string name = in.take(in.u8());
        entries.emplace_back(std::move(name), in.take(in.u32()));
    }
    return stored_zip(entries);
}

// ------------------------------------------------------------------------ the file on disk

/// One folder per process for the upload files, in $LEERSTAND_FUZZ_TMPDIR (scripts/fuzz/run
/// sets it and removes it afterwards, also what a crashed process left), else /dev/shm, which
/// keeps the fuzzer off the disk, else the temp folder.
const fs::path& work_dir() {
    struct Dir {
        fs::path path;
        Dir() {
            std::error_code error;
            const char* chosen = std::getenv("LEERSTAND_FUZZ_TMPDIR");
            const fs::path base = chosen != nullptr && *chosen != '\0'  ? fs::path(chosen)
                                  : fs::is_directory("/dev/shm", error) ? fs::path("/dev/shm")
                                                                        : fs::temp_directory_path();
            path = base / ("leerstand-fuzz-" + std::to_string(::getpid()));
            fs::create_directories(path);
        }
        ~Dir() {
            std::error_code ignored;
            fs::remove_all(path, ignored);
        }
    };
    static const Dir dir;
    return dir.path;
}

/// The upload's file, written on construction and removed on destruction (also when a finding
/// leaves by exception).
class UploadFile {
  public:
    UploadFile(const fs::path& path, const std::string& content) : m_path(path) {
        std::ofstream out(m_path, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        if (!out) throw std::runtime_error("cannot write " + m_path.string());
    }
    ~UploadFile() {
        std::error_code ignored;
        fs::remove(m_path, ignored);
    }
    UploadFile(const UploadFile&) = delete;
    UploadFile& operator=(const UploadFile&) = delete;
    const fs::path& path() const { return m_path; }

  private:
    fs::path m_path;
};

// ------------------------------------------------------------------------ the reader's promises

[[noreturn]] void broken_promise(const std::string& what) {
    throw std::logic_error("broken promise of the upload reader: " + what);
}

bool lon_lat_ok(double lon, double lat) {
    return std::isfinite(lon) && std::isfinite(lat) && lon >= -180.0 && lon <= 180.0 &&
           lat >= -90.0 && lat <= 90.0;
}

/// Walks the footprint's WKB as Footprint promises it: little-endian ISO MultiPolygon of
/// polygons with closed rings of at least 4 lon/lat points, nothing left over.
void check_footprint_wkb(const std::vector<unsigned char>& wkb) {
    std::size_t pos = 0;
    const auto u32 = [&] {
        if (wkb.size() - pos < 4) broken_promise("WKB ends early");
        std::uint32_t v = 0;
        std::memcpy(&v, wkb.data() + pos, 4);
        pos += 4;
        return v;
    };
    const auto header = [&](std::uint32_t type) {
        if (pos >= wkb.size() || wkb[pos] != 1) broken_promise("WKB not little endian");
        ++pos;
        if (u32() != type) broken_promise("WKB type is not " + std::to_string(type));
    };
    header(6);
    const std::uint32_t polygons = u32();
    if (polygons == 0) broken_promise("empty MultiPolygon");
    for (std::uint32_t p = 0; p < polygons; ++p) {
        header(3);
        const std::uint32_t rings = u32();
        if (rings == 0) broken_promise("polygon without rings");
        for (std::uint32_t r = 0; r < rings; ++r) {
            const std::uint32_t points = u32();
            if (points < 4 || (wkb.size() - pos) / 16 < points) broken_promise("bad ring size");
            double first[2], last[2];
            for (std::uint32_t i = 0; i < points; ++i, pos += 16) {
                double xy[2];
                std::memcpy(xy, wkb.data() + pos, 16);
                if (!lon_lat_ok(xy[0], xy[1])) broken_promise("coordinate outside lon/lat");
                if (i == 0) std::memcpy(first, xy, 16);
                std::memcpy(last, xy, 16);
            }
            if (first[0] != last[0] || first[1] != last[1]) broken_promise("ring not closed");
        }
    }
    if (pos != wkb.size()) broken_promise("bytes after the WKB");
}

void check_feature(const geo::SourceFeature& feature, bool points) {
    for (const auto& [name, value] : feature.attributes)
        if (!geo::is_valid_utf8(name) || !geo::is_valid_utf8(value))
            broken_promise("attribute text is not UTF-8");
    const bool has_geometry = points ? feature.point.has_value() : feature.footprint.has_value();
    if (points ? feature.footprint.has_value() : feature.point.has_value())
        broken_promise("a geometry of the other kind");
    if (has_geometry == !feature.rejection.empty())
        broken_promise("a feature must have a geometry or a rejection, not both or none");
    if (feature.point && !lon_lat_ok(feature.point->lon, feature.point->lat))
        broken_promise("point outside lon/lat");
    if (feature.footprint) {
        const geo::Footprint& f = *feature.footprint;
        if (!lon_lat_ok(f.anchor_lon, f.anchor_lat)) broken_promise("anchor outside lon/lat");
        if (!std::isfinite(f.area_m2) || f.area_m2 <= 0) broken_promise("area not positive");
        check_footprint_wkb(f.wkb);
    }
}

/// The building import places each footprint (services/import_service.cpp to_record): a
/// locator with one boundary around Germany stands in for the Kommunen of the database.
const geo::KommuneLocator& locator() {
    thread_local const geo::KommuneLocator located = [] {
        geo::KommuneLocator l;
        // POLYGON ((5 47, 16 47, 16 56, 5 56, 5 47)) as little-endian WKB.
        std::vector<unsigned char> wkb = {1, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0};
        for (const double v : {5.0, 47.0, 16.0, 47.0, 16.0, 56.0, 5.0, 56.0, 5.0, 47.0}) {
            unsigned char bytes[8];
            std::memcpy(bytes, &v, 8);
            wkb.insert(wkb.end(), bytes, bytes + 8);
        }
        l.add("00000000", wkb);
        return l;
    }();
    return located;
}

std::string error_type(const Error& e) {
    // Most specific first: subclasses before their bases.
    if (dynamic_cast<const InvalidGeometry*>(&e)) return "InvalidGeometry";
    if (dynamic_cast<const Unprocessable*>(&e)) return "Unprocessable";
    if (dynamic_cast<const TooLarge*>(&e)) return "TooLarge";
    if (dynamic_cast<const InvalidInput*>(&e)) return "InvalidInput";
    if (dynamic_cast<const Unsupported*>(&e)) return "Unsupported";
    if (dynamic_cast<const InternalError*>(&e)) return "InternalError";
    return "Error";
}

/// submit(), run_job() and the import's reading loop, in that order.
void run_upload(const std::string& content, UploadOutcome& out) {
    // submit(): what the request thread checks before the file is stored.
    if (content.empty()) throw InvalidInput("the uploaded file is empty");
    if (content.size() > k_max_body_bytes) throw TooLarge("the upload is larger than the limit");
    const geo::UploadFormat format = geo::detect_upload_format(
        out.file_name, std::string_view(content).substr(0, k_sniff_bytes));
    if (format == geo::UploadFormat::Shapefile)
        throw InvalidInput(out.file_name + " is only the geometry part of a shapefile");
    if (format == geo::UploadFormat::Zip) geo::check_zip(content, out.file_name, k_zip_limits);
    const UploadFile file(work_dir() / ("upload" + geo::upload_extension(format)), content);

    // run_job() on the upload thread.
    thread_local const bool guarded = (geo::guard_gdal_read_limits(), true);
    (void)guarded;
    geo::ensure_gdal_registered();
    if (file.path().extension() == ".zip")
        geo::verify_zip_file(file.path(), out.file_name, k_zip_limits);

    // import_buildings() / import_vacancies(): open, then every feature to the end.
    geo::ReadOptions options;
    options.geometry = out.points ? geo::GeometryKind::Points : geo::GeometryKind::Polygons;
    if (!out.points) options.max_vertices = geo::k_max_footprint_vertices;
    geo::FeatureReader reader = geo::FeatureReader::open(file.path(), options);
    geo::SourceFeature feature;
    while (reader.next(feature)) {
        ++out.read;
        check_feature(feature, out.points);
        if (!feature.rejection.empty()) {
            ++out.rejected_by_reason[feature.rejection];
            continue;
        }
        ++out.usable;
        if (feature.footprint) {
            const geo::Footprint& f = *feature.footprint;
            locator().locate(f.anchor_lon, f.anchor_lat);
            geo::hilbert_index_of(f.anchor_lon, f.anchor_lat);
        }
    }
}

void put_u16(std::string& out, std::uint32_t v) {
    out.push_back(static_cast<char>(v & 0xFF));
    out.push_back(static_cast<char>((v >> 8) & 0xFF));
}

void put_u32(std::string& out, std::uint32_t v) {
    put_u16(out, v & 0xFFFF);
    put_u16(out, v >> 16);
}

}  // namespace

std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
    // APPNOTE 4.3.7 / 4.3.12 / 4.3.16: local headers with data, central directory, end record.
    // Flag bit 11 stays clear, so names count as CP437, as old zip tools write them.
    std::string out, directory;
    for (const auto& [name, data] : entries) {
        const auto crc = static_cast<std::uint32_t>(
            crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
        const auto offset = static_cast<std::uint32_t>(out.size());
        const auto size = static_cast<std::uint32_t>(data.size());
        const auto name_length = static_cast<std::uint32_t>(name.size());
        put_u32(out, 0x04034b50);
        for (std::uint32_t v : {20u, 0u, 0u, 0u, 0x21u}) put_u16(out, v);  // version … date
        for (std::uint32_t v : {crc, size, size}) put_u32(out, v);
        put_u16(out, name_length);
        put_u16(out, 0);
        out += name;
        out += data;
        put_u32(directory, 0x02014b50);
        for (std::uint32_t v : {20u, 20u, 0u, 0u, 0u, 0x21u}) put_u16(directory, v);
        for (std::uint32_t v : {crc, size, size}) put_u32(directory, v);
        for (std::uint32_t v : {name_length, 0u, 0u, 0u, 0u}) put_u16(directory, v);
        put_u32(directory, 0);  // external attributes
        put_u32(directory, offset);
        directory += name;
    }
    const auto directory_offset = static_cast<std::uint32_t>(out.size());
    out += directory;
    put_u32(out, 0x06054b50);
    const auto count = static_cast<std::uint32_t>(entries.size());
    for (std::uint32_t v : {0u, 0u, count, count}) put_u16(out, v);
    put_u32(out, static_cast<std::uint32_t>(directory.size()));
    put_u32(out, directory_offset);
    put_u16(out, 0);  // comment length
    return out;
}

UploadOutcome read_upload_for_fuzzing(const std::uint8_t* data, std::size_t size) {
    UploadOutcome out;
    if (size == 0) return out;
    const Mode& mode = k_modes[data[0] & 0x07];
    out.file_name = mode.file_name;
    out.points = (data[0] & 0x08) != 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (mode.packaging) {
            case Packaging::AsIs:
                run_upload(std::string(rest), out);
                break;
            case Packaging::ShapefileParts:
                run_upload(shapefile_parts_zip(rest), out);
                break;
            case Packaging::NamedEntries:
                run_upload(named_entries_zip(rest), out);
                break;
        }
    } catch (const Error& e) {
        // A refusal on purpose: the server reports these to the user (upload_jobs.cpp run_job).
        out.error_type = error_type(e);
        out.message = e.what();
    }
    return out;
}

}  // namespace leerstand::fuzz
