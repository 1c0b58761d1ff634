#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/need_store.hpp"
#include "data/offer_store.hpp"
#include "data/vacancy_records.hpp"
#include "server/services/caller.hpp"

/// The one filter that decides what an audience sees (DESIGN.md, "Privacy"). Items, single
/// features, tiles, exports and summaries all ask it instead of checking per endpoint.
///
/// The rule: a caller who may read the internal data of a vacancy's Kommune
/// (may_read_internal: admin, planners and editors in scope) sees the whole vacancy. Everyone
/// else is treated as the public: they see a vacancy only when consent_publish is true, and
/// then never owner_type, owner_contact, internal_notes, author or consent_date.
/// Zukunftsorte are public, except the link to their vacancy (vacancy_id), which is shown only
/// to callers who may see that vacancy.
namespace leerstand::services {

/// (c) The condition a vacancy list query must apply for this caller (so counts and pages
/// agree with may_see_vacancy): everything, or the consented ones plus everything in the
/// Kommunen (AGS prefixes) whose internal data the caller may read.
data::VacancyVisibility vacancy_visibility(const Caller& caller);

/// (b) May the caller see this vacancy at all?
bool may_see_vacancy(const data::VacancyRecord& vacancy, const Caller& caller);

/// May the caller see the internal fields of this vacancy (and its history)?
bool may_see_vacancy_internals(const data::VacancyRecord& vacancy, const Caller& caller);

/// (a) The properties of a vacancy as the caller may see them; nullopt when the caller may not
/// see the vacancy at all. Property names are the API names; absent values are null.
std::optional<nlohmann::json> vacancy_properties(const data::VacancyRecord& vacancy,
                                                 const Caller& caller);

/// The whole GeoJSON Feature (id, Point geometry with at most 7 decimals, the properties of
/// vacancy_properties); nullopt when the caller may not see the vacancy.
std::optional<nlohmann::json> vacancy_feature(const data::VacancyRecord& vacancy,
                                              const Caller& caller);

/// The properties of a Zukunftsort as the caller may see them (vacancy_id is null unless the
/// linked vacancy is visible to the caller).
nlohmann::json zukunftsort_properties(const data::ZukunftsortRecord& place, const Caller& caller);

/// The whole GeoJSON Feature of a Zukunftsort.
nlohmann::json zukunftsort_feature(const data::ZukunftsortRecord& place, const Caller& caller);

/// Vacancy properties only callers with internal rights ever see: owner_type, owner_contact,
/// internal_notes, author, consent_date. For checks that walk responses.
const std::vector<std::string>& internal_vacancy_fields();

/// A GeoJSON Point with coordinates rounded to 7 decimals (about 1 cm).
nlohmann::json point_geometry(double lon, double lat);

// -- offers (part "offers", issue 23) ---------------------------------------------------
// The rule: the public sees an offer iff its status is offen or reserviert, its vacancy is
// one the public may see (consent_publish) and that vacancy is gemeldet, bestaetigt or
// in_aktivierung. Callers who may read the internal data of the vacancy's Kommune see every
// offer there, with its author and closed_at. Everyone else sees the public properties only; never
// anything of the owner.

/// The condition an offer list must apply for this caller (so counts, pages and extents agree
/// with may_see_offer).
data::OfferVisibility offer_visibility(const Caller& caller);

/// Does the public see an offer of `status` on a vacancy with `vacancy_consent_publish` and
/// `vacancy_status`? The rule above for one offer (offer_visibility is its SQL form).
bool offer_shown_to_public(std::string_view status, bool vacancy_consent_publish,
                           std::string_view vacancy_status);

/// May the caller see this offer at all? (Those who may not get the 404 of a missing one.)
bool may_see_offer(const data::OfferRecord& offer, const Caller& caller);

/// The properties of an offer as the caller may see it; nullopt when it may not see it.
std::optional<nlohmann::json> offer_properties(const data::OfferRecord& offer,
                                               const Caller& caller);

/// The whole GeoJSON Feature (the vacancy's point); nullopt when the caller may not see it.
std::optional<nlohmann::json> offer_feature(const data::OfferRecord& offer, const Caller& caller);

// -- needs (Gesuche; part "needs" of issue 23) -------------------------------------------

/// Do editors of some Kommune and admins (the staff who enter and close needs) ask? They see
/// matched and closed needs too, and the staff fields; everyone else, planners included, sees
/// what the public sees: the needs with status offen.
bool is_need_staff(const Caller& caller);

/// The statuses of the needs the caller may see, for list queries (so counts and pages agree
/// with may_see_need): offen for everyone; vermittelt and geschlossen for staff; unbestaetigt
/// for admins only, since nobody has vouched for such a need yet. Empty: every status.
std::vector<std::string> need_visibility(const Caller& caller);

/// May the caller see this need at all (its status among need_visibility)?
bool may_see_need(const data::NeedRecord& need, const Caller& caller);

/// May the caller see the need's contact_name, contact_email and contact_phone? Only admins
/// and the staff member who entered it (its author); everyone else contacts the author through
/// the atlas.
bool may_see_need_contact(const data::NeedRecord& need, const Caller& caller);

/// The properties of a need as the caller may see it (the caller must may_see_need): never
/// the contact fields unless may_see_need_contact, and source, author, confirmed_at,
/// closed_at, personal_data_deleted_at for staff only (is_need_staff).
nlohmann::json need_properties(const data::NeedRecord& need, const Caller& caller);

/// The whole GeoJSON Feature of a need: the geometry is its map point (NeedRecord::map_lon),
/// null when it has none.
nlohmann::json need_feature(const data::NeedRecord& need, const Caller& caller);

/// Need properties only staff ever see, and the contact fields; for checks that walk responses.
const std::vector<std::string>& internal_need_fields();

// -- figures (summaries) ----------------------------------------------------------------

/// Counts below this are never shown exactly to the public (public_figures.hpp).
inline constexpr std::int64_t k_min_public_count = 3;

/// May the caller see the exact figures of an area: `area_ags` (a Gemeinde or Kreis key), or
/// the whole network when empty? Exactly those who may read the internal data of the whole
/// area (may_read_internal); everyone else gets the public figures.
bool sees_exact_figures(const Caller& caller, const std::string& area_ags);

}  // namespace leerstand::services
