// Unit tests of the static-file path rules, on a web root built in a temporary folder.

#include "server/http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "server/http/percent_decoding.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::http {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

class StaticFilesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        write(root() / "index.html", "<!doctype html>");
        write(root() / "app.js", "export {};");
        write(root() / "css" / "deep" / "a.css", "a {}");
        write(root() / "notes.md", "# not served");
        write(root() / ".env", "SECRET=1");
        write(root() / "package.json", "{}");
        write(root() / "node_modules" / "leaflet" / "dist" / "leaflet.js", "L");
        write(root() / "node_modules" / "leaflet" / "dist" / "images" / "layers.png", "png");
        write(root() / "node_modules" / "leaflet" / "package.json", "{}");
        write(m_dir / "secret.js", "outside the root");
        fs::create_directory_symlink(m_dir.path(), root() / "escape");
        fs::create_symlink(m_dir / "secret.js", root() / "link.js");
    }

    fs::path root() const { return m_dir / "web"; }

    TempDir m_dir;
};

TEST_F(StaticFilesTest, MapsTheRootAndPlainPathsIntoTheWebRoot) {
    const StaticFiles files(root());
    const fs::path canonical_root = fs::canonical(root());
    EXPECT_EQ(files.resolve("/"), canonical_root / "index.html");
    EXPECT_EQ(files.resolve("/app.js"), canonical_root / "app.js");
    EXPECT_EQ(files.resolve("/css/deep/a.css"), canonical_root / "css" / "deep" / "a.css");
    // Percent-encoded ordinary characters decode normally.
    EXPECT_EQ(files.resolve("/%61pp.js"), canonical_root / "app.js");
}

TEST_F(StaticFilesTest, VendorLeafletComesFromNodeModulesAtAnyDepth) {
    const StaticFiles files(root());
    const fs::path dist = fs::canonical(root() / "node_modules" / "leaflet" / "dist");
    EXPECT_EQ(files.resolve("/vendor/leaflet/leaflet.js"), dist / "leaflet.js");
    EXPECT_EQ(files.resolve("/vendor/leaflet/images/layers.png"), dist / "images" / "layers.png");
    // ../package.json is beside dist/, so outside the vendor root.
    EXPECT_THROW(files.resolve("/vendor/leaflet/%2e%2e/package.json"), NotFound);
}

TEST_F(StaticFilesTest, LoadReturnsTheBytesAndTheContentType) {
    const StaticFile file = StaticFiles(root()).load("/");
    EXPECT_EQ(file.body, "<!doctype html>");
    EXPECT_EQ(file.content_type, "text/html; charset=utf-8");
}

TEST_F(StaticFilesTest, RejectsEverythingThatCouldLeaveTheRoot) {
    const StaticFiles files(root());
    for (const char* path :
         {"/../secret.js", "/css/../../secret.js", "/%2e%2e/secret.js", "/%2E%2E/secret.js",
          "/..%2fsecret.js", "/..%2Fsecret.js", "/%252e%252e/secret.js", "/..\\secret.js",
          "/..%5csecret.js", "/./app.js", "/css//deep/a.css", "/escape/secret.js", "/link.js"}) {
        SCOPED_TRACE(path);
        EXPECT_THROW(files.resolve(path), NotFound);
    }
}

TEST_F(StaticFilesTest, HidesBuildFilesDotFilesAndUnknownKinds) {
    const StaticFiles files(root());
    for (const char* path :
         {"/.env", "/package.json", "/node_modules/leaflet/dist/leaflet.js", "/notes.md", "/css",
          "/css/", "/vendor/leaflet/", "/vendor/leaflet", "/missing.js"}) {
        SCOPED_TRACE(path);
        EXPECT_THROW(files.resolve(path), NotFound);
    }
}

TEST_F(StaticFilesTest, MalformedEncodingAndNulAreBadRequests) {
    const StaticFiles files(root());
    for (const char* path : {"/%zz", "/app.js%", "/app.js%4", "/app.js%00", "/%00/app.js"}) {
        SCOPED_TRACE(path);
        EXPECT_THROW(files.resolve(path), InvalidInput);
    }
    EXPECT_THROW(files.resolve("app.js"), InvalidInput);
    EXPECT_THROW(files.resolve(""), InvalidInput);
}

TEST_F(StaticFilesTest, WebRootMustBeADirectory) {
    EXPECT_THROW(StaticFiles(m_dir / "absent"), InvalidInput);
    EXPECT_THROW(StaticFiles(m_dir / "secret.js"), InvalidInput);
}

TEST(PercentDecode, DecodesOnceAndRejectsMalformedEscapes) {
    EXPECT_EQ(percent_decode("a%20b"), "a b");
    EXPECT_EQ(percent_decode("%C3%A4"), "\xC3\xA4");  // ä
    EXPECT_EQ(percent_decode("%252e"), "%2e");        // once only
    EXPECT_EQ(percent_decode("a+b"), "a+b");
    EXPECT_EQ(percent_decode(""), "");
    EXPECT_EQ(percent_decode("%"), std::nullopt);
    EXPECT_EQ(percent_decode("%4"), std::nullopt);
    EXPECT_EQ(percent_decode("%g0"), std::nullopt);
}

TEST(ContentType, KnownExtensionsOnly) {
    EXPECT_EQ(content_type_for("a/index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("app.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("m.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("s.css"), "text/css; charset=utf-8");
    EXPECT_EQ(content_type_for("d.json"), "application/json");
    EXPECT_EQ(content_type_for("i.svg"), "image/svg+xml");
    EXPECT_EQ(content_type_for("i.png"), "image/png");
    EXPECT_EQ(content_type_for("favicon.ico"), "image/x-icon");
    EXPECT_EQ(content_type_for("site.webmanifest"), "application/manifest+json");
    EXPECT_EQ(content_type_for("README.md"), std::nullopt);
    EXPECT_EQ(content_type_for("run.sh"), std::nullopt);
    EXPECT_EQ(content_type_for("noextension"), std::nullopt);
}

}  // namespace
}  // namespace leerstand::http
