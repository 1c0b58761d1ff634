// The head of the web app's public pages: title and link-preview tags, escaped.

#include "server/http/app_pages.hpp"

#include <gtest/gtest.h>

namespace leerstand::http {
namespace {

const std::string k_index =
    "<head>\n  <meta charset=\"utf-8\">\n  <title>Leerstandsatlas</title>\n  <link rel=\"icon\">\n"
    "</head>";

TEST(AppPages, TitleDescriptionAndPreviewTagsReplaceTheTitle) {
    const std::string page = with_page_meta(
        k_index, {"Angermünde", "Profil der Stadt", "https://atlas.example/images/a/800.jpg",
                  "https://atlas.example/kommunen/12073008"});
    EXPECT_NE(page.find("<title>Angermünde – Leerstandsatlas</title>"), std::string::npos) << page;
    EXPECT_EQ(page.find("<title>Leerstandsatlas</title>"), std::string::npos);
    EXPECT_NE(page.find("<meta name=\"description\" content=\"Profil der Stadt\">"),
              std::string::npos);
    EXPECT_NE(page.find("<meta property=\"og:title\" content=\"Angermünde – Leerstandsatlas\">"),
              std::string::npos);
    EXPECT_NE(
        page.find(
            "<meta property=\"og:image\" content=\"https://atlas.example/images/a/800.jpg\">"),
        std::string::npos);
    EXPECT_NE(
        page.find("<link rel=\"canonical\" href=\"https://atlas.example/kommunen/12073008\">"),
        std::string::npos);
    // What was around the title stays.
    EXPECT_NE(page.find("<meta charset=\"utf-8\">"), std::string::npos);
    EXPECT_NE(page.find("<link rel=\"icon\">\n</head>"), std::string::npos);
}

TEST(AppPages, TextTypedByStaffCannotOpenATag) {
    const std::string page = with_page_meta(
        k_index, {"</title><script>x()</script>", "\"><img src=x onerror=y>", "", ""});
    EXPECT_EQ(page.find("<script>"), std::string::npos) << page;
    EXPECT_EQ(page.find("<img"), std::string::npos) << page;
    EXPECT_NE(page.find("&lt;/title&gt;&lt;script&gt;"), std::string::npos) << page;
    EXPECT_NE(page.find("content=\"&quot;&gt;&lt;img"), std::string::npos) << page;
    EXPECT_EQ(page.find("og:image"), std::string::npos) << "no image, no tag";
}

TEST(AppPages, APageWithoutTitleIsLeftAlone) {
    EXPECT_EQ(with_page_meta("<p>x</p>", {"A", "B", "", ""}), "<p>x</p>");
}

}  // namespace
}  // namespace leerstand::http
