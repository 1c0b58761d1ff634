// Uploads over real HTTP: multipart POST, 202 with a job, polling, the same report as the CLI,
// and the refusals (too large, zip bomb, unknown format, wrong Kommune), none of which changes
// anything stored.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <thread>

#include "tests/cli/cli_support.hpp"
#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class Uploads : public AtlasServerTest {
  protected:
    /// X-Cache tells whether an upload dropped a cached tile.
    std::vector<std::string> extra_serve_args() const override { return {"--debug-cache-header"}; }

    HttpResponse upload(Who who, const std::string& file_name, const std::string& content,
                        const std::string& kommune, const std::string& layer = "buildings") {
        const MultipartBody form =
            multipart({{"kommune", kommune}, {"layer", layer}}, file_name, content);
        return call_raw(who, "POST", "/api/uploads", form.content_type, form.body);
    }

    HttpResponse call_raw(Who who, const std::string& method, const std::string& target,
                          const std::string& content_type, const std::string& body) {
        HeaderList headers = {{"Content-Type", content_type}};
        if (who != Who::Anonymous) headers.emplace_back("Authorization", "Bearer " + m_tokens[who]);
        return with_retry([&] {
            return http_request(port(), method, target, headers, body, std::chrono::seconds(60));
        });
    }

    /// A FeatureCollection of one square footprint with its south-west corner at (lon, lat).
    static json square_collection(double lon, double lat, double d) {
        const json ring = {
            {lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}};
        return {{"type", "FeatureCollection"},
                {"features",
                 {{{"type", "Feature"},
                   {"properties", json::object()},
                   {"geometry", {{"type", "Polygon"}, {"coordinates", json::array({ring})}}}}}}};
    }

    /// Polls the job until it is done or failed; returns its last status.
    json wait_for(const std::string& job_path) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
        json status;
        while (std::chrono::steady_clock::now() < deadline) {
            const HttpResponse response = call(Who::Admin, "GET", job_path);
            EXPECT_EQ(response.status, 200) << response.body;
            status = json::parse(response.body, nullptr, false);
            const std::string state = status.value("state", "");
            if (state == "done" || state == "failed") return status;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ADD_FAILURE() << "upload " << job_path << " did not finish: " << status.dump();
        return status;
    }

    long long count(const std::string& table) {
        return std::stoll(spatial_sql(db(), "SELECT count(*) FROM " + table));
    }
};

/// A zip of one shapefile (all files sharing its stem), made with the `zip` CLI.
fs::path zip_shapefile(const fs::path& shp, const fs::path& into) {
    const fs::path zip = into / (shp.stem().string() + ".zip");
    std::vector<std::string> args = {"/usr/bin/zip", "-q", "-j", zip.string()};
    for (const auto& entry : fs::directory_iterator(shp.parent_path()))
        if (entry.path().stem() == shp.stem()) args.push_back(entry.path().string());
    const CommandResult zipped = run_command(args);
    EXPECT_EQ(zipped.exit_code, 0) << zipped.err;
    return zip;
}

// ---------------------------------------------------------------------------------------------

/// Every Gemeinde of VG5000, so real files land in their real Kommune.
class RealUploads : public Uploads {
  protected:
    void make_database() override {
        const fs::path vg5000 = shared_data("kommunen/vg5000_2021/VG5000_GEM.shp");
        LEERSTAND_REQUIRE_SHARED(vg5000);
        // vg5000_database copies the cached import to <dir>/atlas.sqlite, which is db().
        ASSERT_EQ(vg5000_database(m_dir), db());
    }
};

/// `message` without the way its caller tells the user to name a coordinate system: geo asks
/// for it, the CLI says "with --srs EPSG:N", an upload "in the upload's form field srs".
std::string without_crs_hint(std::string message, std::string_view how) {
    if (message.ends_with(how)) message.resize(message.size() - how.size());
    return message;
}

json comparable(const json& report) {
    json picked;
    for (const char* key : {"read", "stored", "rejected", "rejected_by_reason", "crs", "encoding",
                            "format", "stored_by_kommune"})
        if (report.contains(key)) picked[key] = report[key];
    return picked;
}

TEST_F(RealUploads, EveryRealShapefileGivesTheSameReportOverHttpAsOnTheCommandLine) {
    const fs::path wild = shared_data("shapefiles-wild");
    const fs::path bayreuth = shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(wild);
    LEERSTAND_REQUIRE_SHARED(bayreuth);
    TempDir zips;
    std::vector<std::pair<fs::path, std::string>> files;  // file, Kommune
    for (const auto& folder : fs::directory_iterator(wild))
        for (const auto& entry : fs::directory_iterator(folder.path()))
            if (entry.path().extension() == ".shp") {
                const bool koeln = folder.path().filename().string().rfind("koeln", 0) == 0;
                files.emplace_back(zip_shapefile(entry.path(), zips.path()),
                                   koeln ? "05315000" : "09462000");
            }
    files.emplace_back(bayreuth, "09462000");
    ASSERT_GE(files.size(), 12u);

    std::size_t stored_somewhere = 0;
    for (const auto& [file, kommune] : files) {
        SCOPED_TRACE(file.filename().string());
        const long long buildings_before = count("buildings");
        const HttpResponse accepted =
            upload(Who::Admin, file.filename().string(), file_bytes(file), kommune);
        ASSERT_EQ(accepted.status, 202) << accepted.body;
        const std::string job = accepted.header("Location");
        ASSERT_FALSE(job.empty());
        const json status = wait_for(job);
        ASSERT_TRUE(status.contains("report") || status.contains("error")) << status.dump();

        // The oracle: the CLI on the same file, into a copy of the same Kommunen.
        TempDir cli_dir;
        const fs::path cli_db = vg5000_database(cli_dir);
        const CommandResult cli_run =
            run_leerstand({"import", file.string(), "--kommune", kommune, "--db", cli_db.string(),
                           "--json", "--no-progress"});
        const int exit_code = cli_run.exit_code;
        const json cli = json::parse(cli_run.out, nullptr, false);
        if (exit_code == 0 || exit_code == 3) {
            ASSERT_TRUE(status.contains("report")) << status.dump();
            EXPECT_EQ(comparable(status["report"]), comparable(cli)) << status.dump();
            EXPECT_EQ(status["report"]["file"], file.filename().string());
            EXPECT_EQ(status["state"], exit_code == 0 ? "done" : "failed") << status.dump();
            EXPECT_EQ(count("buildings") - buildings_before, cli.value("stored", -1));
            if (exit_code == 0) ++stored_somewhere;
        } else {
            // The CLI refused the file as a whole; the upload must fail with the same message
            // (but for how each says to name a coordinate system) and store nothing.
            EXPECT_EQ(exit_code, 1) << cli_run.err;
            EXPECT_EQ(status["state"], "failed") << status.dump();
            const std::string cli_message = without_crs_hint(
                cli_run.err.substr(0, cli_run.err.find('\n')), " with --srs EPSG:N");
            const std::string http_message =
                without_crs_hint(status.value("error", "?"), " in the upload's form field srs");
            EXPECT_NE(cli_message.find(http_message), std::string::npos)
                << "CLI: " << cli_message << "\nHTTP: " << status.dump();
            EXPECT_EQ(count("buildings"), buildings_before);
        }
    }
    EXPECT_GE(stored_somewhere, 2u) << "Köln and Bayreuth should store buildings";
}

// ---------------------------------------------------------------------------------------------

TEST_F(Uploads, ProgressIsVisibleAndTheReportIsKeptForPlannersButNotForThePublic) {
    std::string content;
    {
        // Two small squares inside Angermünde, made from a real building of the demo data.
        const auto [lon, lat] = building_point(k_home_ags, 3);
        json collection = {{"type", "FeatureCollection"}, {"features", json::array()}};
        for (int i = 0; i < 2; ++i) {
            const double x = lon + 0.0001 * i, y = lat, d = 0.00002;
            collection["features"].push_back(
                {{"type", "Feature"},
                 {"properties", {{"name", "Haus " + std::to_string(i)}}},
                 {"geometry",
                  {{"type", "Polygon"},
                   {"coordinates", {{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}}}});
        }
        content = collection.dump();
    }
    const long long before = count("buildings");
    const HttpResponse accepted = upload(Who::Editor, "haeuser.geojson", content, k_home_ags);
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const std::string job = accepted.header("Location");
    const json status = wait_for(job);
    EXPECT_EQ(status["state"], "done") << status.dump();
    EXPECT_EQ(status["report"]["stored"], 2) << status.dump();
    EXPECT_EQ(status["progress"]["done"], 2) << status.dump();
    EXPECT_EQ(count("buildings"), before + 2);
    EXPECT_EQ(call(Who::Planner, "GET", job).status, 200);
    EXPECT_EQ(call(Who::Anonymous, "GET", job).status, 401);
    EXPECT_EQ(call(Who::EditorOther, "GET", job).status, 404);  // as missing as an unknown id
    EXPECT_EQ(call(Who::Admin, "GET", "/api/uploads/999999").status, 404);
}

TEST_F(Uploads, AnUploadRefreshesTheBuildingTilesItTouchesAndNoOthers) {
    const auto [lon, lat] = building_point(k_home_ags, 5);
    const TileXyz here = tile_of({lon, lat}, 16);
    const TileXyz there = tile_of(building_point(k_other_ags, 0), 16);
    auto tile = [&](const TileXyz& t) {
        return call(
            Who::Anonymous, "GET",
            "/tiles/buildings/16/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".geojson");
    };
    auto features = [](const HttpResponse& r) {
        return r.status == 204 ? 0u : json::parse(r.body)["features"].size();
    };
    tile(there);
    const std::size_t before = features(tile(here));
    ASSERT_EQ(tile(here).header("X-Cache"), "hit");
    ASSERT_EQ(tile(there).header("X-Cache"), "hit");

    // One small square next to the building, in the same z16 tile.
    const double d = 0.00001;
    const json square = square_collection(lon, lat, d);
    ASSERT_EQ(tile_of({lon + d, lat + d}, 16).x, here.x);
    const HttpResponse accepted = upload(Who::Editor, "anbau.geojson", square.dump(), k_home_ags);
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    ASSERT_EQ(wait_for(accepted.header("Location"))["state"], "done");

    const HttpResponse after = tile(here);
    EXPECT_EQ(after.header("X-Cache"), "miss");
    EXPECT_EQ(features(after), before + 1);
    EXPECT_EQ(tile(there).header("X-Cache"), "hit") << "a tile in another Kommune stays cached";
}

TEST_F(Uploads, VacancyReportsUploadAsCsvAndGoThroughTheSameRulesAsSingleWrites) {
    const auto [lon1, lat1] = building_point(k_home_ags, 7);
    const auto [lon2, lat2] = building_point(k_home_ags, 8);
    std::ostringstream csv;
    csv.precision(10);
    csv << "lon;lat;status;use;consent_publish;floor_area_m2;owner_contact\n"
        << lon1 << ";" << lat1 << ";bestaetigt;laden;ja;120,5;Herr A\n"
        << lon2 << ";" << lat2 << ";gemeldet;wohnen;nein;;Frau B\n"
        << lon2 << ";" << lat2 << ";leer;wohnen;nein;;Frau C\n";
    const HttpResponse accepted =
        upload(Who::Editor, "meldungen.csv", csv.str(), k_home_ags, "vacancies");
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const json status = wait_for(accepted.header("Location"));
    EXPECT_EQ(status["state"], "done") << status.dump();
    EXPECT_EQ(status["report"]["stored"], 2) << status.dump();
    EXPECT_EQ(status["report"]["rejected"], 1) << status.dump();
    EXPECT_EQ(status["report"]["rejected_by_reason"]["invalid status"], 1) << status.dump();

    const json internal = json::parse(
        call(Who::Planner, "GET", "/collections/vacancies/items?kommune=" + k_home_ags).body);
    ASSERT_EQ(internal["numberMatched"], 2) << internal.dump();
    for (const json& feature : internal["features"]) {
        EXPECT_TRUE(feature["properties"]["building_id"].is_number_integer()) << feature.dump();
        EXPECT_EQ(feature["properties"]["author"], "editor.angermuende");
    }
    const json published =
        json::parse(call(Who::Anonymous, "GET", "/collections/vacancies/items").body);
    ASSERT_EQ(published["numberMatched"], 1) << published.dump();
    EXPECT_EQ(published["features"][0]["properties"]["floor_area_m2"], 120.5);
    EXPECT_EQ(published.dump().find("Herr A"), std::string::npos);
    EXPECT_EQ(std::stoll(spatial_sql(db(), "SELECT count(*) FROM vacancy_history")), 2);
}

TEST_F(Uploads, RefusalsGetClearProblemsAndChangeNothing) {
    const long long buildings = count("buildings");
    const long long uploads = count("uploads");
    const std::string geojson = R"({"type":"FeatureCollection","features":[]})";

    // Who: the public and an editor of another Kommune.
    EXPECT_EQ(upload(Who::Anonymous, "a.geojson", geojson, k_home_ags).status, 401);
    EXPECT_EQ(upload(Who::EditorOther, "a.geojson", geojson, k_home_ags).status, 403);
    EXPECT_EQ(upload(Who::Planner, "a.geojson", geojson, k_home_ags).status, 403);
    // What: an unknown format, an unknown Kommune, an unknown layer.
    const HttpResponse pdf = upload(Who::Editor, "plan.pdf", "%PDF-1.4 not a map", k_home_ags);
    EXPECT_EQ(pdf.status, 415) << pdf.body;
    EXPECT_EQ(pdf.header("Content-Type"), "application/problem+json");
    const HttpResponse disguised =
        upload(Who::Editor, "plan.zip", "%PDF-1.4 not a zip", k_home_ags);
    EXPECT_EQ(disguised.status, 415) << disguised.body;
    EXPECT_EQ(upload(Who::Admin, "a.geojson", geojson, "99999999").status, 400);
    EXPECT_EQ(upload(Who::Editor, "a.geojson", geojson, k_home_ags, "parcels").status, 400);
    // How much: a body just over the configured limit (8 MiB in the fixture). Far larger
    // bodies are cut off by Pistache itself, with its own plain-text 413.
    const HttpResponse large =
        upload(Who::Editor, "big.geojson", std::string((8u << 20) + (16u << 10), ' '), k_home_ags);
    EXPECT_EQ(large.status, 413) << large.body.substr(0, 200);
    EXPECT_EQ(large.header("Content-Type"), "application/problem+json");
    // The limit as a number, for the client's own sentence.
    EXPECT_EQ(parse_json(large).value("limit_bytes", 0u), 8u << 20) << large.body.substr(0, 200);
    // A zip bomb: 600 MB of zeros packed into well under 1 MB.
    TempDir bomb_dir;
    const fs::path bomb = bomb_dir / "bomb.zip";
    const CommandResult made =
        run_command({"/usr/bin/python3", "-c",
                     "import zipfile,sys\n"
                     "with zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED) as z:\n"
                     "  with z.open('houses.shp','w',force_zip64=True) as f:\n"
                     "    block=bytes(1<<20)\n"
                     "    for _ in range(600): f.write(block)\n",
                     bomb.string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    ASSERT_LT(fs::file_size(bomb), 2u << 20);
    const HttpResponse bombed = upload(Who::Editor, "bomb.zip", file_bytes(bomb), k_home_ags);
    EXPECT_EQ(bombed.status, 413) << bombed.body;
    // Not multipart at all.
    EXPECT_EQ(call_raw(Who::Editor, "POST", "/api/uploads", "application/json", "{}").status, 415);

    EXPECT_EQ(count("buildings"), buildings);
    EXPECT_EQ(count("uploads"), uploads) << "a refused upload must not leave a row";
}

TEST_F(Uploads, AFileOutsideTheChosenKommuneFailsAndStoresNothing) {
    // Footprints of Herzberg uploaded for Angermünde: every one is outside it.
    const auto [lon, lat] = building_point(k_other_ags, 0);
    const double d = 0.00003;
    const json collection = square_collection(lon, lat, d);
    const long long before = count("buildings");
    const HttpResponse accepted =
        upload(Who::Editor, "falsch.geojson", collection.dump(), k_home_ags);
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const json status = wait_for(accepted.header("Location"));
    EXPECT_EQ(status["state"], "failed") << status.dump();
    EXPECT_EQ(status["report"]["stored"], 0) << status.dump();
    EXPECT_EQ(status["report"]["rejected"], 1) << status.dump();
    EXPECT_EQ(count("buildings"), before);
}

TEST_F(Uploads, CoordinatesOfTwoPossibleZonesAskForTheFormFieldSrs) {
    // 6-digit eastings in the overlap of UTM zones 32 and 33, and no coordinate system named.
    const std::string csv = "x,y,status\n390000,5820000,leer\n390100,5820050,leer\n";
    const HttpResponse accepted = upload(Who::Editor, "utm.csv", csv, k_home_ags, "vacancies");
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const json status = wait_for(accepted.header("Location"));
    EXPECT_EQ(status["state"], "failed") << status.dump();
    const std::string error = status.value("error", "");
    EXPECT_NE(error.find("EPSG:25833"), std::string::npos) << error;
    EXPECT_TRUE(
        error.ends_with("name the file's coordinate system (EPSG code) in the upload's "
                        "form field srs"))
        << error;
    EXPECT_EQ(error.find("--srs"), std::string::npos) << "no command-line option over HTTP";
}

}  // namespace
}  // namespace leerstand::test
