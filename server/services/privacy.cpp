#include "server/services/privacy.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include "server/services/image_service.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

template <typename T>
json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

double round7(double value) {
    return std::round(value * 1e7) / 1e7;
}

bool link_visible(const data::ZukunftsortRecord& place, const Caller& caller) {
    if (!place.vacancy_id) return false;
    if (place.vacancy_consent_publish.value_or(false)) return true;
    // Without the linked row's Kommune there is nothing to grant internal rights on.
    return place.vacancy_kommune_ags && may_read_internal(caller, *place.vacancy_kommune_ags);
}

}  // namespace

data::VacancyVisibility vacancy_visibility(const Caller& caller) {
    data::VacancyVisibility visibility;
    switch (caller.role) {
        case Role::Admin:
            visibility.all = true;
            break;
        case Role::Planner:
        case Role::Editor:
            // Mirrors may_read_internal: a planner without scope reads everywhere; an editor
            // without scope nowhere; otherwise the scope keys are AGS prefixes.
            if (caller.role == Role::Planner && caller.kommunen.empty()) {
                visibility.all = true;
                break;
            }
            for (const std::string& ags : caller.kommunen)
                if (!ags.empty()) visibility.internal_prefixes.push_back(ags);
            break;
        case Role::Public:
            break;
    }
    return visibility;
}

bool may_see_vacancy_internals(const data::VacancyRecord& vacancy, const Caller& caller) {
    return may_read_internal(caller, vacancy.kommune_ags);
}

bool may_see_vacancy(const data::VacancyRecord& vacancy, const Caller& caller) {
    return vacancy.consent_publish || may_see_vacancy_internals(vacancy, caller);
}

std::optional<json> vacancy_properties(const data::VacancyRecord& v, const Caller& caller) {
    if (!may_see_vacancy(v, caller)) return std::nullopt;
    // What everyone who sees the vacancy may see; an allow-list, so a new column stays
    // internal until someone decides otherwise.
    json properties = {
        {"status", v.status},
        {"use", v.use},
        {"degree", v.degree},
        {"vacant_since", optional_json(v.vacant_since)},
        {"floor_area_m2", optional_json(v.floor_area_m2)},
        {"consent_publish", v.consent_publish},
        {"public_description", optional_json(v.public_description)},
        {"building_id", optional_json(v.building_id)},
        {"kommune_ags", v.kommune_ags},
        {"zukunftsort_id", optional_json(v.zukunftsort_id)},
        // The public's view begins with the publication and changes only with what the
        // public sees: internal edits and the time before consent must not show (issue 19).
        // Who reads internals sees every change.
        {"created_at", v.public_created_at},
        {"updated_at", v.public_updated_at},
        {"version", v.public_version},
    };
    if (may_see_vacancy_internals(v, caller)) {
        properties["created_at"] = v.created_at;
        properties["updated_at"] = v.updated_at;
        properties["version"] = v.version;
        properties["owner_type"] = v.owner_type;
        properties["owner_contact"] = optional_json(v.owner_contact);
        properties["internal_notes"] = optional_json(v.internal_notes);
        properties["consent_date"] = optional_json(v.consent_date);
        properties["author"] = optional_json(v.author);
    }
    return properties;
}

std::optional<json> vacancy_feature(const data::VacancyRecord& vacancy, const Caller& caller) {
    auto properties = vacancy_properties(vacancy, caller);
    if (!properties) return std::nullopt;
    return json{{"type", "Feature"},
                {"id", vacancy.id},
                {"geometry", point_geometry(vacancy.lon, vacancy.lat)},
                {"properties", std::move(*properties)}};
}

json zukunftsort_properties(const data::ZukunftsortRecord& z, const Caller& caller) {
    json images = json::array();
    // The id to send back when editing, and the paths of its three sizes.
    for (const std::string& id : z.images)
        images.push_back(json{{"id", id}, {"urls", image_urls(id)}});
    return json{
        {"name", z.name},
        {"kind", optional_json(z.kind)},
        {"description", optional_json(z.description)},
        {"website", optional_json(z.website)},
        {"opened", optional_json(z.opened)},
        {"story", optional_json(z.story)},
        {"images", images},
        {"building_id", optional_json(z.building_id)},
        {"vacancy_id", link_visible(z, caller) ? json(*z.vacancy_id) : json(nullptr)},
        {"kommune_ags", optional_json(z.kommune_ags)},
        {"created_at", z.created_at},
        {"updated_at", z.updated_at},
        {"version", z.version},
    };
}

json zukunftsort_feature(const data::ZukunftsortRecord& place, const Caller& caller) {
    return json{{"type", "Feature"},
                {"id", place.id},
                {"geometry", point_geometry(place.lon, place.lat)},
                {"properties", zukunftsort_properties(place, caller)}};
}

const std::vector<std::string>& internal_vacancy_fields() {
    static const std::vector<std::string> fields = {"owner_type", "owner_contact", "internal_notes",
                                                    "author", "consent_date"};
    return fields;
}

json point_geometry(double lon, double lat) {
    return json{{"type", "Point"}, {"coordinates", {round7(lon), round7(lat)}}};
}

// -- offers (part "offers") ---------------------------------------------------------------

namespace {

constexpr std::array<std::string_view, 2> k_public_offer_statuses = {"offen", "reserviert"};
constexpr std::array<std::string_view, 3> k_public_offer_vacancy_statuses = {
    "gemeldet", "bestaetigt", "in_aktivierung"};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

data::OfferVisibility offer_visibility(const Caller& caller) {
    // Internal rights on offers are those on their vacancies: one scope, one rule.
    const data::VacancyVisibility vacancies = vacancy_visibility(caller);
    data::OfferVisibility visibility;
    visibility.all = vacancies.all;
    visibility.internal_prefixes = vacancies.internal_prefixes;
    visibility.public_statuses.assign(k_public_offer_statuses.begin(),
                                      k_public_offer_statuses.end());
    visibility.public_vacancy_statuses.assign(k_public_offer_vacancy_statuses.begin(),
                                              k_public_offer_vacancy_statuses.end());
    return visibility;
}

bool offer_shown_to_public(std::string_view status, bool vacancy_consent_publish,
                           std::string_view vacancy_status) {
    return listed(k_public_offer_statuses, status) && vacancy_consent_publish &&
           listed(k_public_offer_vacancy_statuses, vacancy_status);
}

bool may_see_offer(const data::OfferRecord& offer, const Caller& caller) {
    return may_read_internal(caller, offer.kommune_ags) ||
           offer_shown_to_public(offer.status, offer.vacancy_consent_publish, offer.vacancy_status);
}

std::optional<json> offer_properties(const data::OfferRecord& a, const Caller& caller) {
    if (!may_see_offer(a, caller)) return std::nullopt;
    json images = json::array();
    for (const std::string& id : a.images)
        images.push_back(json{{"id", id}, {"urls", image_urls(id)}});
    // An allow-list, as for vacancies: a new column stays unseen until someone decides.
    json properties = {
        {"title", a.title},
        {"kommune", a.kommune_ags},
        {"kommune_name", a.kommune_name},
        {"use", a.use},
        {"kinds", a.kinds},
        {"floor_area_m2", optional_json(a.floor_area_m2)},
        {"conditions", optional_json(a.conditions)},
        {"available_from", optional_json(a.available_from)},
        {"images", std::move(images)},
        {"contact_role", a.contact_role},
        {"contact_email", optional_json(a.contact_email)},
        {"contact_phone", optional_json(a.contact_phone)},
        {"status", a.status},
        {"vacancy_id", a.vacancy_id},
        {"created_at", a.created_at},
        {"updated_at", a.updated_at},
    };
    if (may_read_internal(caller, a.kommune_ags)) {
        properties["author"] = optional_json(a.author);
        properties["closed_at"] = optional_json(a.closed_at);
    }
    return properties;
}

std::optional<json> offer_feature(const data::OfferRecord& offer, const Caller& caller) {
    auto properties = offer_properties(offer, caller);
    if (!properties) return std::nullopt;
    return json{{"type", "Feature"},
                {"id", offer.id},
                {"geometry", point_geometry(offer.lon, offer.lat)},
                {"properties", std::move(*properties)}};
}

bool sees_exact_figures(const Caller& caller, const std::string& area_ags) {
    if (!area_ags.empty()) return may_read_internal(caller, area_ags);
    // The whole network: only those whose internal rights have no bounds.
    return caller.role == Role::Admin || (caller.role == Role::Planner && caller.kommunen.empty());
}

// -- needs (part "needs") ------------------------------------------------------------------

bool is_need_staff(const Caller& caller) {
    // The callers require_some_write lets write: admins, editors of some Kommune.
    return caller.role == Role::Admin || (caller.role == Role::Editor && !caller.kommunen.empty());
}

std::vector<std::string> need_visibility(const Caller& caller) {
    if (caller.role == Role::Admin) return {};
    if (is_need_staff(caller)) return {"offen", "vermittelt", "geschlossen"};
    return {"offen"};
}

bool may_see_need(const data::NeedRecord& need, const Caller& caller) {
    const auto visible = need_visibility(caller);
    return visible.empty() ||
           std::find(visible.begin(), visible.end(), need.status) != visible.end();
}

bool may_see_need_contact(const data::NeedRecord& need, const Caller& caller) {
    if (caller.role == Role::Admin) return true;
    return is_need_staff(caller) && need.author && *need.author == caller.name;
}

json need_properties(const data::NeedRecord& need, const Caller& caller) {
    json radius = nullptr;
    if (need.radius_km && need.centre_lon && need.centre_lat)
        radius = json{{"lon", round7(*need.centre_lon)},
                      {"lat", round7(*need.centre_lat)},
                      {"km", *need.radius_km},
                      {"place_name", optional_json(need.place_name)}};
    json properties{
        {"title", need.title},
        {"description", optional_json(need.description)},
        {"uses", need.uses},
        {"kinds", need.kinds},
        {"min_area_m2", optional_json(need.min_area_m2)},
        {"max_area_m2", optional_json(need.max_area_m2)},
        {"kommunen", need.kommunen.empty() ? json(nullptr) : json(need.kommunen)},
        {"radius", std::move(radius)},
        {"needed_from", optional_json(need.needed_from)},
        {"common_good", need.common_good},
        {"status", need.status},
        {"created_at", need.created_at},
        {"updated_at", need.updated_at},
        {"version", need.version},
    };
    if (is_need_staff(caller)) {
        properties["source"] = need.source;
        properties["author"] = optional_json(need.author);
        properties["confirmed_at"] = optional_json(need.confirmed_at);
        properties["closed_at"] = optional_json(need.closed_at);
        properties["personal_data_deleted_at"] = optional_json(need.personal_data_deleted_at);
    }
    if (may_see_need_contact(need, caller)) {
        properties["contact_name"] = optional_json(need.contact_name);
        properties["contact_email"] = optional_json(need.contact_email);
        properties["contact_phone"] = optional_json(need.contact_phone);
    }
    return properties;
}

json need_feature(const data::NeedRecord& need, const Caller& caller) {
    json geometry = nullptr;
    if (need.map_lon && need.map_lat) geometry = point_geometry(*need.map_lon, *need.map_lat);
    return json{{"type", "Feature"},
                {"id", need.id},
                {"geometry", std::move(geometry)},
                {"properties", need_properties(need, caller)}};
}

const std::vector<std::string>& internal_need_fields() {
    static const std::vector<std::string> fields = {
        "source",       "author",        "confirmed_at", "closed_at", "personal_data_deleted_at",
        "contact_name", "contact_email", "contact_phone"};
    return fields;
}

}  // namespace leerstand::services
