#include "demo/addresses.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

namespace leerstand::demo::detail {
namespace {

/// Street names; a Kommune draws its own shuffled order, the core's main row is Hauptstraße.
constexpr std::array<const char*, 88> k_street_names = {
    "Mühlenstraße",   "Schloßberg",     "Rosenstraße",      "Kirchstraße",    "Bahnhofstraße",
    "Schulstraße",    "Gartenstraße",   "Lindenstraße",     "Bergstraße",     "Am Anger",
    "Dorfstraße",     "Wiesenweg",      "Ringstraße",       "Töpferstraße",   "Brückenstraße",
    "Schäfergasse",   "Fröbelstraße",   "Goethestraße",     "Schillerstraße", "Am Mühlteich",
    "Birkenweg",      "Ahornweg",       "Eichenweg",        "Waldstraße",     "Grüner Weg",
    "Marktstraße",    "Am Markt",       "Brunnengasse",     "Kastanienallee", "Jägerstraße",
    "Schützenstraße", "Friedhofstraße", "Pfarrgasse",       "Lange Straße",   "Rathausstraße",
    "Klosterstraße",  "Gärtnerstraße",  "Höhenweg",         "Am Sportplatz",  "Feldstraße",
    "Parkstraße",     "Teichstraße",    "Sonnenweg",        "Blumenstraße",   "Tannenweg",
    "Fliederweg",     "Erlenweg",       "Weidenweg",        "Bäckerstraße",   "Fischerstraße",
    "Webergasse",     "Schmiedestraße", "Poststraße",       "Wallstraße",     "Hospitalstraße",
    "Kurze Straße",   "Neue Straße",    "Querstraße",       "Am Bahnhof",     "Heideweg",
    "Lessingstraße",  "Heinestraße",    "Pestalozzistraße", "Mozartstraße",   "Beethovenstraße",
    "Uhlandstraße",   "Am Weinberg",    "Steinweg",         "Ziegeleiweg",    "Fabrikstraße",
    "Am Schloßpark",  "Kirchplatz",     "Holunderweg",      "Vogelsang",      "Kiefernweg",
    "Buchenweg",      "Südstraße",      "Nordstraße",       "Oststraße",      "Weststraße",
    "Lärchenweg",     "Mühlgasse",      "Zur Schäferei",    "Am Gänseanger",  "Försterweg",
    "Kräutergarten",  "Rübenweg",       "Hauptstraße",
};

std::vector<std::string> shuffled_street_names(Rng& rng) {
    std::vector<std::string> names;
    for (const char* name : k_street_names) {
        if (std::string_view(name) != "Hauptstraße") names.emplace_back(name);
    }
    for (std::size_t i = names.size() - 1; i > 0; --i) {  // Fisher–Yates with our own numbers
        std::swap(names[i], names[static_cast<std::size_t>(rng.integer(0, static_cast<int>(i)))]);
    }
    return names;
}

}  // namespace

std::vector<Address> addresses(const std::vector<Plot>& used, Rng& rng) {
    std::vector<std::string> pool = shuffled_street_names(rng);
    std::size_t next_name = 0;
    std::map<std::pair<int, int>, std::string> street_of;  // ordered, so names are stable
    for (const Plot& plot : used) street_of.emplace(std::make_pair(plot.settlement, plot.row), "");
    for (auto& [key, name] : street_of) {
        if (key.first == 0 && key.second == 0) {
            name = "Hauptstraße";
        } else if (next_name < pool.size()) {
            name = pool[next_name++];
        } else {
            name = "Ausbau " + std::to_string(next_name++ - pool.size() + 1);
        }
    }
    std::vector<std::size_t> order(used.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const Plot& p = used[a];
        const Plot& q = used[b];
        return std::tie(p.settlement, p.row, p.side, p.index) <
               std::tie(q.settlement, q.row, q.side, q.index);
    });
    std::vector<Address> result(used.size());
    std::map<std::tuple<int, int, int>, int> counter;
    for (const std::size_t i : order) {
        const Plot& p = used[i];
        int& n = counter[{p.settlement, p.row, p.side}];
        const int number = p.side > 0 ? 2 * n + 1 : 2 * n + 2;
        ++n;
        result[i] = {street_of[{p.settlement, p.row}], std::to_string(number)};
    }
    return result;
}

}  // namespace leerstand::demo::detail
