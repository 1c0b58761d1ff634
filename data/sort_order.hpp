#pragma once

#include <string>
#include <string_view>
#include <vector>

/// The order of a page of items (OGC API – Features `sortby`): properties that are plain
/// columns and that every caller who sees a row sees alike (never an internal field, never a
/// value the public sees in its own version), so an order tells nothing a row does not show.
namespace leerstand::data {

/// One key of `sortby`: a property, ascending unless `descending`.
struct SortKey {
    std::string property;
    bool descending = false;
};

/// The properties items of `collection` ("buildings", "kommunen", "vacancies",
/// "zukunftsorte") can be sorted by; empty for any other name.
const std::vector<std::string>& sortable_properties(std::string_view collection);

/// `ORDER BY` (with a leading blank) for `keys` over the rows of `collection` aliased as its
/// first letter (`b`, `k`, `v`, `z`), then `id_column` ascending, so that equal keys keep one
/// order across pages.
/// @throws InvalidInput for a key that is not in sortable_properties(collection).
std::string order_by(std::string_view collection, const std::vector<SortKey>& keys,
                     std::string_view id_column);

}  // namespace leerstand::data
