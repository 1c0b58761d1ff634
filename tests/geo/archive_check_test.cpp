// Upload format detection and zip checks: hand-made zips (written here with python3, byte for
// byte, so each one is exactly the trap it names) and real zipped shapefiles.
#include "geo/archive_check.hpp"

#include <cpl_conv.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <thread>

#include "common/error.hpp"
#include "geo/feature_reader.hpp"
#include "tests/support/test_support.hpp"

using namespace leerstand;
using geo::UploadFormat;
using test::file_bytes;

namespace fs = std::filesystem;

namespace {

// Writes zips without zipfile's help, so sizes, names and ZIP64 records are exactly as asked.
// Usage: python3 -c SCRIPT COMMAND PATH ARGS...
const char* const k_zip_maker = R"py(
import os, struct, sys, zlib

def deflate(raw):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush()

def write_zip(path, entries, zip64=False):
    out = bytearray(); cd = bytearray()
    for name, method, data, crc, declared in entries:
        nb = name.encode('utf-8')
        off = len(out)
        if zip64:
            extra = struct.pack('<HHQQ', 1, 16, declared, len(data))
            out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, method, 0, 0x21, crc,
                               0xFFFFFFFF, 0xFFFFFFFF, len(nb), len(extra)) + nb + extra + data
            cextra = struct.pack('<HHQQQ', 1, 24, declared, len(data), off)
            cd += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, method, 0, 0x21, crc,
                              0xFFFFFFFF, 0xFFFFFFFF, len(nb), len(cextra), 0, 0, 0, 0,
                              0xFFFFFFFF) + nb + cextra
        else:
            out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, method, 0, 0x21, crc,
                               len(data), declared, len(nb), 0) + nb + data
            cd += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, method, 0, 0x21, crc,
                              len(data), declared, len(nb), 0, 0, 0, 0, 0, off) + nb
    cd_off = len(out); out += cd; n = len(entries)
    if zip64:
        record = len(out)
        out += struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, n, n, len(cd), cd_off)
        out += struct.pack('<IIQI', 0x07064b50, 0, record, 1)
        out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                           0xFFFFFFFF, 0)
    else:
        out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, n, n, len(cd), cd_off, 0)
    with open(path, 'wb') as f:
        f.write(out)

def entry(name, raw, declared=None):
    return (name, 8, deflate(raw), zlib.crc32(raw), len(raw) if declared is None else declared)

cmd, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
csv = b'id,WKT\n1,"POINT (11.5 50.0)"\n'
if cmd == 'files':     # one small CSV under each given name
    write_zip(path, [entry(n, csv) for n in args])
elif cmd == 'many':    # COUNT small CSVs
    write_zip(path, [entry('f%05d.csv' % i, csv) for i in range(int(args[0]))])
elif cmd == 'bomb':    # an honest entry of MIB mebibytes of zeros, deflated
    mib = int(args[0]); block = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    # After a full flush the next block stands alone, so one compressed MiB can be repeated.
    chunk = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    data = chunk * mib + c.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    write_zip(path, [('zeros.csv', 8, data, crc, mib << 20)])
elif cmd == 'lying':   # declares 1000 bytes, inflates to 2.6 MB
    rows = b'id,WKT\n' + b''.join(b'%d,"POINT (11.5 50.0)"\n' % i for i in range(100000))
    write_zip(path, [entry('a.csv', rows, declared=1000)])
elif cmd == 'zip64':   # ZIP64 records; DECLARED size, or 'honest'
    write_zip(path, [entry('a.csv', csv, None if args[0] == 'honest' else int(args[0]))],
              zip64=True)
elif cmd == 'folder':  # the given files, flat, as zip -j would
    import zipfile
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for f in args:
            z.write(f, os.path.basename(f))
)py";

fs::path make_zip(const test::TempDir& dir, const std::string& command,
                  const std::vector<std::string>& args) {
    static int counter = 0;
    const fs::path path = dir / (command + "-" + std::to_string(++counter) + ".zip");
    std::vector<std::string> full{"python3", "-c", k_zip_maker, command, path.string()};
    full.insert(full.end(), args.begin(), args.end());
    const auto result = test::run_command(full);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return path;
}

const geo::ZipLimits k_defaults{};

/// The message of the `ErrorType` that check_zip throws; "" when it passes.
template <typename ErrorType>
std::string zip_error(const fs::path& zip, const geo::ZipLimits& limits = k_defaults) {
    try {
        geo::check_zip(file_bytes(zip), zip.filename().string(), limits);
    } catch (const ErrorType& e) {
        return e.what();
    }
    return {};
}

template <typename ErrorType>
std::string detect_error(const std::string& name, const std::string& head) {
    try {
        geo::detect_upload_format(name, head);
    } catch (const ErrorType& e) {
        return e.what();
    }
    return {};
}

const std::string kZipHead("PK\x03\x04\x14\x00", 6);
const std::string kGpkgHead("SQLite format 3\0\x10\x00", 18);
const std::string kShpHead("\x00\x00\x27\x0a\x00\x00", 6);

// ------------------------------------------------------------------------ format detection

TEST(DetectUploadFormat, AgreeingNameAndContentGiveTheFormat) {
    EXPECT_EQ(geo::detect_upload_format("gebaeude.zip", kZipHead), UploadFormat::Zip);
    EXPECT_EQ(geo::detect_upload_format("GEBAEUDE.ZIP", kZipHead), UploadFormat::Zip);
    EXPECT_EQ(geo::detect_upload_format("lauf.gpkg", kGpkgHead), UploadFormat::GeoPackage);
    EXPECT_EQ(geo::detect_upload_format("a.geojson", "{\"type\":\"FeatureCollection\"}"),
              UploadFormat::GeoJson);
    EXPECT_EQ(geo::detect_upload_format("a.json", "\xEF\xBB\xBF \r\n {\"type\": 1}"),
              UploadFormat::GeoJson);
    EXPECT_EQ(geo::detect_upload_format("Leerstände.csv", "id;WKT\n1;POINT (1 2)\n"),
              UploadFormat::Csv);
    EXPECT_EQ(geo::detect_upload_format("latin1.csv", "name\nM\xfclheim\n"), UploadFormat::Csv);
    EXPECT_EQ(geo::detect_upload_format("haus.shp", kShpHead), UploadFormat::Shapefile);
}

TEST(DetectUploadFormat, WithoutExtensionTheContentDecides) {
    EXPECT_EQ(geo::detect_upload_format("", kZipHead), UploadFormat::Zip);
    EXPECT_EQ(geo::detect_upload_format("upload", kGpkgHead), UploadFormat::GeoPackage);
    EXPECT_EQ(geo::detect_upload_format("upload", "  {\"type\": 1}"), UploadFormat::GeoJson);
    EXPECT_EQ(geo::detect_upload_format("upload", "lon,lat\n11.5,50\n"), UploadFormat::Csv);
    EXPECT_NE(detect_error<Unsupported>("upload", std::string("\x7f"
                                                              "ELF\0\0",
                                                              6)),
              "");
}

TEST(DetectUploadFormat, UnknownExtensionsAreRefusedWithTheFormatsWeRead) {
    for (const char* name : {"plan.pdf", "daten.xlsx", "karte.kml", "gebaeude.dxf", "a.tar.gz",
                             "b.sqlite", "setup.exe"}) {
        const std::string message = detect_error<Unsupported>(name, kZipHead);
        EXPECT_NE(message.find("is not a format the atlas reads"), std::string::npos) << name;
        EXPECT_NE(message.find("zipped Shapefile, GeoPackage, GeoJSON or CSV"), std::string::npos)
            << message;
        EXPECT_NE(message.find(name), std::string::npos) << message;
    }
}

TEST(DetectUploadFormat, ContentThatContradictsTheNameIsRefused) {
    EXPECT_NE(detect_error<Unsupported>("a.zip", "<!DOCTYPE html><html>"), "");
    EXPECT_NE(detect_error<Unsupported>("a.geojson", "<!DOCTYPE html><html>"), "");
    EXPECT_NE(detect_error<Unsupported>("a.geojson", "[1, 2, 3]"), "");
    EXPECT_NE(detect_error<Unsupported>("a.gpkg", kZipHead), "");
    EXPECT_NE(detect_error<Unsupported>("a.shp", kZipHead), "");
    EXPECT_NE(detect_error<Unsupported>("a.csv", kZipHead), "");
    EXPECT_NE(detect_error<Unsupported>("a.csv", std::string("id\0\x01\x02", 5)), "");
    EXPECT_NE(detect_error<Unsupported>("a.csv", ""), "");
    const std::string message = detect_error<Unsupported>("a.zip", "hello");
    EXPECT_NE(message.find("a.zip does not contain what a zip archive"), std::string::npos)
        << message;
}

// ------------------------------------------------------------------------ zip checks

TEST(CheckZip, ASmallZipOfDataFilesPasses) {
    test::TempDir dir;
    auto zip = make_zip(dir, "files", {"haeuser/haeuser.csv", "README.txt"});
    auto listing = geo::check_zip(file_bytes(zip), "haeuser.zip", k_defaults);
    ASSERT_EQ(listing.entries.size(), 2u);
    EXPECT_EQ(listing.entries[0].name, "haeuser/haeuser.csv");
    EXPECT_EQ(listing.unpacked_bytes, 2 * std::string("id,WKT\n1,\"POINT (11.5 50.0)\"\n").size());
    EXPECT_EQ(geo::check_upload_file(zip, "haeuser.zip", k_defaults), UploadFormat::Zip);
}

TEST(CheckZip, ABombIsRefusedFromItsDirectoryWithoutInflating) {
    test::TempDir dir;
    // 600 MiB of zeros in about 600 KB.
    auto zip = make_zip(dir, "bomb", {"600"});
    ASSERT_LT(fs::file_size(zip), 1u << 20);
    const std::string message = zip_error<TooLarge>(zip);
    EXPECT_NE(message.find("unpacks to more than 512 MiB"), std::string::npos) << message;
    // The same archive fits a limit above its size: the sum is the declared one, exactly.
    const geo::ZipLimits roomy{601ull << 20, 1000};
    EXPECT_EQ(geo::check_zip(file_bytes(zip), "bomb.zip", roomy).unpacked_bytes, 600ull << 20);
    EXPECT_THROW(geo::check_upload_file(zip, "bomb.zip", k_defaults), TooLarge);
}

TEST(CheckZip, TooManyEntriesAreRefused) {
    test::TempDir dir;
    auto zip = make_zip(dir, "many", {"2000"});
    const std::string message = zip_error<TooLarge>(zip);
    EXPECT_NE(message.find("more than 1000 files"), std::string::npos) << message;
    EXPECT_EQ(geo::check_zip(file_bytes(zip), "many.zip", {512ull << 20, 2000}).entries.size(),
              2000u);
    EXPECT_NE(zip_error<TooLarge>(zip, {512ull << 20, 1999}), "");
}

TEST(CheckZip, EntriesThatPointOutsideTheArchiveAreRefused) {
    test::TempDir dir;
    for (const char* name : {"../evil.shp", "/etc/evil.csv", "daten/../../evil.csv", "..\\evil.csv",
                             "C:\\evil.csv", "a/b/.."}) {
        auto zip = make_zip(dir, "files", {"ok.csv", name});
        const std::string message = zip_error<InvalidInput>(zip);
        EXPECT_NE(message.find("points outside the archive"), std::string::npos)
            << name << ": " << message;
    }
    // Dots inside names are fine.
    auto zip = make_zip(dir, "files", {"..daten/a..b.csv", "./c.csv"});
    EXPECT_EQ(zip_error<Error>(zip), "");
}

TEST(CheckZip, AnArchiveWithoutDataFilesIsUnsupported) {
    test::TempDir dir;
    auto zip = make_zip(dir, "files", {"plan.pdf", "__MACOSX/._a.csv", "notes.txt"});
    const std::string message = zip_error<Unsupported>(zip);
    EXPECT_NE(message.find("holds no Shapefile, GeoPackage, GeoJSON or CSV"), std::string::npos)
        << message;
}

TEST(CheckZip, DamagedArchivesAreInvalidInput) {
    test::TempDir dir;
    auto zip = make_zip(dir, "files", {"a.csv"});
    std::string bytes = file_bytes(zip);
    EXPECT_THROW(geo::check_zip(bytes.substr(0, bytes.size() - 10), "a.zip", k_defaults),
                 InvalidInput);
    EXPECT_THROW(geo::check_zip(bytes.substr(0, 30), "a.zip", k_defaults), InvalidInput);
    EXPECT_THROW(geo::check_zip("", "a.zip", k_defaults), InvalidInput);
    std::string scrambled = bytes;
    // The signature of the one central directory record (46 bytes + "a.csv", then the end
    // record of 22 bytes).
    scrambled[scrambled.size() - 22 - 51] ^= 0x55;
    EXPECT_THROW(geo::check_zip(scrambled, "a.zip", k_defaults), InvalidInput);
}

TEST(CheckZip, Zip64RecordsAreRead) {
    test::TempDir dir;
    EXPECT_EQ(zip_error<Error>(make_zip(dir, "zip64", {"honest"})), "");
    // 6 GB declared through the 64-bit fields: over the limit although the file is tiny.
    const std::string message = zip_error<TooLarge>(make_zip(dir, "zip64", {"6000000000"}));
    EXPECT_NE(message.find("unpacks to more than"), std::string::npos) << message;
}

TEST(VerifyZipFile, AnEntryLargerThanDeclaredIsCaught) {
    test::TempDir dir;
    auto zip = make_zip(dir, "lying", {});
    // The directory says 1000 bytes: check_zip cannot know better ...
    EXPECT_EQ(zip_error<Error>(zip), "");
    // ... but GDAL would inflate all of it, so reading it through /vsizip/ must stop it.
    try {
        geo::verify_zip_file(zip, "lying.zip", k_defaults);
        ADD_FAILURE() << "verify_zip_file accepted an entry larger than declared";
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("holds more data than the archive says"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_NO_THROW(geo::verify_zip_file(make_zip(dir, "files", {"a.csv"}), "a.zip", k_defaults));
    EXPECT_THROW(geo::verify_zip_file(make_zip(dir, "bomb", {"20"}), "b.zip", {10ull << 20, 10}),
                 TooLarge);
}

TEST(GuardGdalReadLimits, PutsTheGeoJsonObjectLimitBackOnTheCallingThread) {
    geo::ensure_gdal_registered();
    CPLSetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", "0");
    std::string on_job_thread;
    std::thread job([&] {
        geo::guard_gdal_read_limits();
        on_job_thread = CPLGetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", "");
    });
    job.join();
    EXPECT_EQ(on_job_thread, "200");
    EXPECT_STREQ(CPLGetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", ""), "0");  // others untouched
    CPLSetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", nullptr);
    std::thread untouched([&] {
        geo::guard_gdal_read_limits();
        on_job_thread = CPLGetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", "unset");
    });
    untouched.join();
    EXPECT_EQ(on_job_thread, "unset");
}

// ------------------------------------------------------------------------ real files

TEST(CheckZip, RealZippedShapefilesPass) {
    for (const char* name : {"zipped/T8Th4_6n.zip", "zipped/zero-len-line.zip"}) {
        const fs::path zip = test::shared_data(std::string("shapefiles-wild/") + name);
        LEERSTAND_REQUIRE_SHARED(zip);
        EXPECT_EQ(geo::check_upload_file(zip, zip.filename().string(), k_defaults),
                  UploadFormat::Zip)
            << name;
        EXPECT_NO_THROW(geo::verify_zip_file(zip, zip.filename().string(), k_defaults)) << name;
    }
    const fs::path koeln =
        test::shared_data("shapefiles-wild/koeln_2013_cp1252_ldid57_utm32_fe2500000");
    LEERSTAND_REQUIRE_SHARED(koeln);
    test::TempDir dir;
    std::vector<std::string> parts;
    for (const auto& file : fs::directory_iterator(koeln))
        if (file.path().stem() == "Stadtteil") parts.push_back(file.path().string());
    auto zip = make_zip(dir, "folder", parts);
    auto listing = geo::check_zip(file_bytes(zip), "koeln.zip", k_defaults);
    EXPECT_EQ(listing.entries.size(), 6u);  // .shp .shx .dbf .prj .sbn .sbx
    std::uint64_t on_disk = 0;
    for (const auto& part : parts) on_disk += fs::file_size(part);
    EXPECT_EQ(listing.unpacked_bytes, on_disk);
    EXPECT_NO_THROW(geo::verify_zip_file(zip, "koeln.zip", k_defaults));
}

TEST(CheckUploadFile, RealFilesOfEveryFormatAreRecognised) {
    const fs::path gpkg = test::shared_data("buildings/osm_lauf_pegnitz_2020_buildings_utm32.gpkg");
    const fs::path geojson =
        test::shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    const fs::path shp =
        test::shared_data("shapefiles-wild/koeln_2013_cp1252_ldid57_utm32_fe2500000/Stadtteil.shp");
    const fs::path csv =
        test::shared_data("buildings/osm_bayreuth_nord_2014_buildings_counts_by_vg5000_gem.csv");
    for (const auto& path : {gpkg, geojson, shp, csv}) LEERSTAND_REQUIRE_SHARED(path);
    EXPECT_EQ(geo::check_upload_file(gpkg, gpkg.filename(), k_defaults), UploadFormat::GeoPackage);
    EXPECT_EQ(geo::check_upload_file(geojson, geojson.filename(), k_defaults),
              UploadFormat::GeoJson);
    EXPECT_EQ(geo::check_upload_file(shp, shp.filename(), k_defaults), UploadFormat::Shapefile);
    EXPECT_EQ(geo::check_upload_file(csv, csv.filename(), k_defaults), UploadFormat::Csv);
    // A GeoPackage renamed to .geojson is not trusted.
    EXPECT_THROW(geo::check_upload_file(gpkg, "gebaeude.geojson", k_defaults), Unsupported);
}

}  // namespace
