// Tiles over real HTTP: /tiles/{layer}/{z}/{x}/{y}.{mvt,geojson}, the OGC API – Tiles form and
// TileJSON; statuses, ETag and 304, gzip, Cache-Control; the privacy filter in every public
// tile; an edit that refreshes exactly its tiles; GDAL's MVT driver as the judge of the MVT.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* k_hidden_since = "2019-02-03";  // marks the unconsented vacancy
constexpr const char* k_private_contact = "PRIVATE-CONTACT";

std::string tile_path(const std::string& layer, const TileXyz& t, const std::string& ext) {
    return "/tiles/" + layer + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" +
           std::to_string(t.y) + "." + ext;
}

class Tiles : public AtlasServerTest {
  protected:
    /// X-Cache tells which tiles a write dropped.
    std::vector<std::string> extra_serve_args() const override { return {"--debug-cache-header"}; }

    void SetUp() override {
        AtlasServerTest::SetUp();
        m_published_point = building_point(k_home_ags, 0);
        m_hidden_point = building_point(k_home_ags, 1);
        m_published = create_vacancy({{"status", "bestaetigt"},
                                      {"use", "laden"},
                                      {"vacant_since", "2021-03-15"},
                                      {"consent_publish", true},
                                      {"owner_contact", k_private_contact}},
                                     k_home_ags, 0);
        m_hidden = create_vacancy({{"status", "gemeldet"},
                                   {"use", "wohnen"},
                                   {"vacant_since", k_hidden_since},
                                   {"consent_publish", false},
                                   {"owner_contact", k_private_contact}},
                                  k_home_ags, 1);
        ASSERT_GT(m_published, 0);
        ASSERT_GT(m_hidden, 0);
    }

    /// A GeoJSON tile as `who`, parsed (an empty object for 204).
    json geojson_tile(Who who, const std::string& layer, const TileXyz& t) {
        const HttpResponse r = call(who, "GET", tile_path(layer, t, "geojson"));
        EXPECT_TRUE(r.status == 200 || r.status == 204) << r.status << " " << r.body;
        if (r.status == 204) return json::object();
        EXPECT_EQ(r.header("Content-Type"), "application/geo+json");
        return json::parse(r.body, nullptr, false);
    }

    /// Saves an MVT tile as z/x/y.pbf (GDAL's MVT driver reads the tile's position from the
    /// path) and returns ogrinfo's listing of it, with the features in the buffer (CLIP=NO:
    /// by default GDAL drops what lies outside the tile proper).
    std::string ogrinfo_of_mvt(const std::string& body, const TileXyz& t) {
        const fs::path dir = m_dir.path() / "mvt" / std::to_string(t.z) / std::to_string(t.x);
        fs::create_directories(dir);
        const fs::path file = dir / (std::to_string(t.y) + ".pbf");
        std::ofstream(file, std::ios::binary) << body;
        const CommandResult result =
            run_command({"/usr/bin/ogrinfo", "-ro", "-al", "-oo", "CLIP=NO", file.string()});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return result.out;
    }

    std::pair<double, double> m_published_point, m_hidden_point;
    std::int64_t m_published = 0, m_hidden = 0;
};

/// id → properties of a GeoJSON tile's features.
std::map<std::int64_t, json> features_by_id(const json& tile) {
    std::map<std::int64_t, json> out;
    if (!tile.contains("features")) return out;
    for (const json& f : tile["features"]) out[f["id"].get<std::int64_t>()] = f["properties"];
    return out;
}

TEST_F(Tiles, EachLayerServesGeojsonAndMvtAndAnswersEmptyOrWrongTilesClearly) {
    const TileXyz home = tile_of(m_published_point, 14);
    for (const std::string layer : {"kommunen", "buildings", "vacancies", "zukunftsorte"}) {
        for (const std::string ext : {"geojson", "mvt", "pbf"}) {
            const HttpResponse r = call(Who::Admin, "GET", tile_path(layer, home, ext));
            if (layer == "zukunftsorte") {
                EXPECT_EQ(r.status, 204) << "no Zukunftsort in the demo data";
                EXPECT_TRUE(r.body.empty());
                continue;
            }
            ASSERT_EQ(r.status, 200) << layer << "." << ext << ": " << r.body;
            EXPECT_EQ(r.header("Content-Type"), ext == "geojson"
                                                    ? "application/geo+json"
                                                    : "application/vnd.mapbox-vector-tile");
            EXPECT_FALSE(r.body.empty());
        }
    }
    const json buildings = geojson_tile(Who::Admin, "buildings", home);
    EXPECT_EQ(buildings["type"], "FeatureCollection");
    EXPECT_GT(buildings["features"].size(), 10u);
    // Buildings start at z13: below, and in the open sea, there is nothing (204).
    EXPECT_EQ(call(Who::Admin, "GET", tile_path("buildings", tile_of(m_published_point, 12), "mvt"))
                  .status,
              204);
    EXPECT_EQ(
        call(Who::Admin, "GET", tile_path("kommunen", tile_of({-30.0, 40.0}, 8), "geojson")).status,
        204);
    // Kommunen show at small zooms too (at z0 and z1 a Kommune is smaller than a pixel).
    EXPECT_EQ(
        call(Who::Anonymous, "GET", tile_path("kommunen", tile_of(m_published_point, 4), "geojson"))
            .status,
        200);

    for (const std::string bad : {"/tiles/buildings/14/16384/0.mvt", "/tiles/buildings/25/0/0.mvt",
                                  "/tiles/buildings/-1/0/0.mvt", "/tiles/buildings/a/0/0.mvt",
                                  "/tiles/buildings/14/1.5/0.mvt", "/tiles/buildings/3/0/8.geojson",
                                  "/collections/buildings/tiles/WebMercatorQuad/3/8/0?f=mvt"}) {
        const HttpResponse r = call(Who::Anonymous, "GET", bad);
        EXPECT_EQ(r.status, 400) << bad;
        EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << bad;
        EXPECT_NE(json::parse(r.body, nullptr, false).value("detail", "").find("does not exist"),
                  std::string::npos)
            << bad << ": " << r.body;
    }
    for (const std::string missing :
         {"/tiles/parcels/14/8828/5335.mvt", "/tiles/buildings/14/8828/5335.png",
          "/collections/buildings/tiles/WorldCRS84Quad/3/0/0", "/tiles/parcels.json"})
        EXPECT_EQ(call(Who::Anonymous, "GET", missing).status, 404) << missing;
}

TEST_F(Tiles, ETagsGiveNotModifiedAndGzipIsSentToClientsThatAskForIt) {
    const std::string path = tile_path("buildings", tile_of(m_published_point, 14), "geojson");
    const HttpResponse first = call(Who::Anonymous, "GET", path);
    ASSERT_EQ(first.status, 200);
    EXPECT_EQ(first.header("X-Cache"), "miss");
    const std::string etag = first.header("ETag");
    ASSERT_FALSE(etag.empty());
    EXPECT_EQ(first.header("Content-Encoding"), "");

    const HttpResponse again = call(Who::Anonymous, "GET", path);
    EXPECT_EQ(again.header("X-Cache"), "hit");
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(again.header("ETag"), etag);

    const HttpResponse unchanged =
        call(Who::Anonymous, "GET", path, std::nullopt, {{"If-None-Match", etag}});
    EXPECT_EQ(unchanged.status, 304);
    EXPECT_TRUE(unchanged.body.empty());
    EXPECT_EQ(unchanged.header("ETag"), etag);
    EXPECT_EQ(
        call(Who::Anonymous, "GET", path, std::nullopt, {{"If-None-Match", "\"other\""}}).status,
        200);

    const HttpResponse zipped =
        call(Who::Anonymous, "GET", path, std::nullopt, {{"Accept-Encoding", "br, gzip"}});
    ASSERT_EQ(zipped.status, 200);
    EXPECT_EQ(zipped.header("Content-Encoding"), "gzip");
    EXPECT_NE(zipped.header("ETag"), etag) << "a representation of its own";
    EXPECT_LT(zipped.body.size(), first.body.size());
    // gzip(1) is the judge of the encoding.
    const fs::path file = m_dir.path() / "tile.geojson.gz";
    std::ofstream(file, std::ios::binary) << zipped.body;
    const CommandResult unzipped = run_command({"/usr/bin/gzip", "-dc", file.string()});
    ASSERT_EQ(unzipped.exit_code, 0) << unzipped.err;
    EXPECT_EQ(unzipped.out, first.body);
    EXPECT_EQ(call(Who::Anonymous, "GET", path, std::nullopt,
                   {{"Accept-Encoding", "gzip;q=0"}, {"If-None-Match", zipped.header("ETag")}})
                  .status,
              304)
        << "either tag of the tile is current";
    EXPECT_EQ(call(Who::Anonymous, "GET", path, std::nullopt, {{"Accept-Encoding", "gzip;q=0"}})
                  .header("Content-Encoding"),
              "");
}

/// The headers a cached answer must carry as the first answer did.
void expect_same_answer(const HttpResponse& got, const HttpResponse& expected,
                        const std::string& what) {
    ASSERT_EQ(got.status, 200) << what;
    EXPECT_EQ(got.header("X-Cache"), "hit") << what;
    // Not EXPECT_EQ: a failure would print two tiles of 170 KB.
    EXPECT_TRUE(got.body == expected.body)
        << what << ": " << got.body.size() << " bytes, not the " << expected.body.size();
    EXPECT_EQ(got.header("Content-Length"), std::to_string(expected.body.size())) << what;
    for (const char* name : {"Content-Type", "Content-Encoding", "ETag", "Vary", "Cache-Control"})
        EXPECT_EQ(got.header(name), expected.header(name)) << what << ": " << name;
}

// Cached tiles are written to the socket by the server itself
// (server/http/transport/direct_send.cpp), and after a few answers in a row on one connection the
// last byte goes through Pistache's queue. Both ways, and for a client that reads little at a time,
// each answer arrives whole and in order on a kept connection.
TEST_F(Tiles, CachedTilesArriveWholeAndInOrderOnAKeptConnectionAndToASlowReader) {
    // Buildings at z13 over Angermünde: about 170 KB of GeoJSON, more than a socket takes at
    // once from a client with a small window.
    const std::string path = tile_path("buildings", tile_of(m_published_point, 13), "geojson");
    const HeaderList gzip = {{"Accept-Encoding", "gzip"}};
    const HttpResponse plain = call(Who::Anonymous, "GET", path);
    ASSERT_EQ(plain.status, 200);
    ASSERT_GT(plain.body.size(), 100'000u) << "the premise: a tile larger than the window";
    ASSERT_FALSE(json::parse(plain.body, nullptr, false).is_discarded());
    const HttpResponse zipped = call(Who::Anonymous, "GET", path, std::nullopt, gzip);
    ASSERT_EQ(zipped.header("Content-Encoding"), "gzip");

    RawConnection kept(port(), std::chrono::seconds(30));
    std::string rest;
    for (int i = 0; i < 12; ++i) {  // more than the four a worker completes at once in a row
        const bool zip = i % 3 == 2;
        ASSERT_TRUE(kept.write_all(
            request_text(port(), "GET", path, zip ? gzip : HeaderList{}, std::nullopt, true)));
        expect_same_answer(read_response(kept, "GET", rest), zip ? zipped : plain,
                           "answer " + std::to_string(i));
    }
    EXPECT_TRUE(rest.empty()) << rest.size() << " bytes beyond the answers";

    // A client that asks again and again before it reads: once the socket is full (loopback
    // takes about 3 MB), the server's write is cut short, the rest waits in Pistache's queue and
    // the answers asked for after it wait behind it. Read 8 KB at a time (the kernel doubles
    // SO_RCVBUF), they must still come whole and in order.
    RawConnection eager(port(), std::chrono::seconds(60), 4096);
    constexpr int asked = 30;  // 30 × 170 KB = 5 MB
    for (int i = 0; i < asked; ++i) {
        ASSERT_TRUE(eager.write_all(request_text(port(), "GET", path, {}, std::nullopt, true)));
        // Apart: most arrive in reads of their own, while earlier answers wait in the queue.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (int i = 0; i < asked; ++i)
        expect_same_answer(read_response(eager, "GET", rest), plain,
                           "eager answer " + std::to_string(i));
    EXPECT_TRUE(rest.empty());
}

TEST_F(Tiles, CacheControlKeepsSignedInTilesPrivate) {
    const TileXyz home = tile_of(m_published_point, 14);
    for (const std::string layer : {"buildings", "vacancies"}) {
        const HttpResponse anonymous = call(Who::Anonymous, "GET", tile_path(layer, home, "mvt"));
        EXPECT_EQ(anonymous.header("Cache-Control"), "public, max-age=30") << layer;
        EXPECT_NE(anonymous.header("Vary").find("Authorization"), std::string::npos);
        EXPECT_NE(anonymous.header("Vary").find("Cookie"), std::string::npos);
        const HttpResponse planner = call(Who::Planner, "GET", tile_path(layer, home, "mvt"));
        EXPECT_EQ(planner.header("Cache-Control"), "private, no-cache") << layer;
    }
    const HttpResponse outlines = call(Who::Planner, "GET", tile_path("kommunen", home, "mvt"));
    EXPECT_EQ(outlines.header("Cache-Control"), "public, max-age=60");
    EXPECT_EQ(outlines.header("Vary"), "Accept-Encoding");
}

TEST_F(Tiles, NoPublicTileAtAnyZoomShowsAnUnconsentedVacancyOrAPrivateField) {
    std::size_t tiles = 0;
    for (int z = 0; z <= 18; ++z) {
        for (const auto& point : {m_published_point, m_hidden_point}) {
            const TileXyz t = tile_of(point, z);
            for (const std::string layer : {"buildings", "vacancies"}) {
                for (const std::string ext : {"geojson", "mvt"}) {
                    const HttpResponse r = call(Who::Anonymous, "GET", tile_path(layer, t, ext));
                    ASSERT_TRUE(r.status == 200 || r.status == 204) << r.status;
                    ++tiles;
                    EXPECT_EQ(r.body.find(k_hidden_since), std::string::npos)
                        << layer << " " << z << "/" << t.x << "/" << t.y << "." << ext;
                    EXPECT_EQ(r.body.find(k_private_contact), std::string::npos);
                    EXPECT_EQ(r.body.find("owner"), std::string::npos);
                    if (ext != "geojson" || r.status != 200) continue;
                    for (const auto& [id, properties] : features_by_id(json::parse(r.body))) {
                        if (layer == "vacancies") {
                            EXPECT_NE(id, m_hidden);
                        }
                        if (layer == "buildings" && properties.contains("vacancy_id")) {
                            EXPECT_EQ(properties["vacancy_id"], m_published) << id;
                            EXPECT_EQ(properties["vacancy_status"], "bestaetigt");
                        }
                    }
                }
            }
        }
    }
    EXPECT_GT(tiles, 100u);

    // The same tiles signed in show the unpublished vacancy: the check above can fail.
    const TileXyz t = tile_of(m_hidden_point, 14);
    const auto anonymous = features_by_id(geojson_tile(Who::Anonymous, "vacancies", t));
    const auto planner = features_by_id(geojson_tile(Who::Planner, "vacancies", t));
    EXPECT_EQ(anonymous.count(m_hidden), 0u);
    ASSERT_EQ(planner.count(m_hidden), 1u);
    EXPECT_EQ(planner.at(m_hidden)["vacant_since"], k_hidden_since);
    EXPECT_EQ(planner.at(m_hidden)["status"], "gemeldet");
    EXPECT_FALSE(planner.at(m_hidden).contains("owner_contact")) << "the map needs no contact";
    EXPECT_NE(call(Who::Planner, "GET", tile_path("vacancies", t, "mvt")).body.find(k_hidden_since),
              std::string::npos);
    // The editor of another Kommune is as the public there.
    EXPECT_EQ(features_by_id(geojson_tile(Who::EditorOther, "vacancies", t)).count(m_hidden), 0u);
    EXPECT_EQ(features_by_id(geojson_tile(Who::Editor, "vacancies", t)).count(m_hidden), 1u);
    // The hidden vacancy's building shows its status to the planner only.
    bool status_seen = false;
    for (const auto& [id, properties] : features_by_id(geojson_tile(Who::Planner, "buildings", t)))
        if (properties.value("vacancy_id", std::int64_t{0}) == m_hidden)
            status_seen = properties["vacancy_status"] == "gemeldet";
    EXPECT_TRUE(status_seen);
}

TEST_F(Tiles, AnEditRefreshesItsTilesAtOnceWhileOtherTilesStayCached) {
    const TileXyz home = tile_of(m_published_point, 14);
    const TileXyz elsewhere = tile_of(building_point(k_other_ags, 0), 14);
    ASSERT_FALSE(home.x == elsewhere.x && home.y == elsewhere.y);
    for (const TileXyz& t : {home, elsewhere})
        for (const std::string layer : {"buildings", "vacancies"}) {
            call(Who::Anonymous, "GET", tile_path(layer, t, "geojson"));
            ASSERT_EQ(call(Who::Anonymous, "GET", tile_path(layer, t, "geojson")).header("X-Cache"),
                      "hit");
        }
    const std::string home_kommunen = tile_path("kommunen", home, "mvt");
    call(Who::Anonymous, "GET", home_kommunen);

    const std::string item = "/collections/vacancies/items/" + std::to_string(m_published);
    const HttpResponse edited =
        call(Who::Editor, "PATCH", item, json{{"properties", {{"use", "gewerbe"}}}},
             {{"If-Match", etag_of(item)}}, "application/merge-patch+json");
    ASSERT_EQ(edited.status, 200) << edited.body;

    const HttpResponse after = call(Who::Anonymous, "GET", tile_path("vacancies", home, "geojson"));
    EXPECT_EQ(after.header("X-Cache"), "miss");
    EXPECT_EQ(features_by_id(json::parse(after.body))[m_published]["use"], "gewerbe");
    for (const std::string layer : {"buildings", "vacancies"})
        EXPECT_EQ(
            call(Who::Anonymous, "GET", tile_path(layer, elsewhere, "geojson")).header("X-Cache"),
            "hit")
            << layer << " far from the edit";
    EXPECT_EQ(call(Who::Anonymous, "GET", home_kommunen).header("X-Cache"), "hit")
        << "a vacancy edit leaves the Kommune outlines alone";

    // Withdrawing the consent takes the vacancy out of the public tile at once.
    const HttpResponse withdrawn =
        call(Who::Editor, "PATCH", item, json{{"properties", {{"consent_publish", false}}}},
             {{"If-Match", etag_of(item)}}, "application/merge-patch+json");
    ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
    EXPECT_EQ(features_by_id(geojson_tile(Who::Anonymous, "vacancies", home)).count(m_published),
              0u);
    for (const auto& [id, properties] :
         features_by_id(geojson_tile(Who::Anonymous, "buildings", home)))
        EXPECT_FALSE(properties.contains("vacancy_id")) << "building " << id;

    // A deleted vacancy leaves its tile too.
    const std::string hidden_item = "/collections/vacancies/items/" + std::to_string(m_hidden);
    const TileXyz hidden_tile = tile_of(m_hidden_point, 14);
    EXPECT_EQ(features_by_id(geojson_tile(Who::Admin, "vacancies", hidden_tile)).count(m_hidden),
              1u);
    ASSERT_EQ(
        call(Who::Admin, "DELETE", hidden_item, std::nullopt, {{"If-Match", etag_of(hidden_item)}})
            .status,
        204);
    EXPECT_EQ(features_by_id(geojson_tile(Who::Admin, "vacancies", hidden_tile)).count(m_hidden),
              0u);
}

/// ogrinfo's features of one layer: FID → "name=value" lines.
std::map<std::int64_t, std::set<std::string>> ogr_features(const std::string& listing) {
    std::map<std::int64_t, std::set<std::string>> out;
    std::istringstream in(listing);
    std::string line;
    std::int64_t current = -1;
    const std::regex field(R"(^  (\w+) \(\w+\) = (.*)$)");
    std::smatch m;
    while (std::getline(in, line)) {
        if (line.rfind("OGRFeature(", 0) == 0) {
            current = -1;
        } else if (std::regex_match(line, m, field)) {
            if (m[1] == "mvt_id")
                current = std::stoll(m[2]);
            else if (current >= 0)
                out[current].insert(m[1].str() + "=" + m[2].str());
        }
    }
    return out;
}

TEST_F(Tiles, GdalReadsTheSameFeaturesAndPropertiesFromTheMvtAsTheGeojsonTileHas) {
    if (!fs::exists("/usr/bin/ogrinfo")) GTEST_SKIP() << "ogrinfo (gdal-bin) is not installed";
    for (const std::string layer : {"buildings", "vacancies", "kommunen"}) {
        for (const int z : {8, 14, 16}) {
            const TileXyz t = tile_of(m_published_point, z);
            const HttpResponse mvt = call(Who::Planner, "GET", tile_path(layer, t, "mvt"));
            if (layer == "buildings" && z < 13) {
                EXPECT_EQ(mvt.status, 204);
                continue;
            }
            ASSERT_EQ(mvt.status, 200) << layer << " z" << z;
            const auto from_gdal = ogr_features(ogrinfo_of_mvt(mvt.body, t));
            const json geojson = geojson_tile(Who::Planner, layer, t);
            std::map<std::int64_t, std::set<std::string>> from_geojson;
            for (const json& f : geojson["features"]) {
                std::set<std::string>& fields = from_geojson[f["id"].get<std::int64_t>()];
                for (const auto& [key, value] : f["properties"].items())
                    fields.insert(key + "=" +
                                  (value.is_string() ? value.get<std::string>() : value.dump()));
            }
            EXPECT_GT(from_geojson.size(), 0u) << layer << " z" << z;
            EXPECT_EQ(from_gdal.size(), from_geojson.size()) << layer << " z" << z;
            for (const auto& [id, fields] : from_geojson) {
                const auto found = from_gdal.find(id);
                ASSERT_NE(found, from_gdal.end()) << layer << " z" << z << ": no feature " << id;
                EXPECT_EQ(found->second, fields) << layer << " z" << z << " feature " << id;
            }
        }
    }
}

TEST_F(Tiles, TheOgcTilesFormAndTileJsonDescribeAndServeTheSameTiles) {
    const TileXyz t = tile_of(m_published_point, 14);
    const json sets = json::parse(call(Who::Anonymous, "GET", "/tileMatrixSets").body);
    ASSERT_EQ(sets["tileMatrixSets"].size(), 1u);
    EXPECT_EQ(sets["tileMatrixSets"][0]["id"], "WebMercatorQuad");
    const json quad =
        json::parse(call(Who::Anonymous, "GET", "/tileMatrixSets/WebMercatorQuad").body);
    ASSERT_EQ(quad["tileMatrices"].size(), 25u);
    EXPECT_EQ(quad["crs"], "http://www.opengis.net/def/crs/EPSG/0/3857");
    EXPECT_EQ(quad["tileMatrices"][14]["matrixWidth"], 16384);
    EXPECT_NEAR(quad["tileMatrices"][0]["scaleDenominator"].get<double>(), 559082264.0287178, 1e-3);

    const json tilesets =
        json::parse(call(Who::Anonymous, "GET", "/collections/buildings/tiles").body);
    ASSERT_EQ(tilesets["tilesets"].size(), 1u);
    const json tileset = json::parse(
        call(Who::Anonymous, "GET", "/collections/buildings/tiles/WebMercatorQuad").body);
    std::string mvt_template;
    for (const json& link : tileset["links"])
        if (link["rel"] == "item" && link["type"] == "application/vnd.mapbox-vector-tile")
            mvt_template = link["href"];
    ASSERT_NE(mvt_template.find("{tileMatrix}/{tileRow}/{tileCol}"), std::string::npos)
        << tileset.dump();
    // The tileset's limits cover the tile of a real building at z14 and start at z13.
    bool covered = false;
    for (const json& limit : tileset["tileMatrixSetLimits"]) {
        EXPECT_GE(std::stoi(limit["tileMatrix"].get<std::string>()), 13);
        if (limit["tileMatrix"] == "14")
            covered = limit["minTileCol"] <= t.x && t.x <= limit["maxTileCol"] &&
                      limit["minTileRow"] <= t.y && t.y <= limit["maxTileRow"];
    }
    EXPECT_TRUE(covered) << tileset["tileMatrixSetLimits"].dump();

    std::string ogc = std::regex_replace(mvt_template, std::regex("^http://[^/]+"), "");
    ogc = std::regex_replace(ogc, std::regex("\\{tileMatrix\\}"), std::to_string(t.z));
    ogc = std::regex_replace(ogc, std::regex("\\{tileRow\\}"), std::to_string(t.y));
    ogc = std::regex_replace(ogc, std::regex("\\{tileCol\\}"), std::to_string(t.x));
    const HttpResponse from_ogc = call(Who::Anonymous, "GET", ogc);
    const HttpResponse from_xyz = call(Who::Anonymous, "GET", tile_path("buildings", t, "mvt"));
    ASSERT_EQ(from_ogc.status, 200) << ogc;
    EXPECT_EQ(from_ogc.header("Content-Type"), "application/vnd.mapbox-vector-tile");
    EXPECT_EQ(from_ogc.body, from_xyz.body);
    const std::string ogc_base = "/collections/buildings/tiles/WebMercatorQuad/" +
                                 std::to_string(t.z) + "/" + std::to_string(t.y) + "/" +
                                 std::to_string(t.x);
    const HttpResponse by_accept =
        call(Who::Anonymous, "GET", ogc_base, std::nullopt, {{"Accept", "application/geo+json"}});
    EXPECT_EQ(by_accept.header("Content-Type"), "application/geo+json");
    EXPECT_EQ(by_accept.body,
              call(Who::Anonymous, "GET", tile_path("buildings", t, "geojson")).body);
    EXPECT_EQ(call(Who::Anonymous, "GET", ogc_base + "?f=png").status, 400);

    const json tilejson = json::parse(call(Who::Anonymous, "GET", "/tiles/buildings.json").body);
    EXPECT_EQ(tilejson["minzoom"], 13);
    ASSERT_EQ(tilejson["tiles"].size(), 1u);
    EXPECT_NE(tilejson["tiles"][0].get<std::string>().find("/tiles/buildings/{z}/{x}/{y}.mvt"),
              std::string::npos);
    ASSERT_EQ(tilejson["vector_layers"].size(), 1u);
    EXPECT_EQ(tilejson["vector_layers"][0]["id"], "buildings");
    EXPECT_TRUE(tilejson["vector_layers"][0]["fields"].contains("vacancy_status"));
    const json& bounds = tilejson["bounds"];
    ASSERT_EQ(bounds.size(), 4u);
    EXPECT_LE(bounds[0].get<double>(), m_published_point.first);
    EXPECT_GE(bounds[3].get<double>(), m_published_point.second);
}

}  // namespace
}  // namespace leerstand::test
