// The stores of users, membership requests, offers (and their images), needs and inquiries,
// each SQL path once
// (write, read back, list with its filters, update, delete, the retention deletes), on the
// store fixture's database, so that one text of their SQL is run on every backend.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "data/image_store.hpp"
#include "data/inquiry_store.hpp"
#include "data/membership_store.hpp"
#include "data/need_store.hpp"
#include "data/offer_store.hpp"
#include "data/store.hpp"
#include "data/user_store.hpp"
#include "data/vacancy_store.hpp"
#include "tests/data/store_fixture.hpp"

namespace {

using leerstand::Conflict;
using leerstand::InvalidInput;
using leerstand::NotFound;
using leerstand::PreconditionFailed;
using leerstand::data::Bbox;
using leerstand::data::ImageRecord;
using leerstand::data::ImageStore;
using leerstand::data::InquiryFilter;
using leerstand::data::InquiryRecord;
using leerstand::data::InquiryStore;
using leerstand::data::MembershipDecision;
using leerstand::data::MembershipRequestRecord;
using leerstand::data::MembershipStore;
using leerstand::data::NeedFilter;
using leerstand::data::NeedRecord;
using leerstand::data::NeedStore;
using leerstand::data::NetworkMembers;
using leerstand::data::OfferFilter;
using leerstand::data::OfferRecord;
using leerstand::data::OfferStore;
using leerstand::data::OfferVisibility;
using leerstand::data::Store;
using leerstand::data::UserRecord;
using leerstand::data::UserStore;
using leerstand::data::VacancyRecord;
using leerstand::data::VacancyStore;

// Times that every stored stamp (made now) is after, and before.
constexpr const char* k_long_ago = "2000-01-01T00:00:00Z";
constexpr const char* k_far_ahead = "9999-01-01T00:00:00Z";

UserRecord user(const std::string& name, const std::string& role,
                std::vector<std::string> kommunen = {}) {
    UserRecord record;
    record.name = name;
    record.role = role;
    record.password_hash = "hash of " + name;
    record.kommunen = std::move(kommunen);
    return record;
}

/// The inquiries in Kommunen of `prefixes` (none: all) with `status` (none: any).
InquiryFilter inquiries_of(std::optional<std::vector<std::string>> prefixes,
                           std::optional<std::string> status = std::nullopt) {
    InquiryFilter filter;
    filter.kommune_prefixes = std::move(prefixes);
    filter.status = std::move(status);
    return filter;
}

std::vector<std::int64_t> ids_of(const auto& records) {
    std::vector<std::int64_t> ids;
    for (const auto& record : records) ids.push_back(record.id);
    return ids;
}

class ActivationStoresTest : public leerstand::test::StoreTest {
  protected:
    void SetUp() override {
        m_store.emplace(m_location);
        add_two_kommunen(*m_store);
        VacancyStore vacancies(*m_store);
        m_public_vacancy = vacancies.insert_vacancy(vacancy(angermuende, true), "anna").id;
        m_internal_vacancy = vacancies.insert_vacancy(vacancy(herzberg, false), "anna").id;
    }

    static VacancyRecord vacancy(const std::string& ags, bool consent) {
        VacancyRecord record;
        record.kommune_ags = ags;
        record.lon = ags == angermuende ? 13.95 : 13.25;
        record.lat = ags == angermuende ? 53.05 : 51.75;
        record.status = "bestaetigt";
        record.use = ags == angermuende ? "laden" : "wohnen";
        record.consent_publish = consent;
        return record;
    }

    static OfferRecord offer(std::int64_t vacancy_id, std::vector<std::string> kinds,
                             std::optional<double> area) {
        OfferRecord record;
        record.vacancy_id = vacancy_id;
        record.title = "Ladenlokal am Markt";
        record.kinds = std::move(kinds);
        record.floor_area_m2 = area;
        record.contact_role = "Leerstandsmanagement";
        record.contact_email = "leerstand@example.org";
        return record;
    }

    /// What the public may see of offers: open ones on consented, confirmed vacancies.
    static OfferVisibility public_offers() {
        OfferVisibility visibility;
        visibility.public_statuses = {"offen"};
        visibility.public_vacancy_statuses = {"bestaetigt"};
        return visibility;
    }

    std::optional<Store> m_store;
    std::int64_t m_public_vacancy = 0;
    std::int64_t m_internal_vacancy = 0;
};

TEST_F(ActivationStoresTest, UsersTokensAndSessions) {
    UserStore users(*m_store);
    const UserRecord anna = user("anna", "editor", {herzberg, angermuende, angermuende});
    const std::int64_t anna_id = users.insert_user(anna);
    const std::int64_t bert_id = users.insert_user(user("bert", "admin"));
    EXPECT_NE(anna_id, bert_id);
    EXPECT_THROW(users.insert_user(anna), Conflict);
    const auto found = users.find_user("anna");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, anna_id);
    EXPECT_EQ(found->kommunen, (std::vector<std::string>{herzberg, angermuende}));
    EXPECT_FALSE(found->created_at.empty());
    EXPECT_EQ(users.find_user(bert_id)->name, "bert");
    EXPECT_EQ(ids_of(users.list_users()), (std::vector<std::int64_t>{anna_id, bert_id}));

    users.set_disabled(anna_id, true);
    users.update_password_hash(anna_id, "hash-3");
    EXPECT_TRUE(users.find_user(anna_id)->disabled);
    EXPECT_EQ(users.find_user(anna_id)->password_hash, "hash-3");
    EXPECT_THROW(users.set_disabled(bert_id + 100, true), NotFound);
    EXPECT_THROW(users.update_password_hash(bert_id + 100, "x"), NotFound);

    const std::int64_t token_id = users.insert_token(anna_id, "token-hash", "script");
    const std::int64_t expired_id = users.insert_token(bert_id, "old-hash", "", k_long_ago);
    EXPECT_NE(token_id, expired_id);
    EXPECT_THROW(users.insert_token(anna_id, "token-hash", "again"), Conflict);
    EXPECT_THROW(users.insert_token(bert_id + 100, "other-hash", ""), NotFound);
    EXPECT_EQ(users.user_for_token("token-hash")->id, anna_id);
    EXPECT_FALSE(users.user_for_token("old-hash"));
    EXPECT_EQ(users.token(expired_id)->expires_at, k_long_ago);
    ASSERT_TRUE(users.revoke_token(token_id));
    const std::string revoked_at = users.token(token_id)->revoked_at;
    EXPECT_FALSE(revoked_at.empty());
    EXPECT_FALSE(users.user_for_token("token-hash"));
    EXPECT_TRUE(users.revoke_token_by_hash("old-hash"));
    EXPECT_FALSE(users.revoke_token(expired_id + 100));
    EXPECT_FALSE(users.revoke_token_by_hash("no-such-hash"));

    users.insert_session("session-now", anna_id, k_far_ahead);
    users.insert_session("session-old", bert_id, k_long_ago);
    EXPECT_EQ(users.user_for_session("session-now")->id, anna_id);
    EXPECT_FALSE(users.user_for_session("session-old"));
    EXPECT_EQ(users.delete_expired_sessions(), 1);
    EXPECT_TRUE(users.delete_session("session-now"));
    EXPECT_FALSE(users.delete_session("session-now"));
}

TEST_F(ActivationStoresTest, MembershipRequestsDecisionsAndMembers) {
    MembershipStore membership(*m_store);
    MembershipRequestRecord known;
    known.kommune_ags = angermuende;
    known.kommune_name = "as typed in the form";
    known.person = "Frau Beispiel";
    known.email = "beispiel@example.org";
    const std::int64_t known_id = membership.insert_request(known);
    MembershipRequestRecord unknown;
    unknown.kommune_name = "Neukirchen/Erzgeb.";
    unknown.message = "Wir möchten mitmachen.";
    const std::int64_t unknown_id = membership.insert_request(unknown);
    EXPECT_EQ(membership.request(known_id)->kommune_name, "Angermünde");
    EXPECT_FALSE(membership.request(unknown_id)->kommune_ags);
    EXPECT_EQ(ids_of(membership.list_requests()),
              (std::vector<std::int64_t>{unknown_id, known_id}));
    EXPECT_TRUE(membership.network().members.empty());
    EXPECT_FALSE(membership.network().bbox);

    EXPECT_THROW(membership.decide(known_id, true, "12345678", "admin", "2026-12-01"),
                 InvalidInput);
    EXPECT_EQ(membership.request(known_id)->status, "pending");
    EXPECT_THROW(membership.decide(unknown_id + 100, true, angermuende, "admin", "2026-12-01"),
                 NotFound);
    const MembershipDecision accepted =
        membership.decide(known_id, true, angermuende, "admin", "2026-12-01");
    EXPECT_TRUE(accepted.changed);
    EXPECT_EQ(accepted.request.status, "accepted");
    EXPECT_EQ(accepted.request.decided_by, "admin");
    const MembershipDecision again =
        membership.decide(known_id, false, angermuende, "other", "2026-12-02");
    EXPECT_FALSE(again.changed);
    EXPECT_EQ(again.request.status, "accepted");
    const MembershipDecision declined =
        membership.decide(unknown_id, false, "", "admin", "2026-12-01");
    EXPECT_EQ(declined.request.status, "declined");
    EXPECT_FALSE(declined.request.kommune_ags);

    const NetworkMembers network = membership.network();
    ASSERT_EQ(network.members.size(), 1u);
    EXPECT_EQ(network.members[0].ags, angermuende);
    EXPECT_EQ(network.members[0].member_since, "2026-12-01");
    ASSERT_TRUE(network.bbox);
    EXPECT_NEAR((*network.bbox)[0], 13.9, 1e-9);
    EXPECT_NEAR((*network.bbox)[3], 53.1, 1e-9);

    EXPECT_EQ(membership.delete_personal_data_decided_before(k_long_ago), 0);
    EXPECT_EQ(membership.delete_personal_data_decided_before(k_far_ahead), 2);
    const auto deleted = membership.request(known_id);
    EXPECT_FALSE(deleted->person);
    EXPECT_FALSE(deleted->email);
    EXPECT_TRUE(deleted->personal_data_deleted_at);
    EXPECT_EQ(deleted->status, "accepted");
    EXPECT_EQ(membership.delete_personal_data_decided_before(k_far_ahead), 0);
}

TEST_F(ActivationStoresTest, OffersWithTheirFiltersVersionsAndExtent) {
    OfferStore offers(*m_store);
    const OfferRecord shop =
        offers.insert(offer(m_public_vacancy, {"miete", "zwischennutzung"}, 80), "anna");
    const OfferRecord flat =
        offers.insert(offer(m_internal_vacancy, {"kauf"}, std::nullopt), "bert");
    EXPECT_EQ(shop.kinds, (std::vector<std::string>{"miete", "zwischennutzung"}));
    EXPECT_EQ(shop.author, "anna");
    EXPECT_EQ(shop.kommune_name, "Angermünde");
    EXPECT_DOUBLE_EQ(shop.lon, 13.95);
    EXPECT_TRUE(shop.vacancy_consent_publish);
    EXPECT_FALSE(shop.closed_at);
    EXPECT_THROW(offers.insert(offer(m_public_vacancy, {"miete"}, 10), "anna"), Conflict);
    EXPECT_EQ(offers.offer_of_vacancy(m_internal_vacancy)->id, flat.id);

    const auto listed = [&](OfferFilter filter) { return ids_of(offers.list(filter).items); };
    OfferFilter all;
    all.visibility.all = true;
    EXPECT_EQ(listed(all), (std::vector<std::int64_t>{shop.id, flat.id}));
    OfferFilter filter = all;
    filter.kind = "zwischennutzung";
    EXPECT_EQ(listed(filter), std::vector<std::int64_t>{shop.id});
    filter = all;
    filter.min_area = 50;
    EXPECT_EQ(listed(filter), std::vector<std::int64_t>{shop.id});
    filter.min_area = 90;
    EXPECT_TRUE(listed(filter).empty());
    filter = all;
    filter.use = "wohnen";
    filter.status = "offen";
    filter.kommune_prefix = "12062";
    EXPECT_EQ(listed(filter), std::vector<std::int64_t>{flat.id});
    filter = all;
    filter.bbox = Bbox{13.9, 53.0, 14.0, 53.1};
    EXPECT_EQ(listed(filter), std::vector<std::int64_t>{shop.id});
    filter = all;
    filter.limit = 1;
    filter.offset = 1;
    const auto second_page = offers.list(filter);
    EXPECT_EQ(second_page.number_matched, 2);
    EXPECT_EQ(ids_of(second_page.items), std::vector<std::int64_t>{flat.id});

    OfferFilter visible;
    visible.visibility = public_offers();
    EXPECT_EQ(listed(visible), std::vector<std::int64_t>{shop.id});
    visible.visibility.public_statuses.clear();
    EXPECT_TRUE(listed(visible).empty());
    visible.visibility.internal_prefixes = {"12062"};
    EXPECT_EQ(listed(visible), std::vector<std::int64_t>{flat.id});
    const auto box = offers.extent(public_offers());
    ASSERT_TRUE(box);
    EXPECT_DOUBLE_EQ(box->min_lon, 13.95);
    EXPECT_DOUBLE_EQ(box->max_lat, 53.05);
    EXPECT_DOUBLE_EQ(offers.extent(all.visibility)->min_lon, 13.25);

    OfferRecord change = shop;
    change.status = "vermittelt";
    change.floor_area_m2.reset();
    const OfferRecord closed = offers.update(change, 1);
    EXPECT_EQ(closed.version, 2);
    EXPECT_TRUE(closed.closed_at);
    EXPECT_FALSE(closed.floor_area_m2);
    EXPECT_THROW(offers.update(change, 1), PreconditionFailed);
    change.id = flat.id + 100;
    EXPECT_THROW(offers.update(change, 1), NotFound);
    EXPECT_FALSE(offers.extent(public_offers()));

    EXPECT_THROW(offers.remove(shop.id, 1), PreconditionFailed);
    offers.remove(shop.id, 2);
    EXPECT_FALSE(offers.offer(shop.id));
    EXPECT_THROW(offers.remove(shop.id, 2), NotFound);
}

TEST_F(ActivationStoresTest, NeedsByPlaceUseAndStatusAndTheirRetention) {
    NeedStore needs(*m_store);
    NeedRecord named;
    named.title = "Werkstatt für ein Repair-Café";
    named.kommunen = {angermuende};
    named.uses = {"gewerbe"};
    named.contact_name = "Verein Beispiel";
    const NeedRecord in_town = needs.insert(named);
    NeedRecord circle;
    circle.title = "Raum für eine Kleiderkammer";
    circle.centre_lon = 13.0;  // west of Herzberg's box (13.2 .. 13.3), about 14 km away
    circle.centre_lat = 51.75;
    circle.radius_km = 20;
    circle.status = "unbestaetigt";
    circle.source = "formular";
    const NeedRecord around = needs.insert(circle, std::string("confirm-hash"));
    EXPECT_FALSE(around.confirmed_at);
    EXPECT_TRUE(in_town.confirmed_at);
    // The centre of the box around Angermünde's boundary (13.9 .. 14.0, 53.0 .. 53.1).
    EXPECT_NEAR(*in_town.map_lon, 13.95, 1e-9);
    EXPECT_NEAR(*in_town.map_lat, 53.05, 1e-9);
    EXPECT_DOUBLE_EQ(*around.map_lon, 13.0);

    const auto listed = [&](NeedFilter filter) { return ids_of(needs.list(filter).items); };
    NeedFilter every;
    every.visible_statuses.clear();
    EXPECT_EQ(listed(every), (std::vector<std::int64_t>{in_town.id, around.id}));
    EXPECT_EQ(listed(NeedFilter{}), std::vector<std::int64_t>{in_town.id});
    NeedFilter filter = every;
    filter.kommune_prefix = "12073";  // the Kreis of the named Gemeinde
    EXPECT_EQ(listed(filter), std::vector<std::int64_t>{in_town.id});
    filter.kommune_prefix = herzberg;  // reached by the circle
    EXPECT_EQ(listed(filter), std::vector<std::int64_t>{around.id});
    filter = every;
    filter.use = "wohnen";  // the circle takes any use
    EXPECT_EQ(listed(filter), std::vector<std::int64_t>{around.id});
    filter.use = "gewerbe";
    EXPECT_EQ(listed(filter), (std::vector<std::int64_t>{in_town.id, around.id}));
    filter = every;
    filter.status = "unbestaetigt";
    EXPECT_EQ(listed(filter), std::vector<std::int64_t>{around.id});
    filter = every;
    filter.bbox = Bbox{13.9, 53.0, 14.0, 53.1};
    EXPECT_EQ(listed(filter), std::vector<std::int64_t>{in_town.id});
    EXPECT_DOUBLE_EQ(needs.extent({})->min_lon, 13.0);
    EXPECT_NEAR(needs.extent({"offen"})->min_lon, 13.95, 1e-9);

    EXPECT_FALSE(needs.confirm("wrong-hash"));
    EXPECT_EQ(needs.confirm("confirm-hash"), around.id);
    EXPECT_FALSE(needs.confirm("confirm-hash"));
    const NeedRecord confirmed = *needs.need(around.id);
    EXPECT_EQ(confirmed.status, "offen");
    EXPECT_EQ(confirmed.version, 2);

    NeedRecord change = in_town;
    change.status = "vermittelt";
    const NeedRecord closed = needs.update(change, 1);
    EXPECT_TRUE(closed.closed_at);
    EXPECT_THROW(needs.update(change, 1), PreconditionFailed);
    NeedRecord unconfirmed = circle;
    const std::int64_t claim = needs.insert(unconfirmed, std::string("other-hash")).id;

    EXPECT_EQ(needs.delete_personal_data(k_long_ago, k_long_ago), 0);
    EXPECT_EQ(needs.delete_personal_data(k_far_ahead, k_far_ahead), 2);
    EXPECT_FALSE(needs.need(claim));
    const NeedRecord kept = *needs.need(in_town.id);
    EXPECT_FALSE(kept.contact_name);
    EXPECT_TRUE(kept.personal_data_deleted_at);

    EXPECT_THROW(needs.remove(around.id, 1), PreconditionFailed);
    needs.remove(around.id, 2);
    EXPECT_FALSE(needs.need(around.id));
}

TEST_F(ActivationStoresTest, InquiriesWithTheirMessagesScopeAndRetention) {
    OfferStore offers(*m_store);
    const std::int64_t shop = offers.insert(offer(m_public_vacancy, {"miete"}, 80), "anna").id;
    const std::int64_t flat = offers.insert(offer(m_internal_vacancy, {"kauf"}, 60), "anna").id;
    InquiryStore inquiries(*m_store);
    const auto seen = inquiries.public_offer(shop, public_offers());
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->kommune_name, "Angermünde");
    EXPECT_EQ(seen->contact_email, "leerstand@example.org");
    EXPECT_FALSE(inquiries.public_offer(flat, public_offers()));

    InquiryRecord asked;
    asked.offer_id = shop;
    asked.name = "Jana Beispiel";
    asked.email = "jana@example.org";
    asked.intended_use = "Café";
    asked.common_good = true;
    const std::int64_t first = inquiries.insert(asked);
    asked.offer_id = flat;
    const std::int64_t second = inquiries.insert(asked);
    const InquiryRecord stored = *inquiries.inquiry(first);
    EXPECT_EQ(stored.status, "neu");
    EXPECT_TRUE(stored.common_good);
    EXPECT_EQ(stored.offer.title, "Ladenlokal am Markt");

    EXPECT_EQ(inquiries.list(inquiries_of(std::nullopt)).size(), 2u);
    EXPECT_TRUE(inquiries.list(inquiries_of(std::vector<std::string>{})).empty());
    EXPECT_EQ(ids_of(inquiries.list(inquiries_of(std::vector<std::string>{"12062"}))),
              std::vector<std::int64_t>{second});

    const InquiryRecord answered =
        inquiries.add_message(first, "Gern, wann passt es?", "anna", true);
    EXPECT_EQ(answered.status, "in_kontakt");
    ASSERT_EQ(answered.messages.size(), 1u);
    EXPECT_TRUE(answered.messages[0].mailed);
    EXPECT_THROW(inquiries.add_message(second + 100, "x", "anna", false), NotFound);
    const InquiryRecord done = inquiries.set_status(first, "abgeschlossen");
    EXPECT_TRUE(done.closed_at);
    EXPECT_EQ(done.version, answered.version + 1);
    EXPECT_EQ(inquiries.set_status(first, "abgeschlossen").version, done.version);
    EXPECT_THROW(inquiries.set_status(second + 100, "neu"), NotFound);
    EXPECT_EQ(ids_of(inquiries.list(inquiries_of(std::nullopt, "abgeschlossen"))),
              std::vector<std::int64_t>{first});
    const auto counts = inquiries.count_by_status(inquiries_of(std::vector<std::string>{"12073"}));
    EXPECT_EQ(counts.at("abgeschlossen"), 1);
    EXPECT_EQ(counts.at("neu"), 0);

    EXPECT_EQ(inquiries.delete_personal_data_closed_before(k_long_ago), 0);
    EXPECT_EQ(inquiries.delete_personal_data_closed_before(k_far_ahead), 1);
    const InquiryRecord deleted = *inquiries.inquiry(first);
    EXPECT_FALSE(deleted.name);
    EXPECT_FALSE(deleted.messages[0].text);
    EXPECT_TRUE(inquiries.inquiry(second)->email);
}

TEST_F(ActivationStoresTest, ImagesKeepEveryByteAndAreStoredWhole) {
    ImageStore images(*m_store);
    const std::string id = "0123456789abcdef0123456789abcdef";
    // Bytes a text path would break: a NUL, bytes above 0x7f, a backslash.
    const std::string small("\xff\xd8\0JFIF\\\x80", 9);
    ImageRecord image;
    image.id = id;
    image.kommune_ags = angermuende;
    image.created_by = "anna";
    image.width = 800;
    image.height = 600;
    images.insert(image, {{320, small}, {800, std::string(3000, '\x7f')}});
    EXPECT_EQ(images.variant(id, 320), small);
    EXPECT_EQ(images.variant(id, 800)->size(), 3000u);
    EXPECT_FALSE(images.variant(id, 1600));
    const auto found = images.find(id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->kommune_ags, angermuende);
    EXPECT_EQ(found->width, 800);
    EXPECT_THROW(images.insert(image, {}), Conflict);

    // A variant that fails takes the whole image with it.
    image.id = "fedcba9876543210fedcba9876543210";
    image.kommune_ags.reset();
    EXPECT_THROW(images.insert(image, {{320, small}, {320, small}}), Conflict);
    EXPECT_FALSE(images.find(image.id));
    EXPECT_FALSE(images.variant(image.id, 320));
}

}  // namespace
