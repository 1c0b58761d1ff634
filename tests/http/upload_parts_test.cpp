// Uploads that explain themselves, over real HTTP: a shapefile sent as its separate parts (not
// zipped), automatic assignment to the Gemeinden of an editor's Landkreis, and a report that
// names format, coordinate system and encoding, counts per Kommune by name and says where the
// features lie that were not stored. The reference counts come from the CSV beside the shared
// file (VG5000 Gemeinden, computed outside the atlas), never from the code under test.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/cli/cli_support.hpp"
#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string k_kreis_bayreuth = "09472";
const std::string k_bindlach = "09472119";
const std::string k_stem = "osm_bayreuth_nord_2014_buildings_utm32";

/// A multipart body of text `fields` and every file of `files` as a part named `file`.
MultipartBody form_with_files(const std::vector<std::pair<std::string, std::string>>& fields,
                              const std::vector<std::pair<std::string, std::string>>& files) {
    const std::string boundary = "----leerstand-parts-3d9Qx1ZcV7";
    std::string body;
    for (const auto& [name, value] : fields)
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
                "\"\r\n\r\n" + value + "\r\n";
    for (const auto& [file_name, content] : files)
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
                file_name + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content +
                "\r\n";
    body += "--" + boundary + "--\r\n";
    return {"multipart/form-data; boundary=" + boundary, body};
}

/// VG5000's Gemeinden and Kreise, so that a Landkreis editor exists and real buildings land
/// in their real Gemeinde.
class UploadParts : public AtlasServerTest {
  protected:
    void make_database() override {
        const fs::path kreise = shared_data("kommunen/vg5000_2021/VG5000_KRS.shp");
        LEERSTAND_REQUIRE_SHARED(kreise);
        LEERSTAND_REQUIRE_SHARED(shared_data("kommunen/vg5000_2021/VG5000_GEM.shp"));
        ASSERT_EQ(vg5000_database(m_dir), db());
        const CommandResult imported = run_command({leerstand_binary().string(), "import-kommunen",
                                                    kreise.string(), "--db", db().string()});
        ASSERT_EQ(imported.exit_code, 0) << imported.err;
    }

    /// The parts of the shared shapefile, as [client file name, bytes], `.shp` first.
    static std::vector<std::pair<std::string, std::string>> shapefile_parts(
        const std::vector<std::string>& extensions = {".shp", ".shx", ".dbf", ".prj", ".cpg"}) {
        std::vector<std::pair<std::string, std::string>> parts;
        const fs::path folder = shared_data("buildings/" + k_stem);
        for (const std::string& extension : extensions)
            parts.emplace_back(k_stem + extension, file_bytes(folder / (k_stem + extension)));
        return parts;
    }

    HttpResponse post_as(const std::string& token, const MultipartBody& form) {
        return with_retry([&] {
            return http_request(
                port(), "POST", "/api/uploads",
                {{"Content-Type", form.content_type}, {"Authorization", "Bearer " + token}},
                form.body, std::chrono::seconds(60));
        });
    }

    /// Waits for the job (polling as admin), then reads it as the uploader: an automatic
    /// upload belongs to no one Kommune, yet its uploader sees it.
    json status_as(const std::string& token, const std::string& location) {
        const json finished = wait_for_upload(Who::Admin, location);
        const HttpResponse response =
            http_request(port(), "GET", location, {{"Authorization", "Bearer " + token}}, "",
                         std::chrono::seconds(30));
        EXPECT_EQ(response.status, 200) << response.body;
        const json status = json::parse(response.body, nullptr, false);
        EXPECT_EQ(status.value("state", ""), finished.value("state", "")) << response.body;
        return status;
    }

    std::string kreis_editor() {
        return add_user("editor.kreis-bayreuth",
                        {"--role", "editor", "--kommune", k_kreis_bayreuth});
    }

    long long count(const std::string& query) { return std::stoll(spatial_sql(db(), query)); }
};

/// `[{"ags", "name", "count"}]` of a report as AGS → count, and AGS → name.
std::map<std::string, long long> counts_of(const json& list) {
    std::map<std::string, long long> counts;
    for (const auto& entry : list) counts[entry.at("ags")] = entry.at("count");
    return counts;
}

std::map<std::string, std::string> names_of(const json& list) {
    std::map<std::string, std::string> names;
    for (const auto& entry : list) names[entry.at("ags")] = entry.value("name", "");
    return names;
}

/// The reference CSV's Gemeinden (AGS → GEN).
std::map<std::string, std::string> reference_names(const fs::path& csv) {
    std::map<std::string, std::string> names;
    std::istringstream lines(file_bytes(csv));
    std::string line;
    std::getline(lines, line);  // AGS,GEN,building_count
    while (std::getline(lines, line)) {
        const auto first = line.find(',');
        const auto last = line.rfind(',');
        if (first == std::string::npos || last == first) continue;
        names[line.substr(0, first)] = line.substr(first + 1, last - first - 1);
    }
    return names;
}

TEST_F(UploadParts, AKreisEditorUploadsTheSeparatePartsForAllItsGemeinden) {
    const fs::path csv =
        shared_data("buildings/osm_bayreuth_nord_2014_buildings_counts_by_vg5000_gem.csv");
    LEERSTAND_REQUIRE_SHARED(csv);
    const std::map<std::string, long long> reference = reference_counts(csv);
    const std::map<std::string, std::string> names = reference_names(csv);
    std::map<std::string, long long> in_kreis, outside;
    for (const auto& [ags, n] : reference)
        (ags.rfind(k_kreis_bayreuth, 0) == 0 ? in_kreis : outside)[ags] = n;
    long long in_kreis_total = 0, outside_total = 0;
    for (const auto& entry : in_kreis) in_kreis_total += entry.second;
    for (const auto& entry : outside) outside_total += entry.second;
    ASSERT_EQ(in_kreis_total, 2353);  // the figures, as a check of the CSV reading
    ASSERT_EQ(outside_total, 1914);

    const std::string token = kreis_editor();
    const HttpResponse accepted = post_as(
        token,
        form_with_files({{"assignment", "automatic"}, {"layer", "buildings"}}, shapefile_parts()));
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const json status = status_as(token, accepted.header("Location"));
    ASSERT_EQ(status.value("state", ""), "done") << status.dump();
    const json& report = status.at("report");

    // What the server read: the .shp with its sidecars, as one shapefile.
    EXPECT_EQ(report["file"], k_stem + ".shp");
    EXPECT_EQ(report["format"], "ESRI Shapefile");
    EXPECT_EQ(report["crs"], "EPSG:25832");
    EXPECT_EQ(report["crs_name"], "ETRS89 / UTM zone 32N");
    EXPECT_EQ(report["crs_source"], "file");
    EXPECT_EQ(report["encoding_source"], "cpg");
    EXPECT_FALSE(report["encoding"].get<std::string>().empty());

    // Stored in their Gemeinden, by name; the rest named where it lies.
    EXPECT_EQ(report["assignment"], "automatic");
    EXPECT_EQ(report["scope"], json::array({k_kreis_bayreuth}));
    EXPECT_EQ(report["stored"], in_kreis_total);
    EXPECT_EQ(counts_of(report["stored_in"]), in_kreis);
    EXPECT_EQ(report["outside"]["count"], outside_total);
    EXPECT_EQ(report["outside"]["in_no_kommune"], 0);
    EXPECT_EQ(counts_of(report["outside"]["kommunen"]), outside);
    for (const auto& [ags, name] : names_of(report["outside"]["kommunen"]))
        EXPECT_EQ(name, names.at(ags));
    for (const auto& [ags, name] : names_of(report["stored_in"])) EXPECT_EQ(name, names.at(ags));
    EXPECT_EQ(report["rejected_by_reason"], json({{"outside your area", outside_total}}));
    // The outside features' extent lies around Bayreuth (11.4–11.8° E, 49.9–50.1° N).
    const json bbox = report["outside"]["bbox"];
    ASSERT_EQ(bbox.size(), 4u);
    EXPECT_GT(bbox[0].get<double>(), 11.4);
    EXPECT_LT(bbox[2].get<double>(), 11.8);
    EXPECT_GT(bbox[1].get<double>(), 49.9);
    EXPECT_LT(bbox[3].get<double>(), 50.1);
    EXPECT_LT(bbox[0].get<double>(), bbox[2].get<double>());

    // The store agrees, and nothing went outside the Kreis.
    for (const auto& [ags, n] : in_kreis)
        EXPECT_EQ(count("SELECT count(*) FROM buildings WHERE kommune_ags = '" + ags + "'"), n)
            << ags;
    EXPECT_EQ(count("SELECT count(*) FROM buildings WHERE kommune_ags NOT LIKE '09472%'"),
              count("SELECT count(*) FROM buildings WHERE upload_id IS NOT " +
                    std::to_string(report["upload_id"].get<long long>())));
}

TEST_F(UploadParts, AChosenKommuneReportsWhereTheOtherFeaturesLie) {
    const fs::path csv =
        shared_data("buildings/osm_bayreuth_nord_2014_buildings_counts_by_vg5000_gem.csv");
    LEERSTAND_REQUIRE_SHARED(csv);
    std::map<std::string, long long> elsewhere = reference_counts(csv);
    const long long in_bindlach = elsewhere.at(k_bindlach);
    elsewhere.erase(k_bindlach);

    const std::string token = kreis_editor();
    const HttpResponse accepted =
        post_as(token, form_with_files({{"kommune", k_bindlach}}, shapefile_parts()));
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const json status = status_as(token, accepted.header("Location"));
    ASSERT_EQ(status.value("state", ""), "done") << status.dump();
    const json& report = status.at("report");
    EXPECT_EQ(report["assignment"], "kommune");
    EXPECT_EQ(report["stored"], in_bindlach);
    EXPECT_EQ(counts_of(report["stored_in"]),
              (std::map<std::string, long long>{{k_bindlach, in_bindlach}}));
    EXPECT_EQ(names_of(report["stored_in"])[k_bindlach], "Bindlach");
    EXPECT_EQ(counts_of(report["outside"]["kommunen"]), elsewhere);
}

TEST_F(UploadParts, IncompleteOrForeignPartsAndForeignKreiseAreRefusedAndStoreNothing) {
    const std::string token = kreis_editor();
    const long long uploads_before = count("SELECT count(*) FROM uploads");
    const auto field_error_of = [](const HttpResponse& response) {
        const json problem = json::parse(response.body, nullptr, false);
        return problem.value("errors", json::array()).empty() ? json() : problem["errors"][0];
    };
    const auto missing_of = [](const HttpResponse& response) {
        return json::parse(response.body, nullptr, false).value("missing", json());
    };

    // Without the attribute table: 400, naming what is missing.
    HttpResponse refused = post_as(
        token,
        form_with_files({{"assignment", "automatic"}}, shapefile_parts({".shp", ".shx", ".prj"})));
    EXPECT_EQ(refused.status, 400) << refused.body;
    json error = field_error_of(refused);
    EXPECT_EQ(error["code"], "incomplete_shapefile") << refused.body;
    EXPECT_EQ(missing_of(refused), json::array({".dbf"}));
    // The .shp alone: both parts are missing.
    refused =
        post_as(token, form_with_files({{"assignment", "automatic"}}, shapefile_parts({".shp"})));
    EXPECT_EQ(refused.status, 400) << refused.body;
    error = field_error_of(refused);
    EXPECT_EQ(error["code"], "incomplete_shapefile");
    EXPECT_EQ(missing_of(refused), json::array({".shx", ".dbf"}));
    // A file that is not part of a shapefile, a part sent twice, parts of two shapefiles.
    auto parts = shapefile_parts({".shp", ".shx", ".dbf"});
    parts.emplace_back("notizen.txt", "x");
    refused = post_as(token, form_with_files({{"assignment", "automatic"}}, parts));
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(field_error_of(refused)["code"], "not_one_of");
    parts = shapefile_parts({".shp", ".shx", ".dbf", ".dbf"});
    refused = post_as(token, form_with_files({{"assignment", "automatic"}}, parts));
    EXPECT_EQ(field_error_of(refused)["code"], "duplicate");
    parts = shapefile_parts({".shp", ".shx", ".dbf"});
    parts[2].first = "andere.dbf";
    refused = post_as(token, form_with_files({{"assignment", "automatic"}}, parts));
    EXPECT_EQ(field_error_of(refused)["code"], "invalid_value");
    // A folder in a file name never reaches the disk.
    parts = shapefile_parts({".shp", ".shx", ".dbf"});
    parts[1].first = "..";
    refused = post_as(token, form_with_files({{"assignment", "automatic"}}, parts));
    EXPECT_EQ(refused.status, 400);
    // More files than a shapefile has.
    parts = shapefile_parts();
    parts.emplace_back(k_stem + ".qix", "x");
    EXPECT_EQ(post_as(token, form_with_files({{"assignment", "automatic"}}, parts)).status, 413);

    // Automatic assignment: buildings only, not with a Kommune; a Kreis editor cannot store
    // into another Kreis, a planner nowhere.
    refused = post_as(token, form_with_files({{"assignment", "automatic"}, {"layer", "vacancies"}},
                                             shapefile_parts()));
    EXPECT_EQ(field_error_of(refused)["code"], "not_applicable");
    refused = post_as(token, form_with_files({{"assignment", "automatic"}, {"kommune", k_bindlach}},
                                             shapefile_parts()));
    EXPECT_EQ(field_error_of(refused)["code"], "not_applicable");
    EXPECT_EQ(post_as(token, form_with_files({{"kommune", "09462000"}}, shapefile_parts())).status,
              403);
    EXPECT_EQ(post_as(m_tokens[Who::Planner],
                      form_with_files({{"assignment", "automatic"}}, shapefile_parts()))
                  .status,
              403);

    EXPECT_EQ(count("SELECT count(*) FROM uploads"), uploads_before);
    EXPECT_EQ(count("SELECT count(*) FROM buildings"), 0);
}

}  // namespace
}  // namespace leerstand::test
