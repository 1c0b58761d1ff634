#include "server/services/site.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/text.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

// Generous for a page of legal text, small enough that a wrong file (a data dump) is refused.
constexpr std::size_t k_max_paragraphs = 200;
constexpr std::size_t k_max_paragraph_characters = 5000;
constexpr std::size_t k_max_line_characters = 200;
constexpr std::size_t k_max_contact_characters = 1000;

const License k_openstreetmap = {
    "OpenStreetMap",
    "ODbL 1.0",
    "https://opendatacommons.org/licenses/odbl/1-0/",
    "© OpenStreetMap-Mitwirkende",
};
const License k_bkg_vg5000 = {
    "BKG, Verwaltungsgebiete 1:5 000 000 (VG5000)",
    "dl-de/by-2-0",
    "https://www.govdata.de/dl-de/by-2-0",
    "© GeoBasis-DE / BKG (2021)",
};
const License k_zensus_2022 = {
    "Zensus 2022",
    "dl-de/by-2-0",
    "https://www.govdata.de/dl-de/by-2-0",
    "© Statistische Ämter des Bundes und der Länder, Zensus 2022",
};

/// Which third-party data each collection holds: building footprints from OpenStreetMap,
/// Kommune outlines from the BKG with the Zensus baseline beside their figures. Vacancies,
/// Zukunftsorte, offers and needs are the network's own.
struct CollectionSources {
    std::string_view collection;
    std::vector<const License*> sources;
};
const std::array<CollectionSources, 6> k_collection_sources = {{
    {"kommunen", {&k_bkg_vg5000, &k_zensus_2022}},
    {"buildings", {&k_openstreetmap}},
    {"vacancies", {}},
    {"zukunftsorte", {}},
    {"angebote", {}},
    {"gesuche", {}},
}};

[[noreturn]] void fail(const std::string& member, const std::string& problem) {
    throw InvalidInput("'" + member + "' " + problem);
}

std::string text_member(const json& object, const std::string& name, const std::string& path,
                        std::size_t max_characters, bool single_line) {
    const auto found = object.find(name);
    if (found == object.end()) fail(path, "is missing");
    if (!found->is_string()) fail(path, "must be a string");
    const auto& text = found->get_ref<const std::string&>();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) fail(path, "must not be empty");
    if (utf8_characters(text) > max_characters)
        fail(path, "is longer than " + std::to_string(max_characters) + " characters");
    if (single_line && text.find_first_of("\r\n") != std::string::npos)
        fail(path, "must be one line");
    return text;
}

std::vector<std::string> paragraphs_member(const json& object, const std::string& name) {
    const auto found = object.find(name);
    if (found == object.end()) fail(name, "is missing");
    if (!found->is_array() || found->empty())
        fail(name, "must be a non-empty list of paragraphs (strings)");
    if (found->size() > k_max_paragraphs)
        fail(name, "has more than " + std::to_string(k_max_paragraphs) + " paragraphs");
    std::vector<std::string> paragraphs;
    for (std::size_t i = 0; i < found->size(); ++i) {
        const json holder = {{"p", (*found)[i]}};
        paragraphs.push_back(text_member(holder, "p", name + "[" + std::to_string(i) + "]",
                                         k_max_paragraph_characters, false));
    }
    return paragraphs;
}

void refuse_unknown_members(const json& object, const std::vector<std::string_view>& known,
                            const std::string& prefix) {
    for (const auto& [name, value] : object.items()) {
        (void)value;
        if (std::find(known.begin(), known.end(), name) == known.end())
            fail(prefix + name, "is not a setting of the site file");
    }
}

License license_member(const json& object, const std::string& operator_name) {
    const auto found = object.find("data_license");
    if (found == object.end()) fail("data_license", "is missing");
    if (!found->is_object()) fail("data_license", "must be an object with title, url, attribution");
    refuse_unknown_members(*found, {"title", "url", "attribution"}, "data_license.");
    License license;
    license.source = operator_name;
    license.title = text_member(*found, "title", "data_license.title", k_max_line_characters, true);
    license.url = text_member(*found, "url", "data_license.url", k_max_line_characters, true);
    if (!is_web_url(license.url)) fail("data_license.url", "must be an http:// or https:// URL");
    license.attribution =
        text_member(*found, "attribution", "data_license.attribution", k_max_line_characters, true);
    return license;
}

json license_json(const License& license) {
    return {{"source", license.source},
            {"title", license.title},
            {"url", license.url},
            {"attribution", license.attribution}};
}

}  // namespace

SiteConfig parse_site_config(std::string_view text) {
    json document;
    try {
        document = json::parse(text);
    } catch (const json::parse_error& e) {
        // nlohmann's message names line and column after a bracketed id: keep the readable part.
        const std::string message = e.what();
        const auto bracket = message.find("] ");
        throw InvalidInput("not JSON: " +
                           (bracket == std::string::npos ? message : message.substr(bracket + 2)));
    }
    if (!document.is_object()) throw InvalidInput("must hold a JSON object");
    refuse_unknown_members(
        document, {"operator", "contact", "about", "imprint", "privacy", "data_license"}, "");
    SiteConfig site;
    site.operator_name = text_member(document, "operator", "operator", k_max_line_characters, true);
    site.contact = text_member(document, "contact", "contact", k_max_contact_characters, false);
    site.about = paragraphs_member(document, "about");
    site.imprint = paragraphs_member(document, "imprint");
    site.privacy = paragraphs_member(document, "privacy");
    site.data_license = license_member(document, site.operator_name);
    return site;
}

std::filesystem::path default_site_file() {
    return LEERSTAND_DEFAULT_SITE_FILE;
}

SiteConfig read_site_config(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    if (file) text << file.rdbuf();
    if (!file || file.bad()) throw InvalidInput("site file " + path.string() + ": cannot be read");
    try {
        return parse_site_config(text.str());
    } catch (const InvalidInput& e) {
        throw InvalidInput("site file " + path.string() + ": " + e.what());
    }
}

std::vector<License> licenses_of(std::string_view collection, const License& own) {
    const auto* const chosen = std::find_if(
        k_collection_sources.begin(), k_collection_sources.end(),
        [&](const CollectionSources& entry) { return entry.collection == collection; });
    std::vector<License> licenses;
    for (const CollectionSources& entry : k_collection_sources)
        if (chosen == k_collection_sources.end() || &entry == chosen)
            for (const License* source : entry.sources) licenses.push_back(*source);
    licenses.push_back(own);
    return licenses;
}

json license_links(const std::vector<License>& licenses) {
    json links = json::array();
    for (const License& license : licenses)
        links.push_back({{"href", license.url},
                         {"rel", "license"},
                         {"type", "text/html"},
                         {"title", license.title + ": " + license.attribution}});
    return links;
}

json site_json(const SiteConfig& site) {
    json licenses = json::array();
    for (const CollectionSources& entry : k_collection_sources)
        for (const License* source : entry.sources) {
            json license = license_json(*source);
            license["collections"] = json::array({entry.collection});
            licenses.push_back(std::move(license));
        }
    json own = license_json(site.data_license);
    own["collections"] = json::array();
    for (const CollectionSources& entry : k_collection_sources)
        own["collections"].push_back(entry.collection);
    licenses.push_back(std::move(own));
    return {{"operator", site.operator_name},
            {"contact", site.contact},
            {"about", site.about},
            {"imprint", site.imprint},
            {"privacy", site.privacy},
            {"data_license", license_json(site.data_license)},
            {"licenses", std::move(licenses)}};
}

}  // namespace leerstand::services
