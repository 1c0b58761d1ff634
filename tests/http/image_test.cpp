// Pictures over real HTTP: uploads of real files made here with the `vips` CLI and tagged with
// `exiftool`, the three sizes downloaded and read back by exiftool and vips (no code shared with
// the server), the refusals with their codes (nothing stored), who may upload, and caching.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"

namespace leerstand::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<int> k_sizes = {320, 800, 1600};

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

/// Runs the `vips` CLI; fails the test when it fails.
void vips(const std::vector<std::string>& args) {
    std::vector<std::string> command = {"/usr/bin/vips"};
    command.insert(command.end(), args.begin(), args.end());
    const CommandResult result = run_command(command);
    ASSERT_EQ(result.exit_code, 0) << result.err;
}

/// What exiftool reads in `path`: its `-j -G` object (group:tag → value).
json exif_tags(const fs::path& path) {
    const CommandResult result = run_command({"/usr/bin/exiftool", "-j", "-G", path.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    const json tags = json::parse(result.out, nullptr, false);
    return tags.is_array() && !tags.empty() ? tags[0] : json::object();
}

/// The pixel at (x, y) as vips reads it.
std::vector<int> pixel(const fs::path& path, int x, int y) {
    const CommandResult result = run_command(
        {"/usr/bin/vips", "getpoint", path.string(), std::to_string(x), std::to_string(y)});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::istringstream in(result.out);
    std::vector<int> values;
    for (double value = 0; in >> value;) values.push_back(static_cast<int>(value));
    return values;
}

bool near_colour(const std::vector<int>& found, const std::vector<int>& want) {
    if (found.size() != want.size()) return false;
    for (std::size_t i = 0; i < want.size(); ++i)
        if (std::abs(found[i] - want[i]) > 30) return false;
    return true;
}

class Images : public AtlasServerTest {
  protected:
    /// Room for a body beyond the image limit, so that the image route, not the request
    /// intake (--max-upload-mb), refuses it.
    std::vector<std::string> extra_serve_args() const override { return {"--max-upload-mb", "64"}; }

    HttpResponse upload(Who who, const std::string& file_name, const std::string& content,
                        const std::optional<std::string>& kommune = std::nullopt) {
        std::vector<std::pair<std::string, std::string>> fields;
        if (kommune) fields.emplace_back("kommune", *kommune);
        const MultipartBody form = multipart(fields, file_name, content);
        HeaderList headers = {{"Content-Type", form.content_type}};
        if (who != Who::Anonymous) headers.emplace_back("Authorization", "Bearer " + m_tokens[who]);
        return with_retry([&] {
            return http_request(port(), "POST", "/api/images", headers, form.body,
                                std::chrono::seconds(60));
        });
    }

    long long stored_images() {
        return std::stoll(spatial_sql(db(), "SELECT count(*) FROM images")) +
               std::stoll(spatial_sql(db(), "SELECT count(*) FROM image_variants"));
    }

    /// A 640×320 JPEG, red on the left half and blue on the right, with `exiftool` tags: EXIF
    /// orientation "rotate 90° clockwise", GPS, an artist, XMP, IPTC and a comment.
    fs::path tagged_photo() {
        const fs::path black = m_dir / "black.v";
        vips({"black", black.string(), "320", "320", "--bands", "3"});
        vips({"linear", black.string(), (m_dir / "red.v").string(), "1 1 1", "220 20 20",
              "--uchar"});
        vips({"linear", black.string(), (m_dir / "blue.v").string(), "1 1 1", "20 20 220",
              "--uchar"});
        const fs::path photo = m_dir / "photo.jpg";
        vips({"join", (m_dir / "red.v").string(), (m_dir / "blue.v").string(), photo.string(),
              "horizontal"});
        const CommandResult tagged = run_command(
            {"/usr/bin/exiftool", "-overwrite_original", "-n", "-Orientation=6",
             "-GPSLatitude=52.9903", "-GPSLatitudeRef=N", "-GPSLongitude=13.9949",
             "-GPSLongitudeRef=E", "-Artist=Erika Musterfrau", "-XMP:Creator=Erika Musterfrau",
             "-IPTC:Keywords=Privathaus", "-Comment=Hinterhof Nr. 7", photo.string()});
        EXPECT_EQ(tagged.exit_code, 0) << tagged.err;
        return photo;
    }
};

/// Groups and tags that must not survive in a served variant.
std::vector<std::string> metadata_left(const json& tags) {
    std::vector<std::string> left;
    for (const auto& [key, value] : tags.items()) {
        const std::string group = key.substr(0, key.find(':'));
        static const std::set<std::string> k_forbidden = {
            "EXIF", "XMP", "IPTC", "ICC_Profile", "Photoshop", "MakerNotes", "APP14", "FlashPix"};
        if (k_forbidden.contains(group) || key.find("GPS") != std::string::npos ||
            key == "File:Comment" || key.find("Orientation") != std::string::npos)
            left.push_back(key);
    }
    return left;
}

// Fails if any EXIF (GPS above all), XMP, IPTC block or comment survives in any size, if the
// EXIF orientation is not applied, or if a size is enlarged or not scaled to its longest side.
TEST_F(Images, AJpegWithGpsXmpAndIptcIsServedUprightInThreeSizesWithoutAnyMetadata) {
    const fs::path photo = tagged_photo();
    const json before = exif_tags(photo);
    for (const char* key : {"EXIF:GPSLatitude", "EXIF:Artist", "EXIF:Orientation", "XMP:Creator",
                            "IPTC:Keywords", "File:Comment"})
        ASSERT_TRUE(before.contains(key)) << "exiftool does not see " << key << " in the source";

    const HttpResponse response = upload(Who::Editor, "urlaub.jpg", read_file(photo), k_home_ags);
    ASSERT_EQ(response.status, 201) << response.body;
    const json image = json::parse(response.body);
    const std::string id = image.at("id");
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    // Turned upright: the 640×320 photo is 320 wide and 640 tall; never enlarged.
    EXPECT_EQ(image.at("width"), 320);
    EXPECT_EQ(image.at("height"), 640);
    EXPECT_EQ(image.at("urls"), json({{"small", "/images/" + id + "/320.jpg"},
                                      {"medium", "/images/" + id + "/800.jpg"},
                                      {"large", "/images/" + id + "/1600.jpg"}}));
    EXPECT_EQ(response.header("Location"), "/images/" + id + "/1600.jpg");

    const std::map<int, std::pair<int, int>> expected_size = {
        {320, {160, 320}}, {800, {320, 640}}, {1600, {320, 640}}};
    for (const int size : k_sizes) {
        SCOPED_TRACE("size " + std::to_string(size));
        const HttpResponse served =
            http_get(port(), "/images/" + id + "/" + std::to_string(size) + ".jpg");
        ASSERT_EQ(served.status, 200) << served.body;
        EXPECT_EQ(served.header("Content-Type"), "image/jpeg");
        const fs::path file = m_dir / ("served-" + std::to_string(size) + ".jpg");
        write_file(file, served.body);
        const json after = exif_tags(file);
        EXPECT_EQ(after.value("File:FileType", ""), "JPEG");
        EXPECT_EQ(metadata_left(after), std::vector<std::string>{}) << after.dump(1);
        EXPECT_EQ(after.value("File:ImageWidth", 0), expected_size.at(size).first);
        EXPECT_EQ(after.value("File:ImageHeight", 0), expected_size.at(size).second);
        // Rotated 90° clockwise, the left (red) half is on top, the blue one below.
        const auto [width, height] = expected_size.at(size);
        EXPECT_TRUE(near_colour(pixel(file, width / 2, height / 4), {220, 20, 20}))
            << "top is not red";
        EXPECT_TRUE(near_colour(pixel(file, width / 2, height * 3 / 4), {20, 20, 220}))
            << "bottom is not blue";
        EXPECT_EQ(served.body.find("Erika"), std::string::npos);
        EXPECT_EQ(served.body.find("Hinterhof"), std::string::npos);
    }
}

// Fails if a transparent PNG is refused, keeps its alpha, or turns transparent parts black;
// or if WebP is refused.
TEST_F(Images, PngWithAlphaBecomesJpegOnWhiteAndWebpIsTaken) {
    // 400×200: left half opaque green, right half fully transparent.
    const fs::path black = m_dir / "black.v";
    vips({"black", black.string(), "200", "200", "--bands", "4"});
    vips({"linear", black.string(), (m_dir / "green.v").string(), "1 1 1 1", "30 160 60 255",
          "--uchar"});
    vips({"linear", black.string(), (m_dir / "clear.v").string(), "1 1 1 1", "0 0 0 0", "--uchar"});
    const fs::path png = m_dir / "logo.png";
    vips({"join", (m_dir / "green.v").string(), (m_dir / "clear.v").string(), png.string(),
          "horizontal"});
    const HttpResponse response = upload(Who::Admin, "logo.png", read_file(png));
    ASSERT_EQ(response.status, 201) << response.body;
    const json image = json::parse(response.body);
    const HttpResponse served = http_get(port(), image.at("urls").at("small").get<std::string>());
    ASSERT_EQ(served.status, 200);
    const fs::path file = m_dir / "logo-served.jpg";
    write_file(file, served.body);
    EXPECT_EQ(exif_tags(file).value("File:ColorComponents", 0), 3);
    EXPECT_TRUE(near_colour(pixel(file, 80, 80), {30, 160, 60}));
    EXPECT_TRUE(near_colour(pixel(file, 240, 80), {255, 255, 255})) << "transparent is not white";

    const fs::path webp = m_dir / "haus.webp";
    vips({"webpsave", (m_dir / "green.v").string(), webp.string()});
    const HttpResponse from_webp = upload(Who::Editor, "haus.webp", read_file(webp), k_home_ags);
    ASSERT_EQ(from_webp.status, 201) << from_webp.body;
    EXPECT_EQ(json::parse(from_webp.body).at("width"), 200);
}

// Fails if any of these files is taken, answered with another status or code, or leaves a row.
TEST_F(Images, WhatIsNoUsableImageIsRefusedWithItsCodeAndNothingIsStored) {
    const fs::path photo = tagged_photo();
    const std::string jpeg = read_file(photo);
    const fs::path gif = m_dir / "x.gif";
    vips({"gifsave", (m_dir / "red.v").string(), gif.string()});
    const fs::path tiff = m_dir / "x.tif";
    vips({"tiffsave", (m_dir / "red.v").string(), tiff.string()});
    const fs::path bomb = m_dir / "bomb.png";
    // 400 megapixels of black: a 0.4 MB file that decodes to 400 MB.
    vips({"black", bomb.string(), "20000", "20000"});
    struct Refusal {
        std::string what, file_name, content;
        int status;
        std::string code;
    };
    const std::vector<Refusal> refusals = {
        {"GIF", "bild.gif", read_file(gif), 415, "unsupported_image"},
        {"TIFF", "bild.jpg", read_file(tiff), 415, "unsupported_image"},
        {"SVG", "bild.svg",
         R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" )"
         R"(height="10" fill="red"/></svg>)",
         415, "unsupported_image"},
        {"PDF", "bild.pdf",
         "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", 415,
         "unsupported_image"},
        {"text named .jpg", "bild.jpg", "Dies ist kein Bild, nur Text.\n", 415,
         "unsupported_image"},
        {"truncated JPEG", "bild.jpg", jpeg.substr(0, jpeg.size() / 2), 400, "invalid_image"},
        {"too large a file", "bild.jpg", jpeg + std::string(16u << 20, '\0'), 413,
         "image_too_large"},
        {"pixel bomb", "bild.png", read_file(bomb), 413, "image_too_large"},
    };
    const long long rows_before = stored_images();
    for (const Refusal& refusal : refusals) {
        SCOPED_TRACE(refusal.what);
        const HttpResponse response = upload(Who::Admin, refusal.file_name, refusal.content);
        EXPECT_EQ(response.status, refusal.status) << response.body;
        EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
        EXPECT_EQ(parse_json(response).value("code", ""), refusal.code) << response.body;
    }
    EXPECT_EQ(stored_images(), rows_before);
}

// Fails if the public, a planner or an editor of another Kommune can upload, or an editor
// cannot upload for their own Kommune.
TEST_F(Images, OnlyEditorsInScopeAndAdminsMayUpload) {
    const std::string jpeg = read_file(tagged_photo());
    const long long rows_before = stored_images();
    const HttpResponse anonymous = upload(Who::Anonymous, "a.jpg", jpeg, k_home_ags);
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(parse_json(anonymous).value("code", ""), "unauthenticated");
    const HttpResponse other = upload(Who::EditorOther, "a.jpg", jpeg, k_home_ags);
    EXPECT_EQ(other.status, 403);
    EXPECT_EQ(parse_json(other).value("code", ""), "forbidden");
    const HttpResponse planner = upload(Who::Planner, "a.jpg", jpeg);
    EXPECT_EQ(planner.status, 403);
    const HttpResponse unknown = upload(Who::Admin, "a.jpg", jpeg, "99999999");
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(parse_json(unknown).at("errors").at(0).value("field", ""), "kommune");
    EXPECT_EQ(stored_images(), rows_before);

    EXPECT_EQ(upload(Who::Editor, "a.jpg", jpeg, k_home_ags).status, 201);
    EXPECT_EQ(upload(Who::EditorOther, "a.jpg", jpeg).status, 201);
    EXPECT_EQ(upload(Who::Admin, "a.jpg", jpeg, k_other_ags).status, 201);
    EXPECT_EQ(std::stoll(spatial_sql(db(), "SELECT count(*) FROM images WHERE created_by = '" +
                                               user_name(Who::Editor) + "' AND kommune_ags = '" +
                                               k_home_ags + "'")),
              1);
}

// Fails if a variant is not cacheable for a year as immutable, lacks a strong ETag, is sent
// again for a matching If-None-Match, or if unknown ids and sizes are not 404 problems.
TEST_F(Images, VariantsAreImmutableWithStrongEtagsAnd304AndUnknownOnesAre404) {
    const HttpResponse response = upload(Who::Admin, "a.jpg", read_file(tagged_photo()));
    ASSERT_EQ(response.status, 201) << response.body;
    const std::string path = json::parse(response.body).at("urls").at("medium");
    const HttpResponse first = http_get(port(), path);
    ASSERT_EQ(first.status, 200);
    EXPECT_EQ(first.header("Cache-Control"), "public, max-age=31536000, immutable");
    const std::string etag = first.header("ETag");
    ASSERT_FALSE(etag.empty());
    EXPECT_FALSE(etag.starts_with("W/")) << etag;
    EXPECT_EQ(first.header("Content-Length"), std::to_string(first.body.size()));

    const HttpResponse again =
        http_request(port(), "GET", path, {{"If-None-Match", etag}}, std::nullopt);
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(again.header("ETag"), etag);
    const HttpResponse other_tag =
        http_request(port(), "GET", path, {{"If-None-Match", "\"0-320\""}}, std::nullopt);
    EXPECT_EQ(other_tag.status, 200);
    EXPECT_EQ(other_tag.body, first.body);

    const HttpResponse head = http_request(port(), "HEAD", path);
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("Content-Length"), std::to_string(first.body.size()));
    EXPECT_EQ(head.header("Content-Type"), "image/jpeg");

    const std::string id = path.substr(8, 32);
    for (const std::string& missing :
         {"/images/" + std::string(32, '0') + "/320.jpg", "/images/" + id + "/321.jpg",
          "/images/" + id + "/0320.jpg", "/images/" + id + "/320.png",
          "/images/" + id.substr(0, 31) + "/320.jpg", std::string("/images/../320.jpg")}) {
        SCOPED_TRACE(missing);
        const HttpResponse answer = http_get(port(), missing);
        EXPECT_EQ(answer.status, 404);
        EXPECT_EQ(answer.header("Content-Type"), "application/problem+json");
        EXPECT_EQ(answer.header("Cache-Control").find("immutable"), std::string::npos);
    }
}

}  // namespace
}  // namespace leerstand::test
