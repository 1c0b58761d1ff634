#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/offer_store.hpp"

namespace leerstand::data {

class Store;
class Connection;

/// The events of the activation loop (issue 23) that the figures count, each with the instant
/// it happened at.
enum class ActivationEvent {
    offer_published,      ///< an offer was created (angebote.created_at)
    inquiry_received,     ///< an inquiry came in (anfragen.created_at)
    match_accepted,       ///< a match now angenommen or abgeschlossen was accepted
    activation_finished,  ///< a match was abgeschlossen: the vacancy became a Zukunftsort
};

/// A need's place as stored: named Kommunen, or a circle around a point.
struct NeedPlace {
    std::vector<std::string> kommunen;  ///< Gemeinde or Kreis keys; empty with a circle
    double centre_lon = 0.0, centre_lat = 0.0, radius_km = 0.0;  ///< radius_km > 0: a circle
};

/// A confirmed need (status other than unbestaetigt) and where it looks.
struct ConfirmedNeed {
    std::int64_t id = 0;
    std::string status;        ///< offen, vermittelt or geschlossen
    std::string confirmed_at;  ///< when it became public (a staff entry: its creation)
    NeedPlace place;
};

/// A Kommune's centre (the centroid of its boundary), where a need's radius is measured to.
struct KommuneCentre {
    double lon = 0.0, lat = 0.0;
};

/// Reads the offers, inquiries, needs and matches of migration 14 for the summaries. Every
/// event belongs to the Kommune key of the vacancy its offer is on (vacancies.kommune_ags now).
/// An area is an AGS prefix, as in SummaryStore. Holds only a reference to the thread's Store.
class ActivationFiguresStore {
  public:
    explicit ActivationFiguresStore(Store& store);

    /// For each Kommune key of `prefix` with such events: how many of `event` happened before
    /// `boundaries[0]` (index 0) and in [boundaries[i-1], boundaries[i]) (index i). Events at or
    /// after the last boundary are not read. @pre boundaries ascending, not empty.
    std::map<std::string, std::vector<std::int64_t>> events_by_period(
        ActivationEvent event, const std::string& prefix,
        const std::vector<std::string>& boundaries);

    /// For each Kommune key of `prefix`: the offers `visible` lets see (the public's:
    /// privacy.hpp's offer_visibility of the public). With `created_before`: only those of
    /// them created before that instant.
    std::map<std::string, std::int64_t> public_offers(
        const OfferVisibility& visible, const std::string& prefix,
        const std::optional<std::string>& created_before = {});

    /// Every confirmed need (any status but unbestaetigt), in id order.
    std::vector<ConfirmedNeed> confirmed_needs();

    /// The centre of every Kommune of `prefix` that has a boundary.
    std::map<std::string, KommuneCentre> kommune_centres(const std::string& prefix);

  private:
    Connection& m_db;
};

}  // namespace leerstand::data
