#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ags.hpp"
#include "common/bounded_text.hpp"
#include "common/geometry.hpp"
#include "common/iso_date.hpp"
#include "data/offer_store.hpp"
#include "data/vacancy_records.hpp"

namespace leerstand {
class FieldErrors;
}

/// The one reader of the GeoJSON Features written to vacancies and Zukunftsorte. A body is
/// read once into a typed draft (POST, PUT: the whole item; what it leaves out takes its
/// default) or a patch (PATCH, JSON Merge Patch as RFC 7396: only what it names changes, null
/// resets a field to its default). Read-only properties a client echoes are ignored.
///
/// Problems go into the caller's FieldErrors instead of being thrown: the place resolver
/// (place_resolver.hpp) adds its own to the same list, so the client sees every problem at
/// once, and the services throw them only after the rights checks, so that a caller without
/// rights learns nothing from them.
namespace leerstand::services {

/// What a body says about where its item lies. kommune_ags and building_id are the place
/// resolver's to decide: absent (a patch keeps them), null (derived anew) or given (checked).
struct PlaceInput {
    bool point_given = false;     ///< the body has a geometry (always true for a draft)
    std::optional<LonLat> point;  ///< rounded to 7 decimals; nullopt when absent or unusable
    bool kommune_given = false;
    std::optional<Ags> kommune_ags;
    bool building_given = false;
    std::optional<std::int64_t> building_id;
};

/// A whole vacancy (POST, PUT). `record` holds the writable fields; its id, version and the
/// fields the store keeps are unset, and kommune_ags and building_id are the resolver's.
struct VacancyDraft {
    data::VacancyRecord record;
    PlaceInput place;
};

/// A merge patch of a vacancy (PATCH). Each field is absent when the patch does not name it;
/// a nested nullopt is a null (the field cleared). A null vocabulary field or
/// consent_publish holds its default already.
struct VacancyPatch {
    std::optional<std::string> status;
    std::optional<std::string> use;
    std::optional<std::string> degree;
    std::optional<std::string> owner_type;
    std::optional<std::optional<IsoDate>> vacant_since;
    std::optional<std::optional<double>> floor_area_m2;
    std::optional<std::optional<BoundedText>> owner_contact;
    std::optional<std::optional<BoundedText>> internal_notes;
    std::optional<std::optional<BoundedText>> public_description;
    std::optional<bool> consent_publish;
    PlaceInput place;

    /// Changes in `record` what the patch names (not kommune_ags and building_id).
    void apply_to(data::VacancyRecord& record) const;
};

/// A whole Zukunftsort (POST, PUT), as VacancyDraft.
struct ZukunftsortDraft {
    data::ZukunftsortRecord record;
    PlaceInput place;
};

/// A merge patch of a Zukunftsort (PATCH), as VacancyPatch. `vacancy_id` links (or unlinks)
/// the vacancy it grew out of.
struct ZukunftsortPatch {
    std::optional<BoundedText> name;  ///< never empty
    std::optional<std::optional<BoundedText>> kind;
    std::optional<std::optional<BoundedText>> description;
    std::optional<std::optional<BoundedText>> website;  ///< an http(s) address
    std::optional<std::optional<IsoDate>> opened;
    std::optional<std::optional<BoundedText>> story;
    /// Image ids, well-formed and each once; whether they are stored is the store's check.
    /// null is the empty list.
    std::optional<std::vector<std::string>> images;
    std::optional<std::optional<std::int64_t>> vacancy_id;
    PlaceInput place;

    void apply_to(data::ZukunftsortRecord& record) const;
};

/// A Feature with a Point geometry: the geometry is required, a vacant_since in the future
/// is refused.
VacancyDraft read_vacancy_draft(const nlohmann::json& body, FieldErrors& errors);
/// An object of `properties` and/or `geometry`.
VacancyPatch read_vacancy_patch(const nlohmann::json& body, FieldErrors& errors);
/// As read_vacancy_draft; a name is required.
ZukunftsortDraft read_zukunftsort_draft(const nlohmann::json& body, FieldErrors& errors);
ZukunftsortPatch read_zukunftsort_patch(const nlohmann::json& body, FieldErrors& errors);

// -- offers (part "offers", issue 23) ---------------------------------------------------

/// A merge patch of an offer (PATCH), and a whole one (POST, PUT) read as a patch of the
/// defaults. An offer has no geometry of its own (it is its vacancy's point): a geometry sent
/// is ignored. Read-only properties a client echoes (kommune, use, ...) are ignored.
struct OfferPatch {
    std::optional<std::int64_t> vacancy_id;
    std::optional<BoundedText> title;               ///< never empty
    std::optional<std::vector<std::string>> kinds;  ///< of k_offer_kinds, at least one, each once
    std::optional<std::optional<double>> floor_area_m2;  ///< more than 0
    std::optional<std::optional<BoundedText>> conditions;
    std::optional<std::optional<IsoDate>> available_from;
    std::optional<std::vector<std::string>> images;  ///< whether they exist: the service's check
    std::optional<BoundedText> contact_role;         ///< never empty
    std::optional<std::optional<std::string>> contact_email;  ///< an EmailAddress
    std::optional<std::optional<BoundedText>> contact_phone;
    std::optional<std::string> status;

    void apply_to(data::OfferRecord& record) const;
};

/// A whole offer: vacancy_id, title, kinds and contact_role are required.
OfferPatch read_offer_draft(const nlohmann::json& body, FieldErrors& errors);
OfferPatch read_offer_patch(const nlohmann::json& body, FieldErrors& errors);

// -- single values, shared with the other JSON inputs (Kommune profiles) -------------------
// Each reader adds its problem to `errors` and returns nothing; the outer optional is empty
// after a problem, the inner one for a JSON null (the field cleared).

/// "a number", "a string", "true or false", "an array", "an object", "null": for messages.
std::string json_type_name(const nlohmann::json& value);

/// `text` when it has at most `max_characters` characters (field_code::k_too_long otherwise).
std::optional<BoundedText> read_bounded_text(const std::string& text, const std::string& field,
                                             std::size_t max_characters, FieldErrors& errors);

/// A string of at most `max_characters` characters, or null.
std::optional<std::optional<BoundedText>> read_optional_text(const nlohmann::json& value,
                                                             const std::string& field,
                                                             std::size_t max_characters,
                                                             FieldErrors& errors);

/// An http(s) address (is_web_url) of at most `max_characters` characters, or null.
std::optional<std::optional<BoundedText>> read_optional_web_url(const nlohmann::json& value,
                                                                const std::string& field,
                                                                std::size_t max_characters,
                                                                FieldErrors& errors);

/// A date written YYYY-MM-DD, or null; with `refuse_future` none after today (UTC).
std::optional<std::optional<IsoDate>> read_optional_date(const nlohmann::json& value,
                                                         const std::string& field,
                                                         bool refuse_future, FieldErrors& errors);

/// "a, b, c": the allowed values as the messages list them.
template <typename Range>
std::string joined(const Range& values) {
    std::string text;
    for (const auto& value : values) {
        if (!text.empty()) text += ", ";
        text += value;
    }
    return text;
}

/// True when `value` is one of `allowed`; else adds "unknown <field> '<value>'; allowed: ..."
/// (field_code::k_not_one_of) and returns false.
bool check_one_of(const std::string& field, std::span<const std::string_view> allowed,
                  const std::string& value, FieldErrors& errors);

}  // namespace leerstand::services
