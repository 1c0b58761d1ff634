#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/bbox.hpp"
#include "data/vacancy_records.hpp"

namespace leerstand::data {

namespace detail {
struct Conditions;
}

class Connection;
class Store;

/// The statuses of an offer (the schema's CHECK holds the same list).
inline constexpr std::array<std::string_view, 4> k_offer_statuses = {
    "offen", "reserviert", "vermittelt", "zurueckgezogen"};

/// One offer (Angebot): a consented vacancy offered for reuse, with the Kommune's contact
/// role (never the owner's). Field names are the API property names.
struct OfferRecord {
    std::int64_t id = 0;  ///< 0 before insert
    std::int64_t vacancy_id = 0;
    std::string title;
    std::vector<std::string> kinds;  ///< of matching::k_offer_kinds, at least one
    std::optional<double> floor_area_m2;
    std::optional<std::string> conditions;
    std::optional<std::string> available_from;  ///< YYYY-MM-DD
    std::vector<std::string> images;            ///< ids of the images table, the first first
    std::string contact_role;
    std::optional<std::string> contact_email;
    std::optional<std::string> contact_phone;
    std::string status = "offen";
    // Kept by the store; ignored on insert and update:
    std::string created_at;
    std::string updated_at;
    std::optional<std::string> closed_at;  ///< set when it became vermittelt or zurueckgezogen
    std::optional<std::string> author;
    std::int64_t version = 1;
    // Read only, from the vacancy it offers (and its Kommune): what the privacy rule decides
    // on and what the public sees of the place.
    double lon = 0.0;
    double lat = 0.0;
    std::string kommune_ags;
    std::string kommune_name;
    std::string use;
    std::string vacancy_status;
    bool vacancy_consent_publish = false;
};

/// Which offers a list may return, as the privacy rule (server/services/privacy.hpp) decides:
/// everything; or those whose status is one of `public_statuses` on a consented vacancy whose
/// status is one of `public_vacancy_statuses`, plus every offer on a vacancy whose
/// kommune_ags starts with one of `internal_prefixes`.
struct OfferVisibility {
    bool all = false;
    std::vector<std::string> internal_prefixes;
    std::vector<std::string> public_statuses;
    std::vector<std::string> public_vacancy_statuses;
};

/// Adds to `where` the offers (alias `a`, joined with their vacancy as `v`) that `visibility`
/// lets a caller see: the one SQL form of privacy.hpp's offer rule, for every query that
/// lists, counts or looks up offers.
void add_offer_visibility(detail::Conditions& where, const OfferVisibility& visibility);

/// A page of offers, ordered by id.
struct OfferFilter {
    OfferVisibility visibility;
    std::optional<std::string> kommune_prefix;  ///< AGS prefix of the vacancy's Kommune
    std::optional<std::string> use;             ///< the vacancy's use
    std::optional<std::string> kind;            ///< one of the offer's kinds
    std::optional<std::string> status;
    std::optional<double> min_area;  ///< floor_area_m2 at least; offers without area never match
    std::optional<double> max_area;  ///< floor_area_m2 at most
    std::optional<Bbox> bbox;        ///< the vacancy's point, CRS84
    std::int64_t limit = 100;
    std::int64_t offset = 0;
};

/// Offers in the SpatiaLite store. Construct one on the thread's Store whenever needed.
/// The store checks what the schema needs (known status, one offer per vacancy, images that
/// exist); the rules of the use case live in server/services/offer_service.
/// Errors: NotFound for unknown ids; PreconditionFailed for a stale `expected_version`;
/// Conflict (code vacancy_already_offered) for a second offer on a vacancy; StorageBusy.
class OfferStore {
  public:
    explicit OfferStore(Store& store);

    /// Inserts (id, version, timestamps ignored; closed_at set for a closed status) and
    /// returns the stored record.
    OfferRecord insert(const OfferRecord& record, const std::string& author);
    /// Replaces every writable field when the version is `expected_version`, bumps it, and
    /// sets closed_at when the status closes it (clears it when it reopens).
    OfferRecord update(const OfferRecord& record, std::int64_t expected_version);
    void remove(std::int64_t id, std::int64_t expected_version);

    std::optional<OfferRecord> offer(std::int64_t id);
    /// The offer of a vacancy, if any.
    std::optional<OfferRecord> offer_of_vacancy(std::int64_t vacancy_id);
    RecordPage<OfferRecord> list(const OfferFilter& filter);
    /// The box around the points of the offers `visibility` lets a caller see.
    std::optional<Bbox> extent(const OfferVisibility& visibility);

  private:
    Connection& m_db;
};

}  // namespace leerstand::data
