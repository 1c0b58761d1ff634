// OGC API – Features Part 1, read side: landing page negotiation, conformance, collections,
// items of all four collections (paging, bbox, kommune), RFC 7946 output, and GDAL's OAPIF
// driver as a real client.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;

class OgcApi : public AtlasServerTest {
  protected:
    /// GET as the public with optional headers; the body parsed as JSON (discarded on error).
    HttpResponse get(const std::string& target, HeaderList headers = {}) {
        return call(Who::Anonymous, "GET", target, std::nullopt, std::move(headers));
    }

    json get_json(const std::string& target, int expected_status = 200) {
        const HttpResponse response = get(target);
        EXPECT_EQ(response.status, expected_status) << target << ": " << response.body;
        return json::parse(response.body, nullptr, false);
    }

    /// `href` without "http://host:port", so the test client can request it.
    static std::string target_of(const std::string& href) {
        const std::size_t scheme = href.find("://");
        if (scheme == std::string::npos) return href;
        return href.substr(href.find('/', scheme + 3));
    }

    static std::optional<std::string> link_href(const json& body, const std::string& rel) {
        for (const json& link : body.value("links", json::array()))
            if (link.value("rel", "") == rel) return link.value("href", "");
        return std::nullopt;
    }

    /// Ids of every feature reached from `target` by following `next` links.
    std::vector<std::string> crawl(const std::string& target, int& pages) {
        std::vector<std::string> ids;
        std::optional<std::string> next = target;
        pages = 0;
        while (next && pages < 1000) {
            const json page = get_json(target_of(*next));
            if (!page.is_object()) break;
            ++pages;
            for (const json& feature : page["features"]) ids.push_back(feature["id"].dump());
            EXPECT_EQ(page["numberReturned"].get<std::size_t>(), page["features"].size());
            next = link_href(page, "next");
        }
        return ids;
    }

    std::vector<std::string> oracle_ids(const std::string& where) {
        std::vector<std::string> ids;
        std::istringstream rows(
            spatial_sql(db(), "SELECT id FROM buildings " + where + " ORDER BY id"));
        for (std::string line; std::getline(rows, line);)
            if (!line.empty()) ids.push_back(line);
        return ids;
    }
};

/// Twice the signed area of a ring (positive when counter-clockwise).
double signed_area(const json& ring) {
    double sum = 0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i)
        sum += ring[i][0].get<double>() * ring[i + 1][1].get<double>() -
               ring[i + 1][0].get<double>() * ring[i][1].get<double>();
    return sum;
}

/// Checks RFC 7946 rules on one (Multi)Polygon geometry; returns the number of rings seen.
int check_polygons(const json& geometry) {
    EXPECT_FALSE(geometry.contains("crs"));
    std::vector<json> polygons;
    if (geometry["type"] == "Polygon")
        polygons.push_back(geometry["coordinates"]);
    else if (geometry["type"] == "MultiPolygon")
        for (const json& polygon : geometry["coordinates"]) polygons.push_back(polygon);
    else
        ADD_FAILURE() << "unexpected geometry " << geometry["type"];
    int rings = 0;
    for (const json& polygon : polygons) {
        for (std::size_t r = 0; r < polygon.size(); ++r, ++rings) {
            const double area = signed_area(polygon[r]);
            if (r == 0)
                EXPECT_GT(area, 0) << "outer ring is not counter-clockwise";
            else
                EXPECT_LT(area, 0) << "hole is not clockwise";
            for (const json& position : polygon[r]) {
                EXPECT_EQ(position.size(), 2u);
                EXPECT_GE(position[0].get<double>(), 5.0);  // lon first: Germany
                EXPECT_LE(position[0].get<double>(), 16.0);
                EXPECT_GE(position[1].get<double>(), 47.0);
                EXPECT_LE(position[1].get<double>(), 56.0);
            }
        }
    }
    return rings;
}

/// The text of every `"coordinates": [...]` array in `body`.
std::vector<std::string> coordinate_texts(const std::string& body) {
    std::vector<std::string> texts;
    const std::string key = "\"coordinates\":";
    for (std::size_t at = body.find(key); at != std::string::npos; at = body.find(key, at + 1)) {
        const std::size_t start = at + key.size();
        int depth = 0;
        std::size_t end = start;
        for (; end < body.size(); ++end) {
            if (body[end] == '[') ++depth;
            if (body[end] == ']' && --depth == 0) break;
        }
        texts.push_back(body.substr(start, end + 1 - start));
    }
    return texts;
}

bool has_more_than_7_decimals(const std::string& text) {
    int decimals = -1;  // -1: not after a decimal point
    for (const char c : text) {
        if (c == '.') {
            decimals = 0;
        } else if (c >= '0' && c <= '9') {
            if (decimals >= 0 && ++decimals > 7) return true;
        } else {
            decimals = -1;
        }
    }
    return false;
}

TEST_F(OgcApi, LandingPageByContentNegotiation) {
    const HttpResponse browser =
        get("/", {{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}});
    EXPECT_EQ(browser.status, 200);
    EXPECT_NE(browser.header("Content-Type").find("text/html"), std::string::npos);
    const HttpResponse plain = get("/");
    EXPECT_EQ(plain.status, 200);
    EXPECT_NE(plain.header("Content-Type").find("text/html"), std::string::npos);

    for (const auto& response : {get("/", {{"Accept", "application/json"}}), get("/?f=json")}) {
        EXPECT_EQ(response.status, 200) << response.body;
        EXPECT_NE(response.header("Content-Type").find("application/json"), std::string::npos);
        const json landing = json::parse(response.body, nullptr, false);
        ASSERT_TRUE(landing.is_object()) << response.body;
        std::set<std::string> rels;
        for (const json& link : landing["links"]) rels.insert(link["rel"].get<std::string>());
        EXPECT_EQ(rels, (std::set<std::string>{
                            "self", "service-desc", "conformance", "data",
                            "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "license"}));
        EXPECT_NE(link_href(landing, "service-desc")->find("/api"), std::string::npos);
    }
}

TEST_F(OgcApi, ConformanceListsCoreGeoJsonAndOas30) {
    const json body = get_json("/conformance");
    const std::string base = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/";
    for (const std::string cls : {"core", "geojson", "oas30"})
        EXPECT_NE(std::find(body["conformsTo"].begin(), body["conformsTo"].end(), base + cls),
                  body["conformsTo"].end())
            << cls;
}

TEST_F(OgcApi, CollectionsDescribeAllFourWithExtents) {
    const json body = get_json("/collections");
    std::set<std::string> ids;
    for (const json& collection : body["collections"]) {
        ids.insert(collection["id"].get<std::string>());
        EXPECT_EQ(collection["itemType"], "feature");
        EXPECT_TRUE(collection["title"].is_string());
        EXPECT_EQ(collection["crs"][0], "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
        const json box = collection["extent"]["spatial"]["bbox"][0];
        ASSERT_EQ(box.size(), 4u);
        EXPECT_LE(box[0].get<double>(), box[2].get<double>());
        EXPECT_LE(box[1].get<double>(), box[3].get<double>());
        bool items_link = false;
        for (const json& link : collection["links"])
            if (link["rel"] == "items" && link["type"] == "application/geo+json") items_link = true;
        EXPECT_TRUE(items_link) << collection.dump();
    }
    // Issue 23 adds the offers (`angebote`) and the needs (`gesuche`).
    EXPECT_EQ(ids, (std::set<std::string>{"kommunen", "buildings", "vacancies", "zukunftsorte",
                                          "angebote", "gesuche"}));

    // The buildings extent is the data's (the R*Tree stores 32-bit floats: compare loosely).
    const json buildings = get_json("/collections/buildings");
    std::istringstream oracle(
        spatial_sql(db(),
                    "SELECT MbrMinX(e), MbrMinY(e), MbrMaxX(e), MbrMaxY(e) FROM "
                    "(SELECT Extent(footprint) AS e FROM buildings)"));
    std::string row;
    std::getline(oracle, row);
    std::replace(row.begin(), row.end(), '|', ' ');
    std::istringstream numbers(row);
    for (int i = 0; i < 4; ++i) {
        double expected = 0;
        numbers >> expected;
        EXPECT_NEAR(buildings["extent"]["spatial"]["bbox"][0][i].get<double>(), expected, 1e-4);
    }
    get_json("/collections/nothing", 404);
}

TEST_F(OgcApi, NextLinksCoverEveryBuildingOfAKommuneExactlyOnce) {
    const std::vector<std::string> expected =
        oracle_ids("WHERE kommune_ags = '" + k_home_ags + "'");
    ASSERT_GT(expected.size(), 5u);
    const std::size_t limit = expected.size() / 3 + 1;  // three pages, the last one short
    const json first = get_json("/collections/buildings/items?kommune=" + k_home_ags +
                                "&limit=" + std::to_string(limit));
    EXPECT_EQ(first["numberMatched"].get<std::size_t>(), expected.size());
    EXPECT_FALSE(link_href(first, "prev"));
    int pages = 0;
    const std::vector<std::string> ids = crawl(
        "/collections/buildings/items?kommune=" + k_home_ags + "&limit=" + std::to_string(limit),
        pages);
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(ids, expected);  // same ids, same order, no repeats

    // Links keep every parameter; prev goes back.
    const json second = get_json(target_of(*link_href(first, "next")));
    const std::string self = *link_href(second, "self");
    EXPECT_NE(self.find("kommune=" + k_home_ags), std::string::npos) << self;
    EXPECT_NE(self.find("limit=" + std::to_string(limit)), std::string::npos) << self;
    EXPECT_NE(self.find("offset=" + std::to_string(limit)), std::string::npos) << self;
    const json back = get_json(target_of(*link_href(second, "prev")));
    EXPECT_EQ(back["features"], first["features"]);
    EXPECT_TRUE(second["timeStamp"].is_string());
    EXPECT_TRUE(std::regex_match(second["timeStamp"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}

TEST_F(OgcApi, BboxSelectsWhatSpatiaLiteSelects) {
    const auto [lon, lat] = building_point(k_home_ags, 3);
    std::ostringstream box;
    box.precision(10);
    box << lon - 0.004 << ',' << lat - 0.003 << ',' << lon + 0.004 << ',' << lat + 0.003;
    const std::string bbox = box.str();
    std::string mbr = bbox;
    const std::vector<std::string> expected =
        oracle_ids("WHERE ST_Intersects(footprint, BuildMbr(" + mbr + ", 4326))");
    ASSERT_FALSE(expected.empty());
    int pages = 0;
    EXPECT_EQ(crawl("/collections/buildings/items?limit=7&bbox=" + bbox, pages), expected);
    EXPECT_EQ(
        get_json("/collections/buildings/items?bbox=" + bbox)["numberMatched"].get<std::size_t>(),
        expected.size());
    // Kommunen too: the home Kommune contains the point.
    const json kommunen = get_json("/collections/kommunen/items?bbox=" + bbox);
    bool home = false;
    for (const json& feature : kommunen["features"]) home |= feature["id"] == k_home_ags;
    EXPECT_TRUE(home);
}

TEST_F(OgcApi, BadParametersAre400NamingTheParameter) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"limit=0", "limit"},     {"limit=10001", "limit"},     {"limit=ten", "limit"},
        {"offset=-1", "offset"},  {"bbox=1,2,3", "bbox"},       {"bbox=14,53,13,54", "bbox"},
        {"bbox=a,b,c,d", "bbox"}, {"bbox=1,2,3,4,5,6", "bbox"}, {"kommune=12x", "kommune"},
    };
    for (const std::string collection : {"buildings", "kommunen", "vacancies", "zukunftsorte"}) {
        for (const auto& [query, name] : cases) {
            const HttpResponse response = get("/collections/" + collection + "/items?" + query);
            EXPECT_EQ(response.status, 400) << collection << "?" << query;
            const json problem = json::parse(response.body, nullptr, false);
            ASSERT_TRUE(problem.is_object()) << response.body;
            ASSERT_TRUE(problem.contains("errors")) << response.body;
            EXPECT_EQ(problem["errors"][0]["field"], name) << response.body;
            EXPECT_EQ(problem["code"], "invalid_fields") << response.body;
        }
    }
    const HttpResponse status = get("/collections/buildings/items?status=gemeldet");
    EXPECT_EQ(status.status, 400);
    EXPECT_NE(status.body.find("status"), std::string::npos);
}

TEST_F(OgcApi, QueryParametersAreDecodedOnceAsFormsEncodeThem) {
    // Names and values: %XX is a byte and '+' a space; a '%' without two hex digits stays.
    const json page =
        get_json("/collections/kommunen/items?k%6Fmmune=" + k_home_ags + "&limit=1&note=a+b%zz%2C");
    ASSERT_TRUE(page.is_object());
    ASSERT_EQ(page["features"].size(), 1u) << page.dump().substr(0, 300);
    EXPECT_EQ(page["features"][0]["id"], k_home_ags);
    // The links keep every parameter, encoded again: the note was "a b%zz,".
    const std::string self = link_href(page, "self").value_or("");
    EXPECT_NE(self.find("?kommune=" + k_home_ags + "&limit=1&note=a%20b%25zz,"), std::string::npos)
        << self;
}

TEST_F(OgcApi, OutputIsRfc7946) {
    for (const std::string collection : {"buildings", "kommunen"}) {
        const HttpResponse response = get("/collections/" + collection + "/items?limit=50");
        ASSERT_EQ(response.status, 200) << response.body;
        EXPECT_NE(response.header("Content-Type").find("application/geo+json"), std::string::npos);
        const json body = json::parse(response.body);
        EXPECT_FALSE(body.contains("crs"));
        // At most 7 decimals in every coordinate as sent (checked on the text: parsing and
        // printing again could change it). Properties (area_m2) may have more.
        int arrays = 0;
        for (const std::string& text : coordinate_texts(response.body)) {
            ++arrays;
            EXPECT_FALSE(has_more_than_7_decimals(text)) << text.substr(0, 200);
        }
        EXPECT_EQ(arrays, static_cast<int>(body["features"].size()));
        EXPECT_EQ(body["type"], "FeatureCollection");
        ASSERT_FALSE(body["features"].empty());
        int rings = 0;
        for (const json& feature : body["features"]) {
            EXPECT_EQ(feature["type"], "Feature");
            EXPECT_FALSE(feature.contains("crs"));
            if (!feature["geometry"].is_null()) rings += check_polygons(feature["geometry"]);
        }
        EXPECT_GT(rings, 0);
    }
    // The properties of a building are the columns, not the raw source attributes.
    const json building = get_json("/collections/buildings/items?limit=1")["features"][0];
    for (const std::string key : {"kommune_ags", "source_ref", "function", "floors", "name",
                                  "street", "housenumber", "postcode", "city", "area_m2"})
        EXPECT_TRUE(building["properties"].contains(key)) << key;
    EXPECT_FALSE(building["properties"].contains("attributes"));
}

TEST_F(OgcApi, SingleItemsOfBuildingsAndKommunen) {
    const json kommune = get_json("/collections/kommunen/items/" + k_home_ags);
    EXPECT_EQ(kommune["id"], k_home_ags);
    EXPECT_EQ(kommune["properties"]["ags"], k_home_ags);
    const std::string id = oracle_ids("WHERE kommune_ags = '" + k_home_ags + "'").front();
    const json building = get_json("/collections/buildings/items/" + id);
    EXPECT_EQ(building["id"].dump(), id);
    EXPECT_EQ(building["properties"]["kommune_ags"], k_home_ags);
    get_json("/collections/buildings/items/999999999", 404);
    get_json("/collections/buildings/items/abc", 404);
    get_json("/collections/kommunen/items/00000000", 404);
}

TEST_F(OgcApi, VacancyItemsKeepThePrivacyFilterAndTakeBbox) {
    const std::int64_t hidden = create_vacancy({{"status", "gemeldet"}}, k_home_ags, 0);
    const std::int64_t shown =
        create_vacancy({{"status", "bestaetigt"}, {"consent_publish", true}}, k_home_ags, 1);
    ASSERT_GT(hidden, 0);
    ASSERT_GT(shown, 0);
    const json page = get_json("/collections/vacancies/items");
    std::set<std::int64_t> ids;
    for (const json& feature : page["features"]) ids.insert(feature["id"].get<std::int64_t>());
    EXPECT_EQ(ids, std::set<std::int64_t>{shown});
    EXPECT_EQ(page["numberMatched"], 1);
    EXPECT_TRUE(page["timeStamp"].is_string());
    EXPECT_TRUE(link_href(page, "self"));

    const auto [lon, lat] = building_point(k_home_ags, 1);
    std::ostringstream near, far;
    near.precision(10);
    near << lon - 0.0001 << ',' << lat - 0.0001 << ',' << lon + 0.0001 << ',' << lat + 0.0001;
    far << "6,48,6.1,48.1";
    EXPECT_EQ(get_json("/collections/vacancies/items?bbox=" + near.str())["numberMatched"], 1);
    EXPECT_EQ(get_json("/collections/vacancies/items?bbox=" + far.str())["numberMatched"], 0);
    EXPECT_EQ(get_json("/collections/zukunftsorte/items?bbox=" + far.str())["numberMatched"], 0);
}

/// GDAL's OAPIF driver as a real client.
class OgcApiGdal : public OgcApi {
  protected:
    void SetUp() override {
        if (!std::filesystem::exists("/usr/bin/ogrinfo") ||
            !std::filesystem::exists("/usr/bin/ogr2ogr"))
            GTEST_SKIP() << "gdal-bin is not installed";
        OgcApi::SetUp();
    }
    std::string url() const { return "OAPIF:http://127.0.0.1:" + std::to_string(port()); }
};

TEST_F(OgcApiGdal, OgrinfoListsTheFourCollections) {
    const CommandResult result = run_command({"/usr/bin/ogrinfo", "-ro", "-so", url()});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    for (const std::string name : {"kommunen", "buildings", "vacancies", "zukunftsorte"})
        EXPECT_NE(result.out.find(name), std::string::npos) << name << "\n" << result.out;
}

TEST_F(OgcApiGdal, Ogr2ogrCopiesEveryBuildingOfAKommune) {
    const std::vector<std::string> expected =
        oracle_ids("WHERE kommune_ags = '" + k_home_ags + "'");
    ASSERT_FALSE(expected.empty());
    const std::string out = (m_dir.path() / "copy.gpkg").string();
    // GDAL 3.6 opens the service, not an items URL with parameters, so the Kommune is chosen
    // with -where. A small page size makes GDAL follow many next links.
    const CommandResult copy =
        run_command({"/usr/bin/ogr2ogr", "-f", "GPKG", out, url(), "buildings", "-where",
                     "kommune_ags = '" + k_home_ags + "'", "-nln", "copied", "-preserve_fid", "-oo",
                     "PAGE_SIZE=" + std::to_string(expected.size() / 4 + 1)});
    ASSERT_EQ(copy.exit_code, 0) << copy.out << copy.err;
    const CommandResult count = run_command(
        {"/usr/bin/ogrinfo", "-ro", "-q", "-sql", "SELECT count(*) AS n FROM copied", out});
    ASSERT_EQ(count.exit_code, 0) << count.err;
    EXPECT_TRUE(std::regex_search(
        count.out, std::regex(R"(n \(Integer(64)?\) = )" + std::to_string(expected.size()) + "\n")))
        << count.out;

    // One geometry round-trips within 1e-7 degrees.
    const std::string id = expected.front();
    const CommandResult feature =
        run_command({"/usr/bin/ogrinfo", "-ro", "-q", out, "copied", "-fid", id});
    ASSERT_EQ(feature.exit_code, 0) << feature.err;
    // The store's coordinates at full precision (AsText rounds to 6 decimals).
    const std::string store_wkt = spatial_sql(
        db(),
        "SELECT AsGeoJSON(ST_ForcePolygonCCW(footprint), 15) FROM buildings WHERE id = " + id);
    const auto numbers = [](const std::string& text) {
        std::vector<double> values;
        static const std::regex number(R"(-?\d+\.\d+|-?\d+)");
        for (auto it = std::sregex_iterator(text.begin(), text.end(), number);
             it != std::sregex_iterator(); ++it)
            values.push_back(std::stod(it->str()));
        return values;
    };
    const std::size_t at = feature.out.find("POLYGON");
    ASSERT_NE(at, std::string::npos) << feature.out;
    const std::string wkt_line = feature.out.substr(at);
    const std::vector<double> copied = numbers(wkt_line.substr(0, wkt_line.find('\n')));
    const std::vector<double> original = numbers(store_wkt);
    ASSERT_EQ(copied.size(), original.size()) << feature.out << "\n" << store_wkt;
    ASSERT_FALSE(original.empty());
    for (std::size_t i = 0; i < original.size(); ++i)
        EXPECT_NEAR(copied[i], original[i], 1e-7) << i;
}

}  // namespace
}  // namespace leerstand::test
