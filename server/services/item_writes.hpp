#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "server/services/caller.hpp"
#include "server/services/items.hpp"

/// The steps every write of a vacancy or Zukunftsort takes, shared by VacancyService and
/// ZukunftsortService. Their order decides what a caller learns: whether it may write at all
/// first, then (for a change) the item, the right to change it and its version, and only then
/// the body, so that a caller without rights learns nothing from the body's problems and ids
/// cannot be probed for hidden items.
namespace leerstand::services {

/// "vacancy 7 does not exist": the one answer for an unknown id and for an item the caller may
/// not see.
NotFound no_such_item(std::string_view noun, std::int64_t id);

/// Refuses callers who may write nowhere before their input is looked at: the public (401),
/// planners and editors without a Kommune (403).
void require_some_write(const Caller& caller);

/// How the shared steps reach and name the stored items of one collection.
template <typename Record>
struct WritableItems {
    std::string_view noun;     ///< "vacancy", "Zukunftsort": as the messages name one
    std::string_view invalid;  ///< "the vacancy is not valid": how the detail of a bad body begins
    std::function<std::optional<Record>(std::int64_t)> load;
    std::function<bool(const Record&, const Caller&)> may_see;
    /// The Kommune whose writers may change the item (require_write).
    std::function<std::string(const Record&)> scope;
    /// When set, decides instead of require_write on `scope` whether the caller may write the
    /// item: needs lie in no one Kommune, every editor and admin may write them.
    std::function<void(const Record&, const Caller&)> require_change;
    /// Stores `next` over `current` at `version` after the collection's own checks.
    std::function<FeatureResult(const Record& current, Record next, std::int64_t version,
                                const Caller& caller)>
        update;
};

/// Throws unless `caller` may write `record` (WritableItems::require_change, else
/// require_write on its scope).
template <typename Record>
void require_item_write(const WritableItems<Record>& items, const Record& record,
                        const Caller& caller) {
    if (items.require_change)
        items.require_change(record, caller);
    else
        require_write(caller, items.scope(record));
}

/// A new item (POST): refuses callers who may write nowhere, then `make(errors)` makes the
/// record of the body, collecting its problems, which are thrown as one InvalidInput; then
/// the caller must be allowed to write where the record lies. Returns it, to be stored.
template <typename Record, typename Make>
Record new_item(const WritableItems<Record>& items, const Caller& caller, Make&& make) {
    require_some_write(caller);
    FieldErrors errors;
    Record record = std::forward<Make>(make)(errors);
    errors.throw_if_any(items.invalid);
    require_item_write(items, record, caller);
    return record;
}

/// The versioned write: loads item `id` for `caller` to change and returns
/// `write(current, version)`. In this order: Unauthenticated for the public; NotFound for an
/// item that is missing or that the caller may not see (the same answer); Forbidden when the
/// caller may see it but not change it; PreconditionRequired without `if_match`;
/// PreconditionFailed when `if_match` is not the current version.
template <typename Record, typename Write>
decltype(auto) versioned_write(const WritableItems<Record>& items, std::int64_t id,
                               std::optional<std::int64_t> if_match, const Caller& caller,
                               Write&& write) {
    require_signed_in(caller);
    const std::optional<Record> current = items.load(id);
    if (!current || !items.may_see(*current, caller)) throw no_such_item(items.noun, id);
    require_item_write(items, *current, caller);
    if (!if_match)
        throw PreconditionRequired(
            "send the version you changed as If-Match (the ETag of your last GET)");
    if (current->version != *if_match)
        throw PreconditionFailed::stale(std::string(items.noun), id, current->version, *if_match);
    return std::forward<Write>(write)(*current, *if_match);
}

/// A replace or patch (PUT, PATCH) through the versioned write: `next(current, errors)` makes
/// the new record of the body, collecting its problems, which are thrown as one InvalidInput
/// before `items.update` stores it under the item's id.
template <typename Record, typename Next>
FeatureResult changed_item(const WritableItems<Record>& items, std::int64_t id,
                           std::optional<std::int64_t> if_match, const Caller& caller,
                           Next&& next) {
    return versioned_write(items, id, if_match, caller,
                           [&](const Record& current, std::int64_t version) {
                               FieldErrors errors;
                               Record changed = std::forward<Next>(next)(current, errors);
                               errors.throw_if_any(items.invalid);
                               changed.id = id;
                               return items.update(current, std::move(changed), version, caller);
                           });
}

}  // namespace leerstand::services
