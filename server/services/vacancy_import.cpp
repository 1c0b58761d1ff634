#include "server/services/vacancy_import.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/text.hpp"
#include "data/store.hpp"
#include "data/summary_store.hpp"
#include "data/vacancy_store.hpp"
#include "geo/feature_reader.hpp"
#include "server/services/caller.hpp"
#include "server/services/import_common.hpp"
#include "server/services/place_resolver.hpp"
#include "server/services/vacancy_service.hpp"

namespace leerstand::services {

namespace {

using namespace detail;
using nlohmann::json;

/// The vacancy properties a file may carry, as in the API.
constexpr std::array<std::string_view, 12> k_properties = {
    "status",      "use",           "degree",         "vacant_since",    "floor_area_m2",
    "owner_type",  "owner_contact", "internal_notes", "consent_publish", "public_description",
    "building_id", "kommune_ags"};

/// Shapefiles cut field names to 10 characters ("public_des"); accept that cut as the name.
constexpr std::size_t k_dbf_name_length = 10;

/// Without the blanks around it: hand-kept spreadsheets often hold "ja " or " wohnen", which
/// would otherwise fail as unknown values (or, in a column name, drop the whole column).
std::string_view trimmed(std::string_view text) {
    constexpr std::string_view blanks = " \t\r\n";
    const auto first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

std::optional<std::string_view> property_for_column(const std::string& column) {
    const std::string name = ascii_lower(trimmed(column));
    for (std::string_view property : k_properties) {
        if (name == property) return property;
        if (name.size() == k_dbf_name_length && property.size() > k_dbf_name_length &&
            property.substr(0, k_dbf_name_length) == name)
            return property;
    }
    return std::nullopt;
}

/// True for digit groups like "1.234" or "12.345.678" (German thousands separators).
bool is_grouped_integer(std::string_view text) {
    const auto first_dot = text.find('.');
    if (first_dot == 0 || first_dot > 3 || (text.size() - first_dot) % 4 != 0) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool dot_here = i >= first_dot && (i - first_dot) % 4 == 0;
        if (dot_here ? text[i] != '.' : (text[i] < '0' || text[i] > '9')) return false;
    }
    return true;
}

std::optional<double> parse_number(std::string text) {
    // Spreadsheets from German offices write decimal commas, and in larger numbers dots
    // between groups of three digits ("1.450,75"). A dot without a comma stays a decimal
    // point: "120.5" is read as written.
    if (const auto comma = text.rfind(','); comma != std::string::npos) {
        std::string whole = text.substr(0, comma);
        if (whole.find('.') != std::string::npos && is_grouped_integer(whole)) {
            whole.erase(std::remove(whole.begin(), whole.end(), '.'), whole.end());
            text = whole + text.substr(comma);
        }
    }
    std::replace(text.begin(), text.end(), ',', '.');
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<bool> parse_yes_no(const std::string& text) {
    const std::string value = ascii_lower(text);
    // "t"/"f": a Logical field of a DBF (Shapefile), which GDAL hands over as that letter.
    for (const char* yes : {"true", "1", "ja", "yes", "wahr", "j", "y", "x", "t"})
        if (value == yes) return true;
    for (const char* no : {"false", "0", "nein", "no", "falsch", "n", "f"})
        if (value == no) return false;
    return std::nullopt;
}

/// The text of a file's cell as the JSON value the API expects. Text that does not convert
/// stays text, so the same validation as over HTTP names the field and the problem.
json typed_value(std::string_view property, const std::string& text) {
    if (property == "floor_area_m2") {
        if (auto number = parse_number(text)) return *number;
    } else if (property == "building_id") {
        if (auto number = parse_number(text);
            number && *number == static_cast<double>(static_cast<std::int64_t>(*number)))
            return static_cast<std::int64_t>(*number);
    } else if (property == "consent_publish") {
        if (auto flag = parse_yes_no(text)) return *flag;
        if (text == "?") return nullptr;  // a DBF Logical not filled in: no consent given
    } else if (property == "vacant_since" && text.size() > 10 && text[10] == 'T') {
        return text.substr(0, 10);  // a date-time column from a GeoPackage or GeoJSON
    }
    return text;
}

json vacancy_feature(const geo::SourceFeature& feature, const ImportOptions& options) {
    json properties = json::object();
    for (const auto& [column, text] : feature.attributes) {
        const auto property = property_for_column(column);
        const std::string value(trimmed(text));
        if (!property || value.empty()) continue;  // other columns are the file's own business
        properties[std::string(*property)] = typed_value(*property, value);
    }
    // --kommune (and an HTTP upload's Kommune) bounds the import: points elsewhere are refused.
    if (options.kommune) properties["kommune_ags"] = *options.kommune;
    return {{"type", "Feature"},
            {"geometry",
             {{"type", "Point"}, {"coordinates", {feature.point->lon, feature.point->lat}}}},
            {"properties", std::move(properties)}};
}

/// One rejected row: the reason counts by field, the listed error keeps the whole message.
void reject_invalid(ImportReport& report, long long index, const InvalidInput& error) {
    std::string category = "invalid vacancy";
    std::string message = error.what();
    const json& errors = error.extensions().value("errors", json::array());
    if (!errors.empty()) {
        const std::string field = errors.front().value("field", "");
        message = errors.front().value("message", message);
        // "the point lies outside Kommune 12073008" is the same for every row it hits.
        category = message.find("outside") != std::string::npos ? message : "invalid " + field;
    }
    ++report.rejected;
    ++report.rejected_by_reason[category];
    if (report.errors.size() < ImportReport::k_max_listed_errors)
        report.errors.push_back({index, message});
}

}  // namespace

ImportReport import_vacancies(data::Store& store, const ImportOptions& options,
                              const ProgressCallback& progress) {
    const auto start = Clock::now();
    ImportReport report = start_report(options, "vacancies");
    check_kommune_option(store, options);

    geo::ReadOptions read = read_options(options);
    read.geometry = geo::GeometryKind::Points;
    auto reader = geo::FeatureReader::open(options.file, read);
    describe_source(reader.info(), report);
    ProgressThrottle throttle(progress, reader.info().feature_count);

    // The importing user writes like an admin within the import's bounds: the CLI runs with
    // file access to the database, and an HTTP upload was checked for the Kommune already.
    const Caller importer{Role::Admin, 0, options.user, {}};
    PlaceResolver places(store);
    VacancyService service(store, places);
    data::VacancyStore vacancies(store);
    auto transaction = vacancies.begin_write();
    geo::SourceFeature feature;
    while (reader.next(feature)) {
        ++report.read;
        throttle.tick(report.read);
        if (!feature.point) {
            report.reject(feature.index, feature.rejection);
            continue;
        }
        try {
            const FeatureResult stored =
                service.create(vacancy_feature(feature, options), importer);
            ++report.stored;
            ++report.stored_by_kommune[stored.feature["properties"].value("kommune_ags", "")];
        } catch (const InvalidInput& error) {
            reject_invalid(report, feature.index, error);
        }
    }
    throttle.tick(report.read, true);
    // The report names its Kommunen, as a building import's does.
    data::SummaryStore kommunen(store);
    for (const auto& entry : report.stored_by_kommune)
        if (auto name = kommunen.kommune_name(entry.first))
            report.kommune_names.emplace(entry.first, std::move(*name));
    report.seconds = seconds_since(start);
    if (report.stored == 0) {
        { auto discard = std::move(transaction); }
        report.upload_id = store.record_failed_upload(upload_record(options, report));
        return report;
    }
    report.upload_id = store.record_finished_upload(upload_record(options, report));
    transaction.commit();
    return report;
}

}  // namespace leerstand::services
