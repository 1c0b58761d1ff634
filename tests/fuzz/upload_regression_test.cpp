// Hostile uploads through the same function the fuzzer calls (upload_fuzz_entry.hpp): every
// file of tests/fixtures/fuzz-regressions (made by make_inputs.py there, or found by
// scripts/fuzz/run) is read or refused with one of our errors, within this process. A crash,
// a sanitizer report, a foreign exception or a broken promise of the reader (a feature with
// coordinates outside lon/lat, NaN included) fails the test. The named traps also have their
// one right outcome checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/fuzz/upload_fuzz_entry.hpp"
#include "tests/support/test_support.hpp"

using leerstand::fuzz::read_upload_for_fuzzing;
using leerstand::fuzz::stored_zip;
using leerstand::fuzz::UploadOutcome;

namespace fs = std::filesystem;

namespace {

// Selector bytes (byte 0 of an input), as upload_fuzz_entry.hpp defines them.
constexpr char k_zip = 0, kGeoJson = 1, kShapefileParts = 4, kNamedEntries = 7;
constexpr char k_points = 8;

const char* const k_good_csv =
    "id,WKT\n1,\"POLYGON ((13.99 53.015, 13.9903 53.015, 13.9903 53.0152, 13.99 53.015))\"\n";

fs::path regressions() {
    return leerstand::test::fixture("fuzz-regressions");
}

/// The inputs of the folder: everything but the script and notes that made them.
std::vector<std::string> regression_inputs() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(regressions())) {
        const std::string ext = entry.path().extension().string();
        if (entry.is_regular_file() && ext != ".py" && ext != ".md")
            names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

UploadOutcome read_input(const std::string& bytes) {
    return read_upload_for_fuzzing(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                   bytes.size());
}

UploadOutcome read_file(const std::string& name) {
    const fs::path path = regressions() / name;
    const std::string bytes = leerstand::test::file_bytes(path);
    if (bytes.empty()) ADD_FAILURE() << "cannot read " << path;
    return read_input(bytes);
}

/// "InvalidInput: ..." or "read 3, usable 1, rejected: no geometry 2" for messages.
std::string describe(const UploadOutcome& out) {
    if (out.refused()) return out.error_type + ": " + out.message;
    std::string text = "read " + std::to_string(out.read) + ", usable " +
                       std::to_string(out.usable) + ", rejected:";
    for (const auto& [reason, count] : out.rejected_by_reason)
        text += " " + reason + " " + std::to_string(count) + ";";
    return text;
}

std::string with_selector(char selector, const std::string& content) {
    return std::string(1, selector) + content;
}

/// A GeoJSON polygon of `points` points on an ellipse of 1.3 km × 1.3 km near Angermünde
/// (generated, not kept: 24 MB for a million points).
std::string circle_geojson(std::size_t points) {
    return R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
           R"("geometry":{"type":"Polygon","coordinates":[)" +
           leerstand::test::ellipse_ring_geojson(13.99, 53.015, 0.01, 0.006, points) + "]}}]}";
}

void put_u32(std::string& out, std::size_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

}  // namespace

class FuzzRegression : public testing::TestWithParam<std::string> {};

TEST_P(FuzzRegression, IsReadOrRefusedWithOneOfOurErrors) {
    const UploadOutcome out = read_file(GetParam());
    SCOPED_TRACE(describe(out));
    if (out.refused()) {
        // A refusal the user can act on; InternalError would be a 500 for a bad file.
        EXPECT_NE(out.error_type, "InternalError");
        EXPECT_NE(out.error_type, "Error");
        EXPECT_FALSE(out.message.empty());
        return;
    }
    long long rejected = 0;
    for (const auto& [reason, count] : out.rejected_by_reason) rejected += count;
    EXPECT_EQ(out.usable + rejected, out.read);
}

INSTANTIATE_TEST_SUITE_P(Inputs, FuzzRegression, testing::ValuesIn(regression_inputs()),
                         [](const testing::TestParamInfo<std::string>& test_info) {
                             std::string name = test_info.param;
                             for (char& c : name)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return name;
                         });

TEST(HostileZip, EntriesOutsideTheArchiveAreRefusedByName) {
    UploadOutcome out = read_file("zip-dotdot-entry.fuzz");
    EXPECT_EQ(out.error_type, "InvalidInput") << describe(out);
    EXPECT_NE(out.message.find("'../../outside/buildings.csv'"), std::string::npos) << out.message;
    out = read_file("zip-absolute-entry.fuzz");
    EXPECT_EQ(out.error_type, "InvalidInput") << describe(out);
    EXPECT_NE(out.message.find("'/tmp/buildings.csv'"), std::string::npos) << out.message;
}

TEST(HostileZip, BombsAreRefusedBeforeTheImportInflatesThem) {
    // Overlapping entries claim 640 MiB: refused from the directory alone.
    UploadOutcome out = read_file("zip-bomb-overlapping.fuzz");
    EXPECT_EQ(out.error_type, "TooLarge") << describe(out);
    // An entry that declares 1000 bytes and inflates to 32 MiB: caught while verifying.
    out = read_file("zip-bomb-lying-size.fuzz");
    EXPECT_EQ(out.error_type, "InvalidInput") << describe(out);
    EXPECT_NE(out.message.find("the entry 'rows.csv' holds more data than the archive says"),
              std::string::npos)
        << out.message;
    // The same under a CP437 name, which GDAL lists as UTF-8: it used to pass the check and
    // be read in full (1.3 million features from a 80 KB upload).
    out = read_file("zip-bomb-lying-size-cp437-name.fuzz");
    EXPECT_EQ(out.error_type, "InvalidInput") << describe(out);
    EXPECT_NE(out.message.find("the entry 'Geb\u00e4ude.csv' holds more data"), std::string::npos)
        << out.message;
    out = read_file("zip-too-many-entries.fuzz");
    EXPECT_EQ(out.error_type, "TooLarge") << describe(out);
}

TEST(HostileShapefile, AbsurdCountsInHeadersAreRefusedOrRejected) {
    UploadOutcome out = read_file("shp-absurd-record-count.fuzz");
    EXPECT_EQ(out.error_type, "InvalidInput") << describe(out);
    EXPECT_NE(out.message.find("announces 4294967295 records"), std::string::npos) << out.message;
    // 2^31-1 parts and points claimed in one small record: that feature has no geometry.
    out = read_file("shp-absurd-part-and-point-counts.fuzz");
    EXPECT_FALSE(out.refused()) << describe(out);
    EXPECT_EQ(out.read, 1);
    EXPECT_EQ(out.usable, 0);
    out = read_file("shp-header-lengths-absurd.fuzz");
    EXPECT_EQ(out.error_type, "InvalidInput") << describe(out);
}

TEST(HostileCoordinates, NonFiniteAndHugeCoordinatesAreRejectedPerFeature) {
    // GeoJSON: 1e308, -1e308, NaN and Infinity in longitude or latitude, one good square.
    UploadOutcome out = read_file("geojson-non-finite-coordinates.fuzz");
    ASSERT_FALSE(out.refused()) << describe(out);
    EXPECT_EQ(out.read, 10);
    EXPECT_EQ(out.usable, 1);
    EXPECT_EQ(out.rejected_by_reason["invalid coordinates"], 9) << describe(out);

    out = read_file("geojson-points-non-finite.fuzz");
    ASSERT_FALSE(out.refused()) << describe(out);
    EXPECT_TRUE(out.points);
    EXPECT_EQ(out.read, 6);
    EXPECT_EQ(out.usable, 1) << describe(out);

    // A CSV has no CRS: the good row decides it, although 1e308 and inf widen the extent
    // beyond every candidate (the whole file used to be refused for them).
    out = read_file("csv-points-non-finite.fuzz");
    ASSERT_FALSE(out.refused()) << describe(out);
    EXPECT_EQ(out.read, 7);
    EXPECT_EQ(out.usable, 1) << describe(out);
    EXPECT_EQ(out.rejected_by_reason["invalid coordinates"], 2) << describe(out);

    out = read_file("csv-wkt-garbage.fuzz");
    ASSERT_FALSE(out.refused()) << describe(out);
    EXPECT_EQ(out.usable, 1) << describe(out);
    EXPECT_EQ(out.rejected_by_reason["invalid coordinates"], 2) << describe(out);
}

TEST(HostileGeometry, ARingOverlappingItselfIsRejectedBeforeAnyRepair) {
    // 250,001 vertices round one square: GEOS would take hours and terabytes to repair it. A
    // building footprint is refused by its vertex count before GEOS sees it (boundaries, which
    // have no such limit, meet the work budget: footprint_test.cpp).
    UploadOutcome out = read_file("zip-geojson-ring-250k-vertices-overlapping-itself.fuzz");
    ASSERT_FALSE(out.refused()) << describe(out);
    EXPECT_EQ(out.read, 1);
    EXPECT_EQ(out.rejected_by_reason["more than 10000 vertices"], 1) << describe(out);
}

TEST(HostileGeometry, AMillionVerticesAreRejectedTwoMillionRefused) {
    // A valid footprint of a million points is read and rejected by its vertex count; one of
    // two million is over GDAL's limit for one GeoJSON object (OGR_GEOJSON_MAX_OBJ_SIZE, 200 MB
    // in memory, which guard_gdal_read_limits keeps on): refused, not read into gigabytes.
    UploadOutcome out = read_input(with_selector(kGeoJson, circle_geojson(1'000'000)));
    ASSERT_FALSE(out.refused()) << describe(out);
    EXPECT_EQ(out.read, 1);
    EXPECT_EQ(out.rejected_by_reason["more than 10000 vertices"], 1) << describe(out);
    out = read_input(with_selector(kGeoJson, circle_geojson(2'000'000)));
    EXPECT_EQ(out.error_type, "InvalidInput") << describe(out);
}

TEST(HostileGeoPackage, TruncatedOrLyingFilesAreRefusedOrRejected) {
    UploadOutcome out = read_file("gpkg-truncated.fuzz");
    EXPECT_EQ(out.error_type, "InvalidInput") << describe(out);
    // feature_count 2^63-1 in gpkg_ogr_contents, one blob claiming 2^31-1 rings.
    out = read_file("gpkg-absurd-counts.fuzz");
    ASSERT_FALSE(out.refused()) << describe(out);
    EXPECT_EQ(out.read, 50);
    EXPECT_EQ(out.usable, 49);
}

TEST(FuzzEntry, PackagingModesReachTheReader) {
    // The zip modes the fuzzer mutates must open real data, or it fuzzes only refusals.
    UploadOutcome out = read_input(with_selector(k_zip, stored_zip({{"a.csv", k_good_csv}})));
    EXPECT_EQ(out.usable, 1) << describe(out);
    std::string named;
    named.push_back(5);
    named += "b.csv";
    put_u32(named, std::string(k_good_csv).size());
    named += k_good_csv;
    out = read_input(with_selector(kNamedEntries, named));
    EXPECT_EQ(out.usable, 1) << describe(out);
    out = read_input(with_selector(static_cast<char>(kNamedEntries | k_points), named));
    EXPECT_TRUE(out.points);
    EXPECT_EQ(out.rejected_by_reason["not a point (Polygon)"], 1) << describe(out);
}

TEST(FuzzEntry, WildShapefilesAsPartsAreReadOrRefused) {
    const fs::path wild = leerstand::test::shared_data("shapefiles-wild");
    LEERSTAND_REQUIRE_SHARED(wild);
    long long usable = 0;
    int shapefiles = 0;
    for (const auto& entry : fs::recursive_directory_iterator(wild)) {
        if (entry.path().extension() != ".shp") continue;
        // Mode 4: u32 lengths of .shp, .shx, .dbf, .prj, the parts, then the .cpg.
        std::string lengths, parts;
        for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg"}) {
            fs::path part = entry.path();
            part.replace_extension(ext);
            const std::string bytes = fs::exists(part) ? leerstand::test::file_bytes(part) : "";
            if (std::string(ext) != ".cpg") put_u32(lengths, bytes.size());
            parts += bytes;
        }
        const UploadOutcome out = read_input(with_selector(kShapefileParts, lengths + parts));
        SCOPED_TRACE(entry.path().string() + ": " + describe(out));
        EXPECT_NE(out.error_type, "InternalError");
        usable += out.usable;
        ++shapefiles;
    }
    EXPECT_GT(shapefiles, 10);
    EXPECT_GT(usable, 100);  // most of them are fine: the packaging works
}
