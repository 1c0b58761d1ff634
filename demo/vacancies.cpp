#include "demo/vacancies.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>

#include "demo/deterministic.hpp"
#include "demo/moments.hpp"

namespace leerstand::demo::detail {
namespace {

/// `k_triple` reports of one Kommune that share their final status, use and publication.
struct TripleSpec {
    const char* ags;
    const char* status;
    const char* use;
    bool published;
};

// Every status and use, more in the larger places; 11 of 18 triples published.
constexpr std::array<TripleSpec, 18> k_triples = {{
    {"12073008", "gemeldet", "wohnen", false},
    {"12073008", "bestaetigt", "wohnen", true},
    {"12073008", "in_aktivierung", "laden", true},
    {"12073008", "aktiviert", "gemischt", true},
    {"12073008", "abgerissen", "landwirtschaft", false},
    {"12062224", "gemeldet", "gewerbe", false},
    {"12062224", "bestaetigt", "wohnen", true},
    {"12062224", "aktiviert", "oeffentlich", true},
    {"12062224", "kein_leerstand", "wohnen", false},
    {"14521410", "bestaetigt", "wohnen", false},
    {"14521410", "in_aktivierung", "wohnen", true},
    {"14521410", "aktiviert", "gewerbe", true},
    {"09479136", "gemeldet", "laden", true},
    {"09479136", "aktiviert", "wohnen", true},
    {"09479152", "bestaetigt", "gewerbe", true},
    {"09479152", "gemeldet", "wohnen", false},
    {"09479169", "in_aktivierung", "gemischt", true},
    {"09479169", "kein_leerstand", "sonstiges", false},
}};

/// The statuses a report passes through to reach `status`, in the lifecycle's order.
std::vector<std::string_view> path_to(std::string_view status) {
    if (status == "gemeldet") return {"gemeldet"};
    if (status == "bestaetigt") return {"gemeldet", "bestaetigt"};
    if (status == "in_aktivierung") return {"gemeldet", "bestaetigt", "in_aktivierung"};
    if (status == "aktiviert") return {"gemeldet", "bestaetigt", "in_aktivierung", "aktiviert"};
    if (status == "abgerissen") return {"gemeldet", "bestaetigt", "abgerissen"};
    return {"gemeldet", "kein_leerstand"};
}

/// `n` different months among the 24 before the reference month, oldest first.
std::vector<int> months_back(std::size_t n, Rng& rng) {
    std::array<int, 24> pool{};
    std::iota(pool.begin(), pool.end(), 1);
    for (std::size_t i = 0; i < n; ++i) {
        const auto j = static_cast<std::size_t>(rng.integer(static_cast<int>(i), 23));
        std::swap(pool[i], pool[j]);
    }
    std::vector<int> chosen(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(n));
    std::sort(chosen.rbegin(), chosen.rend());
    return chosen;
}

/// The building functions (demo/building_types.hpp) a report of this use is about.
std::vector<std::string_view> functions_for(std::string_view use) {
    if (use == "wohnen") return {"Wohnhaus"};
    if (use == "gemischt" || use == "laden") return {"Wohn- und Geschäftshaus"};
    if (use == "gewerbe") return {"Gewerbe"};
    if (use == "oeffentlich") return {"Öffentliches Gebäude"};
    if (use == "landwirtschaft")
        return {"Landwirtschaftliches Betriebsgebäude", "Scheune", "Stall"};
    return {"Scheune", "Schuppen"};
}

/// An unnamed building of the Kommune with a fitting function that no report has yet; the
/// Rathaus and other named buildings stay out.
std::size_t pick_building(const std::vector<Building>& buildings, std::vector<bool>& taken,
                          std::string_view ags, std::string_view use, Rng& rng) {
    const std::vector<std::string_view> functions = functions_for(use);
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < buildings.size(); ++i) {
        const data::BuildingRecord& r = buildings[i].record;
        if (taken[i] || r.kommune_ags != ags || !r.name.empty()) continue;
        if (std::find(functions.begin(), functions.end(), r.function) != functions.end())
            candidates.push_back(i);
    }
    if (candidates.empty()) {
        for (std::size_t i = 0; i < buildings.size(); ++i) {
            const data::BuildingRecord& r = buildings[i].record;
            if (!taken[i] && r.kommune_ags == ags && r.name.empty()) candidates.push_back(i);
        }
    }
    const std::size_t chosen = candidates[static_cast<std::size_t>(
        rng.integer(0, static_cast<int>(candidates.size()) - 1))];
    taken[chosen] = true;
    return chosen;
}

std::string floors_text(int floors) {
    static constexpr std::array<const char*, 4> k_words = {"einem Geschoss", "zwei Geschossen",
                                                           "drei Geschossen", "vier Geschossen"};
    return k_words[static_cast<std::size_t>(std::clamp(floors, 1, 4) - 1)];
}

/// What the public reads about a published report: the building, never its owner.
std::string public_description(std::string_view use, const data::BuildingRecord& building,
                               const std::string& since_year) {
    const std::string where = " in der " + building.street;
    const std::string since = ", leer seit " + since_year;
    std::string text;
    if (use == "wohnen")
        text = "Wohnhaus" + where + " mit " + floors_text(building.floors.value_or(1)) + since +
               ". Garten hinter dem Haus, das Dach ist dicht.";
    else if (use == "gemischt")
        text = "Wohn- und Geschäftshaus" + where + since +
               ": Laden im Erdgeschoss, Wohnungen darüber.";
    else if (use == "laden")
        text = "Ladenlokal im Erdgeschoss eines Wohn- und Geschäftshauses" + where + since +
               ". Schaufenster zur Straße.";
    else if (use == "gewerbe")
        text = "Gewerbehalle" + where + since +
               ". Zufahrt für Lieferwagen, Strom- und Wasseranschluss vorhanden.";
    else if (use == "oeffentlich")
        text = "Früher öffentlich genutztes Gebäude" + where + since +
               ". Große Räume im Erdgeschoss, barrierearm erreichbar.";
    else if (use == "landwirtschaft")
        text = "Ehemaliges landwirtschaftliches Gebäude" + where + since + ".";
    else
        text = "Nebengebäude" + where + since + ".";
    return text + " (Demodaten)";
}

/// The staff's note at each step of the lifecycle.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> k_internal_notes = {{
    {"gemeldet", "Bei der Ortsbegehung aufgefallen; Eigentümer angeschrieben."},
    {"bestaetigt", "Leerstand vor Ort bestätigt; Eigentümer antwortet."},
    {"in_aktivierung", "Gespräche mit Eigentümer und Interessenten; Nutzungskonzept in Arbeit."},
    {"aktiviert", "Wieder genutzt; Förderung abgerechnet."},
    {"abgerissen", "Abgerissen wegen Einsturzgefahr."},
    {"kein_leerstand", "Geprüft: das Gebäude wird genutzt, kein Leerstand."},
}};

std::string internal_note(std::string_view status) {
    for (const auto& [key, note] : k_internal_notes)
        if (key == status) return std::string(note) + " (Demodaten)";
    return "(Demodaten)";
}

std::string owner_type_for(std::string_view use, Rng& rng) {
    if (use == "oeffentlich") return "oeffentlich";
    if (use == "gewerbe") return rng.chance(0.6) ? "gewerblich" : "privat";
    return rng.chance(0.15) ? "unbekannt" : "privat";
}

/// One report of a triple: its first state, then one step per status in its months; vacant
/// since the first of the month `since`.
Vacancy plan_one(const TripleSpec& spec, std::size_t building_index, const Building& building,
                 const std::vector<int>& months, Month since, const IsoDate& as_of, int number,
                 Rng& rng) {
    const std::vector<std::string_view> path = path_to(spec.status);
    const data::BuildingRecord& b = building.record;
    data::VacancyRecord state;
    state.lon = building.anchor_lon;
    state.lat = building.anchor_lat;
    state.kommune_ags = spec.ags;
    state.use = spec.use;
    state.degree = (spec.use == std::string_view("gemischt") && rng.chance(0.5)) ? "teilweise"
                                                                                 : "vollstaendig";
    state.vacant_since = date_in(since, 1);
    // Usable floor area: about three quarters of the footprint on every floor, whole m².
    state.floor_area_m2 = std::round(b.area_m2 * b.floors.value_or(1) * 0.75);
    state.owner_type = owner_type_for(spec.use, rng);
    state.owner_contact = "Erfundene Eigentümerin " + std::to_string(number) + ", Tel. 0000 " +
                          std::to_string(100000 + number) + " (Demodaten)";
    const std::string since_year = std::to_string(since.year);
    // A published report gets its owner's consent with its second step (or when it is filed,
    // when there is none), so its public life begins then.
    const std::size_t consent_step = path.size() > 1 ? 1 : 0;

    Vacancy vacancy;
    vacancy.building = building_index;
    for (std::size_t k = 0; k < path.size(); ++k) {
        state.status = std::string(path[k]);
        state.internal_notes = internal_note(path[k]);
        if (spec.published && k == consent_step) {
            state.consent_publish = true;
            state.public_description = public_description(spec.use, b, since_year);
        }
        const Month month = month_before(as_of, months[k]);
        vacancy.steps.push_back(
            {moment_in(month, rng.integer(1, 28), rng.integer(8, 16), rng.integer(0, 59)), state});
    }
    return vacancy;
}

}  // namespace

std::vector<Vacancy> plan_vacancies(const std::vector<Building>& buildings, const IsoDate& as_of,
                                    std::uint64_t seed) {
    std::vector<bool> taken(buildings.size(), false);
    std::vector<Vacancy> vacancies;
    int number = 0;
    for (const TripleSpec& spec : k_triples) {
        Rng rng =
            make_stream(seed, spec.ags, std::string("vacancies ") + spec.status + " " + spec.use);
        const std::vector<int> months = months_back(path_to(spec.status).size(), rng);
        // Noticed within a quarter of falling vacant. The trend counts a report from its
        // vacant_since month, so the three share it (the public figures move in threes), and
        // most triples begin inside the 24 months the trend shows, so it draws a curve.
        Rng since_rng = make_stream(seed, spec.ags,
                                    std::string("vacant since ") + spec.status + " " + spec.use);
        const Month since = month_before(as_of, months.front() + since_rng.integer(1, 3));
        for (int i = 0; i < k_triple; ++i) {
            const std::size_t index = pick_building(buildings, taken, spec.ags, spec.use, rng);
            vacancies.push_back(
                plan_one(spec, index, buildings[index], months, since, as_of, ++number, rng));
        }
    }
    return vacancies;
}

}  // namespace leerstand::demo::detail
