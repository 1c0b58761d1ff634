// Uploads as the HTTP layer runs them: UploadJobs on a real SpatiaLite store holding every
// VG5000 Gemeinde, fed with the real files of ../shared/data. Each report must equal what the
// real `leerstand import --json` says about the same file; refused and failed uploads must
// leave the store exactly as it was.
#include "server/services/upload_jobs.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "data/store.hpp"
#include "tests/cli/cli_support.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::services {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::file_bytes;
using test::shared_data;

const std::string k_bindlach = "09472119";
const std::string k_koeln = "05315000";

Caller editor_of(const std::string& ags, const std::string& name = "eva") {
    return Caller{Role::Editor, 7, name, {ags}};
}
const Caller k_admin{Role::Admin, 1, "admin", {}};
const Caller k_planner_everywhere{Role::Planner, 2, "paul", {}};

/// Zips `files` flat (as `zip -j` would) into `zip` with python3's zipfile; with
/// `corrupt_suffix`, 64 bytes at 60 % of that entry's compressed data are flipped afterwards.
void zip_files(const fs::path& zip, const std::vector<fs::path>& files,
               const std::string& corrupt_suffix = {}) {
    static const char* const k_script = R"py(
import os, sys, zipfile
out, corrupt, files = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for f in files:
        z.write(f, os.path.basename(f))
if corrupt:
    data = bytearray(open(out, 'rb').read())
    with zipfile.ZipFile(out) as z:
        info = [i for i in z.infolist() if i.filename.endswith(corrupt)][0]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    pos = start + int(info.compress_size * 0.6)
    for k in range(64):
        data[pos + k] ^= 0xA5
    open(out, 'wb').write(data)
)py";
    std::vector<std::string> args{"python3", "-c", k_script, zip.string(), corrupt_suffix};
    for (const auto& file : files) args.push_back(file.string());
    const auto result = test::run_command(args);
    ASSERT_EQ(result.exit_code, 0) << result.err;
}

/// The parts of a shapefile: every file in `folder` whose stem is `stem`.
std::vector<fs::path> shapefile_parts(const fs::path& folder, const std::string& stem) {
    std::vector<fs::path> parts;
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.path().stem() == stem) parts.push_back(entry.path());
    std::sort(parts.begin(), parts.end());
    return parts;
}

/// The report without what differs between two runs of the same import.
json comparable(json report) {
    report.erase("seconds");
    report.erase("upload_id");
    return report;
}

/// A fresh store with every VG5000 Gemeinde, an UploadJobs on it, and helpers to wait for jobs
/// and to look at the store.
class UploadJobsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const fs::path gemeinden = shared_data("kommunen/vg5000_2021/VG5000_GEM.shp");
        if (!fs::exists(gemeinden))
            GTEST_SKIP() << "shared test data not found: " << gemeinden.string();
        m_db = test::vg5000_database(m_dir);
        m_work = m_dir / "work";
        m_jobs = std::make_unique<UploadJobs>(m_db, m_work, m_limits);
    }

    /// Polls status() until the job is done or failed (generous: the machine is shared).
    json wait_for(std::int64_t id, const Caller& caller) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
        json status;
        std::int64_t last_done = 0;
        while (std::chrono::steady_clock::now() < deadline) {
            status = m_jobs->status(id, caller);
            const std::string state = status["state"];
            if (state == "done" || state == "failed") return status;
            EXPECT_TRUE(state == "queued" || state == "running") << status.dump();
            const std::int64_t done = status["progress"]["done"];
            EXPECT_GE(done, last_done) << "progress went backwards";
            last_done = done;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ADD_FAILURE() << "upload " << id << " did not finish: " << status.dump();
        return status;
    }

    std::int64_t submit_file(const fs::path& file, const std::string& kommune, const Caller& caller,
                             const std::string& mode = "append",
                             const std::string& layer = "buildings") {
        UploadRequest request;
        request.file_name = file.filename().string();
        const std::string content = file_bytes(file);
        request.content = content;
        request.kommune = kommune;
        request.layer = layer;
        request.mode = mode;
        return m_jobs->submit(std::move(request), caller);
    }

    /// As a client honouring 503 + Retry-After would: while a running import holds the write
    /// lock past the busy timeout (slow machines, sanitizer builds), queuing waits and retries.
    std::int64_t submit_when_free(const fs::path& file, const std::string& kommune,
                                  const Caller& caller) {
        for (int attempt = 1;; ++attempt) {
            try {
                return submit_file(file, kommune, caller);
            } catch (const StorageBusy&) {
                if (attempt == 10) throw;
                std::this_thread::sleep_for(std::chrono::seconds(2));
            }
        }
    }

    /// What the real CLI reports for the same file and Kommune, on its own copy of the store.
    json cli_report(const fs::path& file, const std::string& kommune) {
        test::TempDir dir;
        const fs::path db = test::vg5000_database(dir);
        int exit_code = -1;
        json report = test::import_json(
            {"import", file.string(), "--db", db.string(), "--kommune", kommune}, exit_code);
        EXPECT_EQ(exit_code, report.value("stored", 0) > 0 ? 0 : 3) << report.dump();
        return report;
    }

    /// Everything a failed upload must not touch, as one comparable string.
    std::string snapshot() {
        return test::sql(m_db,
                         "SELECT count(*), total(id), total(area_m2), group_concat(kommune_ags), "
                         "group_concat(source_ref) FROM (SELECT * FROM buildings ORDER BY id);"
                         "SELECT count(*), group_concat(ags) FROM kommunen;"
                         "SELECT group_concat(id || state || stored) FROM uploads WHERE state = "
                         "'done';");
    }

    bool work_dir_empty() const { return fs::is_empty(m_work); }

    test::TempDir m_dir;
    fs::path m_db, m_work;
    UploadLimits m_limits;
    std::unique_ptr<UploadJobs> m_jobs;
};

// ------------------------------------------------------------------------ real files vs. CLI

struct RealFile {
    const char* name;    // test name
    const char* folder;  // below shared/data
    const char* stem;    // shapefile to zip; "" = upload the file in `folder` as it is
    const char* kommune;
    long long stored;  // expected, from SOURCES.md and the CLI tests
};

void PrintTo(const RealFile& c, std::ostream* os) {
    *os << c.name;
}

class RealUploads : public UploadJobsTest, public ::testing::WithParamInterface<RealFile> {};

TEST_P(RealUploads, ReportEqualsTheCliImportOfTheSameFile) {
    const RealFile& c = GetParam();
    const fs::path source = shared_data(c.folder);
    LEERSTAND_REQUIRE_SHARED(source);
    fs::path file = source;
    if (*c.stem) {
        file = m_dir / (std::string(c.stem) + ".zip");
        zip_files(file, shapefile_parts(source, c.stem));
    }
    const Caller editor = editor_of(c.kommune);
    const std::int64_t id = submit_file(file, c.kommune, editor);
    const json status = wait_for(id, editor);
    const json expected = cli_report(file, c.kommune);

    ASSERT_TRUE(status.contains("report")) << status.dump();
    const json& report = status["report"];
    EXPECT_EQ(comparable(report), comparable(expected));
    EXPECT_EQ(report["stored"], c.stored);
    EXPECT_EQ(report["file"], file.filename().string());  // the client's name, not the temp one
    EXPECT_EQ(report["upload_id"], id);
    EXPECT_EQ(status["id"], id);
    EXPECT_EQ(status["state"], c.stored > 0 ? "done" : "failed");
    EXPECT_EQ(status["file_name"], file.filename().string());
    EXPECT_EQ(status["kommune"], c.kommune);
    EXPECT_EQ(status["layer"], "buildings");
    EXPECT_EQ(status["progress"]["done"], report["read"]);
    EXPECT_EQ(status["progress"]["total"], report["read"]);
    EXPECT_EQ(status.contains("error"), c.stored == 0) << status.dump();
    if (c.stored == 0) {
        // A code and the count for the client's own sentence ("none of the N features").
        EXPECT_EQ(status["error_code"], "nothing_stored") << status.dump();
        EXPECT_EQ(status["error_values"]["read"], report["read"]) << status.dump();
    }

    data::Store store(m_db);
    EXPECT_EQ(store.counts().buildings, c.stored);
    const auto row = store.upload(id);
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->user, "eva");
    EXPECT_EQ(row->file_name, file.filename().string());
    EXPECT_EQ(row->kommune_ags, c.kommune);
    EXPECT_EQ(row->mode, "append");
    EXPECT_TRUE(work_dir_empty()) << "the uploaded file was not deleted";
}

INSTANTIATE_TEST_SUITE_P(
    SharedData, RealUploads,
    ::testing::Values(
        // Köln: CP1252 by LDID only, hand-made UTM 32N with 2,500,000 m false easting.
        RealFile{"KoelnStadtbezirk", "shapefiles-wild/koeln_2013_cp1252_ldid57_utm32_fe2500000",
                 "Stadtbezirk", "05315000", 9},
        RealFile{"KoelnStadtteil", "shapefiles-wild/koeln_2013_cp1252_ldid57_utm32_fe2500000",
                 "Stadtteil", "05315000", 86},
        RealFile{"KoelnStadtviertel", "shapefiles-wild/koeln_2013_cp1252_ldid57_utm32_fe2500000",
                 "Stadtviertel", "05315000", 371},
        // VG5000 Gemeinden re-packaged: only the one of the chosen Kommune is inside it.
        RealFile{"Vg5000BbSn", "shapefiles-wild/vg5000_bb_sn_landkreise_cp1252_utm33",
                 "vg5000_bb_sn_landkreise_cp1252_utm33", "12062224", 1},
        RealFile{"Vg5000Erzgebirge", "shapefiles-wild/vg5000_erzgebirgskreis_latin1_gk4",
                 "vg5000_erzgebirgskreis_latin1_gk4", "14521410", 1},
        RealFile{"Vg5000Wunsiedel", "shapefiles-wild/vg5000_wunsiedel_cp1252_undeclared_noprj",
                 "vg5000_wunsiedel_cp1252_undeclared_noprj", "09479169", 1},
        // Polygons far from Germany: the wrong Kommune for all of them, so the upload fails.
        RealFile{"BlockgroupsSanFrancisco", "shapefiles-wild/pyshp_blockgroups_noprj",
                 "blockgroups", "09472119", 0},
        RealFile{"PolygonZAustria", "shapefiles-wild/pyshp_rel_polygonz_mgi_austria",
                 "releaseArea20090407", "09472119", 0},
        RealFile{"LgaNullShapes", "shapefiles-wild/sjs_lga2013_null_shapes", "LGA_2013_AUST",
                 "09472119", 0},
        // Real footprints (SOURCES.md: 1,605 in Bindlach, 6,109 in Lauf by the GEOS oracle).
        RealFile{"BayreuthNordUtm32Shapefile", "buildings/osm_bayreuth_nord_2014_buildings_utm32",
                 "osm_bayreuth_nord_2014_buildings_utm32", "09472119", 1605},
        RealFile{"BayreuthNordGeoJson", "buildings/osm_bayreuth_nord_2014_buildings.geojson", "",
                 "09472119", 1605},
        RealFile{"LaufGeoPackage", "buildings/osm_lauf_pegnitz_2020_buildings_utm32.gpkg", "",
                 "09574138", 6109}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

// ------------------------------------------------------------------------ refusals at submit

TEST_F(UploadJobsTest, RefusalsComeAtOnceAndLeaveNoTrace) {
    const fs::path geojson = shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(geojson);
    const std::string before = snapshot();
    const auto uploads_before = data::Store(m_db).counts().uploads;

    const std::string bytes = file_bytes(geojson);
    const auto request = [&](auto&& change) {
        UploadRequest r;
        r.file_name = "gebaeude.geojson";
        r.content = bytes;
        r.kommune = k_bindlach;
        r.layer = "buildings";
        change(r);
        return r;
    };
    const auto nothing = [](UploadRequest&) {};
    const Caller editor = editor_of(k_bindlach);

    // Who may upload.
    EXPECT_THROW(m_jobs->submit(request(nothing), Caller::anonymous()), Unauthenticated);
    EXPECT_THROW(m_jobs->submit(request(nothing), editor_of(k_koeln)), Forbidden);
    EXPECT_THROW(m_jobs->submit(request(nothing), k_planner_everywhere), Forbidden);
    EXPECT_THROW(m_jobs->submit(request([](auto& r) { r.layer = "kommunen"; }), editor), Forbidden);

    // What may be uploaded; field errors name the field.
    const auto field_of = [&](UploadRequest r, const Caller& caller) -> std::string {
        try {
            m_jobs->submit(std::move(r), caller);
        } catch (const InvalidInput& e) {
            return e.extensions()["errors"][0]["field"];
        }
        return "(accepted)";
    };
    EXPECT_EQ(field_of(request([](auto& r) { r.layer = "zukunftsorte"; }), editor), "layer");
    EXPECT_EQ(field_of(request([](auto& r) { r.mode = "merge"; }), editor), "mode");
    EXPECT_EQ(field_of(request([](auto& r) { r.kommune = "99999999"; }), k_admin), "kommune");
    EXPECT_EQ(field_of(request([](auto& r) { r.kommune = ""; }), k_admin), "kommune");
    EXPECT_EQ(field_of(request([](auto& r) { r.encoding = "klingon"; }), editor), "encoding");
    EXPECT_EQ(field_of(request([](auto& r) { r.content = {}; }), editor), "file");
    EXPECT_EQ(field_of(request([](auto& r) { r.file_name = "geb\xe4ude.geojson"; }), editor),
              "file");  // Latin-1, not UTF-8
    EXPECT_EQ(field_of(request([](auto& r) { r.file_name = "../gebaeude.geojson"; }), editor),
              "file");
    const std::string shp_header = std::string("\x00\x00\x27\x0a", 4) + std::string(96, '\0');
    EXPECT_EQ(field_of(request([&](auto& r) {
                           r.file_name = "haus.shp";
                           r.content = shp_header;
                       }),
                       editor),
              "file");
    // Each with its stable code; a damaged zip is the file's fault, not a field's.
    const auto code_of = [&](UploadRequest r, const Caller& caller) -> std::string {
        try {
            m_jobs->submit(std::move(r), caller);
        } catch (const InvalidInput& e) {
            const auto& errors = e.extensions().value("errors", nlohmann::json::array());
            return errors.empty() ? e.code() : e.code() + "/" + errors[0].value("code", "");
        }
        return "(accepted)";
    };
    EXPECT_EQ(code_of(request([](auto& r) { r.layer = "zukunftsorte"; }), editor),
              "invalid_fields/not_one_of");
    EXPECT_EQ(code_of(request([](auto& r) { r.mode = "merge"; }), editor),
              "invalid_fields/not_one_of");
    EXPECT_EQ(code_of(request([](auto& r) { r.kommune = "99999999"; }), k_admin),
              "invalid_fields/unknown_kommune");
    EXPECT_EQ(code_of(request([](auto& r) { r.kommune = "9999x"; }), k_admin),
              "invalid_fields/not_an_ags");
    EXPECT_EQ(code_of(request([](auto& r) { r.kommune = ""; }), k_admin),
              "invalid_fields/required");
    EXPECT_EQ(code_of(request([](auto& r) { r.encoding = "klingon"; }), editor),
              "invalid_fields/not_one_of");
    EXPECT_EQ(code_of(request([](auto& r) { r.srs = 0; }), editor), "invalid_fields/invalid_value");
    EXPECT_EQ(code_of(request([](auto& r) { r.content = {}; }), editor), "invalid_fields/required");
    EXPECT_EQ(code_of(request([](auto& r) { r.file_name = "../gebaeude.geojson"; }), editor),
              "invalid_fields/invalid_value");
    EXPECT_EQ(code_of(request([&](auto& r) {
                          r.file_name = "haus.shp";
                          r.content = shp_header;
                      }),
                      editor),
              "invalid_fields/incomplete_shapefile");
    const std::string damaged_zip = std::string("PK\x03\x04", 4) + std::string(200, 'x');
    EXPECT_EQ(code_of(request([&](auto& r) {
                          r.file_name = "gebaeude.zip";
                          r.content = damaged_zip;  // a view
                      }),
                      editor),
              "unreadable_upload");

    // Formats and sizes.
    EXPECT_THROW(m_jobs->submit(request([](auto& r) { r.file_name = "plan.pdf"; }), editor),
                 Unsupported);
    EXPECT_THROW(m_jobs->submit(request([](auto& r) { r.file_name = "gebaeude.zip"; }), editor),
                 Unsupported);
    {
        // 5 MiB of zeros against a 1 MiB limit (the 600 MiB bomb is in archive_check_test):
        // refused from the zip's directory, before anything inflates.
        const fs::path bomb = m_dir / "bomb.zip";
        const auto result = test::run_command(
            {"python3", "-c",
             "import sys, zipfile\n"
             "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n"
             "    z.writestr('zeros.csv', bytes(5 << 20))\n",
             bomb.string()});
        ASSERT_EQ(result.exit_code, 0) << result.err;
        UploadJobs small(m_db, m_work, UploadLimits{64ull << 20, 1ull << 20, 1000});
        const std::string bomb_bytes = file_bytes(bomb);
        EXPECT_THROW(small.submit(request([&](auto& r) {
                                      r.file_name = "bomb.zip";
                                      r.content = bomb_bytes;
                                  }),
                                  editor),
                     TooLarge);
    }
    const fs::path evil = m_dir / "evil.zip";
    ASSERT_EQ(test::run_command({"python3", "-c",
                                 "import sys, zipfile\n"
                                 "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
                                 "    z.writestr('../evil.csv', 'lon,lat\\n11.6,50.0\\n')\n",
                                 evil.string()})
                  .exit_code,
              0);
    const std::string evil_bytes = file_bytes(evil);
    EXPECT_THROW(m_jobs->submit(request([&](auto& r) {
                                    r.file_name = "evil.zip";
                                    r.content = evil_bytes;
                                }),
                                editor),
                 InvalidInput);
    {
        UploadJobs small(m_db, m_work, UploadLimits{1000, 512ull << 20, 1000});
        EXPECT_THROW(small.submit(request(nothing), editor), TooLarge);
    }

    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(data::Store(m_db).counts().uploads, uploads_before);
    EXPECT_TRUE(work_dir_empty());
}

// ------------------------------------------------------------------------ failed uploads

TEST_F(UploadJobsTest, FailedUploadsChangeNothing) {
    const fs::path geojson = shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    const fs::path utm32 = shared_data("buildings/osm_bayreuth_nord_2014_buildings_utm32");
    const fs::path blockgroups = shared_data("shapefiles-wild/pyshp_blockgroups_noprj");
    for (const auto& path : {geojson, utm32, blockgroups}) LEERSTAND_REQUIRE_SHARED(path);
    const Caller editor = editor_of(k_bindlach);
    ASSERT_EQ(wait_for(submit_file(geojson, k_bindlach, editor), editor)["state"], "done");
    const std::string before = snapshot();

    // 1. The .dbf inside the zip breaks after thousands of features have been written: the
    //    import stops halfway, in replace mode, and must roll all of it back.
    const fs::path corrupt = m_dir / "gebaeude.zip";
    zip_files(corrupt, shapefile_parts(utm32, "osm_bayreuth_nord_2014_buildings_utm32"), ".dbf");
    json status = wait_for(submit_file(corrupt, k_bindlach, editor, "replace"), editor);
    EXPECT_EQ(status["state"], "failed");
    const std::string error = status.value("error", "");
    std::smatch match;
    ASSERT_TRUE(
        std::regex_search(error, match, std::regex("reading stopped after (\\d+) features")))
        << status.dump();
    // More than one batch of the import (2048 buildings) had been handed to the store.
    EXPECT_GT(std::stoll(match[1]), 2048) << error;
    EXPECT_EQ(status["error_code"], "damaged_file") << status.dump();
    EXPECT_EQ(status["error_values"]["file"], "gebaeude.zip") << status.dump();
    EXPECT_EQ(status["report"]["stored"], 0);
    EXPECT_EQ(snapshot(), before);

    // 2. The wrong Kommune: every feature outside Bindlach. Replace must not delete anything.
    const fs::path outside = m_dir / "blockgroups.zip";
    zip_files(outside, shapefile_parts(blockgroups, "blockgroups"));
    status = wait_for(submit_file(outside, k_bindlach, editor, "replace"), editor);
    EXPECT_EQ(status["state"], "failed");
    EXPECT_EQ(status["report"]["rejected_by_reason"]["outside Kommune 09472119"], 663);
    EXPECT_EQ(status["error_code"], "nothing_stored") << status.dump();
    EXPECT_EQ(status["error_values"]["read"], 663) << status.dump();
    EXPECT_EQ(snapshot(), before);

    // 3. Not readable at all, though it starts like JSON.
    const fs::path broken = m_dir / "kaputt.geojson";
    std::ofstream(broken) << "{ \"type\": \"FeatureCollection\", \"features\": [ {";
    status = wait_for(submit_file(broken, k_bindlach, editor), editor);
    EXPECT_EQ(status["state"], "failed");
    EXPECT_NE(status.value("error", ""), "");
    EXPECT_EQ(status["error_code"], "not_geodata") << status.dump();
    EXPECT_EQ(status["error_values"]["file"], "kaputt.geojson") << status.dump();
    EXPECT_EQ(status["report"]["file"], "kaputt.geojson");
    EXPECT_EQ(snapshot(), before);

    // Each attempt is on record as failed, with the client's file name: the VG5000 import,
    // the good upload and the three failures.
    data::Store store(m_db);
    EXPECT_EQ(store.counts().uploads, 5);
    EXPECT_EQ(test::sql(m_db,
                        "SELECT group_concat(file_name, ',') FROM uploads WHERE state = "
                        "'failed' ORDER BY id"),
              "gebaeude.zip,blockgroups.zip,kaputt.geojson");
    EXPECT_TRUE(work_dir_empty());
}

TEST_F(UploadJobsTest, ReplaceModeReplacesTheKommunesEarlierBuildings) {
    const fs::path geojson = shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(geojson);
    const Caller editor = editor_of(k_bindlach);
    for (const char* mode : {"append", "append"})
        ASSERT_EQ(wait_for(submit_file(geojson, k_bindlach, editor, mode), editor)["state"],
                  "done");
    EXPECT_EQ(data::Store(m_db).counts().buildings, 2 * 1605);
    const std::int64_t id = submit_file(geojson, k_bindlach, editor, "replace");
    const json status = wait_for(id, editor);
    EXPECT_EQ(status["report"]["mode"], "replace");
    EXPECT_EQ(data::Store(m_db).counts().buildings, 1605);
    EXPECT_EQ(test::sql_count(
                  m_db, "SELECT count(*) FROM buildings WHERE upload_id = " + std::to_string(id)),
              1605);
}

// ------------------------------------------------------------------------ status and access

TEST_F(UploadJobsTest, StatusIsForSignedInUsersInScope) {
    const fs::path geojson = shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(geojson);
    const Caller editor = editor_of(k_bindlach);
    const std::int64_t id = submit_file(geojson, k_bindlach, editor);
    // Access is checked while the job waits or runs just as afterwards.
    EXPECT_THROW(m_jobs->status(id, Caller::anonymous()), Unauthenticated);
    EXPECT_THROW(m_jobs->status(id, editor_of(k_koeln)),
                 NotFound);  // as unknown as a missing upload
    wait_for(id, editor);

    EXPECT_THROW(m_jobs->status(id, Caller::anonymous()), Unauthenticated);
    EXPECT_THROW(m_jobs->status(id, editor_of(k_koeln)), NotFound);
    EXPECT_THROW(m_jobs->status(id, Caller{Role::Planner, 3, "pia", {"09479"}}), NotFound);
    EXPECT_EQ(m_jobs->status(id, Caller{Role::Planner, 3, "pia", {"09472"}})["state"], "done");
    EXPECT_EQ(m_jobs->status(id, editor_of("09472", "kreis"))["state"], "done");
    EXPECT_EQ(m_jobs->status(id, k_planner_everywhere)["state"], "done");
    EXPECT_EQ(m_jobs->status(id, k_admin)["state"], "done");
    EXPECT_THROW(m_jobs->status(id + 1000, k_admin), NotFound);
}

TEST_F(UploadJobsTest, RowsLeftWaitingByAnEarlierServerShowAsFailed) {
    data::UploadRecord record;
    record.user = "eva";
    record.file_name = "gebaeude.zip";
    record.layer = "buildings";
    record.kommune_ags = k_bindlach;
    record.mode = "append";
    const std::int64_t id = data::Store(m_db).create_upload(record);
    const json status = m_jobs->status(id, editor_of(k_bindlach));
    EXPECT_EQ(status["state"], "failed");
    EXPECT_NE(status["error"].get<std::string>().find("upload the file again"), std::string::npos);
    EXPECT_EQ(status["error_code"], "upload_interrupted");
}

TEST_F(UploadJobsTest, StopFinishesTheRunningJobAndFailsTheQueuedOnes) {
    const fs::path gpkg = shared_data("buildings/osm_lauf_pegnitz_2020_buildings_utm32.gpkg");
    LEERSTAND_REQUIRE_SHARED(gpkg);
    const Caller editor = editor_of("09574138");
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(submit_when_free(gpkg, "09574138", editor));
    m_jobs->stop();
    EXPECT_THROW(submit_file(gpkg, "09574138", editor), StorageBusy);

    // Every row is final; whatever had not started is failed with the reason.
    UploadJobs later(m_db, m_work, m_limits);
    int done = 0;
    for (const auto id : ids) {
        const json status = later.status(id, editor);
        const std::string state = status["state"];
        ASSERT_TRUE(state == "done" || state == "failed") << status.dump();
        if (state == "done") {
            ++done;
            EXPECT_EQ(status["report"]["stored"], 6109);
        } else {
            EXPECT_NE(status["error"].get<std::string>().find("server stopped"), std::string::npos)
                << status.dump();
            EXPECT_EQ(status["error_code"], "server_stopped") << status.dump();
        }
    }
    EXPECT_EQ(data::Store(m_db).counts().buildings, done * 6109);
    EXPECT_TRUE(work_dir_empty());
}

TEST_F(UploadJobsTest, AnAdminMayUploadKommuneBoundaries) {
    const fs::path founding =
        shared_data("kommunen/founding_kommunen_and_neighbours_vg5000.geojson");
    LEERSTAND_REQUIRE_SHARED(founding);
    EXPECT_THROW(submit_file(founding, "", editor_of(k_bindlach), "append", "kommunen"), Forbidden);
    const std::int64_t id = submit_file(founding, "", k_admin, "append", "kommunen");
    const json status = wait_for(id, k_admin);
    EXPECT_EQ(status["state"], "done");
    EXPECT_EQ(status["report"]["target"], "kommunen");
    EXPECT_EQ(status["report"]["stored"], 73);
    EXPECT_EQ(status["kommune"], nullptr);
}

}  // namespace
}  // namespace leerstand::services
