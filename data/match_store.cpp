#include "data/match_store.hpp"

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

constexpr const char* k_vermittlung_columns =
    "SELECT m.id, m.angebot_id, m.gesuch_id, m.status, m.score, m.match, m.zukunftsort_id, "
    "m.accepted_at, m.finished_at, m.created_at, m.updated_at, m.author, m.version, "
    "(SELECT count(*) FROM nachrichten n WHERE n.gesuch_id = m.gesuch_id "
    "AND n.angebot_id = m.angebot_id) FROM vermittlungen m ";

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
                                  " SET status = ?1, closed_at = CASE WHEN ?2 = 1 THEN ?3 END, "
                                  "updated_at = ?3, version = version + 1 WHERE id = ?4");
    update.bind(1, status).bind(2, closed ? 1 : 0).bind(3, db.now()).bind(4, id).run();
    if (db.changes() == 0) throw NotFound(std::string(table) + " " + std::to_string(id));
}

}  // namespace

MatchStore::MatchStore(Store& store) : m_store(store) {}

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
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10) RETURNING id");
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
    // RETURNING, not last_insert_rowid: the one way that both SQLite and PostgreSQL know.
    insert.step();
    const std::int64_t id = insert.column_int64(0);
    insert.run();
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
