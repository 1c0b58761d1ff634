#include "server/services/feature_input.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <utility>

#include "common/email_address.hpp"
#include "common/field_errors.hpp"
#include "common/text.hpp"
#include "matching/matching.hpp"
#include "server/services/image_service.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

constexpr double k_max_floor_area_m2 = 1e7;

/// The longest text each text field takes, in characters (server/http/openapi.json states
/// the same as maxLength; the web form as maxlength). Without bounds a single note of 60 MB was
/// stored, kept twice in the history, and a 1 MB description was served to the public.
constexpr std::array<std::pair<std::string_view, std::size_t>, 8> k_text_limits = {{
    {"owner_contact", 500},
    {"internal_notes", 5000},
    {"public_description", 2000},
    {"name", 200},
    {"kind", 100},
    {"description", 5000},
    {"website", 500},
    // A Zukunftsort's page tells its story: a few pages of text, not a book.
    {"story", 20000},
}};

/// The most pictures one Zukunftsort shows; a gallery, not an archive.
constexpr std::size_t k_max_images = 20;

std::size_t text_limit(std::string_view field) {
    for (const auto& [name, limit] : k_text_limits)
        if (name == field) return limit;
    return std::string::npos;
}

/// A body's kind: a whole Feature or a merge patch of one.
enum class Kind { Draft, Patch };

double round7(double value) {
    return std::round(value * 1e7) / 1e7;
}

// -- one value each -------------------------------------------------------------------------
// Each reader returns nothing after reporting a problem, so the field stays as it was.

/// A text within its field's limit.
std::optional<BoundedText> read_bounded(const std::string& text, const std::string& field,
                                        FieldErrors& errors) {
    return read_bounded_text(text, field, text_limit(field), errors);
}

/// A string or null.
std::optional<std::optional<BoundedText>> read_text(const json& value, const std::string& field,
                                                    FieldErrors& errors) {
    return read_optional_text(value, field, text_limit(field), errors);
}

/// One of a vocabulary; null is `fallback`.
std::optional<std::string> read_identifier(const json& value, const std::string& field,
                                           std::span<const std::string_view> allowed,
                                           const std::string& fallback, FieldErrors& errors) {
    if (value.is_null()) return fallback;
    if (!value.is_string()) {
        errors.add(
            field, field_code::k_wrong_type,
            field + " must be one of: " + joined(allowed) + " (not " + json_type_name(value) + ")");
        return std::nullopt;
    }
    const std::string& text = value.get_ref<const std::string&>();
    if (!check_one_of(field, allowed, text, errors)) return std::nullopt;
    return text;
}

/// An array of image ids, each once; null is none. A member may also be an image as the
/// items show it (`{"id", "urls"}`), so a client can send back what it read.
std::optional<std::vector<std::string>> read_images(const json& value, FieldErrors& errors) {
    if (value.is_null()) return std::vector<std::string>();
    if (!value.is_array()) {
        errors.add("images", field_code::k_wrong_type,
                   "images must be an array of image ids, not " + json_type_name(value));
        return std::nullopt;
    }
    if (value.size() > k_max_images) {
        errors.add("images", field_code::k_too_long,
                   "images takes at most " + std::to_string(k_max_images) + " image ids");
        return std::nullopt;
    }
    std::vector<std::string> ids;
    bool usable = true;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string where = "images[" + std::to_string(i) + "]";
        const json& member = value[i];
        const json& id = member.is_object() && member.contains("id") ? member.at("id") : member;
        if (!id.is_string()) {
            errors.add("images", field_code::k_wrong_type, where + " must be an image id");
            usable = false;
        } else if (!is_image_id(id.get_ref<const std::string&>())) {
            // Not even the shape of an id: no image has it (the store checks the others).
            errors.add("images", field_code::k_unknown_image,
                       where + " is no image id (32 hexadecimal digits)");
            usable = false;
        } else if (std::find(ids.begin(), ids.end(), id.get<std::string>()) != ids.end()) {
            errors.add("images", field_code::k_duplicate, where + " is given twice");
            usable = false;
        } else {
            ids.push_back(id.get<std::string>());
        }
    }
    if (!usable) return std::nullopt;
    return ids;
}

std::optional<std::optional<std::int64_t>> read_id(const json& value, const std::string& field,
                                                   FieldErrors& errors) {
    if (value.is_null()) return std::optional<std::int64_t>();
    if (!value.is_number_integer() || value.get<std::int64_t>() <= 0) {
        errors.add(
            field,
            value.is_number_integer() ? field_code::k_out_of_range : field_code::k_wrong_type,
            field + " must be a positive integer id or null");
        return std::nullopt;
    }
    return value.get<std::int64_t>();
}

std::optional<std::optional<Ags>> read_ags(const json& value, FieldErrors& errors) {
    if (value.is_null()) return std::optional<Ags>();
    const auto ags =
        value.is_string() ? Ags::parse(value.get_ref<const std::string&>()) : std::nullopt;
    if (!ags) {
        errors.add("kommune_ags",
                   value.is_string() ? field_code::k_not_an_ags : field_code::k_wrong_type,
                   "kommune_ags must be an AGS of 8 (Gemeinde) or 5 (Kreis) digits");
        return std::nullopt;
    }
    return ags;
}

std::optional<std::optional<double>> read_floor_area(const json& value, FieldErrors& errors) {
    if (value.is_null()) return std::optional<double>();
    if (!value.is_number()) {
        errors.add("floor_area_m2", field_code::k_wrong_type,
                   "floor_area_m2 must be a number of square metres or null");
        return std::nullopt;
    }
    const double area = value.get<double>();
    if (!(area >= 0.0) || !(area <= k_max_floor_area_m2)) {
        // The largest halls in the world have a few hundred thousand m²; beyond this it is a
        // typo or garbage, and it would dominate every summed floor area.
        errors.add("floor_area_m2", field_code::k_out_of_range,
                   "floor_area_m2 must be from 0 to 10,000,000 square metres");
        return std::nullopt;
    }
    return area;
}

/// A GeoJSON Point; null or absent is a problem too (the point is never optional).
std::optional<LonLat> read_point(const json& geometry, FieldErrors& errors) {
    if (!geometry.is_object() || !geometry.contains("type") || geometry.at("type") != "Point") {
        errors.add("geometry",
                   geometry.is_null() ? field_code::k_required : field_code::k_invalid_geometry,
                   "the geometry must be a GeoJSON Point");
        return std::nullopt;
    }
    const json* coordinates =
        geometry.contains("coordinates") ? &geometry.at("coordinates") : nullptr;
    if (coordinates == nullptr || !coordinates->is_array() ||
        (coordinates->size() != 2 && coordinates->size() != 3) ||
        !std::all_of(coordinates->begin(), coordinates->end(),
                     [](const json& c) { return c.is_number(); })) {
        errors.add("geometry", field_code::k_invalid_geometry,
                   "the Point needs coordinates [longitude, latitude]");
        return std::nullopt;
    }
    const auto point =
        LonLat::checked(coordinates->at(0).get<double>(), coordinates->at(1).get<double>());
    if (!point) {
        errors.add("geometry", field_code::k_out_of_range,
                   "the coordinates must be longitude -180..180 and latitude -90..90 "
                   "(EPSG:4326, longitude first)");
        return std::nullopt;
    }
    // Stored as shown: output has 7 decimals (about 1 cm).
    return LonLat{round7(point->lon), round7(point->lat)};
}

// -- the Feature around the properties ------------------------------------------------------

/// Checks the members of a Feature (or a patch of one) and returns its properties object;
/// nullptr when the body is not an object at all.
const json* feature_properties(const json& body, Kind kind, FieldErrors& errors) {
    static const json k_empty = json::object();
    if (!body.is_object()) {
        errors.add("", field_code::k_wrong_type,
                   kind == Kind::Patch ? "the patch must be a JSON object"
                                       : "the body must be a GeoJSON Feature");
        return nullptr;
    }
    static const std::set<std::string> k_members = {"type",       "id",   "geometry",
                                                    "properties", "bbox", "links"};
    for (const auto& [key, value] : body.items()) {
        if (!k_members.contains(key))
            errors.add(key, field_code::k_unknown_field,
                       "unknown member '" + key + "'; properties go into \"properties\"");
    }
    if (body.contains("type") ? body.at("type") != "Feature" : kind == Kind::Draft)
        errors.add("type",
                   body.contains("type") ? field_code::k_not_one_of : field_code::k_required,
                   "the body must be a GeoJSON Feature (\"type\": \"Feature\")");
    if (!body.contains("properties") || body.at("properties").is_null()) return &k_empty;
    if (!body.at("properties").is_object()) {
        errors.add("properties", field_code::k_wrong_type, "properties must be an object");
        return &k_empty;
    }
    return &body.at("properties");
}

/// The place members every writable item has: kommune_ags and building_id.
bool read_place_property(const std::string& key, const json& value, PlaceInput& place,
                         FieldErrors& errors) {
    if (key == "building_id") {
        place.building_given = true;
        if (auto id = read_id(value, key, errors)) place.building_id = *id;
    } else if (key == "kommune_ags") {
        place.kommune_given = true;
        if (auto ags = read_ags(value, errors)) place.kommune_ags = std::move(*ags);
    } else {
        return false;
    }
    return true;
}

/// The geometry, after the properties: required unless patching.
void read_geometry(const json& body, Kind kind, PlaceInput& place, FieldErrors& errors) {
    place.point_given = body.contains("geometry") || kind == Kind::Draft;
    if (place.point_given)
        place.point =
            read_point(body.contains("geometry") ? body.at("geometry") : json(nullptr), errors);
}

/// A body that is no object at all: its one problem is all there is to say, so it also has
/// no usable point, not even the stored one of a patch.
template <typename Patch>
Patch unusable(Patch patch) {
    patch.place.point_given = true;
    patch.place.point.reset();
    return patch;
}

// -- vacancies ------------------------------------------------------------------------------

VacancyPatch read_vacancy(const json& body, Kind kind, FieldErrors& errors) {
    VacancyPatch patch;
    const json* properties = feature_properties(body, kind, errors);
    if (properties == nullptr) return unusable(std::move(patch));
    // Clients echo what they GET; read-only fields are ignored, not refused.
    static const std::set<std::string> k_read_only = {
        "consent_date", "created_at", "updated_at", "author", "version", "zukunftsort_id"};
    const data::VacancyRecord defaults;
    for (const auto& [key, value] : properties->items()) {
        if (key == "status") {
            if (auto status =
                    read_identifier(value, key, data::k_vacancy_statuses, defaults.status, errors))
                patch.status = std::move(status);
        } else if (key == "use") {
            if (auto use = read_identifier(value, key, data::k_vacancy_uses, defaults.use, errors))
                patch.use = std::move(use);
        } else if (key == "degree") {
            if (auto degree =
                    read_identifier(value, key, data::k_vacancy_degrees, defaults.degree, errors))
                patch.degree = std::move(degree);
        } else if (key == "owner_type") {
            if (auto owner_type =
                    read_identifier(value, key, data::k_owner_types, defaults.owner_type, errors))
                patch.owner_type = std::move(owner_type);
        } else if (key == "vacant_since") {
            if (auto date = read_optional_date(value, key, true, errors))
                patch.vacant_since = *date;
        } else if (key == "floor_area_m2") {
            if (auto area = read_floor_area(value, errors)) patch.floor_area_m2 = *area;
        } else if (key == "owner_contact" || key == "internal_notes" ||
                   key == "public_description") {
            auto text = read_text(value, key, errors);
            if (!text) continue;
            auto& target = key == "owner_contact"    ? patch.owner_contact
                           : key == "internal_notes" ? patch.internal_notes
                                                     : patch.public_description;
            target = std::move(text);
        } else if (key == "consent_publish") {
            if (value.is_null())
                patch.consent_publish = defaults.consent_publish;
            else if (value.is_boolean())
                patch.consent_publish = value.get<bool>();
            else
                errors.add(key, field_code::k_wrong_type, "consent_publish must be true or false");
        } else if (!read_place_property(key, value, patch.place, errors) &&
                   !k_read_only.contains(key)) {
            errors.add(key, field_code::k_unknown_field, "unknown property '" + key + "'");
        }
    }
    read_geometry(body, kind, patch.place, errors);
    return patch;
}

// -- Zukunftsorte ---------------------------------------------------------------------------

ZukunftsortPatch read_zukunftsort(const json& body, Kind kind, FieldErrors& errors) {
    ZukunftsortPatch patch;
    const json* properties = feature_properties(body, kind, errors);
    if (properties == nullptr) return unusable(std::move(patch));
    static const std::set<std::string> k_read_only = {"created_at", "updated_at", "version"};
    for (const auto& [key, value] : properties->items()) {
        if (key == "name") {
            if (!value.is_string() || value.get_ref<const std::string&>().empty())
                errors.add(key,
                           value.is_string() ? field_code::k_required : field_code::k_wrong_type,
                           "name must be a non-empty string");
            else if (auto name = read_bounded(value.get<std::string>(), key, errors))
                patch.name = std::move(name);
        } else if (key == "kind" || key == "description" || key == "story") {
            auto text = read_text(value, key, errors);
            if (!text) continue;
            auto& target = key == "kind"          ? patch.kind
                           : key == "description" ? patch.description
                                                  : patch.story;
            target = std::move(text);
        } else if (key == "images") {
            if (auto ids = read_images(value, errors)) patch.images = std::move(ids);
        } else if (key == "website") {
            if (auto website = read_optional_web_url(value, key, text_limit(key), errors))
                patch.website = std::move(*website);
        } else if (key == "opened") {
            if (auto date = read_optional_date(value, key, false, errors)) patch.opened = *date;
        } else if (key == "vacancy_id") {
            if (auto id = read_id(value, key, errors)) patch.vacancy_id = *id;
        } else if (!read_place_property(key, value, patch.place, errors) &&
                   !k_read_only.contains(key)) {
            errors.add(key, field_code::k_unknown_field, "unknown property '" + key + "'");
        }
    }
    // A stored Zukunftsort always has a name (the store refuses one without), so only a whole
    // one can lack it.
    if (kind == Kind::Draft && !properties->contains("name"))
        errors.add("name", field_code::k_required, "a Zukunftsort needs a name");
    read_geometry(body, kind, patch.place, errors);
    return patch;
}

// -- offers (part "offers") ------------------------------------------------------------------

constexpr std::size_t k_max_offer_title = 200;
constexpr std::size_t k_max_offer_conditions = 5000;
constexpr std::size_t k_max_contact_role = 200;
constexpr std::size_t k_max_contact_phone = 50;

/// A non-empty string within `max_characters`.
std::optional<BoundedText> read_required_text(const json& value, const std::string& field,
                                              std::size_t max_characters, FieldErrors& errors) {
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        errors.add(field, value.is_string() ? field_code::k_required : field_code::k_wrong_type,
                   field + " must be a non-empty string");
        return std::nullopt;
    }
    return read_bounded_text(value.get_ref<const std::string&>(), field, max_characters, errors);
}

std::optional<std::vector<std::string>> read_offer_kinds(const json& value, FieldErrors& errors) {
    if (!value.is_array() || value.empty()) {
        errors.add("kinds", value.is_array() ? field_code::k_required : field_code::k_wrong_type,
                   "kinds must be an array of at least one of: " + joined(matching::k_offer_kinds));
        return std::nullopt;
    }
    std::vector<std::string> kinds;
    for (const json& member : value) {
        if (!member.is_string()) {
            errors.add("kinds", field_code::k_wrong_type, "kinds must hold strings");
            return std::nullopt;
        }
        const std::string& kind = member.get_ref<const std::string&>();
        if (!check_one_of("kinds", matching::k_offer_kinds, kind, errors)) return std::nullopt;
        if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) {
            errors.add("kinds", field_code::k_duplicate, "kinds names '" + kind + "' twice");
            return std::nullopt;
        }
        kinds.push_back(kind);
    }
    return kinds;
}

std::optional<std::optional<double>> read_offer_area(const json& value, FieldErrors& errors) {
    auto area = read_floor_area(value, errors);
    if (area && *area && !(**area > 0.0)) {
        errors.add("floor_area_m2", field_code::k_out_of_range,
                   "floor_area_m2 of an offer must be more than 0 square metres");
        return std::nullopt;
    }
    return area;
}

std::optional<std::optional<std::string>> read_contact_email(const json& value,
                                                             FieldErrors& errors) {
    if (value.is_null()) return std::optional<std::string>();
    const auto email =
        value.is_string() ? EmailAddress::parse(value.get_ref<const std::string&>()) : std::nullopt;
    if (!email) {
        errors.add("contact_email",
                   value.is_string() ? field_code::k_not_an_email : field_code::k_wrong_type,
                   "contact_email must be an e-mail address such as bauamt@kommune.de");
        return std::nullopt;
    }
    return email->text();
}

OfferPatch read_offer(const json& body, Kind kind, FieldErrors& errors) {
    OfferPatch patch;
    const json* properties = feature_properties(body, kind, errors);
    if (properties == nullptr) return patch;
    // What the items show besides the writable fields: echoed back by clients, ignored.
    static const std::set<std::string> k_read_only = {"kommune",    "kommune_name", "use",
                                                      "created_at", "updated_at",   "closed_at",
                                                      "author",     "version"};
    for (const auto& [key, value] : properties->items()) {
        if (key == "vacancy_id") {
            if (auto id = read_id(value, key, errors)) {
                if (*id)
                    patch.vacancy_id = **id;
                else
                    errors.add(key, field_code::k_required, "an offer needs its vacancy_id");
            }
        } else if (key == "title") {
            if (auto title = read_required_text(value, key, k_max_offer_title, errors))
                patch.title = std::move(title);
        } else if (key == "kinds") {
            if (auto kinds = read_offer_kinds(value, errors)) patch.kinds = std::move(kinds);
        } else if (key == "floor_area_m2") {
            if (auto area = read_offer_area(value, errors)) patch.floor_area_m2 = *area;
        } else if (key == "conditions") {
            if (auto text = read_optional_text(value, key, k_max_offer_conditions, errors))
                patch.conditions = std::move(text);
        } else if (key == "available_from") {
            if (auto date = read_optional_date(value, key, false, errors))
                patch.available_from = *date;
        } else if (key == "images") {
            if (auto ids = read_images(value, errors)) patch.images = std::move(ids);
        } else if (key == "contact_role") {
            if (auto role = read_required_text(value, key, k_max_contact_role, errors))
                patch.contact_role = std::move(role);
        } else if (key == "contact_email") {
            if (auto email = read_contact_email(value, errors)) patch.contact_email = *email;
        } else if (key == "contact_phone") {
            if (auto phone = read_optional_text(value, key, k_max_contact_phone, errors))
                patch.contact_phone = std::move(phone);
        } else if (key == "status") {
            if (auto status = read_identifier(value, key, data::k_offer_statuses, "offen", errors))
                patch.status = std::move(status);
        } else if (!k_read_only.contains(key)) {
            errors.add(key, field_code::k_unknown_field, "unknown property '" + key + "'");
        }
    }
    if (kind == Kind::Draft)
        for (const char* field : {"vacancy_id", "title", "kinds", "contact_role"})
            if (!properties->contains(field))
                errors.add(field, field_code::k_required, std::string("an offer needs ") + field);
    return patch;
}

/// A whole item is its properties read as a patch of the defaults.
template <typename Draft, typename Patch>
Draft draft_of(Patch patch) {
    Draft draft;
    patch.apply_to(draft.record);
    draft.place = std::move(patch.place);
    return draft;
}

template <typename T>
std::optional<std::string> text_of(const std::optional<T>& value) {
    if (!value) return std::nullopt;
    return value->text();
}

}  // namespace

bool check_one_of(const std::string& field, std::span<const std::string_view> allowed,
                  const std::string& value, FieldErrors& errors) {
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return true;
    errors.add(field, field_code::k_not_one_of,
               "unknown " + field + " '" + value + "'; allowed: " + joined(allowed));
    return false;
}

std::string json_type_name(const json& value) {
    return value.is_number()    ? "a number"
           : value.is_string()  ? "a string"
           : value.is_boolean() ? "true or false"
           : value.is_array()   ? "an array"
           : value.is_object()  ? "an object"
                                : "null";
}

std::optional<BoundedText> read_bounded_text(const std::string& text, const std::string& field,
                                             std::size_t max_characters, FieldErrors& errors) {
    auto bounded = BoundedText::parse(text, max_characters);
    if (!bounded)
        errors.add(
            field, field_code::k_too_long,
            field + " must be at most " + std::to_string(max_characters) + " characters long");
    return bounded;
}

std::optional<std::optional<BoundedText>> read_optional_text(const json& value,
                                                             const std::string& field,
                                                             std::size_t max_characters,
                                                             FieldErrors& errors) {
    if (value.is_null()) return std::optional<BoundedText>();
    if (!value.is_string()) {
        errors.add(field, field_code::k_wrong_type,
                   field + " must be a string or null, not " + json_type_name(value));
        return std::nullopt;
    }
    if (auto text =
            read_bounded_text(value.get_ref<const std::string&>(), field, max_characters, errors))
        return std::optional<BoundedText>(std::move(*text));
    return std::nullopt;
}

std::optional<std::optional<BoundedText>> read_optional_web_url(const json& value,
                                                                const std::string& field,
                                                                std::size_t max_characters,
                                                                FieldErrors& errors) {
    if (value.is_null()) return std::optional<BoundedText>();
    if (!value.is_string() || !is_web_url(value.get_ref<const std::string&>())) {
        errors.add(field, value.is_string() ? field_code::k_not_a_url : field_code::k_wrong_type,
                   field + " must be an http:// or https:// address");
        return std::nullopt;
    }
    if (auto url = read_bounded_text(value.get<std::string>(), field, max_characters, errors))
        return std::optional<BoundedText>(std::move(*url));
    return std::nullopt;
}

std::optional<std::optional<IsoDate>> read_optional_date(const json& value,
                                                         const std::string& field,
                                                         bool refuse_future, FieldErrors& errors) {
    if (value.is_null()) return std::optional<IsoDate>();
    const auto date =
        value.is_string() ? IsoDate::parse(value.get_ref<const std::string&>()) : std::nullopt;
    if (!date) {
        errors.add(field, value.is_string() ? field_code::k_not_a_date : field_code::k_wrong_type,
                   field + " must be a date written YYYY-MM-DD");
        return std::nullopt;
    }
    if (refuse_future && *date > IsoDate::today_utc()) {
        errors.add(field, field_code::k_in_the_future,
                   field + " " + date->text() + " lies in the future");
        return std::nullopt;
    }
    return date;
}

void VacancyPatch::apply_to(data::VacancyRecord& record) const {
    if (status) record.status = *status;
    if (use) record.use = *use;
    if (degree) record.degree = *degree;
    if (owner_type) record.owner_type = *owner_type;
    if (vacant_since) record.vacant_since = text_of(*vacant_since);
    if (floor_area_m2) record.floor_area_m2 = *floor_area_m2;
    if (owner_contact) record.owner_contact = text_of(*owner_contact);
    if (internal_notes) record.internal_notes = text_of(*internal_notes);
    if (public_description) record.public_description = text_of(*public_description);
    if (consent_publish) record.consent_publish = *consent_publish;
}

void ZukunftsortPatch::apply_to(data::ZukunftsortRecord& record) const {
    if (name) record.name = name->text();
    if (kind) record.kind = text_of(*kind);
    if (description) record.description = text_of(*description);
    if (website) record.website = text_of(*website);
    if (opened) record.opened = text_of(*opened);
    if (story) record.story = text_of(*story);
    if (images) record.images = *images;
    if (vacancy_id) record.vacancy_id = *vacancy_id;
}

void OfferPatch::apply_to(data::OfferRecord& record) const {
    if (vacancy_id) record.vacancy_id = *vacancy_id;
    if (title) record.title = title->text();
    if (kinds) record.kinds = *kinds;
    if (floor_area_m2) record.floor_area_m2 = *floor_area_m2;
    if (conditions) record.conditions = text_of(*conditions);
    if (available_from) record.available_from = text_of(*available_from);
    if (images) record.images = *images;
    if (contact_role) record.contact_role = contact_role->text();
    if (contact_email) record.contact_email = *contact_email;
    if (contact_phone) record.contact_phone = text_of(*contact_phone);
    if (status) record.status = *status;
}

OfferPatch read_offer_draft(const json& body, FieldErrors& errors) {
    return read_offer(body, Kind::Draft, errors);
}

OfferPatch read_offer_patch(const json& body, FieldErrors& errors) {
    return read_offer(body, Kind::Patch, errors);
}

VacancyDraft read_vacancy_draft(const json& body, FieldErrors& errors) {
    return draft_of<VacancyDraft>(read_vacancy(body, Kind::Draft, errors));
}

VacancyPatch read_vacancy_patch(const json& body, FieldErrors& errors) {
    return read_vacancy(body, Kind::Patch, errors);
}

ZukunftsortDraft read_zukunftsort_draft(const json& body, FieldErrors& errors) {
    return draft_of<ZukunftsortDraft>(read_zukunftsort(body, Kind::Draft, errors));
}

ZukunftsortPatch read_zukunftsort_patch(const json& body, FieldErrors& errors) {
    return read_zukunftsort(body, Kind::Patch, errors);
}

}  // namespace leerstand::services
