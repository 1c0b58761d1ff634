#include "server/services/need_service.hpp"

#include <algorithm>
#include <span>
#include <string_view>
#include <utility>

#include "common/ags.hpp"
#include "common/email_address.hpp"
#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "common/geometry.hpp"
#include "common/text.hpp"
#include "common/utc_time.hpp"
#include "data/need_store.hpp"
#include "data/store.hpp"
#include "matching/matching.hpp"
#include "server/services/auth_service.hpp"
#include "server/services/feature_input.hpp"
#include "server/services/item_writes.hpp"
#include "server/services/privacy.hpp"
#include "server/services/public_form.hpp"
#include "server/services/smtp_relay.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

constexpr std::string_view k_noun = "need";
constexpr std::string_view k_invalid = "the need is not valid";
/// What all needs of a client count under in their limiter.
constexpr PublicFormLimit k_need_limit = {"need", "needs"};

// The bounds of a need's fields (openapi.json says the same as maxLength and minimum, the
// web form as maxlength and min).
constexpr std::size_t k_min_title = 3;
constexpr std::size_t k_max_title = 120;
constexpr std::size_t k_max_description = 4000;
constexpr std::size_t k_max_name = 200;
constexpr std::size_t k_max_phone = 50;
constexpr std::size_t k_max_place_name = 200;
constexpr std::size_t k_max_kommunen = 50;
constexpr double k_max_area_m2 = 1e7;
constexpr double k_min_radius_km = 1;
constexpr double k_max_radius_km = 200;
/// What staff may set; unbestaetigt is the form's alone.
constexpr std::array<std::string_view, 3> k_staff_statuses = {"offen", "vermittelt", "geschlossen"};

/// Where a body comes from: staff through the collection, or the public form.
enum class Source { Staff, Form };

/// Members a client may send back as it read them; they are the store's to set.
bool is_read_only(const std::string& name) {
    static const std::array<std::string_view, 9> k_read_only = {
        "created_at", "updated_at",   "version",   "source",
        "author",     "confirmed_at", "closed_at", "personal_data_deleted_at",
        "id"};
    return std::find(k_read_only.begin(), k_read_only.end(), name) != k_read_only.end();
}

/// A list of distinct values of `allowed`; null is the empty list (any).
std::vector<std::string> read_vocabulary_list(const json& value, const std::string& field,
                                              std::span<const std::string_view> allowed,
                                              FieldErrors& errors) {
    std::vector<std::string> list;
    if (value.is_null()) return list;
    if (!value.is_array()) {
        errors.add(field, field_code::k_wrong_type,
                   field + " must be an array of: " + joined(allowed));
        return list;
    }
    for (const json& member : value) {
        if (!member.is_string()) {
            errors.add(field, field_code::k_wrong_type, field + " takes only strings");
            continue;
        }
        const std::string& text = member.get_ref<const std::string&>();
        if (!check_one_of(field, allowed, text, errors)) continue;
        if (std::find(list.begin(), list.end(), text) != list.end())
            errors.add(field, field_code::k_duplicate, field + " names " + text + " twice");
        else
            list.push_back(text);
    }
    return list;
}

/// A floor area in m²: a number above 0, or null.
std::optional<double> read_area(const json& value, const std::string& field, FieldErrors& errors) {
    if (value.is_null()) return std::nullopt;
    if (!value.is_number()) {
        errors.add(field, field_code::k_wrong_type,
                   field + " must be a number of m² (not " + json_type_name(value) + ")");
        return std::nullopt;
    }
    const double area = value.get<double>();
    if (!(area > 0) || area > k_max_area_m2) {
        errors.add(field, field_code::k_out_of_range,
                   field + " must be above 0 and at most 10,000,000 m²");
        return std::nullopt;
    }
    return area;
}

/// A text member of at most `max` characters; nullopt when absent, null, blank or at fault.
std::optional<std::string> read_text(const json& properties, const std::string& field,
                                     std::size_t max, FieldErrors& errors) {
    if (!properties.contains(field)) return std::nullopt;
    auto text = read_optional_text(properties.at(field), field, max, errors);
    if (!text || !*text || (*text)->text().find_first_not_of(" \t\r\n") == std::string::npos)
        return std::nullopt;
    return std::move(**text).take();
}

/// As read_text, but a missing value is a problem (required).
std::optional<std::string> required_text(const json& properties, const std::string& field,
                                         std::size_t max, FieldErrors& errors) {
    const std::size_t problems = errors.errors().size();
    auto text = read_text(properties, field, max, errors);
    if (!text && errors.errors().size() == problems)
        errors.add(field, field_code::k_required, field + " is required");
    return text;
}

const json& member(const json& properties, const std::string& name) {
    static const json k_null;
    const auto found = properties.find(name);
    return found == properties.end() ? k_null : *found;
}

void read_kommunen(const json& value, const data::Store& store, data::NeedRecord& need,
                   FieldErrors& errors) {
    if (!value.is_array() || value.empty() || value.size() > k_max_kommunen) {
        errors.add("kommunen",
                   value.is_array() ? field_code::k_out_of_range : field_code::k_wrong_type,
                   "kommunen must be an array of 1 to 50 AGS keys of the atlas' Kommunen");
        return;
    }
    for (const json& entry : value) {
        const auto ags =
            entry.is_string() ? Ags::parse(entry.get_ref<const std::string&>()) : std::nullopt;
        if (!ags) {
            errors.add("kommunen", field_code::k_not_an_ags,
                       "kommunen takes AGS keys of 8 (Gemeinde) or 5 (Kreis) digits");
        } else if (!store.kommune_exists(ags->text())) {
            errors.add("kommunen", field_code::k_unknown_kommune,
                       "there is no Kommune with the AGS " + ags->text() + " in the atlas");
        } else if (std::find(need.kommunen.begin(), need.kommunen.end(), ags->text()) ==
                   need.kommunen.end()) {
            need.kommunen.push_back(ags->text());
        }
    }
}

void read_radius(const json& value, data::NeedRecord& need, FieldErrors& errors) {
    if (!value.is_object()) {
        errors.add("radius", field_code::k_wrong_type,
                   "radius must be an object {lon, lat, km, place_name}");
        return;
    }
    const json& lon = member(value, "lon");
    const json& lat = member(value, "lat");
    const json& km = member(value, "km");
    const auto centre = lon.is_number() && lat.is_number()
                            ? LonLat::checked(lon.get<double>(), lat.get<double>())
                            : std::nullopt;
    if (!centre)
        errors.add("radius", field_code::k_out_of_range,
                   "radius needs lon (-180..180) and lat (-90..90) of its centre");
    if (!km.is_number() || !(km.get<double>() >= k_min_radius_km) ||
        km.get<double>() > k_max_radius_km)
        errors.add("radius", field_code::k_out_of_range, "radius.km must be between 1 and 200");
    const auto place = read_text(value, "place_name", k_max_place_name, errors);
    for (const auto& [name, unused] : value.items())
        if (name != "lon" && name != "lat" && name != "km" && name != "place_name")
            errors.add("radius", field_code::k_unknown_field, "unknown member radius." + name);
    if (!centre || !km.is_number()) return;
    need.centre_lon = centre->lon;
    need.centre_lat = centre->lat;
    need.radius_km = km.get<double>();
    need.place_name = place;
}

/// The need that `properties` describe, its problems in `errors`. The store, id, status
/// (for Form: unbestaetigt), source and author are the caller's to set.
data::NeedRecord read_need(const json& properties, Source source, const data::Store& store,
                           FieldErrors& errors) {
    data::NeedRecord need;
    if (!properties.is_object()) {
        errors.add("properties", field_code::k_wrong_type, "the properties must be an object");
        return need;
    }
    static const std::array<std::string_view, 15> k_fields = {
        "title",        "description",   "uses",          "kinds",       "min_area_m2",
        "max_area_m2",  "kommunen",      "radius",        "needed_from", "common_good",
        "contact_name", "contact_email", "contact_phone", "status",      "homepage"};
    for (const auto& [name, unused] : properties.items()) {
        const bool known = std::find(k_fields.begin(), k_fields.end(), name) != k_fields.end();
        const bool allowed = source == Source::Staff ? name != "homepage" : name != "status";
        if ((!known || !allowed) && !(source == Source::Staff && is_read_only(name)))
            errors.add(name, field_code::k_unknown_field, "unknown member " + name);
    }

    if (const auto title = required_text(properties, "title", k_max_title, errors)) {
        if (utf8_characters(*title) < k_min_title)
            errors.add("title", field_code::k_too_short, "title must be at least 3 characters");
        need.title = *title;
    }
    need.description = read_text(properties, "description", k_max_description, errors);
    need.uses =
        read_vocabulary_list(member(properties, "uses"), "uses", data::k_vacancy_uses, errors);
    need.kinds =
        read_vocabulary_list(member(properties, "kinds"), "kinds", matching::k_offer_kinds, errors);
    need.min_area_m2 = read_area(member(properties, "min_area_m2"), "min_area_m2", errors);
    need.max_area_m2 = read_area(member(properties, "max_area_m2"), "max_area_m2", errors);
    if (need.min_area_m2 && need.max_area_m2 && *need.min_area_m2 > *need.max_area_m2)
        errors.add("max_area_m2", field_code::k_out_of_range,
                   "max_area_m2 must not be below min_area_m2");

    const json& kommunen = member(properties, "kommunen");
    const json& radius = member(properties, "radius");
    if (!kommunen.is_null() && !radius.is_null())
        errors.add("radius", field_code::k_not_applicable,
                   "give either kommunen or radius, not both");
    else if (!kommunen.is_null())
        read_kommunen(kommunen, store, need, errors);
    else if (!radius.is_null())
        read_radius(radius, need, errors);
    else
        errors.add("kommunen", field_code::k_required,
                   "name the place: kommunen (AGS keys) or radius {lon, lat, km}");

    if (const auto date =
            read_optional_date(member(properties, "needed_from"), "needed_from", false, errors);
        date && *date)
        need.needed_from = (*date)->text();
    const json& common_good = member(properties, "common_good");
    if (common_good.is_boolean())
        need.common_good = common_good.get<bool>();
    else if (!common_good.is_null())
        errors.add("common_good", field_code::k_wrong_type, "common_good must be true or false");

    // The form's sender must be reachable: the confirmation goes to that address.
    const auto text_of = source == Source::Form ? required_text : read_text;
    need.contact_name = text_of(properties, "contact_name", k_max_name, errors);
    if (const auto email =
            text_of(properties, "contact_email", EmailAddress::k_max_length, errors)) {
        if (const auto address = EmailAddress::parse(*email))
            need.contact_email = address->text();
        else
            errors.add("contact_email", field_code::k_not_an_email,
                       "contact_email must be an e-mail address such as name@example.org");
    }
    need.contact_phone = read_text(properties, "contact_phone", k_max_phone, errors);
    if (source == Source::Form) {
        need.status = "unbestaetigt";
        need.source = "formular";
    } else {
        const json& status = member(properties, "status");
        if (status.is_string()) {
            if (check_one_of("status", k_staff_statuses, status.get<std::string>(), errors))
                need.status = status.get<std::string>();
        } else if (!status.is_null()) {
            errors.add("status", field_code::k_wrong_type,
                       "status must be one of: " + joined(k_staff_statuses));
        }
        need.source = "redaktion";
    }
    return need;
}

/// The properties of a Feature body (staff writes); the body itself must be an object.
const json& feature_properties(const json& feature, FieldErrors& errors) {
    static const json k_empty = json::object();
    if (!feature.is_object()) {
        errors.add("", field_code::k_wrong_type, "the body must be a GeoJSON Feature");
        return k_empty;
    }
    const auto found = feature.find("properties");
    if (found == feature.end() || found->is_null()) {
        errors.add("properties", field_code::k_required, "the Feature needs its properties");
        return k_empty;
    }
    return *found;
}

/// The writable properties of `need` as a body would give them: what a merge patch applies to.
json writable_properties(const data::NeedRecord& need) {
    Caller admin;
    admin.role = Role::Admin;  // every property, contact fields included
    json properties = need_properties(need, admin);
    json writable = json::object();
    for (const char* name : {"title", "description", "uses", "kinds", "min_area_m2", "max_area_m2",
                             "kommunen", "radius", "needed_from", "common_good", "contact_name",
                             "contact_email", "contact_phone", "status"})
        writable[name] = properties.at(name);
    // An unconfirmed need keeps its status unless the patch names one: staff cannot give it.
    if (need.status == "unbestaetigt") writable.erase("status");
    return writable;
}

std::string confirmation_text(const data::NeedRecord& need, const std::string& link) {
    return "Guten Tag " + need.contact_name.value_or("") +
           ",\n\n"
           "Sie haben im Leerstandsatlas ein Gesuch aufgegeben: \"" +
           need.title +
           "\".\n\n"
           "Bitte bestätigen Sie es über diesen Link:\n" +
           link +
           "\n\n"
           "Erst nach der Bestätigung erscheint Ihr Gesuch in der öffentlichen Liste des "
           "Leerstandsatlas, ohne Ihre Kontaktdaten. Ohne Bestätigung löschen wir es nach " +
           std::to_string(k_unconfirmed_need_days.count()) +
           " Tagen.\n\n"
           "Wenn Sie kein Gesuch aufgegeben haben, müssen Sie nichts tun.\n\n"
           "Ihr Leerstandsatlas\n";
}

}  // namespace

struct NeedService::Impl {
    explicit Impl(data::Store& s) : store(s) {
        items.noun = k_noun;
        items.invalid = k_invalid;
        items.load = [this](std::int64_t id) { return needs().need(id); };
        items.may_see = may_see_need;
        items.scope = [](const data::NeedRecord&) { return std::string(); };
        items.require_change = [](const data::NeedRecord&, const Caller& caller) {
            require_some_write(caller);
        };
        items.update = [this](const data::NeedRecord& current, data::NeedRecord next,
                              std::int64_t version, const Caller& caller) {
            // Contact data the caller was not shown cannot have been meant to change.
            if (!may_see_need_contact(current, caller)) {
                next.contact_name = current.contact_name;
                next.contact_email = current.contact_email;
                next.contact_phone = current.contact_phone;
            }
            next.source = current.source;
            next.author = current.author;
            const data::NeedRecord stored = needs().update(next, version);
            return result(stored, caller);
        };
    }

    data::Store& store;
    WritableItems<data::NeedRecord> items;

    data::NeedStore needs() { return data::NeedStore(store); }

    static FeatureResult result(const data::NeedRecord& need, const Caller& caller) {
        return FeatureResult{need.id, need.version, need_feature(need, caller)};
    }
};

NeedService::NeedService(data::Store& store) : m_impl(std::make_unique<Impl>(store)) {}
NeedService::~NeedService() = default;
NeedService::NeedService(NeedService&&) noexcept = default;
NeedService& NeedService::operator=(NeedService&&) noexcept = default;

FeatureResult NeedService::get(std::int64_t id, const Caller& caller) {
    const auto need = m_impl->needs().need(id);
    if (!need || !may_see_need(*need, caller)) throw no_such_item(k_noun, id);
    return Impl::result(*need, caller);
}

ItemsPage NeedService::list(const ItemsQuery& query, const Caller& caller) {
    FieldErrors errors;
    check_page_query(query, errors);
    if (query.status) check_one_of("status", data::k_need_statuses, *query.status, errors);
    if (query.use) check_one_of("use", data::k_vacancy_uses, *query.use, errors);
    if (query.datetime)
        errors.add("datetime", field_code::k_not_applicable,
                   "datetime applies to vacancies and zukunftsorte only");
    if (query.address)
        errors.add("address", field_code::k_not_applicable,
                   "the address search applies to vacancies only");
    if (!query.sortby.empty())
        errors.add("sortby", field_code::k_not_sortable, "needs are listed by id only");
    errors.throw_if_any("invalid query parameter");

    data::NeedFilter filter;
    filter.visible_statuses = need_visibility(caller);
    filter.status = query.status;
    filter.kommune_prefix = query.kommune;
    filter.use = query.use;
    filter.bbox = query.bbox;
    filter.limit = query.limit;
    filter.offset = query.offset;
    const auto records = m_impl->needs().list(filter);
    ItemsPage page;
    page.number_matched = records.number_matched;
    for (const auto& need : records.items) page.features.push_back(need_feature(need, caller));
    return page;
}

FeatureResult NeedService::create(const json& feature, const Caller& caller) {
    data::NeedRecord need = new_item(m_impl->items, caller, [&](FieldErrors& errors) {
        return read_need(feature_properties(feature, errors), Source::Staff, m_impl->store, errors);
    });
    need.author = caller.name;
    return Impl::result(m_impl->needs().insert(need), caller);
}

FeatureResult NeedService::replace(std::int64_t id, const json& feature,
                                   std::optional<std::int64_t> if_match, const Caller& caller) {
    return changed_item(
        m_impl->items, id, if_match, caller,
        [&](const data::NeedRecord& current, FieldErrors& errors) {
            const json& properties = feature_properties(feature, errors);
            data::NeedRecord next = read_need(properties, Source::Staff, m_impl->store, errors);
            // An unconfirmed need stays so unless the body names a status
            // (staff who put it online confirm it for whoever sent it).
            if (current.status == "unbestaetigt" && member(properties, "status").is_null())
                next.status = "unbestaetigt";
            return next;
        });
}

FeatureResult NeedService::patch(std::int64_t id, const json& patch,
                                 std::optional<std::int64_t> if_match, const Caller& caller) {
    return changed_item(m_impl->items, id, if_match, caller,
                        [&](const data::NeedRecord& current, FieldErrors& errors) {
                            const json& changes = feature_properties(patch, errors);
                            json properties = writable_properties(current);
                            if (changes.is_object()) properties.merge_patch(changes);
                            data::NeedRecord next =
                                read_need(properties, Source::Staff, m_impl->store, errors);
                            if (current.status == "unbestaetigt" && !properties.contains("status"))
                                next.status = "unbestaetigt";
                            return next;
                        });
}

void NeedService::remove(std::int64_t id, std::optional<std::int64_t> if_match,
                         const Caller& caller) {
    versioned_write(m_impl->items, id, if_match, caller,
                    [&](const data::NeedRecord&, std::int64_t version) {
                        m_impl->needs().remove(id, version);
                    });
}

void NeedService::submit(const json& body, const std::string& client, LoginRateLimiter& limiter,
                         const SmtpRelay* relay, const std::string& confirm_base) {
    check_public_form_limit(limiter, k_need_limit, client, ErrorCode{error_code::k_too_many_needs});
    // Without mail nobody could confirm it: refuse before anything is looked at or kept.
    if (relay == nullptr)
        throw Conflict(ErrorCode{error_code::k_mail_not_configured},
                       "this atlas sends no mail, so a need cannot be confirmed; ask the Kommune "
                       "to enter it for you");
    if (honeypot_filled(body)) {
        count_public_form_submission(limiter, k_need_limit, client);
        return;
    }
    if (!body.is_object())
        throw field_error("", field_code::k_wrong_type, "the body must be a JSON object");
    FieldErrors errors;
    data::NeedRecord need = read_need(body, Source::Form, m_impl->store, errors);
    errors.throw_if_any(std::string(k_invalid));
    // Counted as the other public forms count: each need taken, and each robot's.
    count_public_form_submission(limiter, k_need_limit, client);

    const std::string token = random_secret();
    data::NeedStore needs = m_impl->needs();
    const data::NeedRecord stored = needs.insert(need, secret_hash(token));
    Mail mail;
    mail.to = *stored.contact_email;
    mail.subject = "Bitte bestätigen Sie Ihr Gesuch im Leerstandsatlas";
    mail.text = confirmation_text(stored, confirm_base + "/gesuche/bestaetigen?token=" + token);
    try {
        relay->send(mail);
    } catch (...) {
        // Nobody can confirm a need whose link never left: it must not stay behind.
        needs.remove(stored.id, stored.version);
        throw;
    }
}

std::int64_t NeedService::confirm(const json& body) {
    const json& token = body.is_object() ? member(body, "token") : json();
    if (!token.is_string() || token.get_ref<const std::string&>().empty() ||
        token.get_ref<const std::string&>().size() > 256)
        throw field_error("token", field_code::k_required,
                          "token: the confirmation token of the link in the mail");
    const auto id = m_impl->needs().confirm(secret_hash(token.get<std::string>()));
    if (!id)
        throw NotFound(ErrorCode{error_code::k_unknown_confirmation},
                       "this confirmation link is unknown or was used already");
    return *id;
}

std::int64_t NeedService::delete_expired_personal_data(std::chrono::days retention) {
    const auto now = std::chrono::system_clock::now();
    return m_impl->needs().delete_personal_data(utc_iso8601(now - retention),
                                                utc_iso8601(now - k_unconfirmed_need_days));
}

}  // namespace leerstand::services
