// Bad input on the command line: one clear line on stderr, a non-zero exit, no stored change.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/cli/cli_support.hpp"

namespace leerstand::test {
namespace {

TEST(Usage, HelpListsTheCommands) {
    auto result = run_leerstand({"help"});
    EXPECT_EQ(result.exit_code, 0);
    for (const char* command :
         {"import ", "import-kommunen", "demo", "serve", "migrate-store", "LEERSTAND_DB"})
        EXPECT_NE(result.out.find(command), std::string::npos) << command;
}

TEST(Usage, UnknownCommandsAndOptionsAreUsageErrors) {
    for (const auto& args :
         std::vector<std::vector<std::string>>{{},
                                               {"frobnicate"},
                                               {"import"},
                                               {"import", "a.shp", "--mode", "merge"},
                                               {"import", "a.shp", "--srs", "EPSG:abc"},
                                               {"import", "a.shp", "--bogus"},
                                               {"serve", "--port", "70000"},
                                               {"serve", "--basemap-url", "ftp://x/{z}/{x}/{y}"},
                                               {"serve", "--basemap-url", "https://x/tiles.png"}}) {
        auto result = run_leerstand(args);
        EXPECT_EQ(result.exit_code, 2) << result.err;
        EXPECT_EQ(line_count(result.err), 1) << result.err;
        EXPECT_EQ(result.err.rfind("leerstand: ", 0), 0u) << result.err;
    }
}

TEST(Usage, BadPublicUrlsAndProxyAddressesAreUsageErrorsNamingTheOption) {
    for (const auto& [option, value] : std::vector<std::pair<std::string, std::string>>{
             {"--public-url", "ftp://atlas.example.org"},
             {"--public-url", "atlas.example.org"},
             {"--public-url", "https://atlas.example.org/leerstand"},
             {"--public-url", "https://atlas.example.org/?x=1"},
             {"--public-url", "https://user@atlas.example.org"},
             {"--public-url", "https://atlas.example.org:99999"},
             {"--public-url", "https://"},
             {"--trusted-proxy", "nginx.local"},
             {"--trusted-proxy", "127.0.0.1,"},
             {"--trusted-proxy", "127.0.0.1/8"}}) {
        auto result = run_leerstand({"serve", option, value});
        EXPECT_EQ(result.exit_code, 2) << value << ": " << result.err;
        EXPECT_EQ(line_count(result.err), 1) << result.err;
        EXPECT_EQ(result.err.rfind("leerstand: " + option + " must", 0), 0u) << result.err;
    }
}

struct BadInput {
    std::vector<std::string> args;  // {DB} is replaced by the database path
    const char* message_part;
};

class BadImports : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadImports, OneLineErrorAndUnchangedDatabase) {
    TempDir dir;
    auto db = (dir / "atlas.sqlite").string();
    // A database with one Kommune, so only the file is at fault.
    auto boundary = shared_data("kommunen/founding_kommunen_and_neighbours_vg5000.geojson");
    bool has_kommunen = std::filesystem::exists(boundary);
    if (has_kommunen) {
        ASSERT_EQ(run_leerstand({"import-kommunen", boundary.string(), "--db", db}).exit_code, 0);
    }
    std::vector<std::string> args;
    for (auto arg : GetParam().args) {
        if (arg == "{DB}") arg = db;
        if (arg.rfind("{FIX}", 0) == 0) arg = fixture(arg.substr(5)).string();
        if (arg.rfind("{SHARED}", 0) == 0) {
            auto path = shared_data(arg.substr(8));
            LEERSTAND_REQUIRE_SHARED(path);
            arg = path.string();
        }
        args.push_back(arg);
    }
    if (!has_kommunen) GTEST_SKIP() << "shared Kommune boundaries absent: " << boundary;
    auto result = run_leerstand(args);
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_EQ(line_count(result.err), 1) << result.err;
    EXPECT_NE(result.err.find(GetParam().message_part), std::string::npos) << result.err;
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM buildings"), 0);
    EXPECT_EQ(sql(db, "PRAGMA integrity_check"), "ok");
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadImports,
    ::testing::Values(
        BadInput{{"import", "/nonexistent/file.shp", "--db", "{DB}"}, "file not found"},
        BadInput{{"import", "{FIX}cli/not-geodata.shp", "--db", "{DB}"}, "not a geodata file"},
        BadInput{{"import", "{FIX}cli/no-geometry.csv", "--db", "{DB}"}, "no geometry"},
        BadInput{{"import", "{SHARED}buildings/osm_harsdorf_2014_buildings.geojson", "--db", "{DB}",
                  "--kommune", "99999999"},
                 "unknown Kommune 99999999"},
        BadInput{{"import", "{SHARED}shapefiles-wild/sjs_html_in_cpg_and_prj/htmlprj.shp", "--db",
                  "{DB}"},
                 ".prj"},
        BadInput{{"import", "{FIX}cli/no-shx/parcel.shp", "--db", "{DB}"}, ".shx"},
        BadInput{{"import", "{SHARED}shapefiles-wild/sjs_no_dbf_no_shx/no-dbf.shp", "--db", "{DB}"},
                 ".dbf"},
        BadInput{{"import", "{FIX}geo/no_layer.zip", "--db", "{DB}"}, "no vector layer"},
        BadInput{{"import", "{FIX}geo/missing_shx.zip", "--db", "{DB}"}, "gebaeude.shx"},
        BadInput{{"import", "{FIX}cli/truncated-dbf/buildings.shp", "--db", "{DB}"},
                 "buildings.dbf is truncated"},
        BadInput{{"import", "{FIX}cli/damaged-dbf/buildings.shp", "--db", "{DB}"},
                 "buildings.dbf is not a valid dBASE attribute table"}));

TEST(Usage, ImportWithoutKommunenSaysToLoadThemFirst) {
    auto source = shared_data("buildings/osm_harsdorf_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(source);
    TempDir dir;
    auto result = run_leerstand({"import", source.string(), "--db", (dir / "a.sqlite").string()});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("import-kommunen"), std::string::npos) << result.err;
    EXPECT_EQ(line_count(result.err), 1) << result.err;
}

TEST(Usage, DatabaseFromEnvironmentVariable) {
    TempDir dir;
    auto db = dir / "from-env.sqlite";
    auto result = run_command({"env", "LEERSTAND_DB=" + db.string(), leerstand_binary().string(),
                               "import", fixture("cli/not-geodata.shp").string()});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_TRUE(std::filesystem::exists(db)) << "LEERSTAND_DB was not used";
}

}  // namespace
}  // namespace leerstand::test
