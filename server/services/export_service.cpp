#include "server/services/export_service.hpp"

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "data/collection_store.hpp"
#include "data/store.hpp"
#include "server/services/place_resolver.hpp"
#include "server/services/privacy.hpp"
#include "server/services/site.hpp"
#include "server/services/summary_service.hpp"
#include "server/services/vacancy_service.hpp"
#include "server/services/zukunftsort_service.hpp"

namespace leerstand::services {

namespace {

using geo::Field;
using geo::FieldType;
using geo::FieldValue;
using nlohmann::json;

// Vacancies and Zukunftsorte are read through their services in pages of the largest size.
constexpr std::int64_t k_page = 10000;

data::GeometryText geometry_text(geo::GeometryEncoding encoding) {
    switch (encoding) {
        case geo::GeometryEncoding::Wkt:
            return data::GeometryText::Wkt;
        case geo::GeometryEncoding::Wkb:
            return data::GeometryText::Wkb;
        case geo::GeometryEncoding::GeoJson:
            break;
    }
    return data::GeometryText::GeoJson;
}

template <typename T>
FieldValue value_of(const std::optional<T>& value) {
    if (!value) return std::monostate{};
    return *value;
}

FieldValue value_of(const json& value) {
    switch (value.type()) {
        case json::value_t::boolean:
            return value.get<bool>();
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            return value.get<std::int64_t>();
        case json::value_t::number_float:
            return value.get<double>();
        case json::value_t::string:
            return value.get<std::string>();
        default:
            return std::monostate{};
    }
}

/// The values of `properties` for `fields` (after the id), by name; absent ones are null.
std::vector<FieldValue> values_of(const json& id, const json& properties,
                                  const std::vector<Field>& fields) {
    std::vector<FieldValue> values;
    values.reserve(fields.size());
    values.push_back(value_of(id));
    for (std::size_t i = 1; i < fields.size(); ++i) {
        const auto found = properties.find(fields[i].name);
        values.push_back(found == properties.end() ? FieldValue{} : value_of(*found));
    }
    return values;
}

const std::vector<Field>& building_fields() {
    static const std::vector<Field> k_fields = {
        {"id", FieldType::Integer},      {"kommune_ags", FieldType::Text},
        {"source_ref", FieldType::Text}, {"function", FieldType::Text},
        {"floors", FieldType::Integer},  {"name", FieldType::Text},
        {"street", FieldType::Text},     {"housenumber", FieldType::Text},
        {"postcode", FieldType::Text},   {"city", FieldType::Text},
        {"area_m2", FieldType::Real},
    };
    return k_fields;
}

/// Counts that the public may see as "<3" are text for callers without exact figures.
std::vector<Field> kommune_fields(bool exact) {
    const FieldType count = exact ? FieldType::Integer : FieldType::Text;
    return {
        {"ags", FieldType::Text},
        {"name", FieldType::Text},
        {"bez", FieldType::Text},
        {"parent_ags", FieldType::Text},
        {"area_m2", FieldType::Real},
        {"figures_exact", FieldType::Boolean},
        {"buildings", FieldType::Integer},
        {"open_vacancies", count},
        {"vacant_buildings", count},
        {"vacancy_rate", FieldType::Real},
        {"reactivated", count},
        {"zukunftsorte", FieldType::Integer},
    };
}

/// May the caller read internal data of some Kommune the query covers? Only then does a
/// vacancy export get the internal columns (even their names say what is kept).
bool may_read_internal_somewhere(const Caller& caller, const ItemsQuery& query) {
    const data::VacancyVisibility visibility = vacancy_visibility(caller);
    if (visibility.all) return true;
    const std::string area = query.kommune.value_or("");
    for (const std::string& prefix : visibility.internal_prefixes)
        if (prefix.rfind(area, 0) == 0 || area.rfind(prefix, 0) == 0) return true;
    return false;
}

/// The columns of a vacancy export: what everyone who sees a vacancy may see, plus the
/// internal ones for callers who may read some Kommune's internal data. Which rows show them
/// is still decided per vacancy by the privacy filter; the others have nulls there.
std::vector<Field> vacancy_fields(const Caller& caller, const ItemsQuery& query) {
    std::vector<Field> fields = {
        {"id", FieldType::Integer},
        {"status", FieldType::Text},
        {"use", FieldType::Text},
        {"degree", FieldType::Text},
        {"vacant_since", FieldType::Text},
        {"floor_area_m2", FieldType::Real},
        {"consent_publish", FieldType::Boolean},
        {"public_description", FieldType::Text},
        {"building_id", FieldType::Integer},
        {"kommune_ags", FieldType::Text},
        {"zukunftsort_id", FieldType::Integer},
        {"created_at", FieldType::Text},
        {"updated_at", FieldType::Text},
        {"version", FieldType::Integer},
    };
    if (may_read_internal_somewhere(caller, query))
        for (const std::string& name : internal_vacancy_fields())
            fields.push_back({name, FieldType::Text});
    return fields;
}

const std::vector<Field>& zukunftsort_fields() {
    static const std::vector<Field> k_fields = {
        {"id", FieldType::Integer},         {"name", FieldType::Text},
        {"kind", FieldType::Text},          {"description", FieldType::Text},
        {"story", FieldType::Text},         {"website", FieldType::Text},
        {"opened", FieldType::Text},        {"building_id", FieldType::Integer},
        {"vacancy_id", FieldType::Integer}, {"kommune_ags", FieldType::Text},
        {"created_at", FieldType::Text},    {"updated_at", FieldType::Text},
        {"version", FieldType::Integer},
    };
    return k_fields;
}

data::CollectionFilter collection_filter(const ItemsQuery& query) {
    data::CollectionFilter filter;
    filter.bbox = query.bbox;
    filter.kommune_prefix = query.kommune;
    return filter;
}

}  // namespace

std::string export_file_name(const std::string& collection, geo::ExportFormat format,
                             const ItemsQuery& query) {
    std::string name = "leerstandsatlas-" + collection;
    if (query.kommune) name += "-" + *query.kommune;  // digits only (checked)
    return name + "." + std::string(geo::file_extension(format));
}

ItemsQuery parse_export_query(const QueryParams& params) {
    ItemsQuery query = parse_items_query(params);
    FieldErrors errors;
    for (const auto& [name, value] : params) {
        (void)value;
        if (name == "limit" || name == "offset")
            errors.add(name, field_code::k_not_applicable,
                       name + " does not apply: an export holds every match");
        // Exports are CRS84 (RFC 7946, GeoPackage and CSV alike); bbox-crs applies.
        if (name == "properties" || name == "sortby")
            errors.add(name, field_code::k_not_applicable,
                       name + " does not apply: an export holds every property, in id order");
        if (name == "crs")
            errors.add(name, field_code::k_not_applicable,
                       "crs does not apply: an export is in CRS84 (reproject it with ogr2ogr)");
    }
    errors.throw_if_any("invalid query parameter");
    return query;
}

struct ExportService::Impl {
    explicit Impl(data::Store& s)
        : store(s), places(s), vacancies(s, places), zukunftsorte(s, places), summaries(s) {}
    data::Store& store;
    PlaceResolver places;
    VacancyService vacancies;
    ZukunftsortService zukunftsorte;
    SummaryService summaries;

    void buildings(geo::FeatureWriter& writer, const ItemsQuery& query) {
        const std::vector<Field>& fields = building_fields();
        std::vector<FieldValue> values(fields.size());
        const data::GeometryText text = geometry_text(writer.geometry_encoding());
        data::CollectionStore(store).for_each_building(collection_filter(query), text,
                                                       [&](const data::BuildingItem& b) {
                                                           values = {b.id,
                                                                     b.kommune_ags,
                                                                     value_of(b.source_ref),
                                                                     value_of(b.function),
                                                                     value_of(b.floors),
                                                                     value_of(b.name),
                                                                     value_of(b.street),
                                                                     value_of(b.housenumber),
                                                                     value_of(b.postcode),
                                                                     value_of(b.city),
                                                                     value_of(b.area_m2)};
                                                           writer.write(values, b.geometry);
                                                       });
    }

    void kommunen(geo::FeatureWriter& writer, const std::vector<Field>& fields,
                  const ItemsQuery& query, const Caller& caller) {
        const data::GeometryText text = geometry_text(writer.geometry_encoding());
        const SummaryService::Reading reading(summaries);
        data::CollectionStore(store).for_each_kommune(
            collection_filter(query), text, [&](const data::KommuneItem& k) {
                const json properties = kommune_properties(k, summaries, caller);
                writer.write(values_of(k.ags, properties, fields), k.geometry.value_or(""));
            });
    }

    /// Vacancies or Zukunftsorte, page by page through their services and so through the
    /// privacy filter.
    void points(geo::FeatureWriter& writer, Collection collection, const std::vector<Field>& fields,
                ItemsQuery query, const Caller& caller) {
        query.limit = k_page;
        query.offset = 0;
        while (true) {
            const ItemsPage page = collection == Collection::Vacancies
                                       ? vacancies.list(query, caller)
                                       : zukunftsorte.list(query, caller);
            for (const json& feature : page.features) {
                const json& coordinates = feature["geometry"]["coordinates"];
                writer.write(
                    values_of(feature["id"], feature["properties"], fields),
                    writer.point(coordinates[0].get<double>(), coordinates[1].get<double>()));
            }
            query.offset += k_page;
            if (query.offset >= page.number_matched) break;
        }
    }
};

ExportService::ExportService(data::Store& store) : m_impl(std::make_unique<Impl>(store)) {}
ExportService::~ExportService() = default;
ExportService::ExportService(ExportService&&) noexcept = default;
ExportService& ExportService::operator=(ExportService&&) noexcept = default;

std::int64_t ExportService::write(const std::string& collection, geo::ExportFormat format,
                                  const ItemsQuery& query, const Caller& caller,
                                  const std::filesystem::path& path, const License& own) {
    const auto point_collection = parse_collection(collection);
    // Offers are read through their collection; no file export yet (part "offers").
    if (point_collection == Collection::Angebote) throw unknown_collection(collection);
    // Needs are a list to read, not data to download (part "needs" of issue 23).
    if (point_collection == Collection::Gesuche) throw unknown_collection(collection);
    if (!point_collection && collection != "buildings" && collection != "kommunen")
        throw unknown_collection(collection);
    if (!point_collection) check_filters_of_timeless_collection(collection, query);

    std::vector<Field> fields;
    geo::ExportGeometry kind = geo::ExportGeometry::Point;
    if (collection == "buildings") {
        fields = building_fields();
        kind = geo::ExportGeometry::MultiPolygon;
    } else if (collection == "kommunen") {
        fields = kommune_fields(sees_exact_figures(caller, ""));
        kind = geo::ExportGeometry::MultiPolygon;
    } else if (*point_collection == Collection::Vacancies) {
        fields = vacancy_fields(caller, query);
    } else {
        fields = zukunftsort_fields();
    }
    auto writer = geo::make_feature_writer(format, path, collection, kind, fields,
                                           licenses_of(collection, own));
    if (collection == "buildings")
        m_impl->buildings(*writer, query);
    else if (collection == "kommunen")
        m_impl->kommunen(*writer, fields, query, caller);
    else
        m_impl->points(*writer, *point_collection, fields, query, caller);
    writer->finish();
    return writer->count();
}

}  // namespace leerstand::services
