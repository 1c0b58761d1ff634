#include "server/services/vacancy_service.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "data/vacancy_store.hpp"
#include "server/services/feature_input.hpp"
#include "server/services/item_writes.hpp"
#include "server/services/place_resolver.hpp"
#include "server/services/privacy.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

constexpr std::string_view k_noun = "vacancy";

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
        allowed.empty() ? "none: " + from + " is final" : "allowed: " + joined(allowed);
    throw Unprocessable(ErrorCode{error_code::k_status_transition},
                        "a vacancy cannot go from status " + from + " to " + to + "; " + next,
                        json{{"from", from}, {"to", to}, {"allowed", allowed}});
}

}  // namespace

struct VacancyService::Impl {
    Impl(data::Store& s, PlaceResolver& p) : store(s), places(p) {
        items.noun = k_noun;
        items.invalid = "the vacancy is not valid";
        items.load = [this](std::int64_t id) { return vacancies().vacancy(id); };
        items.may_see = may_see_vacancy;
        items.scope = [](const data::VacancyRecord& record) { return record.kommune_ags; };
        items.update = [this](const data::VacancyRecord& current, data::VacancyRecord next,
                              std::int64_t version, const Caller& caller) {
            if (next.kommune_ags != current.kommune_ags) require_write(caller, next.kommune_ags);
            require_transition(current.status, next.status);
            // Store-kept fields come from the row, not from the input.
            next.author = current.author;
            return result(vacancies().update_vacancy(next, version, caller.name), caller);
        };
    }

    data::Store& store;
    PlaceResolver& places;
    WritableItems<data::VacancyRecord> items;

    data::VacancyStore vacancies() { return data::VacancyStore(store); }

    static FeatureResult result(const data::VacancyRecord& record, const Caller& caller) {
        auto feature = vacancy_feature(record, caller);
        // Writers always see what they wrote; a reader never reaches here for a hidden one.
        if (!feature) throw no_such_item(k_noun, record.id);
        // The version the caller sees (privacy.hpp): the ETag must not tell more.
        const std::int64_t version = feature->at("properties").at("version").get<std::int64_t>();
        return FeatureResult{record.id, version, std::move(*feature)};
    }
};

VacancyService::VacancyService(data::Store& store, PlaceResolver& places)
    : m_impl(std::make_unique<Impl>(store, places)) {}
VacancyService::~VacancyService() = default;
VacancyService::VacancyService(VacancyService&&) noexcept = default;
VacancyService& VacancyService::operator=(VacancyService&&) noexcept = default;

FeatureResult VacancyService::get(std::int64_t id, const Caller& caller) {
    const auto record = m_impl->vacancies().vacancy(id);
    // The same answer for hidden and unknown ids, so existence is not revealed.
    if (!record || !may_see_vacancy(*record, caller)) throw no_such_item(k_noun, id);
    return Impl::result(*record, caller);
}

ItemsPage VacancyService::list(const ItemsQuery& query, const Caller& caller) {
    FieldErrors errors;
    check_page_query(query, errors);
    if (query.status) check_one_of("status", data::k_vacancy_statuses, *query.status, errors);
    if (query.use) check_one_of("use", data::k_vacancy_uses, *query.use, errors);
    errors.throw_if_any("invalid query parameter");

    data::VacancyFilter filter;
    filter.visibility = vacancy_visibility(caller);
    filter.kommune_prefix = query.kommune;
    filter.status = query.status;
    filter.use = query.use;
    filter.vacant_since = query.datetime;
    filter.bbox = query.bbox;
    filter.address = query.address;
    filter.limit = query.limit;
    filter.offset = query.offset;
    filter.sort = query.sortby;
    auto records = m_impl->vacancies().list_vacancies(filter);
    ItemsPage page;
    page.number_matched = records.number_matched;
    for (const auto& record : records.items) {
        // The SQL condition and the filter agree; the filter has the last word anyway.
        if (auto feature = vacancy_feature(record, caller))
            page.features.push_back(std::move(*feature));
    }
    return page;
}

FeatureResult VacancyService::create(const json& feature, const Caller& caller) {
    data::VacancyRecord record = new_item(m_impl->items, caller, [&](FieldErrors& errors) {
        return m_impl->places.placed(read_vacancy_draft(feature, errors), errors);
    });
    record.author = caller.name;
    return Impl::result(m_impl->vacancies().insert_vacancy(record, caller.name), caller);
}

FeatureResult VacancyService::replace(std::int64_t id, const json& feature,
                                      std::optional<std::int64_t> if_match, const Caller& caller) {
    // A replace states every field: without kommune_ags or building_id they are derived again.
    return changed_item(
        m_impl->items, id, if_match, caller, [&](const data::VacancyRecord&, FieldErrors& errors) {
            return m_impl->places.placed(read_vacancy_draft(feature, errors), errors);
        });
}

FeatureResult VacancyService::patch(std::int64_t id, const json& patch,
                                    std::optional<std::int64_t> if_match, const Caller& caller) {
    return changed_item(m_impl->items, id, if_match, caller,
                        [&](const data::VacancyRecord& current, FieldErrors& errors) {
                            return m_impl->places.placed(read_vacancy_patch(patch, errors), current,
                                                         errors);
                        });
}

void VacancyService::remove(std::int64_t id, std::optional<std::int64_t> if_match,
                            const Caller& caller) {
    versioned_write(m_impl->items, id, if_match, caller,
                    [&](const data::VacancyRecord&, std::int64_t version) {
                        m_impl->vacancies().remove_vacancy(id, version, caller.name);
                    });
}

json VacancyService::history(std::int64_t id, const Caller& caller) {
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
        throw no_such_item(k_noun, id);
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
