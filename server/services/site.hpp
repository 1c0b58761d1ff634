#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/license.hpp"

/// The operator's settings (`leerstand serve --site FILE`): who runs the atlas, the texts of
/// the pages Über, Impressum and Datenschutz, a contact, and the licence of the network's own
/// data; and the licences of the third-party data every output carries. No HTTP types.
namespace leerstand::services {

/// What the operator says about the atlas. Texts are plain paragraphs; the web app puts them
/// into the page as text (a paragraph starting with "## " is a heading, addresses become links).
struct SiteConfig {
    std::string operator_name;
    std::string contact;               ///< lines of an address, e-mail, telephone
    std::vector<std::string> about;    ///< the page Über
    std::vector<std::string> imprint;  ///< the page Impressum
    std::vector<std::string> privacy;  ///< the page Datenschutz
    License data_license;              ///< of the network's own data (vacancies, Zukunftsorte…)
};

/// The settings written in `text`, a JSON object with the members `operator`, `contact`,
/// `about`, `imprint`, `privacy` (arrays of paragraphs) and `data_license` (`title`, `url`,
/// `attribution`).
/// @throws InvalidInput naming the first member at fault, in one line.
SiteConfig parse_site_config(std::string_view text);

/// The site file `serve` and `export` read without `--site`: the repository's
/// config/site.example.json.
std::filesystem::path default_site_file();

/// The settings in the file at `path`.
/// @throws InvalidInput ("site file PATH: …", one line) when it cannot be read or is not valid.
SiteConfig read_site_config(const std::filesystem::path& path);

/// The licences of the data in `collection` ("buildings", "kommunen", "vacancies",
/// "zukunftsorte"), the network's own (`own`) last; every licence for any other name (the
/// landing page, the list of collections).
std::vector<License> licenses_of(std::string_view collection, const License& own);

/// OGC API links (`rel: "license"`, with title and type) to each of `licenses`.
nlohmann::json license_links(const std::vector<License>& licenses);

/// What `/api/site` gives the web app: the settings, and every licence with the collections it
/// covers.
nlohmann::json site_json(const SiteConfig& site);

}  // namespace leerstand::services
