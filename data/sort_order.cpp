#include "data/sort_order.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace leerstand::data {

const std::vector<std::string>& sortable_properties(std::string_view collection) {
    // Property names are the column names of these tables.
    static const std::vector<std::string> k_buildings = {
        "kommune_ags", "source_ref",  "function", "floors", "name",
        "street",      "housenumber", "postcode", "city",   "area_m2"};
    static const std::vector<std::string> k_kommunen = {"ags", "name", "bez", "parent_ags",
                                                        "area_m2"};
    // Not created_at, updated_at, version (the public has its own), nor internal fields.
    static const std::vector<std::string> k_vacancies = {
        "status", "use", "degree", "vacant_since", "floor_area_m2", "building_id", "kommune_ags"};
    // Not vacancy_id: the public sees it only when the vacancy is published.
    static const std::vector<std::string> k_zukunftsorte = {"name", "kind", "opened", "kommune_ags",
                                                            "building_id"};
    static const std::vector<std::string> k_none;
    if (collection == "buildings") return k_buildings;
    if (collection == "kommunen") return k_kommunen;
    if (collection == "vacancies") return k_vacancies;
    if (collection == "zukunftsorte") return k_zukunftsorte;
    return k_none;
}

std::string order_by(std::string_view collection, const std::vector<SortKey>& keys,
                     std::string_view id_column) {
    const auto& sortable = sortable_properties(collection);
    std::string sql = " ORDER BY ";
    for (const SortKey& key : keys) {
        if (std::find(sortable.begin(), sortable.end(), key.property) == sortable.end())
            throw InvalidInput("'" + key.property + "' is not a sortable property of " +
                               std::string(collection));
        // NULLs sort as the smallest value, as SQLite does by default and PostgreSQL does not.
        sql += std::string(1, collection.front()) + "." + key.property +
               (key.descending ? " DESC NULLS LAST, " : " ASC NULLS FIRST, ");
    }
    return sql + std::string(id_column);
}

}  // namespace leerstand::data
