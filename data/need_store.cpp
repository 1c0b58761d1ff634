#include "data/need_store.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/sql_conditions.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

using detail::Conditions;
using nlohmann::json;

/// Every need with the point a map shows it at: the circle's centre, or the centre of the box
/// around the boundaries of the Kommunen it names (computed on read: Kommune boundaries may be
/// imported again later).
constexpr const char* k_needs_with_place =
    "(SELECT g.*, CASE WHEN g.radius_km IS NOT NULL THEN g.centre_lon ELSE "
    "(SELECT (min(MbrMinX(k.boundary)) + max(MbrMaxX(k.boundary))) / 2 FROM kommunen k "
    "WHERE k.ags IN (SELECT value FROM json_each(g.kommunen))) END AS map_lon, "
    "CASE WHEN g.radius_km IS NOT NULL THEN g.centre_lat ELSE "
    "(SELECT (min(MbrMinY(k.boundary)) + max(MbrMaxY(k.boundary))) / 2 FROM kommunen k "
    "WHERE k.ags IN (SELECT value FROM json_each(g.kommunen))) END AS map_lat "
    "FROM gesuche g) n ";

constexpr const char* k_need_columns =
    "SELECT n.id, n.title, n.description, n.uses, n.kinds, n.min_area_m2, n.max_area_m2, "
    "n.kommunen, n.centre_lon, n.centre_lat, n.radius_km, n.place_name, n.needed_from, "
    "n.common_good, n.contact_name, n.contact_email, n.contact_phone, n.status, n.source, "
    "n.confirmed_at, n.author, n.created_at, n.updated_at, n.closed_at, "
    "n.personal_data_deleted_at, n.version, n.map_lon, n.map_lat FROM ";

std::optional<double> optional_double(const Statement& row, int column) {
    if (row.column_is_null(column)) return std::nullopt;
    return row.column_double(column);
}

std::vector<std::string> text_list(const std::optional<std::string>& text) {
    if (!text) return {};
    return json::parse(*text).get<std::vector<std::string>>();
}

NeedRecord read_need(const Statement& row) {
    NeedRecord need;
    need.id = row.column_int64(0);
    need.title = row.column_text(1);
    need.description = row.column_optional_text(2);
    need.uses = text_list(row.column_optional_text(3));
    need.kinds = text_list(row.column_optional_text(4));
    need.min_area_m2 = optional_double(row, 5);
    need.max_area_m2 = optional_double(row, 6);
    need.kommunen = text_list(row.column_optional_text(7));
    need.centre_lon = optional_double(row, 8);
    need.centre_lat = optional_double(row, 9);
    need.radius_km = optional_double(row, 10);
    need.place_name = row.column_optional_text(11);
    need.needed_from = row.column_optional_text(12);
    need.common_good = row.column_int64(13) != 0;
    need.contact_name = row.column_optional_text(14);
    need.contact_email = row.column_optional_text(15);
    need.contact_phone = row.column_optional_text(16);
    need.status = row.column_text(17);
    need.source = row.column_text(18);
    need.confirmed_at = row.column_optional_text(19);
    need.author = row.column_optional_text(20);
    need.created_at = row.column_text(21);
    need.updated_at = row.column_text(22);
    need.closed_at = row.column_optional_text(23);
    need.personal_data_deleted_at = row.column_optional_text(24);
    need.version = row.column_int64(25);
    need.map_lon = optional_double(row, 26);
    need.map_lat = optional_double(row, 27);
    return need;
}

std::optional<std::string> kommunen_text(const NeedRecord& need) {
    if (need.kommunen.empty()) return std::nullopt;
    return json(need.kommunen).dump();
}

/// Binds the writable fields as ?1 .. ?18, in the order the INSERT and the UPDATE name them.
void bind_need(Statement& statement, const NeedRecord& need) {
    statement.bind(1, need.title)
        .bind(2, need.description)
        .bind(3, json(need.uses).dump())
        .bind(4, json(need.kinds).dump())
        .bind(5, need.min_area_m2)
        .bind(6, need.max_area_m2)
        .bind(7, kommunen_text(need))
        .bind(8, need.centre_lon)
        .bind(9, need.centre_lat)
        .bind(10, need.radius_km)
        .bind(11, need.place_name)
        .bind(12, need.needed_from)
        .bind(13, need.common_good ? 1 : 0)
        .bind(14, need.contact_name)
        .bind(15, need.contact_email)
        .bind(16, need.contact_phone)
        .bind(17, need.status)
        .bind(18, need.author);
}

/// Only needs of `statuses` (none: every status).
void add_statuses(Conditions& where, const std::vector<std::string>& statuses) {
    if (statuses.empty()) return;
    std::string list;
    for (const std::string& status : statuses) {
        list += list.empty() ? "?" : ", ?";
        where.binds.emplace_back(status);
    }
    where.add("n.status IN (" + list + ")");
}

bool is_closed(const std::string& status) {
    return status == "vermittelt" || status == "geschlossen";
}

}  // namespace

NeedStore::NeedStore(Store& store) : m_db(store.connection()) {}

NeedRecord NeedStore::insert(const NeedRecord& record,
                             const std::optional<std::string>& confirm_token_hash) {
    OwnTransaction transaction(m_db);
    const std::string now = m_db.now();
    Statement insert = m_db.prepare(
        "INSERT INTO gesuche (title, description, uses, kinds, min_area_m2, max_area_m2, "
        "kommunen, centre_lon, centre_lat, radius_km, place_name, needed_from, common_good, "
        "contact_name, contact_email, contact_phone, status, author, source, "
        "confirm_token_hash, confirmed_at, created_at, updated_at, closed_at) VALUES (?1, ?2, "
        "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
        "?22, ?22, ?23) RETURNING id");
    bind_need(insert, record);
    insert.bind(19, record.source)
        .bind(20, confirm_token_hash)
        .bind(21, record.status == "unbestaetigt" ? std::nullopt : std::optional(now))
        .bind(22, now)
        .bind(23, is_closed(record.status) ? std::optional(now) : std::nullopt);
    std::int64_t id = 0;
    while (insert.step()) id = insert.column_int64(0);
    auto stored = need(id);
    if (!stored) throw InternalError("a need vanished while it was stored");
    transaction.commit();
    return *stored;
}

NeedRecord NeedStore::update(const NeedRecord& record, std::int64_t expected_version) {
    OwnTransaction transaction(m_db);
    const auto current = need(record.id);
    if (!current) throw NotFound("need " + std::to_string(record.id) + " does not exist");
    if (current->version != expected_version)
        throw PreconditionFailed::stale("need", record.id, current->version, expected_version);
    const std::string now = m_db.now();
    // closed_at keeps the first closing: the retention time runs from it.
    std::optional<std::string> closed_at;
    if (is_closed(record.status)) closed_at = current->closed_at.value_or(now);
    // Staff who put an unconfirmed need online confirm it for the caller.
    std::optional<std::string> confirmed_at = current->confirmed_at;
    if (!confirmed_at && record.status != "unbestaetigt") confirmed_at = now;
    Statement update = m_db.prepare(
        "UPDATE gesuche SET title = ?1, description = ?2, uses = ?3, kinds = ?4, "
        "min_area_m2 = ?5, max_area_m2 = ?6, kommunen = ?7, centre_lon = ?8, centre_lat = ?9, "
        "radius_km = ?10, place_name = ?11, needed_from = ?12, common_good = ?13, "
        "contact_name = ?14, contact_email = ?15, contact_phone = ?16, status = ?17, "
        "author = ?18, closed_at = ?19, confirmed_at = ?20, "
        "confirm_token_hash = CASE WHEN ?17 = 'unbestaetigt' THEN confirm_token_hash END, "
        "updated_at = ?21, version = version + 1 WHERE id = ?22 AND version = ?23");
    bind_need(update, record);
    update.bind(19, closed_at)
        .bind(20, confirmed_at)
        .bind(21, now)
        .bind(22, record.id)
        .bind(23, expected_version);
    update.run();
    if (m_db.changes() != 1)
        throw PreconditionFailed::stale("need", record.id, current->version, expected_version);
    auto stored = need(record.id);
    if (!stored) throw InternalError("need " + std::to_string(record.id) + " vanished");
    transaction.commit();
    return *stored;
}

void NeedStore::remove(std::int64_t id, std::int64_t expected_version) {
    OwnTransaction transaction(m_db);
    const auto current = need(id);
    if (!current) throw NotFound("need " + std::to_string(id) + " does not exist");
    Statement remove = m_db.prepare("DELETE FROM gesuche WHERE id = ?1 AND version = ?2");
    remove.bind(1, id).bind(2, expected_version).run();
    if (m_db.changes() != 1)
        throw PreconditionFailed::stale("need", id, current->version, expected_version);
    transaction.commit();
}

std::optional<NeedRecord> NeedStore::need(std::int64_t id) {
    Statement select =
        m_db.prepare(std::string(k_need_columns) + k_needs_with_place + "WHERE n.id = ?1");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_need(select);
}

RecordPage<NeedRecord> NeedStore::list(const NeedFilter& filter) {
    Conditions where;
    add_statuses(where, filter.visible_statuses);
    if (filter.status) {
        where.add("n.status = ?");
        where.binds.emplace_back(*filter.status);
    }
    if (filter.kommune_prefix) {
        // A named Kommune in the prefix's area, or a named Kreis holding it; a circle that
        // reaches a boundary there (geodesic distance in metres, 0 inside).
        where.add(
            "((n.kommunen IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(n.kommunen) j "
            "WHERE j.value LIKE CAST(? AS TEXT) || '%' OR CAST(? AS TEXT) LIKE j.value || '%')) "
            "OR (n.radius_km IS NOT NULL AND EXISTS (SELECT 1 FROM kommunen k WHERE k.ags LIKE "
            "CAST(? AS TEXT) || '%' AND "
            "k.boundary IS NOT NULL AND "
            "ST_Distance(MakePoint(n.centre_lon, n.centre_lat, 4326), k.boundary, 1) <= "
            "n.radius_km * 1000)))");
        // AGS are digits (checked before), so LIKE finds no wildcard in them and its case
        // rules (SQLite's ignores ASCII case, PostgreSQL's does not) cannot matter.
        for (int i = 0; i < 3; ++i) where.binds.emplace_back(*filter.kommune_prefix);
    }
    if (filter.use) {
        where.add(
            "(NOT EXISTS (SELECT 1 FROM json_each(n.uses)) OR EXISTS (SELECT 1 FROM "
            "json_each(n.uses) u WHERE u.value = ?))");
        where.binds.emplace_back(*filter.use);
    }
    if (filter.bbox) {
        where.add("n.map_lon BETWEEN ? AND ? AND n.map_lat BETWEEN ? AND ?");
        where.binds.emplace_back(filter.bbox->min_lon);
        where.binds.emplace_back(filter.bbox->max_lon);
        where.binds.emplace_back(filter.bbox->min_lat);
        where.binds.emplace_back(filter.bbox->max_lat);
    }
    const std::string& sql = where.sql;
    RecordPage<NeedRecord> page;
    Statement count = m_db.prepare(std::string("SELECT count(*) FROM ") + k_needs_with_place + sql);
    where.bind_all(count);
    count.step();
    page.number_matched = count.column_int64(0);
    Statement select = m_db.prepare(std::string(k_need_columns) + k_needs_with_place + sql +
                                    " ORDER BY n.id LIMIT ? OFFSET ?");
    const int next = where.bind_all(select);
    select.bind(next, filter.limit).bind(next + 1, filter.offset);
    while (select.step()) page.items.push_back(read_need(select));
    return page;
}

std::optional<Bbox> NeedStore::extent(const std::vector<std::string>& visible_statuses) {
    Conditions where;
    add_statuses(where, visible_statuses);
    Statement select =
        m_db.prepare(std::string("SELECT min(n.map_lon), min(n.map_lat), max(n.map_lon), "
                                 "max(n.map_lat) FROM ") +
                     k_needs_with_place + where.sql);
    where.bind_all(select);
    if (!select.step() || select.column_is_null(0)) return std::nullopt;
    return Bbox{select.column_double(0), select.column_double(1), select.column_double(2),
                select.column_double(3)};
}

std::optional<std::int64_t> NeedStore::confirm(const std::string& token_hash) {
    OwnTransaction transaction(m_db);
    Statement select = m_db.prepare(
        "SELECT id FROM gesuche WHERE confirm_token_hash = ?1 AND status = 'unbestaetigt'");
    select.bind(1, token_hash);
    if (!select.step()) return std::nullopt;
    const std::int64_t id = select.column_int64(0);
    const std::string now = m_db.now();
    Statement update = m_db.prepare(
        "UPDATE gesuche SET status = 'offen', confirmed_at = ?1, confirm_token_hash = NULL, "
        "updated_at = ?1, version = version + 1 WHERE id = ?2");
    update.bind(1, now).bind(2, id).run();
    transaction.commit();
    return id;
}

std::int64_t NeedStore::delete_personal_data(const std::string& closed_before,
                                             const std::string& unconfirmed_before) {
    OwnTransaction transaction(m_db);
    constexpr const char* k_expired =
        "closed_at IS NOT NULL AND closed_at < ?1 AND personal_data_deleted_at IS NULL";
    Statement messages = m_db.prepare(
        std::string("UPDATE nachrichten SET text = NULL WHERE gesuch_id IN (SELECT id FROM "
                    "gesuche WHERE ") +
        k_expired + ")");
    messages.bind(1, closed_before).run();
    Statement contact =
        m_db.prepare(std::string("UPDATE gesuche SET contact_name = NULL, contact_email = NULL, "
                                 "contact_phone = NULL, personal_data_deleted_at = ?2 WHERE ") +
                     k_expired);
    contact.bind(1, closed_before).bind(2, m_db.now()).run();
    std::int64_t changed = m_db.changes();
    // Nobody confirmed it: the whole need goes, it was never more than a claim.
    Statement unconfirmed =
        m_db.prepare("DELETE FROM gesuche WHERE status = 'unbestaetigt' AND created_at < ?1");
    unconfirmed.bind(1, unconfirmed_before).run();
    changed += m_db.changes();
    transaction.commit();
    return changed;
}

}  // namespace leerstand::data
