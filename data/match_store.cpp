#include "data/match_store.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

// The centre of the Kommune is its boundary's centroid: distances are measured from there, so
// an offer's address never enters a score. A Kommune stored without a boundary falls back to
// the vacancy's point.
constexpr const char* k_offer_columns =
    "SELECT a.id, a.vacancy_id, a.title, v.kommune_ags, coalesce(k.name, v.kommune_ags), "
    "coalesce(ST_X(ST_Centroid(k.boundary)), ST_X(v.geom)), "
    "coalesce(ST_Y(ST_Centroid(k.boundary)), ST_Y(v.geom)), ST_X(v.geom), ST_Y(v.geom), "
    "v.use, v.status, v.consent_publish, a.kinds, a.floor_area_m2, a.available_from, "
    "a.contact_role, a.contact_email, a.status, a.version "
    "FROM angebote a JOIN vacancies v ON v.id = a.vacancy_id "
    "LEFT JOIN kommunen k ON k.ags = v.kommune_ags ";

constexpr const char* k_need_columns =
    "SELECT g.id, g.title, g.description, g.uses, g.kinds, g.min_area_m2, g.max_area_m2, "
    "g.kommunen, (SELECT json_group_array(coalesce(k.name, j.value)) FROM json_each(g.kommunen) "
    "j LEFT JOIN kommunen k ON k.ags = j.value), g.centre_lon, g.centre_lat, g.radius_km, "
    "g.place_name, g.needed_from, g.common_good, g.status, g.contact_email, g.version "
    "FROM gesuche g ";

constexpr const char* k_vermittlung_columns =
    "SELECT m.id, m.angebot_id, m.gesuch_id, m.status, m.score, m.match, m.zukunftsort_id, "
    "m.accepted_at, m.finished_at, m.created_at, m.updated_at, m.author, m.version, "
    "(SELECT count(*) FROM nachrichten n WHERE n.gesuch_id = m.gesuch_id "
    "AND n.angebot_id = m.angebot_id) FROM vermittlungen m ";

std::vector<std::string> text_list(const std::optional<std::string>& json_text) {
    std::vector<std::string> values;
    if (!json_text) return values;
    for (const auto& value : nlohmann::json::parse(*json_text))
        if (value.is_string()) values.push_back(value.get<std::string>());
    return values;
}

std::optional<double> optional_double(const Statement& row, int column) {
    if (row.column_is_null(column)) return std::nullopt;
    return row.column_double(column);
}

MatchOfferRow read_offer(const Statement& row) {
    MatchOfferRow offer;
    offer.id = row.column_int64(0);
    offer.vacancy_id = row.column_int64(1);
    offer.title = row.column_text(2);
    offer.kommune_ags = row.column_text(3);
    offer.kommune_name = row.column_text(4);
    offer.centre_lon = row.column_double(5);
    offer.centre_lat = row.column_double(6);
    offer.vacancy_lon = row.column_double(7);
    offer.vacancy_lat = row.column_double(8);
    offer.use = row.column_text(9);
    offer.vacancy_status = row.column_text(10);
    offer.consent_publish = row.column_int64(11) != 0;
    offer.kinds = text_list(row.column_optional_text(12));
    offer.floor_area_m2 = optional_double(row, 13);
    offer.available_from = row.column_optional_text(14);
    offer.contact_role = row.column_text(15);
    offer.contact_email = row.column_optional_text(16);
    offer.status = row.column_text(17);
    offer.version = row.column_int64(18);
    return offer;
}

MatchNeedRow read_need(const Statement& row) {
    MatchNeedRow need;
    need.id = row.column_int64(0);
    need.title = row.column_text(1);
    need.description = row.column_optional_text(2);
    need.uses = text_list(row.column_optional_text(3));
    need.kinds = text_list(row.column_optional_text(4));
    need.min_area_m2 = optional_double(row, 5);
    need.max_area_m2 = optional_double(row, 6);
    need.kommunen = text_list(row.column_optional_text(7));
    if (!need.kommunen.empty()) need.kommune_names = text_list(row.column_optional_text(8));
    need.centre_lon = optional_double(row, 9);
    need.centre_lat = optional_double(row, 10);
    need.radius_km = optional_double(row, 11);
    need.place_name = row.column_optional_text(12);
    need.needed_from = row.column_optional_text(13);
    need.common_good = row.column_int64(14) != 0;
    need.status = row.column_text(15);
    need.contact_email = row.column_optional_text(16);
    need.version = row.column_int64(17);
    return need;
}

VermittlungRecord read_vermittlung(const Statement& row) {
    VermittlungRecord record;
    record.id = row.column_int64(0);
    record.angebot_id = row.column_int64(1);
    record.gesuch_id = row.column_int64(2);
    record.status = row.column_text(3);
    record.score = static_cast<int>(row.column_int64(4));
    record.match = row.column_text(5);
    record.zukunftsort_id = row.column_optional_int64(6);
    record.accepted_at = row.column_optional_text(7);
    record.finished_at = row.column_optional_text(8);
    record.created_at = row.column_text(9);
    record.updated_at = row.column_text(10);
    record.author = row.column_optional_text(11);
    record.version = row.column_int64(12);
    record.messages = row.column_int64(13);
    return record;
}

std::vector<VermittlungRecord> vermittlungen_where(Connection& db, const char* condition,
                                                   std::int64_t id) {
    Statement select =
        db.prepare(std::string(k_vermittlung_columns) + condition + " ORDER BY m.id");
    select.bind(1, id);
    std::vector<VermittlungRecord> records;
    while (select.step()) records.push_back(read_vermittlung(select));
    return records;
}

void set_status(Connection& db, const char* table, std::int64_t id, const std::string& status,
                bool closed) {
    Statement update = db.prepare(std::string("UPDATE ") + table +
                                  " SET status = ?1, closed_at = CASE WHEN ?2 THEN ?3 END, "
                                  "updated_at = ?3, version = version + 1 WHERE id = ?4");
    update.bind(1, status).bind(2, closed ? 1 : 0).bind(3, db.now()).bind(4, id).run();
    if (db.changes() == 0) throw NotFound(std::string(table) + " " + std::to_string(id));
}

}  // namespace

MatchStore::MatchStore(Store& store) : m_store(store) {}

std::optional<MatchOfferRow> MatchStore::offer(std::int64_t id) {
    Statement select =
        m_store.connection().prepare(std::string(k_offer_columns) + "WHERE a.id = ?");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_offer(select);
}

std::vector<MatchOfferRow> MatchStore::offers(
    const std::vector<std::string>& statuses,
    const std::optional<std::vector<std::string>>& kommune_prefixes) {
    // The lists travel as JSON arrays: one statement, whatever their length.
    Statement select = m_store.connection().prepare(
        std::string(k_offer_columns) +
        "WHERE a.status IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR EXISTS "
        "(SELECT 1 FROM json_each(?2) p WHERE substr(v.kommune_ags, 1, length(p.value)) = "
        "p.value)) ORDER BY a.id");
    select.bind(1, nlohmann::json(statuses).dump());
    if (kommune_prefixes)
        select.bind(2, nlohmann::json(*kommune_prefixes).dump());
    else
        select.bind_null(2);
    std::vector<MatchOfferRow> rows;
    while (select.step()) rows.push_back(read_offer(select));
    return rows;
}

std::optional<MatchNeedRow> MatchStore::need(std::int64_t id) {
    Statement select = m_store.connection().prepare(std::string(k_need_columns) + "WHERE g.id = ?");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_need(select);
}

std::vector<MatchNeedRow> MatchStore::needs(std::string_view status) {
    Statement select = m_store.connection().prepare(std::string(k_need_columns) +
                                                    "WHERE g.status = ? ORDER BY g.id");
    select.bind(1, status);
    std::vector<MatchNeedRow> rows;
    while (select.step()) rows.push_back(read_need(select));
    return rows;
}

std::optional<VermittlungRecord> MatchStore::vermittlung(std::int64_t id) {
    auto records = vermittlungen_where(m_store.connection(), "WHERE m.id = ?1", id);
    if (records.empty()) return std::nullopt;
    return records.front();
}

std::vector<VermittlungRecord> MatchStore::vermittlungen_of_offer(std::int64_t angebot_id) {
    return vermittlungen_where(m_store.connection(), "WHERE m.angebot_id = ?1", angebot_id);
}

std::vector<VermittlungRecord> MatchStore::vermittlungen_of_need(std::int64_t gesuch_id) {
    return vermittlungen_where(m_store.connection(), "WHERE m.gesuch_id = ?1", gesuch_id);
}

std::optional<VermittlungRecord> MatchStore::vermittlung_of(std::int64_t angebot_id,
                                                            std::int64_t gesuch_id) {
    for (auto& record : vermittlungen_of_offer(angebot_id))
        if (record.gesuch_id == gesuch_id) return record;
    return std::nullopt;
}

VermittlungRecord MatchStore::insert_vermittlung(const VermittlungRecord& record) {
    Connection& db = m_store.connection();
    OwnTransaction transaction(db);
    if (const auto existing = vermittlung_of(record.angebot_id, record.gesuch_id))
        throw Conflict("the match of offer " + std::to_string(record.angebot_id) + " and need " +
                       std::to_string(record.gesuch_id) + " is recorded already");
    const std::string now = db.now();
    Statement insert = db.prepare(
        "INSERT INTO vermittlungen (angebot_id, gesuch_id, status, score, match, zukunftsort_id, "
        "accepted_at, finished_at, created_at, updated_at, author) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)");
    insert.bind(1, record.angebot_id)
        .bind(2, record.gesuch_id)
        .bind(3, record.status)
        .bind(4, record.score)
        .bind(5, record.match)
        .bind(6, record.zukunftsort_id)
        .bind(7, record.accepted_at)
        .bind(8, record.finished_at)
        .bind(9, now)
        .bind(10, record.author);
    insert.run();
    const std::int64_t id = db.last_insert_rowid();
    transaction.commit();
    return *vermittlung(id);
}

VermittlungRecord MatchStore::update_vermittlung(const VermittlungRecord& record,
                                                 std::int64_t expected_version) {
    Connection& db = m_store.connection();
    OwnTransaction transaction(db);
    const auto current = vermittlung(record.id);
    if (!current) throw NotFound("match outcome " + std::to_string(record.id) + " does not exist");
    if (current->version != expected_version)
        throw PreconditionFailed::stale("match outcome", record.id, current->version,
                                        expected_version);
    Statement update = db.prepare(
        "UPDATE vermittlungen SET status = ?1, score = ?2, match = ?3, zukunftsort_id = ?4, "
        "accepted_at = ?5, finished_at = ?6, updated_at = ?7, version = version + 1 "
        "WHERE id = ?8");
    update.bind(1, record.status)
        .bind(2, record.score)
        .bind(3, record.match)
        .bind(4, record.zukunftsort_id)
        .bind(5, record.accepted_at)
        .bind(6, record.finished_at)
        .bind(7, db.now())
        .bind(8, record.id)
        .run();
    transaction.commit();
    return *vermittlung(record.id);
}

void MatchStore::set_offer_status(std::int64_t id, const std::string& status, bool closed) {
    set_status(m_store.connection(), "angebote", id, status, closed);
}

void MatchStore::set_need_status(std::int64_t id, const std::string& status, bool closed) {
    set_status(m_store.connection(), "gesuche", id, status, closed);
}

void MatchStore::insert_need_message(std::int64_t gesuch_id, std::int64_t angebot_id,
                                     const std::string& text, const std::string& author) {
    Connection& db = m_store.connection();
    Statement insert = db.prepare(
        "INSERT INTO nachrichten (gesuch_id, angebot_id, text, author, sent_at, mailed) "
        "VALUES (?, ?, ?, ?, ?, 1)");
    insert.bind(1, gesuch_id).bind(2, angebot_id).bind(3, text).bind(4, author).bind(5, db.now());
    insert.run();
}

}  // namespace leerstand::data
