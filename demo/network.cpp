#include "demo/network.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "demo/deterministic.hpp"
#include "demo/moments.hpp"
#include "demo/outlines.hpp"

namespace leerstand::demo::detail {
namespace {

struct ProfileSpec {
    const char* ags;
    const char* text;
    const char* website;  // the Kommune's real site
    const char* contact;  // a role at an example.org address: the demo names nobody
};

constexpr std::array<ProfileSpec, 4> k_profiles = {{
    {"12073008",
     "Angermünde in der Uckermark gehört zu den Gründungsmitgliedern des Netzwerks. In der "
     "Altstadt stehen Ladenlokale und Wohnhäuser leer, zugleich suchen junge Familien und "
     "Gründerinnen Räume. Wir erfassen jedes leere Haus, sprechen mit den Eigentümern und "
     "bringen sie mit Menschen zusammen, die etwas vorhaben. Dieses Profil gehört zu den "
     "Demodaten des Leerstandsatlas.",
     "https://www.angermuende.de",
     "Bauamt, Ansprechpartnerin für Leerstand: leerstand@angermuende.example.org"},
    {"12062224",
     "Herzberg (Elster) ist Kreisstadt im Elbe-Elster-Land und Gründungsmitglied des Netzwerks. "
     "Leere Gebäude im Stadtkern sehen wir als Chance: für Kultur, für junge Leute und für "
     "neues Gewerbe. Die Stadt begleitet Eigentümer vom ersten Gespräch bis zur neuen Nutzung. "
     "Dieses Profil gehört zu den Demodaten des Leerstandsatlas.",
     "https://www.herzberg-elster.de",
     "Stadtentwicklung, Ansprechpartner für Leerstand: leerstand@herzberg.example.org"},
    {"14521410",
     "Neukirchen/Erzgeb. liegt am Rand von Chemnitz und ist Gründungsmitglied des Netzwerks. "
     "Alte Gewerbegebäude und Dreiseithöfe prägen den Ort; viele davon warten auf eine neue "
     "Aufgabe. Die Gemeinde vermittelt zwischen Eigentümern und Menschen mit Ideen. Dieses "
     "Profil gehört zu den Demodaten des Leerstandsatlas.",
     "https://www.neukirchen-erzgebirge.de",
     "Bauamt, Ansprechpartnerin für Leerstand: leerstand@neukirchen.example.org"},
    {"09479",
     "Der Landkreis Wunsiedel i. Fichtelgebirge ist Gründungsmitglied des Netzwerks und "
     "unterstützt seine Städte und Gemeinden beim Umgang mit Leerstand. Gemeinsam mit "
     "Marktredwitz, Selb, Wunsiedel und den anderen Gemeinden zeigt der Kreis, welche Häuser "
     "leer stehen und wo schon wieder Leben eingezogen ist. Dieses Profil gehört zu den "
     "Demodaten des Leerstandsatlas.",
     "https://www.landkreis-wunsiedel.de",
     "Regionalmanagement, Ansprechpartnerin für Leerstand: leerstand@landkreis-wunsiedel."
     "example.org"},
}};

/// A Zukunftsort. `from_activated`: in the building of the Kommune's n-th activated report
/// (0, 1, ...), or -1 for a building of the town core without a report.
struct ZukunftsortSpec {
    const char* ags;
    int from_activated;
    const char* name;
    const char* kind;
    const char* description;
    const char* website;
    const char* story;  // how the empty building became the place: who, what, when
    int pictures;       // drawn pictures on its page, 1 or 2
};

constexpr std::array<ZukunftsortSpec, 8> k_places = {{
    {"12073008", 0, "Café am Markt", "Café",
     "Im früheren Schuhgeschäft am Markt gibt es Kuchen, Mittagstisch und einen Tisch für "
     "Vereine. (Demodaten)",
     "https://cafe-am-markt.example.org",
     "Das Schuhgeschäft im Erdgeschoss stand nach der Geschäftsaufgabe lange leer. Zwei "
     "Schwestern aus Angermünde, die zuvor in Berlin in der Gastronomie gearbeitet hatten, "
     "fanden es über den Leerstandsatlas. Mit der Eigentümerin vereinbarten sie eine günstige "
     "Miete für die ersten Jahre, den Umbau machten sie mit Freunden an den Wochenenden. Heute "
     "ist das Café ein Treffpunkt der Altstadt. (Demodaten)",
     2},
    {"12073008", 1, "Coworking Alte Post", "Coworking",
     "Zwölf Arbeitsplätze, ein Besprechungsraum und schnelles Netz für Pendlerinnen, die nicht "
     "mehr jeden Tag nach Berlin fahren. (Demodaten)",
     nullptr,
     "Als die Postfiliale im Erdgeschoss schloss, stand der Schalterraum leer. Ein Verein "
     "von Pendlerinnen und Pendlern hat ihn mit Unterstützung der Stadt gemietet und mit "
     "gebrauchten Möbeln eingerichtet. Die Stadt half beim Glasfaseranschluss, die "
     "Eigentümerin erneuerte Heizung und Fenster. Seit der Eröffnung arbeiten hier an "
     "manchen Tagen mehr Menschen als früher in der Post. (Demodaten)",
     1},
    {"12062224", 0, "Bürgerhaus Alte Schule", "Kultur",
     "Die Vereine der Stadt teilen sich Saal, Küche und Proberäume im ehemaligen Schulgebäude. "
     "(Demodaten)",
     nullptr,
     "Nach dem Umzug der Grundschule in den Neubau stand das alte Schulhaus leer. Die "
     "Vereine der Stadt schlossen sich zusammen und legten der Stadt ein Nutzungskonzept "
     "vor. Ein Jahr lang wurde saniert, vieles davon in Eigenleistung der Mitglieder. "
     "Heute proben Chor und Blaskapelle hier, und der Saal wird für Feiern vermietet. "
     "(Demodaten)",
     2},
    {"12062224", 1, "Jugendtreff Bahnhofstraße", "Jugend",
     "Ein Treffpunkt, den Jugendliche selbst gestaltet haben: Werkstatt, Musikraum und "
     "Hausaufgabenhilfe. (Demodaten)",
     nullptr,
     "In dem Haus war früher die Stadtbibliothek, danach stand es lange leer, die Fenster "
     "verklebt. Eine Gruppe Jugendlicher fragte im Jugendparlament nach einem "
     "eigenen Raum, die Stadt vermittelte den Kontakt zum Eigentümer. Gemeinsam mit einer "
     "Sozialarbeiterin haben die Jugendlichen Wände gestrichen, eine Werkstatt eingerichtet "
     "und einen Musikraum gedämmt. Geöffnet ist an vier Nachmittagen in der Woche. "
     "(Demodaten)",
     1},
    {"14521410", 0, "Werkstatt Neukirchen", "Werkstatt",
     "In der alten Halle teilen sich Tischlerin, Fahrradwerkstatt und ein Repair-Café die "
     "Maschinen. (Demodaten)",
     "https://werkstatt-neukirchen.example.org",
     "Die Halle gehörte einem Hersteller von Textilmaschinen, der vor Jahren schloss. "
     "Eine Tischlerin suchte Platz für ihre Maschinen und fand im Leerstandsatlas die "
     "leere Halle. Sie holte eine Fahrradwerkstatt und das Repair-Café des Ortes dazu, so "
     "teilen sich drei Nutzer Miete und Werkzeug. Einmal im Monat steht die Halle allen "
     "offen, die etwas reparieren wollen. (Demodaten)",
     2},
    {"09479136", 0, "Gemeinschaftswohnen am Kösseinepark", "Wohnen",
     "Drei Generationen wohnen unter einem Dach, mit Gemeinschaftsküche und Garten. "
     "(Demodaten)",
     nullptr,
     "Das Wohnhaus stand nach dem Tod der letzten Mieterin leer. Eine Genossenschaft aus "
     "Marktredwitz kaufte es und baute es barrierefrei um: drei kleine Wohnungen und eine "
     "gemeinsame Küche. Die Stadt beriet bei der Förderung, der Landkreis bei der "
     "Planung. Heute wohnen hier Familien, Alleinstehende und Ältere zusammen. (Demodaten)",
     1},
    {"09479152", -1, "Porzellanladen Selb", "Laden",
     "Junge Gestalterinnen verkaufen Porzellan aus der Region und bieten Kurse an. "
     "(Demodaten)",
     nullptr,
     "Der Laden in der Innenstadt war einer von vielen, die nach der Schließung der "
     "Porzellanfabriken leer fielen. Drei junge Gestalterinnen, die in Selb studiert haben, "
     "mieteten ihn zunächst für einen Sommer auf Probe. Weil der Laden gut lief, blieben sie "
     "und richteten im Hinterzimmer eine kleine Werkstatt für Kurse ein. (Demodaten)",
     2},
    {"09479169", -1, "Lernwerkstatt Wunsiedel", "Bildung",
     "Kurse für Handwerk und Digitales in einem leeren Geschäftshaus der Innenstadt. "
     "(Demodaten)",
     nullptr,
     "Das Geschäftshaus in der Innenstadt stand leer, seit das Modegeschäft im Erdgeschoss "
     "geschlossen hatte. Die Volkshochschule suchte Räume für Kurse in Handwerk und "
     "Digitalem und mietete zwei Etagen. Handwerksbetriebe aus dem Landkreis brachten "
     "Werkbänke und Lehrkräfte mit. Heute lernen hier Schülerinnen, Auszubildende und "
     "Ältere an denselben Tischen. (Demodaten)",
     1},
}};

/// The index of the Kommune's n-th report that ends activated.
std::optional<std::size_t> activated_report(const Dataset& dataset, std::string_view ags, int n) {
    int seen = 0;
    for (std::size_t i = 0; i < dataset.vacancies.size(); ++i) {
        const Vacancy& v = dataset.vacancies[i];
        if (v.steps.back().state.kommune_ags != ags || v.steps.back().state.status != "aktiviert")
            continue;
        if (seen++ == n) return i;
    }
    return std::nullopt;
}

/// An unnamed building of the town core with room for a shop or a course, without a report.
std::size_t core_building(const Dataset& dataset, std::string_view ags,
                          const std::vector<bool>& taken, Rng& rng) {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < dataset.buildings.size(); ++i) {
        const data::BuildingRecord& r = dataset.buildings[i].record;
        if (!taken[i] && r.kommune_ags == ags && r.name.empty() &&
            r.function == "Wohn- und Geschäftshaus")
            candidates.push_back(i);
    }
    return candidates[static_cast<std::size_t>(
        rng.integer(0, static_cast<int>(candidates.size()) - 1))];
}

/// 128 bits of the stream as 32 lowercase hex digits, the form of an image id.
std::string hex_id(Rng& rng) {
    std::string id;
    for (int half = 0; half < 2; ++half) {
        char text[17];
        std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(rng.next()));
        id += text;
    }
    return id;
}

}  // namespace

std::vector<data::KommuneProfileRecord> member_profiles(const std::string& member_since,
                                                        std::uint64_t seed,
                                                        std::vector<Picture>& pictures) {
    std::vector<data::KommuneProfileRecord> profiles;
    for (const ProfileSpec& spec : k_profiles) {
        Rng rng = make_stream(seed, spec.ags, "profile picture");
        Picture picture;
        picture.id = hex_id(rng);
        picture.seed = rng.next();
        picture.caption = outline_of(spec.ags).name + " (Demobild)";
        picture.kommune_ags = spec.ags;
        data::KommuneProfileRecord profile;
        profile.image_id = picture.id;
        pictures.push_back(std::move(picture));
        profile.ags = spec.ags;
        profile.text = spec.text;
        profile.website = spec.website;
        profile.contact = spec.contact;
        profile.member_since = member_since;
        profile.founding_member = true;
        profiles.push_back(std::move(profile));
    }
    return profiles;
}

std::vector<Zukunftsort> plan_zukunftsorte(const Dataset& dataset, const IsoDate& as_of,
                                           std::uint64_t seed) {
    std::vector<bool> taken(dataset.buildings.size(), false);
    for (const Vacancy& v : dataset.vacancies) taken[v.building] = true;
    std::vector<Zukunftsort> places;
    for (const ZukunftsortSpec& spec : k_places) {
        Rng rng = make_stream(seed, spec.ags, std::string("zukunftsort ") + spec.name);
        Zukunftsort place;
        if (spec.from_activated >= 0) {
            const auto report = activated_report(dataset, spec.ags, spec.from_activated);
            if (!report) continue;
            place.vacancy = *report;
            place.building = dataset.vacancies[*report].building;
            // Opened a few days after the report was activated, in the same month.
            const std::string& activated = dataset.vacancies[*report].steps.back().at;
            const int day = std::min(28, std::stoi(activated.substr(8, 2)) + rng.integer(1, 10));
            const Month month{std::stoi(activated.substr(0, 4)), std::stoi(activated.substr(5, 2))};
            place.at = moment_in(month, day, 11, 0);
            // On day 28 the report may have been activated later that day: open the next.
            if (place.at <= activated) place.at = activated.substr(0, 11) + "23:00:00Z";
        } else {
            place.building = core_building(dataset, spec.ags, taken, rng);
            taken[place.building] = true;
            place.at =
                moment_in(month_before(as_of, rng.integer(4, 20)), rng.integer(1, 28), 11, 0);
        }
        const Building& building = dataset.buildings[place.building];
        data::ZukunftsortRecord& r = place.record;
        r.lon = building.anchor_lon;
        r.lat = building.anchor_lat;
        r.name = spec.name;
        r.kind = spec.kind;
        r.description = spec.description;
        if (spec.website) r.website = spec.website;
        r.opened = place.at.substr(0, 10);
        r.kommune_ags = spec.ags;
        r.story = spec.story;
        // A stream of its own, so the pictures leave the other draws as they were.
        Rng picture_rng =
            make_stream(seed, spec.ags, std::string("zukunftsort pictures ") + spec.name);
        for (int n = 1; n <= spec.pictures; ++n) {
            Picture picture;
            picture.id = hex_id(picture_rng);
            picture.seed = picture_rng.next();
            picture.caption = std::string(spec.name) + " (Demobild " + std::to_string(n) + ")";
            picture.kommune_ags = spec.ags;
            r.images.push_back(picture.id);
            place.pictures.push_back(std::move(picture));
        }
        places.push_back(std::move(place));
    }
    return places;
}

}  // namespace leerstand::demo::detail
