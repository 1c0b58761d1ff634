#include "server/services/queryables.hpp"

#include <algorithm>

#include "common/field_errors.hpp"
#include "data/need_store.hpp"
#include "data/sort_order.hpp"
#include "data/vacancy_records.hpp"
#include "matching/matching.hpp"
#include "server/services/collections_service.hpp"
#include "server/services/privacy.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

json text_enum(const auto& values) {
    json list = json::array();
    for (const auto value : values) list.push_back(std::string(value));
    return list;
}

json ags_schema(const char* filter) {
    // Appended rather than joined with operator+: GCC 12 reports a false -Warray-bounds inside
    // libstdc++ for that chain when the precompiled header is on.
    std::string description = "filter with `";
    description += filter;
    description += "=` and an AGS or its first digits (a Kreis key covers its Gemeinden)";
    return {{"title", "AGS"},
            {"type", "string"},
            {"pattern", "^[0-9]{5}([0-9]{3})?$"},
            {"description", description}};
}

json date_schema(const char* title) {
    return {{"title", title},
            {"type", "string"},
            {"format", "date"},
            {"description", "filter with `datetime=` (an RFC 3339 instant or interval)"}};
}

json geometry_schema(const char* format) {
    return {{"format", format},
            {"x-ogc-role", "primary-geometry"},
            {"description", "filter with `bbox=` (and `bbox-crs=`)"}};
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
}

bool contains(const std::vector<std::string>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

json queryables(const std::string& id, const std::string& base) {
    json properties;
    if (id == "buildings") {
        properties = {{"geometry", geometry_schema("geometry-multipolygon")},
                      {"kommune_ags", ags_schema("kommune")}};
    } else if (id == "kommunen") {
        properties = {{"geometry", geometry_schema("geometry-multipolygon")},
                      {"ags", ags_schema("kommune")}};
    } else if (id == "vacancies") {
        properties = {{"geometry", geometry_schema("geometry-point")},
                      {"kommune_ags", ags_schema("kommune")},
                      {"status",
                       {{"title", "Status"},
                        {"type", "string"},
                        {"enum", text_enum(data::k_vacancy_statuses)},
                        {"description", "filter with `status=`"}}},
                      {"use",
                       {{"title", "Nutzung"},
                        {"type", "string"},
                        {"enum", text_enum(data::k_vacancy_uses)},
                        {"description", "filter with `use=`"}}},
                      {"vacant_since", date_schema("Leer seit")},
                      // Not a property of the vacancy: the street and house number of its
                      // building, as typed ("Berliner Str. 12"), found however spelled.
                      {"address",
                       {{"title", "Adresse"},
                        {"type", "string"},
                        {"maxLength", 200},
                        {"description",
                         "filter with `address=`: street and/or house number of the vacancy's "
                         "building; case, umlauts (ü = ue, ß = ss) and \"Str.\" for \"Straße\" "
                         "do not matter"}}}};
    } else if (id == "zukunftsorte") {
        properties = {{"geometry", geometry_schema("geometry-point")},
                      {"kommune_ags", ags_schema("kommune")},
                      {"opened", date_schema("Eröffnet")}};
    } else if (id == "angebote") {  // part "offers"
        properties = {{"geometry", geometry_schema("geometry-point")},
                      {"kommune", ags_schema("kommune")},
                      {"use",
                       {{"title", "Nutzung"},
                        {"type", "string"},
                        {"enum", text_enum(data::k_vacancy_uses)},
                        {"description", "filter with `use=`"}}},
                      {"kinds",
                       {{"title", "Art"},
                        {"type", "string"},
                        {"enum", text_enum(matching::k_offer_kinds)},
                        {"description", "filter with `kind=`: offers with this kind"}}},
                      {"floor_area_m2",
                       {{"title", "Fläche (m²)"},
                        {"type", "number"},
                        {"description", "filter with `min_area=` and `max_area=`"}}}};
    } else if (id == "gesuche") {  // part "needs" of issue 23
        properties = {{"geometry", geometry_schema("geometry-point")},
                      {"kommunen", ags_schema("kommune")},
                      {"status",
                       {{"title", "Status"},
                        {"type", "string"},
                        {"enum", text_enum(data::k_need_statuses)},
                        {"description", "filter with `status=` (the public sees offen only)"}}},
                      {"uses",
                       {{"title", "Nutzungen"},
                        {"type", "string"},
                        {"enum", text_enum(data::k_vacancy_uses)},
                        {"description",
                         "filter with `use=`: needs taking this use (those of any use too)"}}}};
    } else {
        throw unknown_collection(id);
    }
    const std::string self = base + "/collections/" + id + "/queryables";
    return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
            {"$id", self},
            {"type", "object"},
            {"title", id},
            {"properties", std::move(properties)},
            {"additionalProperties", false}};
}

const std::vector<std::string>& property_names(const std::string& id) {
    static const std::vector<std::string> k_buildings = {
        "kommune_ags", "source_ref",  "function", "floors", "name",
        "street",      "housenumber", "postcode", "city",   "area_m2"};
    static const std::vector<std::string> k_kommunen = {"ags",
                                                        "name",
                                                        "bez",
                                                        "parent_ags",
                                                        "area_m2",
                                                        "buildings",
                                                        "open_vacancies",
                                                        "vacant_buildings",
                                                        "vacancy_rate",
                                                        "reactivated",
                                                        "zukunftsorte",
                                                        "figures_exact",
                                                        "zensus2022_leerstandsquote",
                                                        "zensus2022_wohnungen",
                                                        "member_since",
                                                        "founding_member"};
    // What the public sees of a report (its point aside), its links and own times, and the
    // internal fields.
    static const std::vector<std::string> k_vacancies = [] {
        std::vector<std::string> names;
        for (const std::string_view field : data::k_public_vacancy_fields)
            if (field != "geometry") names.emplace_back(field);
        for (const char* field : {"zukunftsort_id", "created_at", "updated_at", "version"})
            names.emplace_back(field);
        for (const std::string& field : internal_vacancy_fields()) names.push_back(field);
        return names;
    }();
    static const std::vector<std::string> k_zukunftsorte = {
        "name",        "kind",       "description", "website",    "opened",
        "building_id", "vacancy_id", "kommune_ags", "created_at", "updated_at",
        "version",     "story",      "images"};
    static const std::vector<std::string> k_angebote = {
        "title",         "kommune",       "kommune_name",   "use",        "kinds",
        "floor_area_m2", "conditions",    "available_from", "images",     "contact_role",
        "contact_email", "contact_phone", "status",         "vacancy_id", "created_at",
        "updated_at",    "author"};
    // What the public sees of a need (part "needs"); staff see internal_need_fields() too.
    static const std::vector<std::string> k_gesuche = [] {
        std::vector<std::string> names = {"title",       "description", "uses",     "kinds",
                                          "min_area_m2", "max_area_m2", "kommunen", "radius",
                                          "needed_from", "common_good", "status",   "created_at",
                                          "updated_at",  "version"};
        for (const std::string& field : internal_need_fields()) names.push_back(field);
        return names;
    }();
    static const std::vector<std::string> k_none;
    if (id == "gesuche") return k_gesuche;
    if (id == "buildings") return k_buildings;
    if (id == "kommunen") return k_kommunen;
    if (id == "vacancies") return k_vacancies;
    if (id == "zukunftsorte") return k_zukunftsorte;
    if (id == "angebote") return k_angebote;
    return k_none;
}

void check_properties_and_sortby(const std::string& id, const ItemsQuery& query) {
    FieldErrors problems;
    const auto& names = property_names(id);
    if (query.properties)
        for (const std::string& name : *query.properties)
            if (!contains(names, name))
                problems.add("properties", field_code::k_unknown_property,
                             "'" + name + "' is no property of " + id);
    const auto& sortable = data::sortable_properties(id);
    for (const data::SortKey& key : query.sortby) {
        if (!contains(names, key.property))
            problems.add("sortby", field_code::k_unknown_property,
                         "'" + key.property + "' is no property of " + id);
        else if (!contains(sortable, key.property))
            problems.add("sortby", field_code::k_not_sortable,
                         "'" + key.property + "' cannot be sorted by; sort " + id + " by " +
                             joined(sortable));
    }
    problems.throw_if_any("invalid query parameter");
}

}  // namespace leerstand::services
