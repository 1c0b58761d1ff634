#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/summary_store.hpp"

/// The figures of vacancy reports as the public may see them (DESIGN.md "Privacy", issue 19;
/// docs/privacy.md says why each rule is there). Small counts identify owners in small places,
/// and a small count must not come back by subtraction: across levels (network, Kreis,
/// Gemeinde), across figures (totals, statuses, uses, buildings, floor area), against the
/// published reports everyone can list, or across time.
///
/// The rules, per Kommune key (the kommune_ags of the reports: a Gemeinde, or a Kreis holding
/// reports of its own), on the state at the snapshot instant:
/// - a count is shown only when it and the number of unpublished reports in it are each 0 or
///   at least 3 (`safe`); a count of 1 or 2 reads "<3", another unsafe one is withheld (null);
/// - the status and the use breakdowns are shown whole or not at all: only when every cell is
///   safe;
/// - a total is shown only when every difference with the other shown totals that counts
///   reports (all − open, all − reactivated, all − open − reactivated, open − vacant buildings)
///   is safe too, unless the status breakdown is shown (then those differences are sums of
///   safe cells);
/// - the floor area is shown (rounded to 100 m²) only with a shown open count;
/// - each month of the trend is a count like the others.
/// An area of several Kommune keys (a Kreis, the network) shows for each figure the sum of the
/// shown figures of its keys: a key's withheld or "<3" figure counts 0 there, so an area never
/// tells more than its keys together. An area of one key shows that key's figures.
namespace leerstand::services {

/// A count as the public sees it.
struct PublicCount {
    enum class Kind { Shown, Small, Withheld };
    Kind kind = Kind::Shown;
    std::int64_t value = 0;  ///< when shown

    /// The number, "<3" or null.
    nlohmann::json json() const;
    bool shown() const { return kind == Kind::Shown; }
};

/// The public figures of one Kommune key or of an area.
struct PublicFigures {
    PublicCount vacancies, open_vacancies, reactivated, vacant_buildings;
    std::map<std::string, PublicCount> by_status, by_use;  ///< every status / use
    std::optional<double> vacant_floor_area_m2;            ///< rounded to 100 m²; withheld: none
    std::vector<PublicCount> trend;                        ///< open reports at each month's end
    /// The buildings of the Kommune keys whose vacant buildings are shown: the base of the
    /// vacancy rate.
    std::int64_t rate_base_buildings = 0;
    /// True when some count of some key or cell is left out of these figures.
    bool something_withheld = false;

    /// vacant_buildings / rate_base_buildings, rounded to 1e-4; null when not shown.
    nlohmann::json vacancy_rate() const;
};

/// The public figures of one Kommune key from its state at the snapshot and its open reports
/// at each month's end (oldest first); `buildings`: its buildings.
PublicFigures public_figures_of_key(const data::KommuneState& state,
                                    const std::vector<data::Tally>& open_per_month,
                                    std::int64_t buildings);

/// The public figures of an area from those of its keys (each figure: the sum of the shown
/// ones); `months` trend entries; `buildings_without_reports`: the buildings of the area's
/// Kommune keys without any report (their rate counts 0 of them).
PublicFigures public_figures_of_area(const std::vector<PublicFigures>& keys, std::size_t months,
                                     std::int64_t buildings_without_reports);

// -- the activation loop (issue 23, part "figures") --------------------------------------------
//
// Offers and needs the public may see now can be listed by anyone, so their counts are shown
// exactly (and are not made here). Offers published, inquiries received, matches accepted and
// activations finished are counts of events the public does not see one by one: per Kommune key
// (the kommune_ags of the offer's vacancy) on the events before the snapshot instant,
// - each month of the trend is a count under the small-count rule: 0 or at least 3 shown, 1 or
//   2 "<3" (every event is non-public, so the count and its non-public part are the same);
// - a total is shown only when it is safe and what its shown months leave over (the events
//   before the trend window and those of months shown as "<3") is safe too, so that a total
//   less the months never gives a small month or a small past back;
// - matches (accepted or finished) are shown only when matches − activations (accepted, not yet
//   finished) is safe; offers published only when those of them the public does not see now
//   (withdrawn, given, or on a vacancy no longer public) are safe.
// An area of several keys shows the sum of its keys' shown figures, as above.

/// The events of one kind of one Kommune key: index 0 before the trend window, then one entry
/// per month of the trend (oldest first).
using EventPeriods = std::vector<std::int64_t>;

/// The activation events of one Kommune key, each with 1 + months entries (missing: none).
struct KeyActivationEvents {
    EventPeriods offers_published, inquiries, matches, activations;
    /// Of the offers published before the snapshot instant, those the public sees now.
    std::int64_t offers_published_public_now = 0;
};

/// One event figure as the public sees it: the total and each month of the trend.
struct PublicEventFigure {
    PublicCount total;
    std::vector<PublicCount> months;
};

/// The public figures of the events of one Kommune key or of an area.
struct PublicActivation {
    PublicEventFigure offers_published, inquiries, matches, activations;
    bool something_withheld = false;  ///< some total or month is "<3" or null here or in a key
};

/// The public activation figures of one Kommune key; `months` trend entries.
PublicActivation public_activation_of_key(const KeyActivationEvents& events, std::size_t months);

/// The public activation figures of an area from those of its keys (each figure and month: the
/// sum of the shown ones); an area of one key shows that key's figures.
PublicActivation public_activation_of_area(const std::vector<PublicActivation>& keys,
                                           std::size_t months);

}  // namespace leerstand::services
