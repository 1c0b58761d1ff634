#include "server/services/offer_service.hpp"

#include <string>
#include <utility>

#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "data/offer_store.hpp"
#include "data/vacancy_store.hpp"
#include "matching/matching.hpp"
#include "server/services/feature_input.hpp"
#include "server/services/image_service.hpp"
#include "server/services/item_writes.hpp"
#include "server/services/privacy.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

constexpr std::string_view k_noun = "offer";
constexpr std::string_view k_invalid = "the offer is not valid";

}  // namespace

struct OfferService::Impl {
    explicit Impl(data::Store& s) : store(s) {
        items.noun = k_noun;
        items.invalid = k_invalid;
        items.load = [this](std::int64_t id) { return offers().offer(id); };
        items.may_see = [](const data::OfferRecord& offer, const Caller& caller) {
            return may_see_offer(offer, caller);
        };
        items.scope = [](const data::OfferRecord& offer) { return offer.kommune_ags; };
        items.update = [this](const data::OfferRecord&, data::OfferRecord next,
                              std::int64_t version, const Caller& caller) {
            return result(offers().update(next, version), caller);
        };
    }

    data::Store& store;
    WritableItems<data::OfferRecord> items;

    data::OfferStore offers() { return data::OfferStore(store); }

    static FeatureResult result(const data::OfferRecord& record, const Caller& caller) {
        // Whoever wrote it may see it (an editor in scope reads its Kommune's internals).
        auto feature = offer_feature(record, caller);
        if (!feature) throw no_such_item(k_noun, record.id);
        return FeatureResult{record.id, record.version, std::move(*feature)};
    }

    /// Every picture must be stored: a page must not show a broken one.
    void check_images(const std::vector<std::string>& ids, FieldErrors& errors) {
        ImageService images(store);
        for (std::size_t i = 0; i < ids.size(); ++i)
            if (!images.exists(ids[i]))
                errors.add("images", field_code::k_unknown_image,
                           "images[" + std::to_string(i) + "]: no image with id '" + ids[i] + "'");
    }

    /// Applies `input` to `next` (a copy of `current`, or its defaults), with the checks of a
    /// change: its pictures exist, and the offer stays on its vacancy.
    void change(data::OfferRecord& next, const data::OfferRecord& current, const OfferPatch& input,
                FieldErrors& errors) {
        input.apply_to(next);
        if (input.images) check_images(*input.images, errors);
        if (next.vacancy_id != current.vacancy_id)
            errors.add("vacancy_id", field_code::k_read_only,
                       "an offer stays on its vacancy; withdraw it and offer the other vacancy");
    }

    /// The vacancy a new offer is made on, as far as the caller may see it: one it may not
    /// see is as unknown as a missing one.
    data::VacancyRecord offered_vacancy(std::int64_t vacancy_id, const Caller& caller) {
        const auto vacancy = data::VacancyStore(store).vacancy(vacancy_id);
        if (!vacancy || !may_see_vacancy(*vacancy, caller))
            throw no_such_item("vacancy", vacancy_id);
        return *vacancy;
    }
};

OfferService::OfferService(data::Store& store) : m_impl(std::make_unique<Impl>(store)) {}
OfferService::~OfferService() = default;
OfferService::OfferService(OfferService&&) noexcept = default;
OfferService& OfferService::operator=(OfferService&&) noexcept = default;

FeatureResult OfferService::get(std::int64_t id, const Caller& caller) {
    const auto record = m_impl->offers().offer(id);
    if (!record || !may_see_offer(*record, caller)) throw no_such_item(k_noun, id);
    return Impl::result(*record, caller);
}

ItemsPage OfferService::list(const ItemsQuery& query, const Caller& caller) {
    FieldErrors errors;
    check_page_query(query, errors);
    if (query.use) check_one_of("use", data::k_vacancy_uses, *query.use, errors);
    if (query.kind) check_one_of("kind", matching::k_offer_kinds, *query.kind, errors);
    if (query.status) check_one_of("status", data::k_offer_statuses, *query.status, errors);
    if (query.min_area && query.max_area && *query.min_area > *query.max_area)
        errors.add("max_area", field_code::k_out_of_range,
                   "max_area must not be less than min_area");
    if (query.datetime)
        errors.add("datetime", field_code::k_not_applicable, "offers have no datetime filter");
    if (query.address)
        errors.add("address", field_code::k_not_applicable,
                   "the address search applies to vacancies only");
    errors.throw_if_any("invalid query parameter");

    data::OfferFilter filter;
    filter.visibility = offer_visibility(caller);
    filter.kommune_prefix = query.kommune;
    filter.use = query.use;
    filter.kind = query.kind;
    filter.status = query.status;
    filter.min_area = query.min_area;
    filter.max_area = query.max_area;
    filter.bbox = query.bbox;
    filter.limit = query.limit;
    filter.offset = query.offset;
    const auto records = m_impl->offers().list(filter);
    ItemsPage page;
    page.number_matched = records.number_matched;
    for (const auto& record : records.items)
        if (auto feature = offer_feature(record, caller))
            page.features.push_back(std::move(*feature));
    return page;
}

FeatureResult OfferService::create(const json& feature, const Caller& caller) {
    const data::OfferRecord record = new_item(m_impl->items, caller, [&](FieldErrors& errors) {
        data::OfferRecord draft;
        const OfferPatch input = read_offer_draft(feature, errors);
        input.apply_to(draft);
        if (input.images) m_impl->check_images(*input.images, errors);
        if (input.vacancy_id) {
            const data::VacancyRecord vacancy = m_impl->offered_vacancy(*input.vacancy_id, caller);
            draft.kommune_ags = vacancy.kommune_ags;
            draft.vacancy_consent_publish = vacancy.consent_publish;
        }
        return draft;
    });
    // After the right to write there: a caller outside the Kommune learns nothing of consent.
    if (!record.vacancy_consent_publish)
        throw Unprocessable(ErrorCode{error_code::k_vacancy_not_published},
                            "vacancy " + std::to_string(record.vacancy_id) +
                                " has no owner's consent to publish; only a published vacancy "
                                "can be offered",
                            json{{"vacancy_id", record.vacancy_id}});
    return Impl::result(m_impl->offers().insert(record, caller.name), caller);
}

FeatureResult OfferService::replace(std::int64_t id, const json& feature,
                                    std::optional<std::int64_t> if_match, const Caller& caller) {
    return changed_item(m_impl->items, id, if_match, caller,
                        [&](const data::OfferRecord& current, FieldErrors& errors) {
                            data::OfferRecord next = current;
                            // A whole offer: what the body leaves out takes its default.
                            next.floor_area_m2.reset();
                            next.conditions.reset();
                            next.available_from.reset();
                            next.images.clear();
                            next.contact_email.reset();
                            next.contact_phone.reset();
                            next.status = "offen";
                            m_impl->change(next, current, read_offer_draft(feature, errors),
                                           errors);
                            return next;
                        });
}

FeatureResult OfferService::patch(std::int64_t id, const json& patch,
                                  std::optional<std::int64_t> if_match, const Caller& caller) {
    return changed_item(m_impl->items, id, if_match, caller,
                        [&](const data::OfferRecord& current, FieldErrors& errors) {
                            data::OfferRecord next = current;
                            m_impl->change(next, current, read_offer_patch(patch, errors), errors);
                            return next;
                        });
}

void OfferService::remove(std::int64_t id, std::optional<std::int64_t> if_match,
                          const Caller& caller) {
    versioned_write(m_impl->items, id, if_match, caller,
                    [&](const data::OfferRecord&, std::int64_t version) {
                        m_impl->offers().remove(id, version);
                    });
}

}  // namespace leerstand::services
