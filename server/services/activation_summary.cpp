#include "server/services/activation_summary.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "common/geometry.hpp"
#include "data/activation_figures.hpp"
#include "data/store.hpp"
#include "geo/great_circle.hpp"
#include "server/services/privacy.hpp"
#include "server/services/public_figures.hpp"

namespace leerstand::services {

namespace {

/// What the public sees of offers (privacy.hpp): open offers are listable, so counted exactly.
data::OfferVisibility public_offer_visibility() {
    return offer_visibility(Caller{});
}

using data::ActivationEvent;
using nlohmann::json;

/// Does a need looking at `place` look at the area? `centres`: those of the area's Kommunen.
bool covers(const data::NeedPlace& place, const std::string& area,
            const std::map<std::string, data::KommuneCentre>& centres) {
    if (place.radius_km > 0) {
        const LonLat centre{place.centre_lon, place.centre_lat};
        return std::any_of(centres.begin(), centres.end(), [&](const auto& kommune) {
            const LonLat of_kommune{kommune.second.lon, kommune.second.lat};
            return geo::great_circle_km(centre, of_kommune) <= place.radius_km;
        });
    }
    // A Gemeinde of the area or the area itself, or a Kreis the area lies in.
    return std::any_of(place.kommunen.begin(), place.kommunen.end(), [&](const std::string& ags) {
        return ags.starts_with(area) || area.starts_with(ags);
    });
}

/// Needs of the area: open now, and confirmed in each period of `boundaries`. Needs are public
/// once confirmed (anyone can list them), so these are exact for everyone.
struct NeedCounts {
    std::int64_t open = 0;
    std::vector<std::int64_t> confirmed;  ///< as data::ActivationFiguresStore::events_by_period
};

NeedCounts need_counts(data::ActivationFiguresStore& store, const std::string& area,
                       const std::vector<std::string>& boundaries) {
    NeedCounts counts;
    counts.confirmed.assign(boundaries.size(), 0);
    const std::vector<data::ConfirmedNeed> needs = store.confirmed_needs();
    // Centres cost a centroid per Kommune (the network: every one): only for needs with a radius.
    const bool any_radius = std::any_of(needs.begin(), needs.end(),
                                        [](const auto& need) { return need.place.radius_km > 0; });
    const auto centres =
        any_radius ? store.kommune_centres(area) : std::map<std::string, data::KommuneCentre>{};
    for (const data::ConfirmedNeed& need : needs) {
        if (!covers(need.place, area, centres)) continue;
        if (need.status == "offen") ++counts.open;
        if (need.confirmed_at >= boundaries.back()) continue;
        const auto period =
            std::upper_bound(boundaries.begin(), boundaries.end(), need.confirmed_at) -
            boundaries.begin();
        ++counts.confirmed[static_cast<std::size_t>(period)];
    }
    return counts;
}

std::int64_t sum_of(const std::map<std::string, std::int64_t>& per_key) {
    std::int64_t sum = 0;
    for (const auto& [ags, n] : per_key) sum += n;
    return sum;
}

/// The events of every Kommune key of the area, each with one entry per period.
std::map<std::string, KeyActivationEvents> key_events(data::ActivationFiguresStore& store,
                                                      const std::string& area,
                                                      const std::vector<std::string>& boundaries) {
    std::map<std::string, KeyActivationEvents> keys;
    const auto read = [&](ActivationEvent event, EventPeriods KeyActivationEvents::*field) {
        for (auto& [ags, periods] : store.events_by_period(event, area, boundaries))
            keys[ags].*field = std::move(periods);
    };
    read(ActivationEvent::offer_published, &KeyActivationEvents::offers_published);
    read(ActivationEvent::inquiry_received, &KeyActivationEvents::inquiries);
    read(ActivationEvent::match_accepted, &KeyActivationEvents::matches);
    read(ActivationEvent::activation_finished, &KeyActivationEvents::activations);
    for (auto& [ags, key] : keys)
        for (EventPeriods* periods :
             {&key.offers_published, &key.inquiries, &key.matches, &key.activations})
            periods->resize(boundaries.size(), 0);
    return keys;
}

}  // namespace

ActivationSummary exact_activation(data::Store& store, const std::string& area,
                                   const std::vector<std::string>& boundaries) {
    data::ActivationFiguresStore figures(store);
    const auto keys = key_events(figures, area, boundaries);
    const NeedCounts needs = need_counts(figures, area, boundaries);
    // The area's sums per period: exact, so the keys simply add up.
    EventPeriods offers(boundaries.size()), inquiries(boundaries.size()),
        matches(boundaries.size()), activations(boundaries.size());
    for (const auto& [ags, key] : keys)
        for (std::size_t i = 0; i < boundaries.size(); ++i) {
            offers[i] += key.offers_published[i];
            inquiries[i] += key.inquiries[i];
            matches[i] += key.matches[i];
            activations[i] += key.activations[i];
        }
    const auto total = [](const EventPeriods& periods) {
        return std::accumulate(periods.begin(), periods.end(), std::int64_t{0});
    };
    ActivationSummary summary;
    summary.counts = {
        {"offers_open", sum_of(figures.public_offers(public_offer_visibility(), area))},
        {"offers_published", total(offers)},
        {"inquiries", total(inquiries)},
        {"needs_open", needs.open},
        {"matches", total(matches)},
        {"activations", total(activations)},
    };
    for (std::size_t i = 1; i < boundaries.size(); ++i)
        summary.months.push_back({{"offers", offers[i]},
                                  {"inquiries", inquiries[i]},
                                  {"needs", needs.confirmed[i]},
                                  {"matches", matches[i]},
                                  {"activations", activations[i]}});
    return summary;
}

ActivationSummary public_activation(data::Store& store, const std::string& area,
                                    const std::vector<std::string>& boundaries) {
    data::ActivationFiguresStore figures(store);
    const std::string& as_of = boundaries.back();
    auto keys = key_events(figures, area, boundaries);
    for (const auto& [ags, n] : figures.public_offers(public_offer_visibility(), area, as_of))
        keys[ags].offers_published_public_now = n;
    const std::size_t months = boundaries.size() - 1;
    std::vector<PublicActivation> of_keys;
    for (const auto& [ags, key] : keys) {
        KeyActivationEvents events = key;
        for (EventPeriods* periods :
             {&events.offers_published, &events.inquiries, &events.matches, &events.activations})
            periods->resize(boundaries.size(), 0);
        of_keys.push_back(public_activation_of_key(events, months));
    }
    // No events in the area: every count 0, nothing withheld.
    if (of_keys.empty()) of_keys.push_back(public_activation_of_key({}, months));
    const PublicActivation shown = public_activation_of_area(of_keys, months);
    const NeedCounts needs = need_counts(figures, area, boundaries);

    ActivationSummary summary;
    summary.counts = {
        {"offers_open", sum_of(figures.public_offers(public_offer_visibility(), area))},
        {"offers_published", shown.offers_published.total.json()},
        {"inquiries", shown.inquiries.total.json()},
        {"needs_open", needs.open},
        {"matches", shown.matches.total.json()},
        {"activations", shown.activations.total.json()},
        {"withheld", shown.something_withheld},
    };
    for (std::size_t m = 0; m < months; ++m)
        summary.months.push_back({{"offers", shown.offers_published.months[m].json()},
                                  {"inquiries", shown.inquiries.months[m].json()},
                                  {"needs", needs.confirmed[m + 1]},
                                  {"matches", shown.matches.months[m].json()},
                                  {"activations", shown.activations.months[m].json()}});
    return summary;
}

}  // namespace leerstand::services
