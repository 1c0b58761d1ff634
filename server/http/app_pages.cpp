#include "server/http/app_pages.hpp"

namespace leerstand::http {

namespace {

constexpr std::string_view k_product_name = "Leerstandsatlas";

std::string meta_tag(std::string_view attribute, std::string_view name, std::string_view content) {
    return "<meta " + std::string(attribute) + "=\"" + std::string(name) + "\" content=\"" +
           html_escaped(content) + "\">\n  ";
}

}  // namespace

std::string html_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string with_page_meta(std::string_view index_html, const PageMeta& meta) {
    const std::size_t open = index_html.find("<title>");
    const std::size_t close = index_html.find("</title>");
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return std::string(index_html);
    const std::string title = meta.title.empty() ? std::string(k_product_name)
                                                 : meta.title + " – " + std::string(k_product_name);
    std::string head = "<title>" + html_escaped(title) + "</title>\n  ";
    if (!meta.description.empty()) head += meta_tag("name", "description", meta.description);
    head += meta_tag("property", "og:site_name", k_product_name);
    head += meta_tag("property", "og:title", title);
    if (!meta.description.empty()) head += meta_tag("property", "og:description", meta.description);
    if (!meta.image_url.empty()) head += meta_tag("property", "og:image", meta.image_url);
    if (!meta.url.empty()) {
        head += meta_tag("property", "og:url", meta.url);
        head += "<link rel=\"canonical\" href=\"" + html_escaped(meta.url) + "\">\n  ";
    }
    head += meta_tag("name", "twitter:card",
                     meta.image_url.empty() ? "summary" : "summary_large_image");
    return std::string(index_html.substr(0, open)) + head +
           std::string(index_html.substr(close + std::string_view("</title>").size()));
}

}  // namespace leerstand::http
