#include "server/services/zukunftsort_service.hpp"

#include <string>
#include <utility>

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

constexpr std::string_view k_noun = "Zukunftsort";
constexpr std::string_view k_invalid = "the Zukunftsort is not valid";

std::string scope_of(const data::ZukunftsortRecord& record) {
    // kommune_ags is always derived on write; an old row without one is the admin's.
    return record.kommune_ags.value_or("");
}

}  // namespace

struct ZukunftsortService::Impl {
    Impl(data::Store& s, PlaceResolver& p) : store(s), places(p) {
        items.noun = k_noun;
        items.invalid = k_invalid;
        items.load = [this](std::int64_t id) { return vacancies().zukunftsort(id); };
        // Zukunftsorte are public: whoever may change one may see it.
        items.may_see = [](const data::ZukunftsortRecord&, const Caller&) { return true; };
        items.scope = scope_of;
        items.update = [this](const data::ZukunftsortRecord& current, data::ZukunftsortRecord next,
                              std::int64_t version, const Caller& caller) {
            // A link the caller cannot see (shown as null) cannot have been meant to be
            // dropped by echoing that null back: keep it.
            if (current.vacancy_id && !next.vacancy_id &&
                zukunftsort_properties(current, caller).at("vacancy_id").is_null())
                next.vacancy_id = current.vacancy_id;
            if (next.kommune_ags != current.kommune_ags) require_write(caller, scope_of(next));
            data::VacancyStore db = vacancies();
            auto transaction = db.begin_write();
            if (next.vacancy_id && next.vacancy_id != current.vacancy_id)
                link_vacancy(db, *next.vacancy_id, current.id, caller);
            data::ZukunftsortRecord stored = db.update_zukunftsort(next, version);
            transaction.commit();
            return result(stored, caller);
        };
    }

    data::Store& store;
    PlaceResolver& places;
    WritableItems<data::ZukunftsortRecord> items;

    data::VacancyStore vacancies() { return data::VacancyStore(store); }

    static FeatureResult result(const data::ZukunftsortRecord& record, const Caller& caller) {
        return FeatureResult{record.id, record.version, zukunftsort_feature(record, caller)};
    }

    /// Inside the write transaction: checks that the caller may turn vacancy `vacancy_id`
    /// into Zukunftsort `place_id` (0 for a new one) and moves it from in_aktivierung to
    /// aktiviert.
    static void link_vacancy(data::VacancyStore& db, std::int64_t vacancy_id, std::int64_t place_id,
                             const Caller& caller) {
        const auto vacancy = db.vacancy(vacancy_id);
        // One the caller may not see is as unknown to it as a missing one.
        if (!vacancy || !may_see_vacancy(*vacancy, caller)) {
            FieldErrors errors;
            errors.add("vacancy_id", field_code::k_unknown_vacancy,
                       "no vacancy with id " + std::to_string(vacancy_id));
            throw errors.error(k_invalid);
        }
        require_write(caller, vacancy->kommune_ags);
        if (vacancy->status != "in_aktivierung" && vacancy->status != "aktiviert")
            throw Unprocessable(
                ErrorCode{error_code::k_vacancy_status_not_linkable},
                "only a vacancy in_aktivierung or aktiviert can become a Zukunftsort; vacancy " +
                    std::to_string(vacancy_id) + " is " + vacancy->status,
                json{{"vacancy_id", vacancy_id},
                     {"status", vacancy->status},
                     {"allowed", {"in_aktivierung", "aktiviert"}}});
        if (const auto other = db.zukunftsort_of_vacancy(vacancy_id); other && *other != place_id)
            throw Conflict(ErrorCode{error_code::k_vacancy_already_linked},
                           "vacancy " + std::to_string(vacancy_id) +
                               " is already linked to Zukunftsort " + std::to_string(*other),
                           json{{"zukunftsort_id", *other}});
        if (vacancy->status == "in_aktivierung") {
            data::VacancyRecord next = *vacancy;
            next.status = "aktiviert";
            db.update_vacancy(next, vacancy->version, caller.name);
        }
    }
};

ZukunftsortService::ZukunftsortService(data::Store& store, PlaceResolver& places)
    : m_impl(std::make_unique<Impl>(store, places)) {}
ZukunftsortService::~ZukunftsortService() = default;
ZukunftsortService::ZukunftsortService(ZukunftsortService&&) noexcept = default;
ZukunftsortService& ZukunftsortService::operator=(ZukunftsortService&&) noexcept = default;

FeatureResult ZukunftsortService::get(std::int64_t id, const Caller& caller) {
    const auto record = m_impl->vacancies().zukunftsort(id);
    if (!record) throw no_such_item(k_noun, id);
    return Impl::result(*record, caller);
}

ItemsPage ZukunftsortService::list(const ItemsQuery& query, const Caller& caller) {
    FieldErrors errors;
    check_page_query(query, errors);
    if (query.status)
        errors.add("status", field_code::k_not_applicable,
                   "the status filter applies to vacancies only");
    if (query.use)
        errors.add("use", field_code::k_not_applicable, "the use filter applies to vacancies only");
    if (query.address)
        errors.add("address", field_code::k_not_applicable,
                   "the address search applies to vacancies only");
    errors.throw_if_any("invalid query parameter");

    data::ZukunftsortFilter filter;
    filter.kommune_prefix = query.kommune;
    filter.opened = query.datetime;
    filter.bbox = query.bbox;
    filter.limit = query.limit;
    filter.offset = query.offset;
    filter.sort = query.sortby;
    auto records = m_impl->vacancies().list_zukunftsorte(filter);
    ItemsPage page;
    page.number_matched = records.number_matched;
    for (const auto& record : records.items)
        page.features.push_back(zukunftsort_feature(record, caller));
    return page;
}

FeatureResult ZukunftsortService::create(const json& feature, const Caller& caller) {
    const data::ZukunftsortRecord record =
        new_item(m_impl->items, caller, [&](FieldErrors& errors) {
            return m_impl->places.placed(read_zukunftsort_draft(feature, errors), errors);
        });
    data::VacancyStore db = m_impl->vacancies();
    auto transaction = db.begin_write();
    if (record.vacancy_id) Impl::link_vacancy(db, *record.vacancy_id, 0, caller);
    data::ZukunftsortRecord stored = db.insert_zukunftsort(record);
    transaction.commit();
    return Impl::result(stored, caller);
}

FeatureResult ZukunftsortService::replace(std::int64_t id, const json& feature,
                                          std::optional<std::int64_t> if_match,
                                          const Caller& caller) {
    return changed_item(m_impl->items, id, if_match, caller,
                        [&](const data::ZukunftsortRecord&, FieldErrors& errors) {
                            return m_impl->places.placed(read_zukunftsort_draft(feature, errors),
                                                         errors);
                        });
}

FeatureResult ZukunftsortService::patch(std::int64_t id, const json& patch,
                                        std::optional<std::int64_t> if_match,
                                        const Caller& caller) {
    return changed_item(m_impl->items, id, if_match, caller,
                        [&](const data::ZukunftsortRecord& current, FieldErrors& errors) {
                            return m_impl->places.placed(read_zukunftsort_patch(patch, errors),
                                                         current, errors);
                        });
}

void ZukunftsortService::remove(std::int64_t id, std::optional<std::int64_t> if_match,
                                const Caller& caller) {
    versioned_write(m_impl->items, id, if_match, caller,
                    [&](const data::ZukunftsortRecord&, std::int64_t version) {
                        m_impl->vacancies().remove_zukunftsort(id, version);
                    });
}

}  // namespace leerstand::services
