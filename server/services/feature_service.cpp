#include "server/services/feature_service.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/text.hpp"
#include "data/store.hpp"
#include "data/vacancy_store.hpp"
#include "geo/kommune_locator.hpp"
#include "server/services/privacy.hpp"

namespace leerstand::services {

namespace {

constexpr double k_max_floor_area_m2 = 1e7;

using nlohmann::json;

constexpr std::int64_t max_limit = 10000;

// -- problems -----------------------------------------------------------------------------

/// Collects every field problem of one request, so the client sees them all at once.
class Problems {
  public:
    void add(const std::string& field, const std::string& message) {
        m_errors.push_back({{"field", field}, {"message", message}});
    }
    bool empty() const { return m_errors.empty(); }
    void throw_if_any(const std::string& what) const {
        if (m_errors.empty()) return;
        const std::string first = m_errors.front().at("message").get<std::string>();
        const std::string detail = m_errors.size() == 1
                                       ? what + ": " + first
                                       : what + ": " + first + " (and " +
                                             std::to_string(m_errors.size() - 1) + " more problem" +
                                             (m_errors.size() > 2 ? "s" : "") + ", see errors)";
        throw InvalidInput(detail, json{{"errors", m_errors}});
    }

  private:
    json m_errors = json::array();
};

template <std::size_t N>
std::string join(const std::array<std::string_view, N>& values) {
    std::string text;
    for (std::string_view value : values) {
        if (!text.empty()) text += ", ";
        text += value;
    }
    return text;
}

std::string join(const std::vector<std::string>& values) {
    std::string text;
    for (const std::string& value : values) {
        if (!text.empty()) text += ", ";
        text += value;
    }
    return text;
}

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& allowed, const std::string& value) {
    return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

std::string type_name(const json& value) {
    return value.is_number()    ? "a number"
           : value.is_string()  ? "a string"
           : value.is_boolean() ? "true or false"
           : value.is_array()   ? "an array"
           : value.is_object()  ? "an object"
                                : "null";
}

std::string today_utc() {
    const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::chrono::year_month_day ymd{today};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return text;
}

/// True for a real calendar date written YYYY-MM-DD.
bool is_iso_date(const std::string& text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (text[i] < '0' || text[i] > '9') return false;
    const int year = std::stoi(text.substr(0, 4));
    const unsigned month = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
    const unsigned day = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
    return std::chrono::year_month_day{std::chrono::year{year}, std::chrono::month{month},
                                       std::chrono::day{day}}
        .ok();
}

bool is_ags(const std::string& text) {
    return (text.size() == 5 || text.size() == 8) &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// http(s)://host... without spaces or control characters.
bool is_web_url(const std::string& text) {
    std::string_view rest;
    if (text.starts_with("https://"))
        rest = std::string_view(text).substr(8);
    else if (text.starts_with("http://"))
        rest = std::string_view(text).substr(7);
    else
        return false;
    if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#')
        return false;
    return std::none_of(text.begin(), text.end(),
                        [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

double round7(double value) {
    return std::round(value * 1e7) / 1e7;
}

// -- geometry -----------------------------------------------------------------------------

struct Point {
    double lon = 0.0;
    double lat = 0.0;
};

/// Where a written feature lies: the input's geometry (required unless patching), else the
/// stored one; `moved` when it differs from the stored point (or there is none).
struct InputPlace {
    std::optional<Point> point;
    bool moved = false;
};

std::optional<Point> parse_point(const json& geometry, Problems& problems);

template <typename Record>
InputPlace input_place(const json& body, bool patch, const std::optional<Record>& current,
                       Problems& problems) {
    InputPlace place;
    const bool has_geometry = body.is_object() && body.contains("geometry");
    if (has_geometry || !patch)
        place.point = parse_point(has_geometry ? body.at("geometry") : json(nullptr), problems);
    else if (current)
        place.point = Point{current->lon, current->lat};
    place.moved =
        !current ||
        (place.point && (place.point->lon != current->lon || place.point->lat != current->lat));
    return place;
}

std::optional<Point> parse_point(const json& geometry, Problems& problems) {
    if (!geometry.is_object() || !geometry.contains("type") || geometry.at("type") != "Point") {
        problems.add("geometry", "the geometry must be a GeoJSON Point");
        return std::nullopt;
    }
    const json* coordinates =
        geometry.contains("coordinates") ? &geometry.at("coordinates") : nullptr;
    if (coordinates == nullptr || !coordinates->is_array() ||
        (coordinates->size() != 2 && coordinates->size() != 3) ||
        !std::all_of(coordinates->begin(), coordinates->end(),
                     [](const json& c) { return c.is_number(); })) {
        problems.add("geometry", "the Point needs coordinates [longitude, latitude]");
        return std::nullopt;
    }
    const double lon = coordinates->at(0).get<double>();
    const double lat = coordinates->at(1).get<double>();
    if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180.0 || lon > 180.0 || lat < -90.0 ||
        lat > 90.0) {
        problems.add("geometry",
                     "the coordinates must be longitude -180..180 and latitude -90..90 "
                     "(EPSG:4326, longitude first)");
        return std::nullopt;
    }
    // Stored as shown: output has 7 decimals (about 1 cm).
    return Point{round7(lon), round7(lat)};
}

/// Checks the members of a Feature (or a patch of one) and returns its properties object.
const json& feature_properties(const json& feature, bool patch, Problems& problems) {
    static const json empty = json::object();
    if (!feature.is_object()) {
        problems.add(
            "", patch ? "the patch must be a JSON object" : "the body must be a GeoJSON Feature");
        return empty;
    }
    static const std::set<std::string> members = {"type",       "id",   "geometry",
                                                  "properties", "bbox", "links"};
    for (const auto& [key, value] : feature.items()) {
        if (!members.contains(key))
            problems.add(key, "unknown member '" + key + "'; properties go into \"properties\"");
    }
    if (feature.contains("type") ? feature.at("type") != "Feature" : !patch)
        problems.add("type", "the body must be a GeoJSON Feature (\"type\": \"Feature\")");
    if (!feature.contains("properties") || feature.at("properties").is_null()) return empty;
    if (!feature.at("properties").is_object()) {
        problems.add("properties", "properties must be an object");
        return empty;
    }
    return feature.at("properties");
}

// -- typed property readers ---------------------------------------------------------------

/// The longest text each text field takes, in characters (server/http/openapi.json states
/// the same as maxLength; the web form as maxlength). Without bounds a single note of 60 MB was
/// stored, kept twice in the history, and a 1 MB description was served to the public.
constexpr std::array<std::pair<std::string_view, std::size_t>, 7> k_text_limits = {{
    {"owner_contact", 500},
    {"internal_notes", 5000},
    {"public_description", 2000},
    {"name", 200},
    {"kind", 100},
    {"description", 5000},
    {"website", 500},
}};

/// False after reporting a problem: the text of `field` is longer than its limit.
bool within_limit(const std::string& text, const std::string& field, Problems& problems) {
    for (const auto& [name, limit] : k_text_limits) {
        if (name != field || utf8_characters(text) <= limit) continue;
        problems.add(field,
                     field + " must be at most " + std::to_string(limit) + " characters long");
        return false;
    }
    return true;
}

/// False after reporting a problem: the value is neither a string nor null, or too long.
bool expect_string_or_null(const json& value, const std::string& field, Problems& problems) {
    if (value.is_string())
        return within_limit(value.get_ref<const std::string&>(), field, problems);
    if (value.is_null()) return true;
    problems.add(field, field + " must be a string or null, not " + type_name(value));
    return false;
}

std::optional<std::string> optional_string(const json& value) {
    if (value.is_null()) return std::nullopt;
    return value.get<std::string>();
}

template <std::size_t N>
void read_identifier(const json& value, const std::string& field,
                     const std::array<std::string_view, N>& allowed, const std::string& fallback,
                     std::string& target, Problems& problems) {
    if (value.is_null()) {
        target = fallback;
        return;
    }
    if (!value.is_string()) {
        problems.add(
            field, field + " must be one of: " + join(allowed) + " (not " + type_name(value) + ")");
        return;
    }
    const std::string text = value.get<std::string>();
    if (!one_of(allowed, text)) {
        problems.add(field, "unknown " + field + " '" + text + "'; allowed: " + join(allowed));
        return;
    }
    target = text;
}

void read_date(const json& value, const std::string& field, bool refuse_future,
               std::optional<std::string>& target, Problems& problems) {
    if (value.is_null()) {
        target.reset();
        return;
    }
    if (!value.is_string() || !is_iso_date(value.get<std::string>())) {
        problems.add(field, field + " must be a date written YYYY-MM-DD");
        return;
    }
    const std::string text = value.get<std::string>();
    if (refuse_future && text > today_utc()) {
        problems.add(field, field + " " + text + " lies in the future");
        return;
    }
    target = text;
}

void read_id(const json& value, const std::string& field, std::optional<std::int64_t>& target,
             Problems& problems) {
    if (value.is_null()) {
        target.reset();
        return;
    }
    if (!value.is_number_integer() || value.get<std::int64_t>() <= 0) {
        problems.add(field, field + " must be a positive integer id or null");
        return;
    }
    target = value.get<std::int64_t>();
}

void read_ags(const json& value, std::optional<std::string>& target, Problems& problems) {
    if (value.is_null()) {
        target.reset();
        return;
    }
    if (!value.is_string() || !is_ags(value.get<std::string>())) {
        problems.add("kommune_ags",
                     "kommune_ags must be an AGS of 8 (Gemeinde) or 5 (Kreis) digits");
        return;
    }
    target = value.get<std::string>();
}

// -- vacancy input ------------------------------------------------------------------------

/// What the input said about the fields the service resolves itself.
struct PlaceInput {
    bool kommune_given = false;  ///< kommune_ags present in the input (maybe null)
    std::optional<std::string> kommune_ags;
    bool building_given = false;
    std::optional<std::int64_t> building_id;
};

const std::set<std::string>& vacancy_read_only() {
    static const std::set<std::string> fields = {"consent_date", "created_at", "updated_at",
                                                 "author",       "version",    "zukunftsort_id"};
    return fields;
}

/// Applies the properties onto `record`. With `merge` only present keys change (RFC 7396);
/// without, `record` starts from defaults and so absent keys get theirs. null resets a field
/// to its default.
void apply_vacancy_properties(const json& properties, data::VacancyRecord& record,
                              PlaceInput& place, Problems& problems) {
    const data::VacancyRecord defaults;
    for (const auto& [key, value] : properties.items()) {
        if (key == "status") {
            read_identifier(value, key, data::vacancy_statuses, defaults.status, record.status,
                            problems);
        } else if (key == "use") {
            read_identifier(value, key, data::vacancy_uses, defaults.use, record.use, problems);
        } else if (key == "degree") {
            read_identifier(value, key, data::vacancy_degrees, defaults.degree, record.degree,
                            problems);
        } else if (key == "owner_type") {
            read_identifier(value, key, data::owner_types, defaults.owner_type, record.owner_type,
                            problems);
        } else if (key == "vacant_since") {
            read_date(value, key, true, record.vacant_since, problems);
        } else if (key == "floor_area_m2") {
            if (value.is_null()) {
                record.floor_area_m2.reset();
            } else if (!value.is_number()) {
                problems.add(key, "floor_area_m2 must be a number of square metres or null");
            } else if (!(value.get<double>() >= 0.0) ||
                       !(value.get<double>() <= k_max_floor_area_m2)) {
                // The largest halls in the world have a few hundred thousand m²; beyond this
                // it is a typo or garbage, and it would dominate every summed floor area.
                problems.add(key, "floor_area_m2 must be from 0 to 10,000,000 square metres");
            } else {
                record.floor_area_m2 = value.get<double>();
            }
        } else if (key == "owner_contact" || key == "internal_notes" ||
                   key == "public_description") {
            if (!expect_string_or_null(value, key, problems)) continue;
            auto& target = key == "owner_contact"    ? record.owner_contact
                           : key == "internal_notes" ? record.internal_notes
                                                     : record.public_description;
            target = optional_string(value);
        } else if (key == "consent_publish") {
            if (value.is_null())
                record.consent_publish = false;
            else if (value.is_boolean())
                record.consent_publish = value.get<bool>();
            else
                problems.add(key, "consent_publish must be true or false");
        } else if (key == "building_id") {
            place.building_given = true;
            read_id(value, key, place.building_id, problems);
        } else if (key == "kommune_ags") {
            place.kommune_given = true;
            read_ags(value, place.kommune_ags, problems);
        } else if (vacancy_read_only().contains(key)) {
            // Clients echo what they GET; read-only fields are ignored, not refused.
        } else {
            problems.add(key, "unknown property '" + key + "'");
        }
    }
}

// -- lifecycle ----------------------------------------------------------------------------

std::vector<std::string> allowed_transitions(const std::string& from) {
    if (from == "gemeldet") return {"bestaetigt", "kein_leerstand", "abgerissen"};
    if (from == "bestaetigt") return {"in_aktivierung", "kein_leerstand", "abgerissen"};
    if (from == "in_aktivierung") return {"aktiviert", "bestaetigt", "abgerissen"};
    if (from == "aktiviert") return {"bestaetigt"};
    if (from == "kein_leerstand") return {"gemeldet"};
    return {};  // abgerissen: a demolished building stays demolished
}

void require_transition(const std::string& from, const std::string& to) {
    if (from == to) return;
    const std::vector<std::string> allowed = allowed_transitions(from);
    if (std::find(allowed.begin(), allowed.end(), to) != allowed.end()) return;
    const std::string next =
        allowed.empty() ? "none: " + from + " is final" : "allowed: " + join(allowed);
    throw Unprocessable("a vacancy cannot go from status " + from + " to " + to + "; " + next,
                        json{{"from", from}, {"to", to}, {"allowed", allowed}});
}

// -- rights -------------------------------------------------------------------------------

/// Refuses callers who may write nowhere before their input is looked at: the public (401),
/// planners and editors without a Kommune (403).
void require_some_write(const Caller& caller) {
    require_signed_in(caller);
    if (caller.role == Role::Admin) return;
    if (caller.role != Role::Editor)
        throw Forbidden("the role " + role_name(caller.role) + " may not change data");
    if (caller.kommunen.empty())
        throw Forbidden("user " + caller.name + " may not change data of any Kommune");
}

std::int64_t require_version(const std::optional<std::int64_t>& if_match) {
    if (!if_match)
        throw PreconditionRequired(
            "send the version you changed as If-Match (the ETag of your last GET)");
    return *if_match;
}

std::string not_found_text(Collection collection, std::int64_t id) {
    return (collection == Collection::Vacancies ? "vacancy " : "Zukunftsort ") +
           std::to_string(id) + " does not exist";
}

// -- list parameters ----------------------------------------------------------------------

void check_query(Collection collection, const ItemsQuery& query) {
    Problems problems;
    if (query.limit < 1 || query.limit > max_limit)
        problems.add("limit", "limit must be between 1 and " + std::to_string(max_limit));
    if (query.offset < 0) problems.add("offset", "offset must be 0 or more");
    if (query.kommune) {
        const std::string& k = *query.kommune;
        if (k.empty() || k.size() > 8 ||
            !std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; }))
            problems.add("kommune", "kommune must be an AGS (or its first digits), up to 8 digits");
    }
    if (query.status) {
        if (collection != Collection::Vacancies)
            problems.add("status", "the status filter applies to vacancies only");
        else if (!one_of(data::vacancy_statuses, *query.status))
            problems.add("status", "unknown status '" + *query.status +
                                       "'; allowed: " + join(data::vacancy_statuses));
    }
    if (query.use) {
        if (collection != Collection::Vacancies)
            problems.add("use", "the use filter applies to vacancies only");
        else if (!one_of(data::vacancy_uses, *query.use))
            problems.add("use",
                         "unknown use '" + *query.use + "'; allowed: " + join(data::vacancy_uses));
    }
    problems.throw_if_any("invalid query parameter");
}

}  // namespace

std::optional<Collection> parse_collection(const std::string& id) {
    if (id == "vacancies") return Collection::Vacancies;
    if (id == "zukunftsorte") return Collection::Zukunftsorte;
    return std::nullopt;
}

// -----------------------------------------------------------------------------------------

struct FeatureService::Impl {
    explicit Impl(data::Store& s) : store(s) {}

    data::Store& store;
    // Boundaries of every Kommune, rebuilt when the kommunen table changes (see KommuneStamp),
    // so a request never parses all boundaries.
    std::optional<data::KommuneStamp> stamp;
    geo::KommuneLocator locator;
    std::set<std::string> with_boundary;

    data::VacancyStore vacancies() { return data::VacancyStore(store); }

    geo::KommuneLocator& kommunen() {
        data::VacancyStore db = vacancies();
        const data::KommuneStamp now = db.kommune_stamp();
        if (stamp && *stamp == now) return locator;
        geo::KommuneLocator fresh;
        std::set<std::string> fresh_with;
        for (const data::KommuneBoundary& kommune : db.kommune_boundaries()) {
            try {
                fresh.add(kommune.ags, kommune.boundary);
                fresh_with.insert(kommune.ags);
            } catch (const InvalidGeometry&) {
                // Unusable boundary: treated like a Kommune without one (not checked).
            }
        }
        locator = std::move(fresh);
        with_boundary = std::move(fresh_with);
        stamp = now;
        return locator;
    }

    /// Decides kommune_ags: an explicit one must exist and contain the point; without one,
    /// the most specific Kommune containing the point. `relocate`: the point is new, so an
    /// implicit Kommune is looked up again.
    std::optional<std::string> resolve_kommune(const Point& point, const PlaceInput& place,
                                               const std::optional<std::string>& current,
                                               bool relocate, Problems& problems) {
        geo::KommuneLocator& locator = kommunen();
        if (place.kommune_given && place.kommune_ags) {
            const std::string& ags = *place.kommune_ags;
            if (!vacancies().kommune_exists(ags)) {
                problems.add("kommune_ags", "unknown Kommune '" + ags + "'");
                return std::nullopt;
            }
            // A Kommune stored without a boundary cannot be checked; accept its key.
            if (with_boundary.contains(ags) && !locator.contains(ags, point.lon, point.lat)) {
                problems.add("geometry", "the point lies outside Kommune " + ags);
                return std::nullopt;
            }
            return ags;
        }
        if (!place.kommune_given && !relocate && current) return current;
        auto found = locator.locate(point.lon, point.lat);
        if (!found) problems.add("geometry", "the point lies outside every Kommune of the atlas");
        return found;
    }

    /// Decides building_id: an explicit one must be a building of the record's Kommune
    /// `ags` (when it has one) within the matching distance of the point: a report cannot
    /// mark another Kommune's building, nor one across town. Otherwise matching decides when
    /// the point is new (or the input cleared the field).
    std::optional<std::int64_t> resolve_building(const Point& point, const PlaceInput& place,
                                                 const std::optional<std::string>& ags,
                                                 const std::optional<std::int64_t>& current,
                                                 bool rematch, Problems& problems) {
        data::VacancyStore db = vacancies();
        if (place.building_given && place.building_id) {
            const std::string id = std::to_string(*place.building_id);
            const auto building = db.building_place(*place.building_id, point.lon, point.lat);
            if (!building) {
                problems.add("building_id", "no building with id " + id);
            } else if (ags && building->kommune_ags != *ags) {
                problems.add("building_id", "building " + id + " lies in another Kommune");
            } else if (!(building->distance_m <= data::building_match_distance_m)) {
                problems.add("building_id",
                             "building " + id + " is more than " +
                                 std::to_string(static_cast<int>(data::building_match_distance_m)) +
                                 " m away from the point");
            } else {
                return place.building_id;
            }
            return std::nullopt;
        }
        if (!place.building_given && !rematch) return current;
        return db.match_building(point.lon, point.lat);
    }

    /// The vacancy `caller` wants to change. One the caller may not see is missing for it: the
    /// same 404 as for an unknown id, so that ids cannot be probed for unpublished vacancies of
    /// other Kommunen. One it may see but not change is a 403 (require_write).
    data::VacancyRecord load_vacancy_to_change(std::int64_t id, const Caller& caller) {
        require_signed_in(caller);
        auto record = vacancies().vacancy(id);
        if (!record || !may_see_vacancy(*record, caller))
            throw NotFound(not_found_text(Collection::Vacancies, id));
        require_write(caller, record->kommune_ags);
        return *record;
    }

    data::ZukunftsortRecord load_zukunftsort(std::int64_t id) {
        auto record = vacancies().zukunftsort(id);
        if (!record) throw NotFound(not_found_text(Collection::Zukunftsorte, id));
        return *record;
    }

    FeatureResult vacancy_result(const data::VacancyRecord& record, const Caller& caller) {
        auto feature = vacancy_feature(record, caller);
        // Writers always see what they wrote; a reader never reaches here for a hidden one.
        if (!feature) throw NotFound(not_found_text(Collection::Vacancies, record.id));
        // The version the caller sees (privacy.hpp): the ETag must not tell more.
        const std::int64_t version = feature->at("properties").at("version").get<std::int64_t>();
        return FeatureResult{record.id, version, std::move(*feature)};
    }

    FeatureResult zukunftsort_result(const data::ZukunftsortRecord& record, const Caller& caller) {
        return FeatureResult{record.id, record.version, zukunftsort_feature(record, caller)};
    }

    // -- vacancies --------------------------------------------------------------------------

    /// Parses a whole Feature (create, replace) or a merge patch onto `base`.
    data::VacancyRecord vacancy_input(const json& body, bool patch, const data::VacancyRecord& base,
                                      const std::optional<data::VacancyRecord>& current) {
        Problems problems;
        const json& properties = feature_properties(body, patch, problems);
        if (!body.is_object()) problems.throw_if_any("the vacancy is not valid");
        data::VacancyRecord record = base;
        PlaceInput place;
        apply_vacancy_properties(properties, record, place, problems);

        const auto [point, moved] = input_place(body, patch, current, problems);
        if (point) {
            record.lon = point->lon;
            record.lat = point->lat;
            const std::optional<std::string> current_ags =
                current ? std::optional<std::string>(current->kommune_ags) : std::nullopt;
            const std::optional<std::int64_t> current_building =
                current ? current->building_id : std::nullopt;
            // A replace states every field: without kommune_ags or building_id they are
            // derived again; a patch keeps them unless the point moved or they were cleared.
            const bool derive = !patch || moved;
            const auto ags = resolve_kommune(*point, place, current_ags, derive, problems);
            if (ags) record.kommune_ags = *ags;
            record.building_id =
                resolve_building(*point, place, ags, current_building, derive, problems);
        }
        problems.throw_if_any("the vacancy is not valid");
        return record;
    }

    FeatureResult create_vacancy(const json& feature, const Caller& caller) {
        require_some_write(caller);
        data::VacancyRecord record = vacancy_input(feature, false, {}, std::nullopt);
        require_write(caller, record.kommune_ags);
        record.author = caller.name;
        return vacancy_result(vacancies().insert_vacancy(record, caller.name), caller);
    }

    FeatureResult change_vacancy(std::int64_t id, const json& body, bool patch,
                                 std::optional<std::int64_t> if_match, const Caller& caller) {
        const data::VacancyRecord current = load_vacancy_to_change(id, caller);
        const std::int64_t version = require_version(if_match);
        if (current.version != version)
            throw PreconditionFailed::stale("vacancy", id, current.version, version);

        data::VacancyRecord base;
        if (patch) base = current;
        base.id = id;
        data::VacancyRecord next = vacancy_input(body, patch, base, current);
        if (next.kommune_ags != current.kommune_ags) require_write(caller, next.kommune_ags);
        require_transition(current.status, next.status);
        // Store-kept fields come from the row, not from the input.
        next.author = current.author;
        return vacancy_result(vacancies().update_vacancy(next, version, caller.name), caller);
    }

    void remove_vacancy(std::int64_t id, std::optional<std::int64_t> if_match,
                        const Caller& caller) {
        const data::VacancyRecord current = load_vacancy_to_change(id, caller);
        const std::int64_t version = require_version(if_match);
        if (current.version != version)
            throw PreconditionFailed::stale("vacancy", id, current.version, version);
        vacancies().remove_vacancy(id, version, caller.name);
    }

    // -- Zukunftsorte -----------------------------------------------------------------------

    struct ZukunftsortInput {
        data::ZukunftsortRecord record;
        bool link_given = false;
    };

    ZukunftsortInput zukunftsort_input(const json& body, bool patch,
                                       const data::ZukunftsortRecord& base,
                                       const std::optional<data::ZukunftsortRecord>& current) {
        Problems problems;
        const json& properties = feature_properties(body, patch, problems);
        if (!body.is_object()) problems.throw_if_any("the Zukunftsort is not valid");
        ZukunftsortInput input{base, false};
        data::ZukunftsortRecord& record = input.record;
        PlaceInput place;
        static const std::set<std::string> read_only = {"created_at", "updated_at", "version"};
        for (const auto& [key, value] : properties.items()) {
            if (key == "name") {
                if (!value.is_string() || value.get<std::string>().empty())
                    problems.add(key, "name must be a non-empty string");
                else if (within_limit(value.get<std::string>(), key, problems))
                    record.name = value.get<std::string>();
            } else if (key == "kind" || key == "description") {
                if (!expect_string_or_null(value, key, problems)) continue;
                (key == "kind" ? record.kind : record.description) = optional_string(value);
            } else if (key == "website") {
                if (value.is_null())
                    record.website.reset();
                else if (!value.is_string() || !is_web_url(value.get<std::string>()))
                    problems.add(key, "website must be an http:// or https:// address");
                else if (within_limit(value.get<std::string>(), key, problems))
                    record.website = value.get<std::string>();
            } else if (key == "opened") {
                read_date(value, key, false, record.opened, problems);
            } else if (key == "building_id") {
                place.building_given = true;
                read_id(value, key, place.building_id, problems);
            } else if (key == "vacancy_id") {
                input.link_given = true;
                read_id(value, key, record.vacancy_id, problems);
            } else if (key == "kommune_ags") {
                place.kommune_given = true;
                read_ags(value, place.kommune_ags, problems);
            } else if (!read_only.contains(key)) {
                problems.add(key, "unknown property '" + key + "'");
            }
        }
        if (record.name.empty() && !properties.contains("name"))
            problems.add("name", "a Zukunftsort needs a name");

        const auto [point, moved] = input_place(body, patch, current, problems);
        if (point) {
            record.lon = point->lon;
            record.lat = point->lat;
            const bool derive = !patch || moved;
            const auto ags = resolve_kommune(
                *point, place, current ? current->kommune_ags : std::nullopt, derive, problems);
            if (ags) record.kommune_ags = *ags;
            record.building_id =
                resolve_building(*point, place, ags, current ? current->building_id : std::nullopt,
                                 derive, problems);
        }
        problems.throw_if_any("the Zukunftsort is not valid");
        return input;
    }

    /// Inside the write transaction: checks that the caller may turn vacancy `vacancy_id`
    /// into Zukunftsort `place_id` (0 for a new one) and moves it from in_aktivierung to
    /// aktiviert.
    void link_vacancy(data::VacancyStore& db, std::int64_t vacancy_id, std::int64_t place_id,
                      const Caller& caller) {
        const auto vacancy = db.vacancy(vacancy_id);
        // One the caller may not see is as unknown to it as a missing one.
        if (!vacancy || !may_see_vacancy(*vacancy, caller)) {
            Problems problems;
            problems.add("vacancy_id", "no vacancy with id " + std::to_string(vacancy_id));
            problems.throw_if_any("the Zukunftsort is not valid");
        }
        require_write(caller, vacancy->kommune_ags);
        if (vacancy->status != "in_aktivierung" && vacancy->status != "aktiviert")
            throw Unprocessable(
                "only a vacancy in_aktivierung or aktiviert can become a Zukunftsort; vacancy " +
                    std::to_string(vacancy_id) + " is " + vacancy->status,
                json{{"vacancy_id", vacancy_id},
                     {"status", vacancy->status},
                     {"allowed", {"in_aktivierung", "aktiviert"}}});
        if (const auto other = db.zukunftsort_of_vacancy(vacancy_id); other && *other != place_id)
            throw Conflict("vacancy " + std::to_string(vacancy_id) +
                               " is already linked to Zukunftsort " + std::to_string(*other),
                           json{{"zukunftsort_id", *other}});
        if (vacancy->status == "in_aktivierung") {
            data::VacancyRecord next = *vacancy;
            next.status = "aktiviert";
            db.update_vacancy(next, vacancy->version, caller.name);
        }
    }

    std::string zukunftsort_scope(const data::ZukunftsortRecord& record) {
        // kommune_ags is always derived on write; an old row without one is the admin's.
        return record.kommune_ags.value_or("");
    }

    FeatureResult create_zukunftsort(const json& feature, const Caller& caller) {
        require_some_write(caller);
        ZukunftsortInput input = zukunftsort_input(feature, false, {}, std::nullopt);
        require_write(caller, zukunftsort_scope(input.record));
        data::VacancyStore db = vacancies();
        auto transaction = db.begin_write();
        if (input.record.vacancy_id) link_vacancy(db, *input.record.vacancy_id, 0, caller);
        data::ZukunftsortRecord stored = db.insert_zukunftsort(input.record);
        transaction.commit();
        return zukunftsort_result(stored, caller);
    }

    FeatureResult change_zukunftsort(std::int64_t id, const json& body, bool patch,
                                     std::optional<std::int64_t> if_match, const Caller& caller) {
        require_signed_in(caller);
        const data::ZukunftsortRecord current = load_zukunftsort(id);
        require_write(caller, zukunftsort_scope(current));
        const std::int64_t version = require_version(if_match);
        if (current.version != version)
            throw PreconditionFailed::stale("Zukunftsort", id, current.version, version);

        data::ZukunftsortRecord base;
        if (patch) base = current;
        base.id = id;
        ZukunftsortInput input = zukunftsort_input(body, patch, base, current);
        // A link the caller cannot see (shown as null) cannot have been meant to be dropped by
        // echoing that null back: keep it.
        if (current.vacancy_id && !input.record.vacancy_id &&
            zukunftsort_properties(current, caller).at("vacancy_id").is_null())
            input.record.vacancy_id = current.vacancy_id;
        if (input.record.kommune_ags != current.kommune_ags)
            require_write(caller, zukunftsort_scope(input.record));
        data::VacancyStore db = vacancies();
        auto transaction = db.begin_write();
        if (input.record.vacancy_id && input.record.vacancy_id != current.vacancy_id)
            link_vacancy(db, *input.record.vacancy_id, id, caller);
        data::ZukunftsortRecord stored = db.update_zukunftsort(input.record, version);
        transaction.commit();
        return zukunftsort_result(stored, caller);
    }

    void remove_zukunftsort(std::int64_t id, std::optional<std::int64_t> if_match,
                            const Caller& caller) {
        require_signed_in(caller);
        const data::ZukunftsortRecord current = load_zukunftsort(id);
        require_write(caller, zukunftsort_scope(current));
        const std::int64_t version = require_version(if_match);
        if (current.version != version)
            throw PreconditionFailed::stale("Zukunftsort", id, current.version, version);
        vacancies().remove_zukunftsort(id, version);
    }
};

FeatureService::FeatureService(data::Store& store) : m_impl(std::make_unique<Impl>(store)) {}
FeatureService::~FeatureService() = default;
FeatureService::FeatureService(FeatureService&&) noexcept = default;
FeatureService& FeatureService::operator=(FeatureService&&) noexcept = default;

FeatureResult FeatureService::get(Collection collection, std::int64_t id, const Caller& caller) {
    if (collection == Collection::Zukunftsorte)
        return m_impl->zukunftsort_result(m_impl->load_zukunftsort(id), caller);
    const auto record = m_impl->vacancies().vacancy(id);
    // The same answer for hidden and unknown ids, so existence is not revealed.
    if (!record || !may_see_vacancy(*record, caller))
        throw NotFound(not_found_text(Collection::Vacancies, id));
    return m_impl->vacancy_result(*record, caller);
}

ItemsPage FeatureService::list(Collection collection, const ItemsQuery& query,
                               const Caller& caller) {
    check_query(collection, query);
    data::VacancyStore db = m_impl->vacancies();
    ItemsPage page;
    if (collection == Collection::Zukunftsorte) {
        data::ZukunftsortFilter filter;
        filter.kommune_prefix = query.kommune;
        filter.opened = query.datetime;
        filter.bbox = query.bbox;
        filter.limit = query.limit;
        filter.offset = query.offset;
        auto records = db.list_zukunftsorte(filter);
        page.number_matched = records.number_matched;
        for (const auto& record : records.items)
            page.features.push_back(zukunftsort_feature(record, caller));
        return page;
    }
    data::VacancyFilter filter;
    filter.visibility = vacancy_visibility(caller);
    filter.kommune_prefix = query.kommune;
    filter.status = query.status;
    filter.use = query.use;
    filter.vacant_since = query.datetime;
    filter.bbox = query.bbox;
    filter.limit = query.limit;
    filter.offset = query.offset;
    auto records = db.list_vacancies(filter);
    page.number_matched = records.number_matched;
    for (const auto& record : records.items) {
        // The SQL condition and the filter agree; the filter has the last word anyway.
        if (auto feature = vacancy_feature(record, caller))
            page.features.push_back(std::move(*feature));
    }
    return page;
}

FeatureResult FeatureService::create(Collection collection, const json& feature,
                                     const Caller& caller) {
    if (collection == Collection::Vacancies) return m_impl->create_vacancy(feature, caller);
    return m_impl->create_zukunftsort(feature, caller);
}

FeatureResult FeatureService::replace(Collection collection, std::int64_t id, const json& feature,
                                      std::optional<std::int64_t> if_match, const Caller& caller) {
    if (collection == Collection::Vacancies)
        return m_impl->change_vacancy(id, feature, false, if_match, caller);
    return m_impl->change_zukunftsort(id, feature, false, if_match, caller);
}

FeatureResult FeatureService::patch(Collection collection, std::int64_t id, const json& patch,
                                    std::optional<std::int64_t> if_match, const Caller& caller) {
    if (collection == Collection::Vacancies)
        return m_impl->change_vacancy(id, patch, true, if_match, caller);
    return m_impl->change_zukunftsort(id, patch, true, if_match, caller);
}

void FeatureService::remove(Collection collection, std::int64_t id,
                            std::optional<std::int64_t> if_match, const Caller& caller) {
    if (collection == Collection::Vacancies)
        m_impl->remove_vacancy(id, if_match, caller);
    else
        m_impl->remove_zukunftsort(id, if_match, caller);
}

json FeatureService::vacancy_history(std::int64_t id, const Caller& caller) {
    require_signed_in(caller);
    data::VacancyStore db = m_impl->vacancies();
    const auto record = db.vacancy(id);
    const std::vector<data::VacancyHistoryEntry> entries = db.vacancy_history(id);
    // A deleted vacancy keeps its history; its last Kommune decides who may read it. Whoever
    // may not gets the 404 of an unknown id: a 403 would confirm that the vacancy exists.
    const std::string ags = record            ? record->kommune_ags
                            : entries.empty() ? std::string()
                                              : entries.back().kommune_ags;
    if ((!record && entries.empty()) || !may_read_internal(caller, ags))
        throw NotFound(not_found_text(Collection::Vacancies, id));
    json changes = json::array();
    // Each row belongs to the Kommune the vacancy was in: a vacancy moved into the caller's
    // Kommune keeps the rows (and the old values of the move) of a Kommune the caller may not
    // read, and those stay out.
    std::string kommune_before = entries.empty() ? ags : entries.front().kommune_ags;
    for (const data::VacancyHistoryEntry& entry : entries) {
        const bool before_readable = may_read_internal(caller, kommune_before);
        kommune_before = entry.kommune_ags;
        if (!may_read_internal(caller, entry.kommune_ags)) continue;
        json change = {{"changed_at", entry.changed_at},
                       {"changed_by", entry.changed_by},
                       {"action", entry.action},
                       {"old", json::parse(entry.old_values_json)},
                       {"new", json::parse(entry.new_values_json)}};
        if (!before_readable) {
            change["old"] = nullptr;
            change["old_withheld"] = true;
        }
        changes.push_back(std::move(change));
    }
    return json{{"vacancy_id", id}, {"changes", std::move(changes)}};
}

}  // namespace leerstand::services
