#pragma once

#include <string>
#include <string_view>

/// The public pages of the web app (`/kommunen/{ags}`, `/zukunftsorte/{id}`, …): one HTML page,
/// index.html, whose head carries the page's own title and link-preview tags, so a link shared
/// in a chat or a search result names the Kommune or the Zukunftsort without running the app.
namespace leerstand::http {

/// What a link preview shows of a page. Plain text; escaped when written.
struct PageMeta {
    std::string title;        ///< without the product's name, which is appended
    std::string description;  ///< one or two sentences
    std::string image_url;    ///< absolute URL of a preview image, or empty
    std::string url;          ///< absolute canonical URL of the page, or empty
};

/// `index_html` with its `<title>` element replaced by the page's title, description, Open
/// Graph tags and canonical link. The page is returned unchanged when it has no `<title>`.
std::string with_page_meta(std::string_view index_html, const PageMeta& meta);

/// `text` with `&`, `<`, `>`, `"` and `'` as character references: for text and attribute values.
std::string html_escaped(std::string_view text);

}  // namespace leerstand::http
