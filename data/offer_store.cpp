#include "data/offer_store.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/sql_conditions.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

using namespace detail;
using nlohmann::json;

constexpr const char* k_offer_columns =
    "SELECT a.id, a.vacancy_id, a.title, a.kinds, a.floor_area_m2, a.conditions, "
    "a.available_from, a.images, a.contact_role, a.contact_email, a.contact_phone, a.status, "
    "a.created_at, a.updated_at, a.closed_at, a.author, a.version, ST_X(v.geom), ST_Y(v.geom), "
    "v.kommune_ags, coalesce(k.name, v.kommune_ags), v.use, v.status, v.consent_publish "
    "FROM angebote a JOIN vacancies v ON v.id = a.vacancy_id "
    "LEFT JOIN kommunen k ON k.ags = v.kommune_ags ";

OfferRecord read_offer(const Statement& s) {
    OfferRecord record;
    record.id = s.column_int64(0);
    record.vacancy_id = s.column_int64(1);
    record.title = s.column_text(2);
    // The columns' CHECKs keep both JSON arrays; their members are written by bind_offer.
    record.kinds = json::parse(s.column_text(3)).get<std::vector<std::string>>();
    if (!s.column_is_null(4)) record.floor_area_m2 = s.column_double(4);
    record.conditions = s.column_optional_text(5);
    record.available_from = s.column_optional_text(6);
    record.images = json::parse(s.column_text(7)).get<std::vector<std::string>>();
    record.contact_role = s.column_text(8);
    record.contact_email = s.column_optional_text(9);
    record.contact_phone = s.column_optional_text(10);
    record.status = s.column_text(11);
    record.created_at = s.column_text(12);
    record.updated_at = s.column_text(13);
    record.closed_at = s.column_optional_text(14);
    record.author = s.column_optional_text(15);
    record.version = s.column_int64(16);
    record.lon = s.column_double(17);
    record.lat = s.column_double(18);
    record.kommune_ags = s.column_text(19);
    record.kommune_name = s.column_text(20);
    record.use = s.column_text(21);
    record.vacancy_status = s.column_text(22);
    record.vacancy_consent_publish = s.column_int64(23) != 0;
    return record;
}

bool closes(const std::string& status) {
    return status == "vermittelt" || status == "zurueckgezogen";
}

void bind_offer(Statement& statement, const OfferRecord& record) {
    statement.bind(1, record.title)
        .bind(2, json(record.kinds).dump())
        .bind(3, record.floor_area_m2)
        .bind(4, record.conditions)
        .bind(5, record.available_from)
        .bind(6, json(record.images).dump())
        .bind(7, record.contact_role)
        .bind(8, record.contact_email)
        .bind(9, record.contact_phone)
        .bind(10, record.status);
}

/// `alias.column IN (?, ?, ...)` with its binds; "1 = 0" (nothing) for an empty list.
std::string in_list(Conditions& where, const std::string& column,
                    const std::vector<std::string>& values) {
    // A comparison, not a bare 0: PostgreSQL takes no integer as a boolean.
    if (values.empty()) return "1 = 0";
    std::string sql = column + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) {
        sql += i == 0 ? "?" : ", ?";
        where.binds.emplace_back(values[i]);
    }
    return sql + ")";
}

}  // namespace

void add_offer_visibility(Conditions& where, const OfferVisibility& visibility) {
    if (visibility.all) return;
    // One statement per list: the binds must follow the placeholders' order, and the
    // operands of one expression may be evaluated in any order.
    std::string visible = "((" + in_list(where, "a.status", visibility.public_statuses);
    visible += " AND v.consent_publish = 1 AND ";
    visible += in_list(where, "v.status", visibility.public_vacancy_statuses) + ")";
    for (const std::string& prefix : visibility.internal_prefixes)
        if (!prefix.empty()) visible += " OR " + prefix_condition(where, "v.kommune_ags", prefix);
    where.add(visible + ")");
}

namespace {

Conditions offer_conditions(Dialect dialect, const OfferFilter& filter) {
    Conditions where;
    add_offer_visibility(where, filter.visibility);
    if (filter.kommune_prefix) add_prefix(where, "v.kommune_ags", *filter.kommune_prefix);
    if (filter.use) {
        where.add("v.use = ?");
        where.binds.emplace_back(*filter.use);
    }
    if (filter.status) {
        where.add("a.status = ?");
        where.binds.emplace_back(*filter.status);
    }
    if (filter.kind) {
        where.add("EXISTS (SELECT 1 FROM json_each(a.kinds) j WHERE j.value = ?)");
        where.binds.emplace_back(*filter.kind);
    }
    if (filter.min_area) {
        where.add("a.floor_area_m2 >= ?");
        where.binds.emplace_back(*filter.min_area);
    }
    if (filter.max_area) {
        where.add("a.floor_area_m2 <= ?");
        where.binds.emplace_back(*filter.max_area);
    }
    if (filter.bbox) {
        add_rtree_candidates(dialect, where, "vacancies", "v", "geom", *filter.bbox);
        where.add("ST_X(v.geom) BETWEEN ? AND ? AND ST_Y(v.geom) BETWEEN ? AND ?");
        where.binds.emplace_back(filter.bbox->min_lon);
        where.binds.emplace_back(filter.bbox->max_lon);
        where.binds.emplace_back(filter.bbox->min_lat);
        where.binds.emplace_back(filter.bbox->max_lat);
    }
    return where;
}

Conflict already_offered(std::int64_t vacancy_id, std::int64_t offer_id) {
    return Conflict(ErrorCode{error_code::k_vacancy_already_offered},
                    "vacancy " + std::to_string(vacancy_id) + " is offered already (offer " +
                        std::to_string(offer_id) + ")",
                    json{{"angebot_id", offer_id}});
}

}  // namespace

OfferStore::OfferStore(Store& store) : m_db(store.connection()) {}

OfferRecord OfferStore::insert(const OfferRecord& record, const std::string& author) {
    OwnTransaction transaction(m_db);
    // Checked inside the write lock, so two editors offering one vacancy get a clear 409
    // rather than the UNIQUE constraint.
    if (const auto other = offer_of_vacancy(record.vacancy_id))
        throw already_offered(record.vacancy_id, other->id);
    Statement insert = m_db.prepare(
        "INSERT INTO angebote (title, kinds, floor_area_m2, conditions, available_from, images, "
        "contact_role, contact_email, contact_phone, status, vacancy_id, author, created_at, "
        "updated_at, closed_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13, ?13, ?14, 1) RETURNING id");
    bind_offer(insert, record);
    const std::string now = m_db.now();
    insert.bind(11, record.vacancy_id).bind(12, author).bind(13, now);
    insert.bind(14, closes(record.status) ? std::optional<std::string>(now) : std::nullopt);
    std::int64_t id = 0;
    while (insert.step()) id = insert.column_int64(0);
    auto result = offer(id);
    if (!result) throw InternalError("offer " + std::to_string(id) + " vanished");
    transaction.commit();
    return *result;
}

OfferRecord OfferStore::update(const OfferRecord& record, std::int64_t expected_version) {
    OwnTransaction transaction(m_db);
    const auto current = offer(record.id);
    if (!current) throw NotFound("offer " + std::to_string(record.id) + " does not exist");
    if (current->version != expected_version)
        throw PreconditionFailed::stale("offer", record.id, current->version, expected_version);
    // closed_at records when it closed: kept while it stays closed, cleared when it reopens.
    std::optional<std::string> closed_at;
    if (closes(record.status)) closed_at = current->closed_at ? current->closed_at : m_db.now();
    Statement update = m_db.prepare(
        "UPDATE angebote SET title = ?1, kinds = ?2, floor_area_m2 = ?3, conditions = ?4, "
        "available_from = ?5, images = ?6, contact_role = ?7, contact_email = ?8, "
        "contact_phone = ?9, status = ?10, closed_at = ?11, updated_at = ?12, "
        "version = version + 1 WHERE id = ?13 AND version = ?14");
    bind_offer(update, record);
    update.bind(11, closed_at).bind(12, m_db.now()).bind(13, record.id).bind(14, expected_version);
    update.run();
    if (m_db.changes() != 1)
        throw PreconditionFailed::stale("offer", record.id, current->version, expected_version);
    auto result = offer(record.id);
    if (!result) throw InternalError("offer " + std::to_string(record.id) + " vanished");
    transaction.commit();
    return *result;
}

void OfferStore::remove(std::int64_t id, std::int64_t expected_version) {
    OwnTransaction transaction(m_db);
    const auto current = offer(id);
    if (!current) throw NotFound("offer " + std::to_string(id) + " does not exist");
    Statement remove = m_db.prepare("DELETE FROM angebote WHERE id = ?1 AND version = ?2");
    remove.bind(1, id).bind(2, expected_version).run();
    if (m_db.changes() != 1)
        throw PreconditionFailed::stale("offer", id, current->version, expected_version);
    transaction.commit();
}

std::optional<OfferRecord> OfferStore::offer(std::int64_t id) {
    Statement select = m_db.prepare(std::string(k_offer_columns) + "WHERE a.id = ?1");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_offer(select);
}

std::optional<OfferRecord> OfferStore::offer_of_vacancy(std::int64_t vacancy_id) {
    Statement select = m_db.prepare(std::string(k_offer_columns) + "WHERE a.vacancy_id = ?1");
    select.bind(1, vacancy_id);
    if (!select.step()) return std::nullopt;
    return read_offer(select);
}

RecordPage<OfferRecord> OfferStore::list(const OfferFilter& filter) {
    const Conditions where = offer_conditions(m_db.dialect(), filter);
    RecordPage<OfferRecord> page;
    Statement count = m_db.prepare(
        "SELECT count(*) FROM angebote a JOIN vacancies v ON v.id = a.vacancy_id " + where.sql);
    where.bind_all(count);
    count.step();
    page.number_matched = count.column_int64(0);
    Statement select =
        m_db.prepare(std::string(k_offer_columns) + where.sql + " ORDER BY a.id LIMIT ? OFFSET ?");
    const int next = where.bind_all(select);
    select.bind(next, filter.limit).bind(next + 1, filter.offset);
    while (select.step()) page.items.push_back(read_offer(select));
    return page;
}

std::optional<Bbox> OfferStore::extent(const OfferVisibility& visibility) {
    Conditions where;
    add_offer_visibility(where, visibility);
    Statement select = m_db.prepare(
        "SELECT min(ST_X(v.geom)), min(ST_Y(v.geom)), max(ST_X(v.geom)), max(ST_Y(v.geom)) "
        "FROM angebote a JOIN vacancies v ON v.id = a.vacancy_id " +
        where.sql);
    where.bind_all(select);
    if (!select.step() || select.column_is_null(0)) return std::nullopt;
    return Bbox{select.column_double(0), select.column_double(1), select.column_double(2),
                select.column_double(3)};
}

}  // namespace leerstand::data
