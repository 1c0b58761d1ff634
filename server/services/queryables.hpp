#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/services/items.hpp"

/// What clients may ask of a collection's properties (OGC API – Features Part 3 queryables,
/// and the `properties` and `sortby` parameters of items). The same for every caller: a
/// property a caller may not see is simply absent from its features, whatever it asks.
namespace leerstand::services {

/// The queryables of collection `id` as JSON Schema (`$schema`, `$id` under `base`, `type:
/// object`, a schema per property a filter parameter of items reads, `additionalProperties:
/// false`). @throws NotFound for an unknown collection.
nlohmann::json queryables(const std::string& id, const std::string& base);

/// Every property name the features of collection `id` carry for some caller (internal ones
/// included: asking for them is no secret, the filter still decides what comes back).
const std::vector<std::string>& property_names(const std::string& id);

/// Refuses `properties` that features of `id` never carry and `sortby` keys that are not
/// sortable there (data::sortable_properties).
/// @throws InvalidInput naming each (codes `unknown_property`, `not_sortable`).
void check_properties_and_sortby(const std::string& id, const ItemsQuery& query);

}  // namespace leerstand::services
