#include "data/inquiry_store.hpp"

#include <array>
#include <string_view>
#include <utility>

#include "common/error.hpp"
#include "common/utc_time.hpp"
#include "data/connection.hpp"
#include "data/sql_conditions.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

constexpr std::array<std::string_view, 3> k_statuses = {"neu", "in_kontakt", "abgeschlossen"};

/// An inquiry with its offer; the offer's Kommune is its vacancy's.
constexpr const char* k_inquiry_columns =
    "SELECT a.id, a.angebot_id, a.name, a.email, a.phone, a.message, a.intended_use, "
    "a.common_good, a.status, a.created_at, a.updated_at, a.closed_at, "
    "a.personal_data_deleted_at, a.version, o.title, v.kommune_ags, k.name, o.contact_email "
    "FROM anfragen a JOIN angebote o ON o.id = a.angebot_id "
    "JOIN vacancies v ON v.id = o.vacancy_id LEFT JOIN kommunen k ON k.ags = v.kommune_ags ";

InquiryRecord read_inquiry(const Statement& row) {
    InquiryRecord inquiry;
    inquiry.id = row.column_int64(0);
    inquiry.offer_id = row.column_int64(1);
    inquiry.name = row.column_optional_text(2);
    inquiry.email = row.column_optional_text(3);
    inquiry.phone = row.column_optional_text(4);
    inquiry.message = row.column_optional_text(5);
    inquiry.intended_use = row.column_text(6);
    inquiry.common_good = row.column_int64(7) != 0;
    inquiry.status = row.column_text(8);
    inquiry.created_at = row.column_text(9);
    inquiry.updated_at = row.column_text(10);
    inquiry.closed_at = row.column_optional_text(11);
    inquiry.personal_data_deleted_at = row.column_optional_text(12);
    inquiry.version = row.column_int64(13);
    inquiry.offer.id = inquiry.offer_id;
    inquiry.offer.title = row.column_text(14);
    inquiry.offer.kommune_ags = row.column_text(15);
    inquiry.offer.kommune_name = row.column_optional_text(16).value_or(inquiry.offer.kommune_ags);
    inquiry.offer.contact_email = row.column_optional_text(17);
    return inquiry;
}

std::vector<InquiryMessage> messages_of(Connection& connection, std::int64_t inquiry_id) {
    Statement select = connection.prepare(
        "SELECT id, text, author, sent_at, mailed FROM nachrichten WHERE anfrage_id = ? "
        "ORDER BY sent_at, id");
    select.bind(1, inquiry_id);
    std::vector<InquiryMessage> messages;
    while (select.step())
        messages.push_back({select.column_int64(0), select.column_optional_text(1),
                            select.column_optional_text(2), select.column_text(3),
                            select.column_int64(4) != 0});
    return messages;
}

std::optional<InquiryRecord> inquiry_by_id(Connection& connection, std::int64_t id) {
    std::string sql = k_inquiry_columns;
    sql += "WHERE a.id = ?";
    Statement select = connection.prepare(sql);
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    InquiryRecord inquiry = read_inquiry(select);
    inquiry.messages = messages_of(connection, id);
    return inquiry;
}

/// The Kommune prefixes of `filter` as a condition on the vacancy (`v`); none matches an
/// empty list.
void add_scope(detail::Conditions& where, const InquiryFilter& filter) {
    if (!filter.kommune_prefixes) return;
    std::string any;
    for (const std::string& prefix : *filter.kommune_prefixes)
        any +=
            (any.empty() ? "" : " OR ") + detail::prefix_condition(where, "v.kommune_ags", prefix);
    where.add(any.empty() ? "1 = 0" : "(" + any + ")");
}

}  // namespace

InquiryStore::InquiryStore(Store& store) : m_store(store) {}

std::optional<InquiryOffer> InquiryStore::public_offer(std::int64_t id,
                                                       const OfferVisibility& visible) {
    detail::Conditions where;
    where.add("a.id = ?");
    where.binds.emplace_back(id);
    add_offer_visibility(where, visible);
    Statement select = m_store.connection().prepare(
        "SELECT a.id, a.title, v.kommune_ags, coalesce(k.name, v.kommune_ags), a.contact_email "
        "FROM angebote a JOIN vacancies v ON v.id = a.vacancy_id "
        "LEFT JOIN kommunen k ON k.ags = v.kommune_ags " +
        where.sql);
    where.bind_all(select);
    if (!select.step()) return std::nullopt;
    return InquiryOffer{select.column_int64(0), select.column_text(1), select.column_text(2),
                        select.column_text(3), select.column_optional_text(4)};
}

std::int64_t InquiryStore::insert(const InquiryRecord& inquiry) {
    Connection& connection = m_store.connection();
    const std::string now = utc_now_iso8601();
    Statement insert = connection.prepare(
        "INSERT INTO anfragen (angebot_id, name, email, phone, message, intended_use, "
        "common_good, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) "
        "RETURNING id");
    insert.bind(1, inquiry.offer_id)
        .bind(2, inquiry.name)
        .bind(3, inquiry.email)
        .bind(4, inquiry.phone)
        .bind(5, inquiry.message)
        .bind(6, inquiry.intended_use)
        .bind(7, inquiry.common_good ? 1 : 0)
        .bind(8, now);
    std::int64_t id = 0;
    while (insert.step()) id = insert.column_int64(0);
    return id;
}

std::vector<InquiryRecord> InquiryStore::list(const InquiryFilter& filter) {
    Connection& connection = m_store.connection();
    detail::Conditions where;
    add_scope(where, filter);
    if (filter.status) {
        where.add("a.status = ?");
        where.binds.emplace_back(*filter.status);
    }
    Statement select = connection.prepare(std::string(k_inquiry_columns) + where.sql +
                                          " ORDER BY a.created_at DESC, a.id DESC");
    where.bind_all(select);
    std::vector<InquiryRecord> inquiries;
    while (select.step()) inquiries.push_back(read_inquiry(select));
    for (InquiryRecord& inquiry : inquiries) inquiry.messages = messages_of(connection, inquiry.id);
    return inquiries;
}

std::map<std::string, std::int64_t> InquiryStore::count_by_status(const InquiryFilter& filter) {
    detail::Conditions where;
    add_scope(where, filter);
    Statement select = m_store.connection().prepare(
        "SELECT a.status, count(*) FROM anfragen a JOIN angebote o ON o.id = a.angebot_id "
        "JOIN vacancies v ON v.id = o.vacancy_id " +
        where.sql + " GROUP BY a.status");
    where.bind_all(select);
    std::map<std::string, std::int64_t> counts;
    for (const std::string_view status : k_statuses) counts[std::string(status)] = 0;
    while (select.step()) counts[select.column_text(0)] = select.column_int64(1);
    return counts;
}

std::optional<InquiryRecord> InquiryStore::inquiry(std::int64_t id) {
    return inquiry_by_id(m_store.connection(), id);
}

InquiryRecord InquiryStore::set_status(std::int64_t id, const std::string& status) {
    Connection& connection = m_store.connection();
    const std::string now = utc_now_iso8601();
    Statement update = connection.prepare(
        "UPDATE anfragen SET status = ?1, updated_at = ?2, version = version + 1, "
        "closed_at = CASE WHEN CAST(?1 AS TEXT) = 'abgeschlossen' THEN ?2 END "
        "WHERE id = ?3 AND status <> ?1");
    update.bind(1, status).bind(2, now).bind(3, id);
    update.run();
    auto after = inquiry_by_id(connection, id);
    if (!after) throw NotFound("there is no inquiry " + std::to_string(id));
    return std::move(*after);
}

InquiryRecord InquiryStore::add_message(std::int64_t id, const std::string& text,
                                        const std::string& author, bool mailed) {
    Connection& connection = m_store.connection();
    // The message and the status together: the inbox never shows a sent answer on an
    // inquiry that still looks new.
    OwnTransaction transaction(connection);
    const std::string now = utc_now_iso8601();
    Statement insert = connection.prepare(
        "INSERT INTO nachrichten (anfrage_id, angebot_id, text, author, sent_at, mailed) "
        "SELECT id, angebot_id, CAST(?2 AS TEXT), CAST(?3 AS TEXT), CAST(?4 AS TEXT), "
        "CAST(?5 AS INTEGER) FROM anfragen WHERE id = ?1");
    insert.bind(1, id).bind(2, text).bind(3, author).bind(4, now).bind(5, mailed ? 1 : 0);
    insert.run();
    if (connection.changes() == 0) throw NotFound("there is no inquiry " + std::to_string(id));
    Statement update = connection.prepare(
        "UPDATE anfragen SET status = 'in_kontakt', closed_at = NULL, updated_at = ?2, "
        "version = version + 1 WHERE id = ?1");
    update.bind(1, id).bind(2, now);
    update.run();
    auto after = inquiry_by_id(connection, id);
    transaction.commit();
    return std::move(*after);
}

std::int64_t InquiryStore::delete_personal_data_closed_before(const std::string& cutoff) {
    Connection& connection = m_store.connection();
    OwnTransaction transaction(connection);
    const std::string expired =
        "SELECT id FROM anfragen WHERE closed_at < ?1 AND personal_data_deleted_at IS NULL";
    Statement messages = connection.prepare(
        "UPDATE nachrichten SET text = NULL WHERE anfrage_id IN (" + expired + ")");
    messages.bind(1, cutoff);
    messages.run();
    Statement update = connection.prepare(
        "UPDATE anfragen SET name = NULL, email = NULL, phone = NULL, message = NULL, "
        "personal_data_deleted_at = ?2 WHERE id IN (" +
        expired + ")");
    update.bind(1, cutoff).bind(2, utc_now_iso8601());
    update.run();
    const std::int64_t deleted = connection.changes();
    transaction.commit();
    return deleted;
}

}  // namespace leerstand::data
