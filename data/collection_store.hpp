#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "data/bbox.hpp"
#include "data/sort_order.hpp"
#include "data/vacancy_records.hpp"

namespace leerstand::data {

class Store;
class Connection;

/// How list and export queries hand out geometries.
enum class GeometryText {
    GeoJson,  ///< RFC 7946 text: counter-clockwise outer rings, at most 7 decimals
    Wkt,      ///< WKT with at most 7 decimals
    Wkb,      ///< WKB bytes (counter-clockwise outer rings)
};

/// A building as the read side publishes it; `geometry` in the GeometryText asked for
/// (GeoJSON for pages and single items).
struct BuildingItem {
    std::int64_t id = 0;
    std::string kommune_ags;
    std::optional<std::string> source_ref;
    std::optional<std::string> function;
    std::optional<std::int64_t> floors;
    std::optional<std::string> name;
    std::optional<std::string> street;
    std::optional<std::string> housenumber;
    std::optional<std::string> postcode;
    std::optional<std::string> city;
    std::optional<double> area_m2;
    std::string geometry;
};

/// A Kommune as the read side publishes it; no boundary gives a null geometry.
struct KommuneItem {
    std::string ags;
    std::string name;
    std::optional<std::string> bez;
    std::optional<std::string> parent_ags;
    std::optional<double> area_m2;
    std::optional<std::string> geometry;      ///< in the GeometryText asked for
    std::optional<std::string> member_since;  ///< YYYY-MM-DD; none: not a member of the network
    bool founding_member = false;
};

/// Filters of a buildings or Kommunen page.
struct CollectionFilter {
    std::optional<Bbox> bbox;                   ///< features whose geometry intersects it
    std::optional<std::string> kommune_prefix;  ///< AGS prefix (buildings only)
    std::int64_t limit = 100;
    std::int64_t offset = 0;
    std::vector<SortKey> sort;  ///< before the id (sort_order.hpp); pages by offset then
};

/// Read-only access to buildings and Kommunen for OGC API – Features, plus collection extents.
/// Paging is ordered by id (AGS for Kommunen). Offset rows are skipped by SQLite before any
/// geometry is encoded; `kommune` becomes an index range on `kommune_ags`, `bbox` a lookup in
/// the SpatiaLite R*Tree followed by an exact intersection test.
class CollectionStore {
  public:
    explicit CollectionStore(Store& store);

    /// The extent of `table`'s geometries ("buildings", "kommunen", "vacancies",
    /// "zukunftsorte"); of vacancies only those `visible` lets the caller see (metadata must
    /// not show where a hidden one lies); nullopt when there are none.
    /// @throws InvalidInput for any other table name.
    std::optional<Bbox> extent(const std::string& table, const VacancyVisibility& visible);

    /// The first and last day of the collection's time ("vacancies": vacant_since of those
    /// `visible` lets the caller see; "zukunftsorte": opened); nullopt when no row has one.
    /// @throws InvalidInput for other tables, which have no time.
    std::optional<DateRange> temporal_extent(const std::string& table,
                                             const VacancyVisibility& visible);

    RecordPage<BuildingItem> list_buildings(const CollectionFilter& filter);
    std::optional<BuildingItem> building(std::int64_t id);

    RecordPage<KommuneItem> list_kommunen(const CollectionFilter& filter);

    /// Calls `visit` for every building that matches `filter` (limit and offset ignored), in id
    /// order, one row at a time: an export of a million buildings holds one in memory.
    void for_each_building(const CollectionFilter& filter, GeometryText geometry,
                           const std::function<void(const BuildingItem&)>& visit);
    /// The same for Kommunen, in AGS order.
    void for_each_kommune(const CollectionFilter& filter, GeometryText geometry,
                          const std::function<void(const KommuneItem&)>& visit);
    std::optional<KommuneItem> kommune(const std::string& ags);

  private:
    Connection& m_db;
};

}  // namespace leerstand::data
