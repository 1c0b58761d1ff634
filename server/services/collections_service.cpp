#include "server/services/collections_service.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <optional>

#include "common/ags.hpp"
#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "common/geometry.hpp"
#include "common/iso_date.hpp"
#include "common/text.hpp"
#include "common/utc_time.hpp"
#include "data/collection_store.hpp"
#include "data/need_store.hpp"
#include "data/offer_store.hpp"
#include "data/store.hpp"
#include "server/services/crs.hpp"
#include "server/services/privacy.hpp"
#include "server/services/site.hpp"
#include "server/services/summary_service.hpp"
#include "server/services/tile_metadata.hpp"
#include "server/services/zensus_baseline.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

constexpr std::int64_t k_max_limit = 10000;
constexpr const char* k_json = "application/json";
constexpr const char* k_geojson = "application/geo+json";
/// What a refusal of query parameters says first (FieldErrors::error).
constexpr std::string_view k_invalid_query = "invalid query parameter";
// Longer than any street and house number; keeps a search from costing more than it finds.
constexpr std::size_t k_max_address_characters = 200;
// Germany, for a collection without any geometry yet.
constexpr data::Bbox k_germany{5.87, 47.27, 15.04, 55.06};

struct CollectionInfo {
    const char* id;
    const char* title;
    const char* description;
};

const std::vector<CollectionInfo>& infos() {
    static const std::vector<CollectionInfo> k_list = {
        {"kommunen", "Kommunen", "Die Mitgliedskommunen des Netzwerks mit ihren Gemeindegrenzen."},
        {"buildings", "Gebäude", "Gebäudegrundrisse der Kommunen (z. B. ALKIS, OSM)."},
        {"vacancies", "Leerstände",
         "Leerstandsmeldungen; öffentlich nur mit Einwilligung zur Veröffentlichung."},
        {"zukunftsorte", "Zukunftsorte", "Wiederbelebte Orte und Projekte in den Kommunen."},
        // part "offers"
        {"angebote", "Angebote",
         "Leerstände, die die Kommunen zur Nachnutzung anbieten (mit Einwilligung der "
         "Eigentümer)."},
        // part "needs" of issue 23
        {"gesuche", "Gesuche",
         "Was Initiativen, Gründerinnen und Vereine suchen; ohne Kontaktdaten."},
    };
    return k_list;
}

std::string percent_encode(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        // Unreserved characters plus ',', which bbox uses and clients send as it is.
        if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',') {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 0xF];
        }
    }
    return out;
}

std::optional<std::int64_t> parse_integer(const std::string& text) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<double> parse_number(const std::string& text) {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

/// The four numbers of a `bbox`, in the order the text gives them; nullopt (and a problem)
/// for anything else.
std::optional<std::array<double, 4>> parse_bbox_numbers(const std::string& text,
                                                        FieldErrors& problems) {
    std::vector<double> numbers;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        const auto number = parse_number(text.substr(start, comma - start));
        if (!number) {
            problems.add("bbox", field_code::k_invalid_value,
                         "bbox must be four numbers: minLon,minLat,maxLon,maxLat (CRS84)");
            return std::nullopt;
        }
        numbers.push_back(*number);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (numbers.size() != 4) {
        problems.add("bbox", field_code::k_invalid_value,
                     "bbox must be four numbers: minLon,minLat,maxLon,maxLat (CRS84)");
        return std::nullopt;
    }
    return std::array<double, 4>{numbers[0], numbers[1], numbers[2], numbers[3]};
}

/// `bbox` in CRS84 (longitude first), as Part 1 defines it.
std::optional<data::Bbox> parse_bbox(const std::string& text, FieldErrors& problems) {
    const auto numbers = parse_bbox_numbers(text, problems);
    if (!numbers) return std::nullopt;
    const data::Bbox box{(*numbers)[0], (*numbers)[1], (*numbers)[2], (*numbers)[3]};
    if (box.min_lon > box.max_lon || box.min_lat > box.max_lat) {
        problems.add("bbox", field_code::k_invalid_value,
                     "bbox must have minLon <= maxLon and minLat <= maxLat");
        return std::nullopt;
    }
    // Both corners in range: with min <= max, then every point of the box is.
    if (!LonLat::checked(box.min_lon, box.min_lat) || !LonLat::checked(box.max_lon, box.max_lat)) {
        problems.add("bbox", field_code::k_out_of_range,
                     "bbox must be in CRS84: longitudes -180..180, latitudes -90..90");
        return std::nullopt;
    }
    return box;
}

/// `crs` or `bbox-crs` (parameter `name`): one of supported_crs() by its URI.
const Crs* parse_crs(const std::string& name, const std::string& text, FieldErrors& problems) {
    if (const Crs* crs = find_crs(text)) return crs;
    problems.add(name, field_code::k_unsupported_crs,
                 name + " must be the URI of one of the collection's CRSs, e.g. " +
                     std::string(crs84().uri) + " or http://www.opengis.net/def/crs/EPSG/0/25833");
    return nullptr;
}

/// `bbox` in `crs` (`bbox-crs`): its axes in the order the CRS defines, turned into the CRS84
/// box that holds it.
std::optional<data::Bbox> parse_bbox_in(const std::string& text, const Crs& crs,
                                        FieldErrors& problems) {
    if (&crs == &crs84()) return parse_bbox(text, problems);
    const auto numbers = parse_bbox_numbers(text, problems);
    if (!numbers) return std::nullopt;
    if ((*numbers)[0] > (*numbers)[2] || (*numbers)[1] > (*numbers)[3]) {
        problems.add("bbox", field_code::k_invalid_value,
                     "bbox must give the lower corner first, in the axis order of bbox-crs");
        return std::nullopt;
    }
    const auto box = bbox_to_crs84(*numbers, crs);
    if (!box || !LonLat::checked(box->min_lon, box->min_lat) ||
        !LonLat::checked(box->max_lon, box->max_lat)) {
        problems.add("bbox", field_code::k_out_of_range,
                     "bbox lies outside the area of bbox-crs " + std::string(crs.uri));
        return std::nullopt;
    }
    return box;
}

/// A comma-separated list of names (`properties`); empty names are refused.
std::vector<std::string> parse_names(const std::string& name, const std::string& text,
                                     FieldErrors& problems) {
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        names.push_back(text.substr(start, comma - start));
        if (names.back().empty()) {
            problems.add(name, field_code::k_invalid_value,
                         name + " must be property names separated by commas");
            return {};
        }
        start = comma + 1;
    }
    return names;
}

/// `sortby`: names, each optionally after '+' (ascending; a '+' not percent-encoded arrives as
/// a blank) or '-' (descending).
std::vector<data::SortKey> parse_sortby(const std::string& text, FieldErrors& problems) {
    std::vector<data::SortKey> keys;
    for (std::string name : parse_names("sortby", text, problems)) {
        data::SortKey key;
        if (name.front() == '+' || name.front() == ' ' || name.front() == '-') {
            key.descending = name.front() == '-';
            name.erase(0, 1);
        }
        if (name.empty()) {
            problems.add("sortby", field_code::k_invalid_value,
                         "sortby must be property names, each after an optional + or -");
            return {};
        }
        key.property = std::move(name);
        keys.push_back(std::move(key));
    }
    return keys;
}

bool digits_at(const std::string& text, std::size_t at, std::size_t count) {
    if (at + count > text.size()) return false;
    return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(at),
                       text.begin() + static_cast<std::ptrdiff_t>(at + count),
                       [](char c) { return c >= '0' && c <= '9'; });
}

int number_at(const std::string& text, std::size_t at, std::size_t count) {
    return std::stoi(text.substr(at, count));
}

/// The UTC day (YYYY-MM-DD) of an RFC 3339 date-time ("2024-05-01T12:00:00Z", offsets and
/// fractions allowed) or full-date ("2024-05-01"); nullopt for anything else. The store keeps
/// days, so an instant selects the day it falls on in UTC.
std::optional<std::string> utc_day(const std::string& text) {
    const auto date = IsoDate::parse(std::string_view(text).substr(0, 10));
    if (!date) return std::nullopt;
    std::tm parts{};
    parts.tm_year = date->year() - 1900;
    parts.tm_mon = static_cast<int>(date->month()) - 1;
    parts.tm_mday = static_cast<int>(date->day());
    long offset_seconds = 0;
    if (text.size() > 10) {
        const char t = text[10];
        if ((t != 'T' && t != 't') || !digits_at(text, 11, 2) || text.size() < 19 ||
            text[13] != ':' || !digits_at(text, 14, 2) || text[16] != ':' ||
            !digits_at(text, 17, 2))
            return std::nullopt;
        parts.tm_hour = number_at(text, 11, 2);
        parts.tm_min = number_at(text, 14, 2);
        parts.tm_sec = number_at(text, 17, 2);
        if (parts.tm_hour > 23 || parts.tm_min > 59 || parts.tm_sec > 60) return std::nullopt;
        std::size_t at = 19;
        if (at < text.size() && text[at] == '.') {
            ++at;
            const std::size_t first = at;
            while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
            if (at == first) return std::nullopt;
        }
        const std::string zone = text.substr(at);
        if (zone == "Z" || zone == "z") {
            offset_seconds = 0;
        } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
                   digits_at(zone, 1, 2) && zone[3] == ':' && digits_at(zone, 4, 2)) {
            offset_seconds = (number_at(zone, 1, 2) * 60L + number_at(zone, 4, 2)) * 60L;
            if (zone[0] == '-') offset_seconds = -offset_seconds;
        } else {
            return std::nullopt;
        }
    }
    const int day_of_month = parts.tm_mday;
    const std::time_t local = timegm(&parts);
    std::tm check{};
    gmtime_r(&local, &check);
    // The date is real (IsoDate); a leap second at 23:59:60 would roll into the next day.
    if (check.tm_mday != day_of_month) return std::nullopt;
    const std::time_t utc = local - offset_seconds;
    gmtime_r(&utc, &check);
    char day[16];
    std::strftime(day, sizeof day, "%Y-%m-%d", &check);
    return day;
}

/// `datetime`: an instant, or an interval "start/end" where either end may be ".." or empty
/// (open). OGC API – Features Part 1, 7.15.4.
std::optional<data::DateRange> parse_datetime(const std::string& text, FieldErrors& problems) {
    const auto fail = [&problems]() -> std::optional<data::DateRange> {
        problems.add("datetime", field_code::k_not_a_date,
                     "datetime must be an RFC 3339 date-time (2024-05-01T00:00:00Z) or date, or "
                     "an interval start/end where an open end is '..'");
        return std::nullopt;
    };
    const std::size_t slash = text.find('/');
    if (slash == std::string::npos) {
        const auto day = utc_day(text);
        if (!day) return fail();
        return data::DateRange{day, day};
    }
    if (text.find('/', slash + 1) != std::string::npos) return fail();
    const std::string start = text.substr(0, slash);
    const std::string end = text.substr(slash + 1);
    const bool open_start = start.empty() || start == "..";
    const bool open_end = end.empty() || end == "..";
    if (open_start && open_end) return fail();
    data::DateRange range;
    if (!open_start && !(range.from = utc_day(start))) return fail();
    if (!open_end && !(range.to = utc_day(end))) return fail();
    if (range.from && range.to && *range.from > *range.to) {
        problems.add("datetime", field_code::k_invalid_value,
                     "datetime interval must not end before it starts");
        return std::nullopt;
    }
    return range;
}

json link(const std::string& href, const std::string& rel, const std::string& type,
          const std::string& title = "") {
    json result = {{"href", href}, {"rel", rel}, {"type", type}};
    if (!title.empty()) result["title"] = title;
    return result;
}

template <typename T>
json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json building_feature(const data::BuildingItem& item) {
    json properties = {{"kommune_ags", item.kommune_ags},
                       {"source_ref", optional_json(item.source_ref)},
                       {"function", optional_json(item.function)},
                       {"floors", optional_json(item.floors)},
                       {"name", optional_json(item.name)},
                       {"street", optional_json(item.street)},
                       {"housenumber", optional_json(item.housenumber)},
                       {"postcode", optional_json(item.postcode)},
                       {"city", optional_json(item.city)},
                       {"area_m2", optional_json(item.area_m2)}};
    return {{"type", "Feature"},
            {"id", item.id},
            {"geometry", json::parse(item.geometry)},
            {"properties", std::move(properties)}};
}

json kommune_feature(const data::KommuneItem& item, SummaryService& summaries,
                     const Caller& caller) {
    return {{"type", "Feature"},
            {"id", item.ags},
            {"geometry", item.geometry ? json::parse(*item.geometry) : json(nullptr)},
            {"properties", kommune_properties(item, summaries, caller)}};
}

/// The URIs of every CRS items may be asked in (OGC API – Features Part 2).
json supported_crs_uris() {
    json uris = json::array();
    for (const Crs& crs : supported_crs()) uris.push_back(crs.uri);
    return uris;
}

const CollectionInfo& info_of(const std::string& id) {
    for (const CollectionInfo& info : infos())
        if (id == info.id) return info;
    throw unknown_collection(id);
}

void write_json(const json& value, std::string& out) {
    switch (value.type()) {
        case json::value_t::object: {
            out += '{';
            bool first = true;
            for (const auto& [key, member] : value.items()) {
                if (!first) out += ',';
                first = false;
                out += json(key).dump(-1, ' ', false, json::error_handler_t::replace);
                out += ':';
                write_json(member, out);
            }
            out += '}';
            break;
        }
        case json::value_t::array: {
            out += '[';
            bool first = true;
            for (const json& element : value) {
                if (!first) out += ',';
                first = false;
                write_json(element, out);
            }
            out += ']';
            break;
        }
        case json::value_t::number_float: {
            const double number = value.get<double>();
            if (!std::isfinite(number)) {
                out += "null";  // as dump() does
                break;
            }
            char buffer[32];
            const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
            out.append(buffer, result.ptr);
            break;
        }
        default:
            out += value.dump(-1, ' ', false, json::error_handler_t::replace);
    }
}

}  // namespace

NotFound unknown_collection(const std::string& id) {
    return NotFound(ErrorCode{error_code::k_unknown_collection},
                    "there is no collection '" + id + "'");
}

std::string json_text(const json& value) {
    std::string out;
    write_json(value, out);
    return out;
}

ItemsQuery parse_items_query(const QueryParams& params) {
    ItemsQuery query;
    FieldErrors problems;
    // bbox is read in the CRS bbox-crs names, which may come after it.
    const Crs* bbox_crs = &crs84();
    for (const auto& [name, value] : params)
        if (name == "bbox-crs") bbox_crs = parse_crs(name, value, problems);
    for (const auto& [name, value] : params) {
        if (name == "limit") {
            const auto limit = parse_integer(value);
            if (!limit || *limit < 1 || *limit > k_max_limit)
                problems.add("limit",
                             limit ? field_code::k_out_of_range : field_code::k_invalid_value,
                             "limit must be an integer from 1 to " + std::to_string(k_max_limit));
            else
                query.limit = *limit;
        } else if (name == "offset") {
            const auto offset = parse_integer(value);
            if (!offset || *offset < 0)
                problems.add("offset",
                             offset ? field_code::k_out_of_range : field_code::k_invalid_value,
                             "offset must be an integer of 0 or more");
            else
                query.offset = *offset;
        } else if (name == "bbox") {
            if (bbox_crs) query.bbox = parse_bbox_in(value, *bbox_crs, problems);
        } else if (name == "crs") {
            if (const Crs* crs = parse_crs(name, value, problems)) query.crs = crs;
        } else if (name == "properties") {
            query.properties = parse_names(name, value, problems);
        } else if (name == "sortby") {
            query.sortby = parse_sortby(value, problems);
        } else if (name == "kommune") {
            if (!Ags::is_prefix(value))
                problems.add("kommune", field_code::k_not_an_ags,
                             "kommune must be an AGS (or its first digits), up to 8 "
                             "digits");
            else
                query.kommune = value;
        } else if (name == "status") {
            query.status = value;  // VacancyService checks the vocabulary
        } else if (name == "use") {
            query.use = value;  // VacancyService checks the vocabulary
        } else if (name == "datetime") {
            query.datetime = parse_datetime(value, problems);
        } else if (name == "address") {
            if (utf8_characters(value) > k_max_address_characters)
                problems.add("address", field_code::k_too_long,
                             "address takes at most " + std::to_string(k_max_address_characters) +
                                 " characters");
            else if (auto search = parse_address_search(value))
                query.address = std::move(*search);
            else
                problems.add("address", field_code::k_invalid_value,
                             "address must name a street, a house number or both");
        } else if (name == "kind") {
            query.kind = value;  // OfferService checks the vocabulary (part "offers")
        } else if (name == "min_area" || name == "max_area") {
            const auto area = parse_number(value);
            if (!area || !(*area >= 0.0))
                problems.add(name, area ? field_code::k_out_of_range : field_code::k_invalid_value,
                             name + " must be a number of square metres, 0 or more");
            else
                (name == "min_area" ? query.min_area : query.max_area) = *area;
        } else if (name == "f") {
            if (value != "json" && value != "geojson")
                problems.add("f", field_code::k_not_one_of, "f must be json or geojson");
        } else if (name == "skipGeometry") {
            if (value != "true" && value != "false")
                problems.add("skipGeometry", field_code::k_not_one_of,
                             "skipGeometry must be true or false");
            else
                query.skip_geometry = value == "true";
        }
    }
    problems.throw_if_any(k_invalid_query);
    return query;
}

ItemsQuery parse_item_query(const QueryParams& params) {
    ItemsQuery query;
    FieldErrors problems;
    for (const auto& [name, value] : params) {
        if (name == "crs") {
            if (const Crs* crs = parse_crs(name, value, problems)) query.crs = crs;
        } else if (name == "properties") {
            query.properties = parse_names(name, value, problems);
        } else if (name == "f" && value != "json" && value != "geojson") {
            problems.add("f", field_code::k_not_one_of, "f must be json or geojson");
        }
    }
    problems.throw_if_any(k_invalid_query);
    return query;
}

void feature_as_asked(json& feature, const ItemsQuery& query) {
    if (query.skip_geometry)
        feature["geometry"] = nullptr;
    else
        geometry_to_crs(feature["geometry"], *query.crs);
    if (!query.properties) return;
    // What the caller may see, narrowed to what it asked for.
    json kept = json::object();
    for (const std::string& name : *query.properties)
        if (const auto found = feature["properties"].find(name);
            found != feature["properties"].end())
            kept[name] = std::move(*found);
    feature["properties"] = std::move(kept);
}

json items_response(ItemsPage page, const ItemsQuery& query, const std::string& base,
                    const std::string& path, const QueryParams& params) {
    for (json& feature : page.features) feature_as_asked(feature, query);
    // Every parameter but offset, sorted so that links are stable.
    std::vector<std::pair<std::string, std::string>> kept;
    for (const auto& [name, value] : params)
        if (name != "offset") kept.emplace_back(name, value);
    std::sort(kept.begin(), kept.end());
    const auto href = [&](std::optional<std::int64_t> offset) {
        std::string query_string;
        for (const auto& [name, value] : kept)
            query_string += (query_string.empty() ? "?" : "&") + percent_encode(name) + "=" +
                            percent_encode(value);
        if (offset && *offset > 0)
            query_string += (query_string.empty() ? "?" : "&") + std::string("offset=") +
                            std::to_string(*offset);
        return base + path + query_string;
    };
    const auto returned = static_cast<std::int64_t>(page.features.size());
    json links = json::array({link(href(query.offset), "self", k_geojson, "this page")});
    if (query.offset + query.limit < page.number_matched)
        links.push_back(link(href(query.offset + query.limit), "next", k_geojson, "next page"));
    if (query.offset > 0)
        links.push_back(link(href(std::max<std::int64_t>(0, query.offset - query.limit)), "prev",
                             k_geojson, "previous page"));
    return {{"type", "FeatureCollection"},          {"features", std::move(page.features)},
            {"numberMatched", page.number_matched}, {"numberReturned", returned},
            {"timeStamp", utc_now_iso8601()},       {"links", std::move(links)}};
}

void check_filters_of_timeless_collection(const std::string& id, const ItemsQuery& query) {
    FieldErrors problems;
    if (query.status)
        problems.add("status", field_code::k_not_applicable,
                     "the status filter applies to vacancies only");
    if (query.use)
        problems.add("use", field_code::k_not_applicable,
                     "the use filter applies to vacancies only");
    if (query.datetime)
        problems.add("datetime", field_code::k_not_applicable,
                     "datetime applies to vacancies (vacant_since) and zukunftsorte (opened) "
                     "only; '" +
                         id + "' has no time");
    if (query.address)
        problems.add("address", field_code::k_not_applicable,
                     "the address search applies to vacancies only");
    problems.throw_if_any(k_invalid_query);
}

json kommune_properties(const data::KommuneItem& item, SummaryService& summaries,
                        const Caller& caller) {
    json properties = {{"ags", item.ags},
                       {"name", item.name},
                       {"bez", optional_json(item.bez)},
                       {"parent_ags", optional_json(item.parent_ags)},
                       {"area_m2", optional_json(item.area_m2)},
                       {"member_since", optional_json(item.member_since)},
                       {"founding_member", item.founding_member}};
    json figures = summaries.headline(item.ags, caller);  // a named object: items() is a view
    for (auto& [key, value] : figures.items())
        properties[key == "exact" ? "figures_exact" : key] = std::move(value);
    add_zensus_properties(properties, item.ags);
    return properties;
}

const std::vector<std::string>& collection_ids() {
    static const std::vector<std::string> k_ids = [] {
        std::vector<std::string> list;
        for (const CollectionInfo& info : infos()) list.emplace_back(info.id);
        return list;
    }();
    return k_ids;
}

struct CollectionsService::Impl {
    explicit Impl(data::Store& s) : store(s), summaries(s) {}
    data::Store& store;
    SummaryService summaries;
    data::CollectionStore collections() { return data::CollectionStore(store); }
};

CollectionsService::CollectionsService(data::Store& store)
    : m_impl(std::make_unique<Impl>(store)) {}
CollectionsService::~CollectionsService() = default;
CollectionsService::CollectionsService(CollectionsService&&) noexcept = default;
CollectionsService& CollectionsService::operator=(CollectionsService&&) noexcept = default;

json CollectionsService::landing_page(const std::string& base, const License& own) {
    json page = {
        {"title", "Leerstandsatlas"},
        {"description",
         "Leerstände, Gebäude und Zukunftsorte der Kommunen im Netzwerk (OGC API – Features)."},
        {"links",
         json::array({
             link(base + "/?f=json", "self", k_json, "diese Seite"),
             link(base + "/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0",
                  "API-Beschreibung (OpenAPI 3.0)"),
             link(base + "/conformance", "conformance", k_json, "Konformität"),
             link(base + "/collections", "data", k_json, "Sammlungen"),
             link(base + "/tileMatrixSets", "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
                  k_json, "Kachelschemata"),
         })}};
    for (json& license : license_links(licenses_of("", own))) page["links"].push_back(license);
    return page;
}

json CollectionsService::conformance() {
    json classes = json::array({
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    });
    for (const std::string& tiles : tiles_conformance()) classes.push_back(tiles);
    return {{"conformsTo", std::move(classes)}};
}

json CollectionsService::collection(const std::string& id, const std::string& base,
                                    const Caller& caller, const License& own) {
    const CollectionInfo& info = info_of(id);
    const data::VacancyVisibility visible = vacancy_visibility(caller);
    // Offers and needs: the points of those the caller may see (privacy.hpp's rules).
    const data::Bbox box =
        (id == "angebote"  ? data::OfferStore(m_impl->store).extent(offer_visibility(caller))
         : id == "gesuche" ? data::NeedStore(m_impl->store).extent(need_visibility(caller))
                           : m_impl->collections().extent(id, visible))
            .value_or(k_germany);
    const std::string path = base + "/collections/" + id;
    json extent = {
        {"spatial",
         {{"bbox",
           json::array({json::array({box.min_lon, box.min_lat, box.max_lon, box.max_lat})})},
          {"crs", crs84().uri}}}};
    if (id == "vacancies" || id == "zukunftsorte") {
        // Days in the store; the interval covers the first and the last of them whole.
        const auto days = m_impl->collections().temporal_extent(id, visible);
        json interval = json::array({nullptr, nullptr});
        if (days) interval = {*days->from + "T00:00:00Z", *days->to + "T23:59:59Z"};
        extent["temporal"] = {{"interval", json::array({interval})},
                              {"trs", "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}};
    }
    json links = json::array(
        {link(path, "self", k_json, info.title),
         link(path + "/items", "items", k_geojson, info.title),
         link(path + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables",
              "application/schema+json", std::string(info.title) + " (Abfragbare Eigenschaften)")});
    if (id != "angebote" && id != "gesuche")  // offers and needs have no tiles
        links.push_back(link(path + "/tiles",
                             "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", k_json,
                             std::string(info.title) + " (Vektorkacheln)"));
    for (json& license : license_links(licenses_of(info.id, own))) links.push_back(license);
    return {{"id", info.id},
            {"title", info.title},
            {"description", info.description},
            {"itemType", "feature"},
            {"crs", supported_crs_uris()},
            {"storageCrs", crs84().uri},
            {"extent", std::move(extent)},
            {"links", std::move(links)}};
}

json CollectionsService::collections(const std::string& base, const Caller& caller,
                                     const License& own) {
    json list = json::array();
    for (const CollectionInfo& info : infos())
        list.push_back(collection(info.id, base, caller, own));
    json links = json::array({link(base + "/collections", "self", k_json, "Sammlungen")});
    for (json& license : license_links(licenses_of("", own))) links.push_back(license);
    return {{"collections", std::move(list)}, {"links", std::move(links)}};
}

bool CollectionsService::serves_items(const std::string& id) {
    return id == "buildings" || id == "kommunen";
}

ItemsPage CollectionsService::items(const std::string& id, const ItemsQuery& query,
                                    const Caller& caller) {
    if (!serves_items(id)) throw unknown_collection(id);
    check_filters_of_timeless_collection(id, query);
    data::CollectionFilter filter;
    filter.bbox = query.bbox;
    filter.kommune_prefix = query.kommune;
    filter.limit = query.limit;
    filter.offset = query.offset;
    filter.sort = query.sortby;
    data::CollectionStore db = m_impl->collections();
    ItemsPage page;
    if (id == "buildings") {
        const auto records = db.list_buildings(filter);
        page.number_matched = records.number_matched;
        for (const auto& item : records.items) page.features.push_back(building_feature(item));
    } else {
        const auto records = db.list_kommunen(filter);
        page.number_matched = records.number_matched;
        const SummaryService::Reading reading(m_impl->summaries);
        for (const auto& item : records.items)
            page.features.push_back(kommune_feature(item, m_impl->summaries, caller));
    }
    return page;
}

json CollectionsService::item(const std::string& id, const std::string& fid, const Caller& caller) {
    data::CollectionStore db = m_impl->collections();
    if (id == "buildings") {
        const auto number = parse_integer(fid);
        if (number && *number > 0)
            if (const auto building = db.building(*number)) return building_feature(*building);
        throw NotFound("there is no building '" + fid + "'");
    }
    if (id == "kommunen") {
        if (const auto kommune = db.kommune(fid))
            return kommune_feature(*kommune, m_impl->summaries, caller);
        throw NotFound("there is no Kommune '" + fid + "'");
    }
    throw unknown_collection(id);
}

}  // namespace leerstand::services
