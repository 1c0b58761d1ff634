// The demo's drawn pictures and the store path they share with uploads, on a real SpatiaLite
// file; the pictures are read back with the `vips` and `exiftool` CLIs (no code shared with
// the service). Uploads over HTTP are tested in tests/http/image_test.cpp.
#include "server/services/image_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.hpp"
#include "data/store.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::services {
namespace {

namespace fs = std::filesystem;

class Illustrations : public ::testing::Test {
  protected:
    test::TempDir m_dir;

    /// `bytes` as a file, and what `vipsheader` says of it ("640x480 uchar, 3 bands, …").
    std::string header_of(const std::string& bytes, const std::string& name) {
        const fs::path file = m_dir / name;
        std::ofstream(file, std::ios::binary) << bytes;
        const auto result = test::run_command({"/usr/bin/vipsheader", file.string()});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return result.out.substr(result.out.find(':') + 2);
    }
};

// Fails if the same seed and caption do not give the same bytes, if other seeds do not give
// other pictures, or if the picture is not a 1200×800 sRGB JPEG.
TEST_F(Illustrations, TheSameSeedGivesTheSamePictureAndOtherSeedsOtherOnes) {
    const std::string first = illustration(7, "Alte Molkerei, Angermünde");
    EXPECT_EQ(illustration(7, "Alte Molkerei, Angermünde"), first);
    EXPECT_NE(illustration(8, "Alte Molkerei, Angermünde"), first);
    EXPECT_NE(illustration(7, ""), first);
    EXPECT_NE(illustration(7, "Kulturscheune <b>&</b>"), first);  // markup is caption text
    ASSERT_GE(first.size(), 3u);
    EXPECT_EQ(first.substr(0, 3), "\xFF\xD8\xFF");
    EXPECT_EQ(header_of(first, "seven.jpg").substr(0, 28), "1200x800 uchar, 3 bands, srg");
}

// Fails if a drawn picture cannot be stored like an upload, or is stored in other sizes.
TEST_F(Illustrations, ADrawnPictureIsStoredInThreeSizesLikeAnUpload) {
    test::TestDatabase database;
    data::Store store(database.location());
    ImageService images(store);
    const StoredImage stored = images.store(illustration(3, "Zukunftsort"), std::nullopt, "demo");
    EXPECT_TRUE(is_image_id(stored.id));
    EXPECT_EQ(stored.width, 1200);
    EXPECT_EQ(stored.height, 800);
    EXPECT_TRUE(images.exists(stored.id));
    EXPECT_FALSE(images.exists(std::string(32, 'f')));
    EXPECT_EQ(header_of(images.variant(stored.id, 320), "small.jpg").substr(0, 7), "320x213");
    EXPECT_EQ(header_of(images.variant(stored.id, 800), "medium.jpg").substr(0, 7), "800x533");
    EXPECT_EQ(header_of(images.variant(stored.id, 1600), "large.jpg").substr(0, 8), "1200x800");
    EXPECT_THROW(images.variant(stored.id, 640), NotFound);
    const nlohmann::json answer = stored;
    EXPECT_EQ(answer.at("urls").at("large"), "/images/" + stored.id + "/1600.jpg");
}

}  // namespace
}  // namespace leerstand::services
