#include "server/services/source_attributes.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/ags.hpp"
#include "common/text.hpp"

namespace leerstand::services {

namespace {

/// The first non-empty value among `names`, in the order given (most specific first).
std::string first_of(const geo::Attributes& attributes,
                     std::initializer_list<std::string_view> names) {
    for (auto name : names)
        for (const auto& [key, value] : attributes)
            if (!value.empty() && ascii_iequals(key, name)) return value;
    return {};
}

std::optional<int> parse_floors(const std::string& text) {
    // "3", "3.0" and " 2 " occur; anything else is no floor count.
    std::string_view view(text);
    while (!view.empty() && view.front() == ' ') view.remove_prefix(1);
    int value = 0;
    auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
    if (ec != std::errc() || value < 0 || value > 200) return std::nullopt;
    std::string_view rest(end, static_cast<std::size_t>(view.data() + view.size() - end));
    if (!rest.empty() && rest.find_first_not_of(".0 ") != std::string_view::npos)
        return std::nullopt;
    return value;
}

std::string source_reference(const geo::Attributes& attributes) {
    // OSM exports through GDAL: closed ways carry osm_way_id, multipolygon relations osm_id.
    if (auto way = first_of(attributes, {"osm_way_id"}); !way.empty()) return "osm:way/" + way;
    if (auto rel = first_of(attributes, {"osm_id"}); !rel.empty()) return "osm:relation/" + rel;
    // ALKIS Hausumringe: oid / gml_id / OBJID.
    if (auto alkis = first_of(attributes, {"oid", "gml_id", "objid", "alkis_id"}); !alkis.empty())
        return "alkis:" + alkis;
    return first_of(attributes, {"bld_id", "id", "fid", "objectid"});
}

std::string attributes_json(const geo::Attributes& attributes) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [key, value] : attributes)
        if (!value.empty()) object[key] = value;
    // Replace, not throw: a value that is still not UTF-8 must not abort an import.
    return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

data::BuildingRecord building_from_attributes(const geo::Attributes& attributes) {
    data::BuildingRecord record;
    record.source_ref = source_reference(attributes);
    record.function = first_of(attributes, {"building_use", "gebaeudefunktion", "funktion", "gfk",
                                            "function", "use", "building"});
    record.floors =
        parse_floors(first_of(attributes, {"building_levels", "building_l", "levels", "floors",
                                           "geschosse", "aog", "anzahl_geschosse"}));
    record.name = first_of(attributes, {"name", "bezeichnung"});
    record.street = first_of(
        attributes, {"addr_street", "addr:street", "addr_stree", "strasse", "straße", "street"});
    record.housenumber = first_of(attributes, {"addr_housenumber", "addr:housenumber", "addr_house",
                                               "hausnummer", "hnr", "housenumber"});
    record.postcode =
        first_of(attributes, {"addr_postcode", "addr:postcode", "addr_postc", "plz", "postcode"});
    record.city = first_of(attributes, {"addr_city", "addr:city", "ort", "city"});
    record.attributes_json = attributes_json(attributes);
    return record;
}

KommuneFields kommune_fields(const geo::Attributes& attributes) {
    KommuneFields fields;
    auto& record = fields.record;
    record.ags = first_of(attributes, {"AGS", "ags", "RS"});
    record.name = first_of(attributes, {"GEN", "name"});
    record.bez = first_of(attributes, {"BEZ", "bez"});
    fields.gf = first_of(attributes, {"GF"});
    // VG250 splits a Kommune by "Geofaktor": GF 4 = land with structure, 1-3 = water and land
    // without structure (coast, lakes). VG5000 uses GF 9 (land) and 8 (water) instead, and
    // has GF 9 on every Gemeinde, so both land codes are kept.
    fields.keep = fields.gf.empty() || fields.gf == "4" || fields.gf == "9";
    const auto ags = Ags::parse(record.ags);
    if (record.ags.empty()) {
        fields.problem = "no AGS";
    } else if (!ags) {
        fields.problem =
            "invalid AGS '" + record.ags + "' (8 digits for a Gemeinde, 5 for a Kreis)";
    } else if (record.name.empty()) {
        fields.problem = "no name (GEN)";
    }
    if (ags && ags->kreis()) record.parent_ags = ags->kreis()->text();
    return fields;
}

}  // namespace leerstand::services
