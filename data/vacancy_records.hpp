#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/address_key.hpp"
#include "data/bbox.hpp"
#include "data/sort_order.hpp"

/// Plain records of vacancies (Leerstandsmeldungen), their history and Zukunftsorte, passed
/// between the use cases and VacancyStore. No SQLite types: the store may move to PostGIS.
/// Field names are the API property names (and the column names).
namespace leerstand::data {

/// The identifier vocabularies (ASCII). The schema CHECKs hold the same lists.
inline constexpr std::array<std::string_view, 6> k_vacancy_statuses = {
    "gemeldet", "bestaetigt", "in_aktivierung", "aktiviert", "abgerissen", "kein_leerstand"};
inline constexpr std::array<std::string_view, 7> k_vacancy_uses = {
    "wohnen", "gewerbe", "laden", "gemischt", "oeffentlich", "landwirtschaft", "sonstiges"};
inline constexpr std::array<std::string_view, 2> k_vacancy_degrees = {"vollstaendig", "teilweise"};
inline constexpr std::array<std::string_view, 4> k_owner_types = {"privat", "gewerblich",
                                                                  "oeffentlich", "unbekannt"};

/// A vacancy's point is matched to the building whose footprint contains it, else to the
/// nearest footprint within this many metres; an explicit building must lie as near.
inline constexpr double k_building_match_distance_m = 15.0;

/// Where a building lies as seen from a point: its Kommune and the ellipsoidal distance in
/// metres from the point to its footprint (0 inside it).
struct BuildingPlace {
    std::string kommune_ags;
    double distance_m = 0.0;
};

/// One vacancy. Optional text fields are NULL in the store when empty optionals.
struct VacancyRecord {
    std::int64_t id = 0;  ///< 0 before insert
    double lon = 0.0;     ///< EPSG:4326
    double lat = 0.0;
    std::optional<std::int64_t> building_id;
    std::string kommune_ags;
    std::string status = "gemeldet";
    std::string use = "sonstiges";
    std::string degree = "vollstaendig";
    std::optional<std::string> vacant_since;  ///< YYYY-MM-DD
    std::optional<double> floor_area_m2;
    std::string owner_type = "unbekannt";
    std::optional<std::string> owner_contact;
    std::optional<std::string> internal_notes;
    bool consent_publish = false;
    // Maintained by the store; ignored on insert/update:
    std::optional<std::string> consent_date;  ///< YYYY-MM-DD (UTC) consent_publish became true
    std::optional<std::string> public_description;
    std::string created_at;             ///< ISO 8601 UTC
    std::string updated_at;             ///< ISO 8601 UTC
    std::optional<std::string> author;  ///< who created it (insert: the changed_by user)
    std::int64_t version = 1;
    /// What the public sees as version, created_at and updated_at: its view of the vacancy
    /// begins when it is first published and changes only when something the public sees
    /// changes (k_public_vacancy_fields, or the consent that shows it). 0 and "" while it was
    /// never published.
    std::int64_t public_version = 0;
    std::string public_created_at;
    std::string public_updated_at;
    std::optional<std::int64_t> zukunftsort_id;  ///< the linked Zukunftsort (read only)
};

/// The stored fields of a vacancy that everyone who may see it sees (the privacy filter's
/// allow-list, server/services/privacy.cpp, shows them; "geometry" is the point). A change of
/// one of them in a published vacancy is a new public version; any other change is not.
inline constexpr std::array<std::string_view, 10> k_public_vacancy_fields = {"geometry",
                                                                             "status",
                                                                             "use",
                                                                             "degree",
                                                                             "vacant_since",
                                                                             "floor_area_m2",
                                                                             "consent_publish",
                                                                             "public_description",
                                                                             "building_id",
                                                                             "kommune_ags"};

/// One Zukunftsort (a place that came back to life).
struct ZukunftsortRecord {
    std::int64_t id = 0;
    double lon = 0.0;
    double lat = 0.0;
    std::string name;
    std::optional<std::string> kind;
    std::optional<std::string> description;
    std::optional<std::string> website;
    std::optional<std::string> opened;  ///< YYYY-MM-DD
    std::optional<std::string> story;   ///< the long text of its page
    std::vector<std::string> images;    ///< ids of the images table, the first one first
    std::optional<std::string> kommune_ags;
    std::optional<std::int64_t> building_id;
    std::optional<std::int64_t> vacancy_id;
    std::string created_at;
    std::string updated_at;
    std::int64_t version = 1;
    // Read only, filled from the linked vacancy so the privacy filter can decide whether the
    // caller may see the link: its Kommune and its consent_publish.
    std::optional<std::string> vacancy_kommune_ags;
    std::optional<bool> vacancy_consent_publish;
};

/// One row of vacancy_history. The JSON texts hold the changed fields only ("null" for the
/// old values of a create and the new values of a delete).
struct VacancyHistoryEntry {
    std::int64_t id = 0;
    std::int64_t vacancy_id = 0;
    std::string kommune_ags;
    std::string changed_at;  ///< ISO 8601 UTC
    std::string changed_by;
    std::string action;  ///< "create", "update", "delete"
    std::string old_values_json = "null";
    std::string new_values_json = "null";
};

/// Which vacancies a list query may return, as decided by the privacy filter
/// (server/services/privacy.hpp): everything, or the consented ones plus everything whose
/// kommune_ags starts with one of `internal_prefixes`.
struct VacancyVisibility {
    bool all = false;
    std::vector<std::string> internal_prefixes;
};

/// A page of vacancies: `limit`/`offset` applied, ordered by id.
struct VacancyFilter {
    VacancyVisibility visibility;
    std::optional<std::string> kommune_prefix;  ///< AGS prefix (a Kreis key covers its Gemeinden)
    std::optional<std::string> status;
    std::optional<std::string> use;
    std::optional<DateRange> vacant_since;  ///< rows without vacant_since never match
    std::optional<Bbox> bbox;               ///< CRS84; points inside or on its edge
    /// Vacancies whose building has this address (address_key.hpp); those without a building
    /// never match.
    std::optional<AddressSearch> address;
    std::int64_t limit = 100;
    std::int64_t offset = 0;
    std::vector<SortKey> sort;  ///< before the id (sort_order.hpp)
};

struct ZukunftsortFilter {
    std::optional<std::string> kommune_prefix;
    std::optional<DateRange> opened;  ///< rows without an opening date never match
    std::optional<Bbox> bbox;         ///< CRS84; points inside or on its edge
    std::int64_t limit = 100;
    std::int64_t offset = 0;
    std::vector<SortKey> sort;  ///< before the id (sort_order.hpp)
};

template <typename Record>
struct RecordPage {
    std::vector<Record> items;
    std::int64_t number_matched = 0;  ///< all matching rows, ignoring limit/offset
};

/// Changes whenever Kommunen are added, removed or replaced: a cache of boundaries (such as a
/// geo::KommuneLocator) built at one stamp is current while the stamp stays equal.
struct KommuneStamp {
    std::int64_t count = 0;
    std::int64_t key_sum = 0;  ///< the AGS keys as numbers, added up
    std::string max_updated_at;
    bool operator==(const KommuneStamp&) const = default;
};

}  // namespace leerstand::data
