#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "geo/feature_writers.hpp"
#include "server/services/caller.hpp"
#include "server/services/collections_service.hpp"

namespace leerstand::data {
class Store;
}

/// Exports of whole or filtered collections as GeoJSON (RFC 7946), GeoPackage or CSV (WKT
/// geometry), for `/export/{collection}.{geojson,gpkg,csv}` and `leerstand export`.
///
/// Every export passes the privacy filter (privacy.hpp) exactly as items do: vacancies go
/// through VacancyService (so the public gets only consented ones, without private fields),
/// Kommunen carry their headline figures as the caller may see them. Columns come in a stable
/// order per collection and audience: the id first, then the properties as items list them
/// (CSV puts its WKT column before them). Buildings are streamed row by row from the store to
/// the file, so memory stays flat however many there are.
namespace leerstand::services {

/// The file name a download should get, e.g. "leerstandsatlas-buildings-12073008.geojson".
std::string export_file_name(const std::string& collection, geo::ExportFormat format,
                             const ItemsQuery& query);

/// The filters of an export: those of items (bbox, datetime, kommune, status, use), but not
/// limit or offset (an export holds every match).
/// @throws InvalidInput naming every bad parameter.
ItemsQuery parse_export_query(const QueryParams& params);

/// One per thread (it holds the thread's Store).
class ExportService {
  public:
    explicit ExportService(data::Store& store);
    ~ExportService();
    ExportService(ExportService&&) noexcept;
    ExportService& operator=(ExportService&&) noexcept;

    /// Writes the features of `collection` that match `query`, as `caller` may see them, to
    /// `path` (created or replaced), with the licences of its data (licenses_of, site.hpp;
    /// `own` is the network's). Returns how many were written.
    /// @throws NotFound for unknown collections; InvalidInput for filters that do not apply.
    std::int64_t write(const std::string& collection, geo::ExportFormat format,
                       const ItemsQuery& query, const Caller& caller,
                       const std::filesystem::path& path, const License& own);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
