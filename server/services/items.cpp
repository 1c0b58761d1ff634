#include "server/services/items.hpp"

#include "common/ags.hpp"
#include "common/field_errors.hpp"

namespace leerstand::services {

namespace {

constexpr std::int64_t k_max_limit = 10000;

}  // namespace

std::optional<Collection> parse_collection(const std::string& id) {
    if (id == "vacancies") return Collection::Vacancies;
    if (id == "zukunftsorte") return Collection::Zukunftsorte;
    if (id == "angebote") return Collection::Angebote;  // part "offers"
    if (id == "gesuche") return Collection::Gesuche;    // part "needs"
    return std::nullopt;
}

void check_page_query(const ItemsQuery& query, FieldErrors& errors) {
    if (query.limit < 1 || query.limit > k_max_limit)
        errors.add("limit", field_code::k_out_of_range,
                   "limit must be between 1 and " + std::to_string(k_max_limit));
    if (query.offset < 0)
        errors.add("offset", field_code::k_out_of_range, "offset must be 0 or more");
    if (query.kommune && !Ags::is_prefix(*query.kommune))
        errors.add("kommune", field_code::k_not_an_ags,
                   "kommune must be an AGS (or its first digits), up to 8 digits");
}

}  // namespace leerstand::services
