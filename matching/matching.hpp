#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/ags.hpp"
#include "common/geometry.hpp"
#include "common/iso_date.hpp"

/// The score that brings an offer (Angebot: a vacancy offered for reuse) and a need (Gesuch of
/// an initiative) together. Plain values, no storage: the offers and needs features fill them
/// from their records and show the reasons. docs/matching.md writes the rule down for users.
namespace leerstand::matching {

/// How an offer may be taken on (ASCII identifiers, as the API writes them).
inline constexpr std::array<std::string_view, 5> k_offer_kinds = {
    "miete", "kauf", "erbpacht", "zwischennutzung", "konzeptvergabe"};

/// The weights of the five components; they sum to 100, the best total.
inline constexpr int k_use_weight = 30;
inline constexpr int k_size_weight = 25;
inline constexpr int k_place_weight = 20;
inline constexpr int k_kind_weight = 15;
inline constexpr int k_timing_weight = 10;

/// A vacancy offered for reuse, as far as the score needs it.
struct Offer {
    std::int64_t id = 0;
    Ags kommune;                            ///< the Gemeinde the building lies in
    LonLat kommune_centre;                  ///< its centre: distances are measured from here
    std::string use;                        ///< one of data::k_vacancy_uses
    std::set<std::string> kinds;            ///< of k_offer_kinds
    std::optional<double> area_m2;          ///< usable floor area
    std::optional<IsoDate> available_from;  ///< none: available now
};

/// A need's place given as Kommunen: a Gemeinde AGS, or a Kreis AGS for all its Gemeinden.
struct KommuneArea {
    std::vector<Ags> kommunen;  ///< @pre not empty
};

/// A need's place given as a circle around a point.
struct RadiusArea {
    LonLat centre;
    double radius_km = 0;  ///< @pre > 0
};

/// What an initiative looks for.
struct Need {
    std::int64_t id = 0;
    std::set<std::string> uses;  ///< of data::k_vacancy_uses; empty: any use
    std::optional<double> min_area_m2;
    std::optional<double> max_area_m2;  ///< @pre not below min_area_m2
    std::variant<KommuneArea, RadiusArea> area;
    std::set<std::string> kinds;         ///< of k_offer_kinds; empty: any kind
    std::optional<IsoDate> needed_from;  ///< none: any time
    bool common_good = false;            ///< gemeinwohlorientiert
};

/// Why a component got its points: a stable code and the values a sentence needs, e.g.
/// {"code": "size_within", "area": 120, "min": 80, "max": 150}. The web app writes the text.
struct Reason {
    std::string code;
    nlohmann::json values = nlohmann::json::object();
};

/// One of the five parts of a score.
struct Component {
    std::string_view name;  ///< "use", "size", "place", "kind", "timing"
    int weight = 0;
    int points = 0;  ///< 0..weight
    Reason reason;
};

/// A pair that is not excluded, with its total (0..100) and the components in the order above.
struct Match {
    std::int64_t offer_id = 0;
    std::int64_t need_id = 0;
    int total = 0;
    std::vector<Component> components;
    bool common_good = false;  ///< copied from the need: staff may give such needs precedence
};

/// The score of `offer` for `need`, or nothing when the pair is excluded (no common kind, or the
/// offer lies outside the need's place).
std::optional<Match> score(const Offer& offer, const Need& need);

/// The best `top_n` needs for `offer`: total descending, then need id ascending.
std::vector<Match> rank_needs(const Offer& offer, std::span<const Need> needs, std::size_t top_n);

/// The best `top_n` offers for `need`: total descending, then offer id ascending.
std::vector<Match> rank_offers(const Need& need, std::span<const Offer> offers, std::size_t top_n);

/// The match as the API will write it: ids, total, common_good and the components.
nlohmann::json to_json(const Match& match);

}  // namespace leerstand::matching
