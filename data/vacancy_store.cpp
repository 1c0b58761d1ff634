#include "data/vacancy_store.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string>
#include <utility>
#include <variant>

#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "common/geometry.hpp"
#include "common/iso_date.hpp"
#include "data/connection.hpp"
#include "data/sql_conditions.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

using namespace detail;

using nlohmann::json;

// -- reading rows -------------------------------------------------------------------------

std::optional<double> optional_double(const Statement& statement, int column) {
    if (statement.column_is_null(column)) return std::nullopt;
    return statement.column_double(column);
}

constexpr const char* k_vacancy_columns =
    "SELECT v.id, ST_X(v.geom), ST_Y(v.geom), v.building_id, v.kommune_ags, v.status, v.use, "
    "v.degree, v.vacant_since, v.floor_area_m2, v.owner_type, v.owner_contact, "
    "v.internal_notes, v.consent_publish, v.consent_date, v.public_description, v.created_at, "
    "v.updated_at, v.author, v.version, "
    "(SELECT min(z.id) FROM zukunftsorte z WHERE z.vacancy_id = v.id), v.public_version, "
    "v.public_created_at, v.public_updated_at "
    "FROM vacancies v ";

VacancyRecord read_vacancy(const Statement& s) {
    VacancyRecord record;
    record.id = s.column_int64(0);
    record.lon = s.column_double(1);
    record.lat = s.column_double(2);
    record.building_id = s.column_optional_int64(3);
    record.kommune_ags = s.column_text(4);
    record.status = s.column_text(5);
    record.use = s.column_text(6);
    record.degree = s.column_text(7);
    record.vacant_since = s.column_optional_text(8);
    record.floor_area_m2 = optional_double(s, 9);
    record.owner_type = s.column_text(10);
    record.owner_contact = s.column_optional_text(11);
    record.internal_notes = s.column_optional_text(12);
    record.consent_publish = s.column_int64(13) != 0;
    record.consent_date = s.column_optional_text(14);
    record.public_description = s.column_optional_text(15);
    record.created_at = s.column_text(16);
    record.updated_at = s.column_text(17);
    record.author = s.column_optional_text(18);
    record.version = s.column_int64(19);
    record.zukunftsort_id = s.column_optional_int64(20);
    record.public_version = s.column_int64(21);
    record.public_created_at = s.column_optional_text(22).value_or("");
    record.public_updated_at = s.column_optional_text(23).value_or("");
    return record;
}

constexpr const char* k_zukunftsort_columns =
    "SELECT z.id, ST_X(z.geom), ST_Y(z.geom), z.name, z.kind, z.description, z.website, "
    "z.opened, z.kommune_ags, z.building_id, z.vacancy_id, z.created_at, z.updated_at, "
    "z.version, v.kommune_ags, v.consent_publish, z.story, z.images "
    "FROM zukunftsorte z LEFT JOIN vacancies v ON v.id = z.vacancy_id ";

ZukunftsortRecord read_zukunftsort(const Statement& s) {
    ZukunftsortRecord record;
    record.id = s.column_int64(0);
    record.lon = s.column_double(1);
    record.lat = s.column_double(2);
    record.name = s.column_text(3);
    record.kind = s.column_optional_text(4);
    record.description = s.column_optional_text(5);
    record.website = s.column_optional_text(6);
    record.opened = s.column_optional_text(7);
    record.kommune_ags = s.column_optional_text(8);
    record.building_id = s.column_optional_int64(9);
    record.vacancy_id = s.column_optional_int64(10);
    record.created_at = s.column_text(11);
    record.updated_at = s.column_text(12);
    record.version = s.column_int64(13);
    record.vacancy_kommune_ags = s.column_optional_text(14);
    if (!s.column_is_null(15)) record.vacancy_consent_publish = s.column_int64(15) != 0;
    record.story = s.column_optional_text(16);
    // The column's CHECK keeps it a JSON array; its members are written by bind_zukunftsort.
    record.images = json::parse(s.column_text(17)).get<std::vector<std::string>>();
    return record;
}

// -- checks -------------------------------------------------------------------------------

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& allowed, const std::string& value) {
    return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

void check_point(FieldErrors& errors, double lon, double lat) {
    if (!LonLat::checked(lon, lat))
        errors.add("geometry", field_code::k_out_of_range,
                   "the coordinates must be lon/lat in degrees (EPSG:4326)");
}

/// Adds "unknown <field> '<value>'" unless `value` is one of `allowed`.
template <std::size_t N>
void check_vocabulary(FieldErrors& errors, const std::string& field,
                      const std::array<std::string_view, N>& allowed, const std::string& value) {
    if (!one_of(allowed, value))
        errors.add(field, field_code::k_not_one_of, "unknown " + field + " '" + value + "'");
}

/// True when `sql` (a SELECT with one parameter) finds a row for `key`.
template <typename Key>
bool row_exists(Connection& db, const char* sql, const Key& key) {
    Statement select = db.prepare(sql);
    select.bind(1, key);
    return select.step();
}

void check_kommune(Connection& db, FieldErrors& errors, const std::string& ags) {
    if (!row_exists(db, "SELECT 1 FROM kommunen WHERE ags = ?", ags))
        errors.add("kommune_ags", field_code::k_unknown_kommune, "unknown Kommune '" + ags + "'");
}

void check_building(Connection& db, FieldErrors& errors, const std::optional<std::int64_t>& id) {
    if (id && !row_exists(db, "SELECT 1 FROM buildings WHERE id = ?", *id))
        errors.add("building_id", field_code::k_unknown_building,
                   "no building with id " + std::to_string(*id));
}

// The store's own last line before the schema CHECKs, so a bulk import that skipped the
// service's validation gets a message naming the field, not a constraint.
void check_vacancy(Connection& db, const VacancyRecord& record) {
    FieldErrors errors;
    check_point(errors, record.lon, record.lat);
    check_vocabulary(errors, "status", k_vacancy_statuses, record.status);
    check_vocabulary(errors, "use", k_vacancy_uses, record.use);
    check_vocabulary(errors, "degree", k_vacancy_degrees, record.degree);
    check_vocabulary(errors, "owner_type", k_owner_types, record.owner_type);
    if (record.floor_area_m2 && !(*record.floor_area_m2 >= 0.0))
        errors.add("floor_area_m2", field_code::k_out_of_range,
                   "the floor area must be a number of 0 or more");
    check_kommune(db, errors, record.kommune_ags);
    check_building(db, errors, record.building_id);
    errors.throw_if_any("the vacancy cannot be stored");
}

/// Every id names a stored image: a page must not show a broken picture, nor point at an
/// image someone could upload later under a name guessed now.
void check_images(Connection& db, FieldErrors& errors, const std::vector<std::string>& ids) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (row_exists(db, "SELECT 1 FROM images WHERE id = ?", ids[i])) continue;
        errors.add("images", field_code::k_unknown_image,
                   "images[" + std::to_string(i) + "]: no image with id '" + ids[i] + "'");
    }
}

void check_zukunftsort(Connection& db, const ZukunftsortRecord& record) {
    FieldErrors errors;
    check_point(errors, record.lon, record.lat);
    if (record.name.empty())
        errors.add("name", field_code::k_required, "a Zukunftsort needs a name");
    if (record.kommune_ags) check_kommune(db, errors, *record.kommune_ags);
    check_building(db, errors, record.building_id);
    if (record.vacancy_id &&
        !row_exists(db, "SELECT 1 FROM vacancies WHERE id = ?", *record.vacancy_id))
        errors.add("vacancy_id", field_code::k_unknown_vacancy,
                   "no vacancy with id " + std::to_string(*record.vacancy_id));
    check_images(db, errors, record.images);
    errors.throw_if_any("the Zukunftsort cannot be stored");
}

// -- history ------------------------------------------------------------------------------

template <typename T>
json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

// The fields a history row records: every stored property a user can change, plus the
// geometry and consent_date (kept by the store, but part of what changed).
json history_fields(const VacancyRecord& r) {
    return json{
        {"geometry", {{"type", "Point"}, {"coordinates", {r.lon, r.lat}}}},
        {"status", r.status},
        {"use", r.use},
        {"degree", r.degree},
        {"vacant_since", optional_json(r.vacant_since)},
        {"floor_area_m2", optional_json(r.floor_area_m2)},
        {"owner_type", r.owner_type},
        {"owner_contact", optional_json(r.owner_contact)},
        {"internal_notes", optional_json(r.internal_notes)},
        {"consent_publish", r.consent_publish},
        {"consent_date", optional_json(r.consent_date)},
        {"public_description", optional_json(r.public_description)},
        {"building_id", optional_json(r.building_id)},
        {"kommune_ags", r.kommune_ags},
    };
}

/// True when the public sees a difference between two states of a vacancy (history_fields of
/// each): it was published in either, and a field everyone sees differs.
bool public_view_differs(const json& before, const json& after) {
    if (!before.at("consent_publish").get<bool>() && !after.at("consent_publish").get<bool>())
        return false;
    return std::any_of(k_public_vacancy_fields.begin(), k_public_vacancy_fields.end(),
                       [&](std::string_view field) {
                           const std::string key(field);
                           return before.at(key) != after.at(key);
                       });
}

json without_nulls(const json& fields) {
    json result = json::object();
    for (const auto& [key, value] : fields.items())
        if (!value.is_null()) result[key] = value;
    return result;
}

void write_history(Connection& db, std::int64_t vacancy_id, const std::string& kommune_ags,
                   const std::string& changed_at, const std::string& changed_by,
                   const std::string& action, const json& old_values, const json& new_values) {
    Statement insert = db.prepare(
        "INSERT INTO vacancy_history (vacancy_id, kommune_ags, changed_at, changed_by, action, "
        "old_values, new_values) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, vacancy_id)
        .bind(2, kommune_ags)
        .bind(3, changed_at)
        .bind_text_or_null(4, changed_by)
        .bind(5, action);
    if (old_values.is_null())
        insert.bind_null(6);
    else
        insert.bind(6, old_values.dump());
    if (new_values.is_null())
        insert.bind_null(7);
    else
        insert.bind(7, new_values.dump());
    insert.run();
}

// Points of `table` inside `box` (edges included), found through the R*Tree SpatiaLite keeps
// for `geom`: for a point its box is the point, so the index test is exact.
void add_bbox(Dialect dialect, Conditions& where, const std::string& table,
              const std::string& alias, const Bbox& box) {
    add_rtree_candidates(dialect, where, table, alias, "geom", box);
    // The exact test removes the R*Tree's near misses.
    where.add("ST_X(" + alias + ".geom) BETWEEN ? AND ? AND ST_Y(" + alias +
              ".geom) BETWEEN ? AND ?");
    where.binds.emplace_back(box.min_lon);
    where.binds.emplace_back(box.max_lon);
    where.binds.emplace_back(box.min_lat);
    where.binds.emplace_back(box.max_lat);
}

}  // namespace

// -----------------------------------------------------------------------------------------
// WriteTransaction

struct VacancyStore::WriteTransaction::Impl {
    explicit Impl(Connection& db) : transaction(db) {}
    // Joins a transaction the caller opened: a use case that combines writes of several
    // stores (a match's outcome: vacancy, Zukunftsort, offer) commits them all at once.
    OwnTransaction transaction;
};

VacancyStore::WriteTransaction::WriteTransaction(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}
VacancyStore::WriteTransaction::WriteTransaction(WriteTransaction&&) noexcept = default;
VacancyStore::WriteTransaction::~WriteTransaction() = default;

void VacancyStore::WriteTransaction::commit() {
    m_impl->transaction.commit();
}

VacancyStore::VacancyStore(Store& store) : m_db(store.connection()) {}

VacancyStore::WriteTransaction VacancyStore::begin_write() {
    return WriteTransaction(std::make_unique<WriteTransaction::Impl>(m_db));
}

// -----------------------------------------------------------------------------------------
// vacancies

namespace {

/// Binds the stored fields of a vacancy as ?1 .. ?15, in the order both the INSERT and the
/// UPDATE name them: lon, lat, building_id, kommune_ags, status, use, degree, vacant_since,
/// floor_area_m2, owner_type, owner_contact, internal_notes, consent_publish, consent_date,
/// public_description. Each statement binds what follows itself.
void bind_vacancy(Statement& statement, const VacancyRecord& record) {
    statement.bind(1, record.lon)
        .bind(2, record.lat)
        .bind(3, record.building_id)
        .bind(4, record.kommune_ags)
        .bind(5, record.status)
        .bind(6, record.use)
        .bind(7, record.degree)
        .bind(8, record.vacant_since)
        .bind(9, record.floor_area_m2)
        .bind(10, record.owner_type)
        .bind(11, record.owner_contact)
        .bind(12, record.internal_notes)
        .bind(13, std::int64_t{record.consent_publish ? 1 : 0})
        .bind(14, record.consent_date)
        .bind(15, record.public_description);
}

}  // namespace

VacancyRecord VacancyStore::insert_vacancy(const VacancyRecord& record,
                                           const std::string& changed_by) {
    check_vacancy(m_db, record);
    OwnTransaction transaction(m_db);
    const std::string now = m_db.now();
    VacancyRecord stored = record;
    stored.consent_date = record.consent_publish
                              ? std::optional<std::string>(m_db.now().substr(0, 10))
                              : std::nullopt;
    if (!stored.author || stored.author->empty())
        stored.author = changed_by.empty() ? std::nullopt : std::optional<std::string>(changed_by);
    Statement insert = m_db.prepare(
        "INSERT INTO vacancies (geom, building_id, kommune_ags, status, use, degree, "
        "vacant_since, floor_area_m2, owner_type, owner_contact, internal_notes, "
        "consent_publish, consent_date, public_description, created_at, updated_at, author, "
        "version, public_version, public_created_at, public_updated_at) VALUES (MakePoint(?1, ?2, "
        "4326), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17, 1, ?13, "
        "?18, ?18) RETURNING id");
    bind_vacancy(insert, stored);
    // The public times are decided here, not by CASE on ?13 in the SQL: PostgreSQL gives a
    // parameter one type, and the column (bigint) and "= 1" (integer) would give two.
    const std::optional<std::string> public_since =
        stored.consent_publish ? std::optional<std::string>(now) : std::nullopt;
    insert.bind(16, now).bind(17, stored.author).bind(18, public_since);
    insert.step();
    stored.id = insert.column_int64(0);
    insert.reset();  // a statement still open would keep the COMMIT below from ending
    write_history(m_db, stored.id, stored.kommune_ags, now, changed_by, "create", nullptr,
                  without_nulls(history_fields(stored)));
    auto result = vacancy(stored.id);
    if (!result) throw InternalError("vacancy " + std::to_string(stored.id) + " vanished");
    transaction.commit();
    return *result;
}

VacancyRecord VacancyStore::update_vacancy(const VacancyRecord& record,
                                           std::int64_t expected_version,
                                           const std::string& changed_by) {
    check_vacancy(m_db, record);
    OwnTransaction transaction(m_db);
    // Read inside the write lock, so the version check and the diff see the row we replace.
    const auto current = vacancy(record.id);
    if (!current) throw NotFound("vacancy " + std::to_string(record.id) + " does not exist");
    if (current->version != expected_version)
        throw PreconditionFailed::stale("vacancy", record.id, current->version, expected_version);

    VacancyRecord next = record;
    if (!next.consent_publish)
        next.consent_date.reset();
    else if (current->consent_publish)
        next.consent_date = current->consent_date;
    else
        next.consent_date = m_db.now().substr(0, 10);

    const json before = history_fields(*current);
    const json after = history_fields(next);
    json old_values = json::object();
    json new_values = json::object();
    for (const auto& [key, value] : after.items()) {
        if (before.at(key) == value) continue;
        old_values[key] = before.at(key);
        new_values[key] = value;
    }
    if (new_values.empty()) {
        transaction.commit();
        return *current;
    }

    const std::string now = m_db.now();
    // ?19: whether the public sees this change (then it is a new public version); ?20 and ?21
    // the public times this change may set (NULL: it sets none), decided here as in
    // insert_vacancy.
    const bool public_change = public_view_differs(before, after);
    Statement update = m_db.prepare(
        "UPDATE vacancies SET geom = MakePoint(?1, ?2, 4326), building_id = ?3, "
        "kommune_ags = ?4, status = ?5, use = ?6, degree = ?7, vacant_since = ?8, "
        "floor_area_m2 = ?9, owner_type = ?10, owner_contact = ?11, internal_notes = ?12, "
        "consent_publish = ?13, consent_date = ?14, public_description = ?15, updated_at = ?16, "
        "version = version + 1, "
        "public_version = public_version + ?19, "
        "public_created_at = coalesce(public_created_at, ?20), "
        "public_updated_at = coalesce(?21, public_updated_at) "
        "WHERE id = ?17 AND version = ?18");
    bind_vacancy(update, next);
    update.bind(16, now)
        .bind(17, record.id)
        .bind(18, expected_version)
        .bind(19, std::int64_t{public_change ? 1 : 0})
        .bind(20, next.consent_publish ? std::optional<std::string>(now) : std::nullopt)
        .bind(21, public_change ? std::optional<std::string>(now) : std::nullopt);
    update.run();
    // Cannot happen under the write lock taken above; kept so a change of locking can never
    // turn a stale write into a silent one.
    if (m_db.changes() != 1)
        throw PreconditionFailed::stale("vacancy", record.id, current->version, expected_version);
    write_history(m_db, record.id, next.kommune_ags, now, changed_by, "update", old_values,
                  new_values);
    // Read back before the commit: after it another writer may change the row first, and the
    // answer (its ETag) would then be that writer's version, not the one this call stored.
    auto result = vacancy(record.id);
    if (!result) throw InternalError("vacancy " + std::to_string(record.id) + " vanished");
    transaction.commit();
    return *result;
}

void VacancyStore::remove_vacancy(std::int64_t id, std::int64_t expected_version,
                                  const std::string& changed_by) {
    OwnTransaction transaction(m_db);
    const auto current = vacancy(id);
    if (!current) throw NotFound("vacancy " + std::to_string(id) + " does not exist");
    if (current->version != expected_version)
        throw PreconditionFailed::stale("vacancy", id, current->version, expected_version);
    Statement remove = m_db.prepare("DELETE FROM vacancies WHERE id = ?1 AND version = ?2");
    remove.bind(1, id).bind(2, expected_version).run();
    if (m_db.changes() != 1)
        throw PreconditionFailed::stale("vacancy", id, current->version, expected_version);
    write_history(m_db, id, current->kommune_ags, m_db.now(), changed_by, "delete",
                  without_nulls(history_fields(*current)), nullptr);
    transaction.commit();
}

std::optional<VacancyRecord> VacancyStore::vacancy(std::int64_t id) {
    Statement select = m_db.prepare(std::string(k_vacancy_columns) + "WHERE v.id = ?1");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_vacancy(select);
}

RecordPage<VacancyRecord> VacancyStore::list_vacancies(const VacancyFilter& filter) {
    Conditions where;
    add_visible(where, filter.visibility);
    if (filter.kommune_prefix) add_prefix(where, "v.kommune_ags", *filter.kommune_prefix);
    if (filter.status) {
        where.add("v.status = ?");
        where.binds.emplace_back(*filter.status);
    }
    if (filter.use) {
        where.add("v.use = ?");
        where.binds.emplace_back(*filter.use);
    }
    if (filter.vacant_since) add_date_range(where, "v.vacant_since", *filter.vacant_since);
    if (filter.bbox) add_bbox(m_db.dialect(), where, "vacancies", "v", *filter.bbox);
    if (filter.address) {
        // After the conditions above, so only rows the caller may see reach the building.
        where.add(
            "EXISTS (SELECT 1 FROM buildings b WHERE b.id = v.building_id AND "
            "address_matches(b.street, b.housenumber, ?, ?))");
        where.binds.emplace_back(filter.address->street);
        where.binds.emplace_back(filter.address->housenumber);
    }

    RecordPage<VacancyRecord> page;
    Statement count = m_db.prepare("SELECT count(*) FROM vacancies v " + where.sql);
    where.bind_all(count);
    count.step();
    page.number_matched = count.column_int64(0);

    Statement select =
        m_db.prepare(std::string(k_vacancy_columns) + where.sql +
                     order_by("vacancies", filter.sort, "v.id") + " LIMIT ? OFFSET ?");
    where.bind_all(select);
    const int next = static_cast<int>(where.binds.size()) + 1;
    select.bind(next, filter.limit).bind(next + 1, filter.offset);
    while (select.step()) page.items.push_back(read_vacancy(select));
    return page;
}

std::vector<VacancyHistoryEntry> VacancyStore::vacancy_history(std::int64_t vacancy_id) {
    Statement select = m_db.prepare(
        "SELECT id, vacancy_id, kommune_ags, changed_at, changed_by, action, old_values, "
        "new_values FROM vacancy_history WHERE vacancy_id = ?1 ORDER BY changed_at, id");
    select.bind(1, vacancy_id);
    std::vector<VacancyHistoryEntry> entries;
    while (select.step()) {
        VacancyHistoryEntry entry;
        entry.id = select.column_int64(0);
        entry.vacancy_id = select.column_int64(1);
        entry.kommune_ags = select.column_text(2);
        entry.changed_at = select.column_text(3);
        entry.changed_by = select.column_text(4);
        entry.action = select.column_text(5);
        entry.old_values_json = select.column_is_null(6) ? "null" : select.column_text(6);
        entry.new_values_json = select.column_is_null(7) ? "null" : select.column_text(7);
        entries.push_back(std::move(entry));
    }
    return entries;
}

// -----------------------------------------------------------------------------------------
// buildings and Kommunen

std::optional<std::int64_t> VacancyStore::match_building(double lon, double lat,
                                                         double max_distance_m) {
    // No footprint lies off the globe, and NaN must not reach the SQL.
    if (!LonLat::checked(lon, lat)) return std::nullopt;
    // Containing footprints first, found through the R*Tree; the smallest wins where
    // footprints overlap (a building part inside a larger outline).
    Conditions containing;
    add_rtree_candidates(m_db.dialect(), containing, "buildings", "b", "footprint",
                         Bbox{lon, lat, lon, lat});
    containing.add("ST_Contains(b.footprint, MakePoint(?, ?, 4326)) = TRUE");
    containing.binds.emplace_back(lon);
    containing.binds.emplace_back(lat);
    Statement inside = m_db.prepare("SELECT b.id FROM buildings b " + containing.sql +
                                    " ORDER BY ST_Area(b.footprint), b.id LIMIT 1");
    containing.bind_all(inside);
    if (inside.step()) return inside.column_int64(0);
    if (!(max_distance_m > 0.0)) return std::nullopt;

    // Then the nearest within the distance: a box of the distance in degrees (generous by a
    // tenth, so the box never cuts off a candidate) prefilters through the R*Tree, and the
    // ellipsoidal distance in metres decides.
    constexpr double metres_per_degree_lat = 110574.0;
    const double cos_lat = std::max(std::cos(lat * std::numbers::pi / 180.0), 0.01);
    const double dlat = 1.1 * max_distance_m / metres_per_degree_lat;
    const double dlon = 1.1 * max_distance_m / (111320.0 * cos_lat);
    Conditions near;
    near.binds.emplace_back(lon);  // the distance's point comes first in the text
    near.binds.emplace_back(lat);
    add_rtree_candidates(m_db.dialect(), near, "buildings", "b", "footprint",
                         Bbox{lon - dlon, lat - dlat, lon + dlon, lat + dlat});
    Statement nearest = m_db.prepare(
        "SELECT id, d FROM (SELECT b.id AS id, ST_Distance(b.footprint, MakePoint(?, ?, 4326), "
        "1) AS d FROM buildings b " +
        near.sql + ") AS candidates WHERE d IS NOT NULL AND d <= ? ORDER BY d, id LIMIT 1");
    nearest.bind(near.bind_all(nearest), max_distance_m);
    if (nearest.step()) return nearest.column_int64(0);
    return std::nullopt;
}

std::optional<BuildingPlace> VacancyStore::building_place(std::int64_t id, double lon, double lat) {
    // ST_Distance is 0 for a point inside the footprint; 1: on the ellipsoid, in metres.
    Statement select = m_db.prepare(
        "SELECT kommune_ags, ST_Distance(footprint, MakePoint(?2, ?3, 4326), 1) FROM buildings "
        "WHERE id = ?1");
    select.bind(1, id).bind(2, lon).bind(3, lat);
    if (!select.step()) return std::nullopt;
    BuildingPlace place;
    place.kommune_ags = select.column_text(0);
    // A NULL distance (no footprint to measure) never counts as near.
    place.distance_m = select.column_is_null(1) ? std::numeric_limits<double>::infinity()
                                                : select.column_double(1);
    return place;
}

bool VacancyStore::kommune_exists(const std::string& ags) {
    return row_exists(m_db, "SELECT 1 FROM kommunen WHERE ags = ?", ags);
}

KommuneStamp VacancyStore::kommune_stamp() {
    // The sum of the keys moves when one Kommune replaces another (count unchanged), where a
    // pinned clock could leave max(updated_at) unchanged too. AGS are digits (CHECK).
    Statement select = m_db.prepare(
        "SELECT count(*), coalesce(sum(CAST(ags AS BIGINT)), 0), coalesce(max(updated_at), '') "
        "FROM kommunen");
    select.step();
    KommuneStamp stamp;
    stamp.count = select.column_int64(0);
    stamp.key_sum = select.column_int64(1);
    stamp.max_updated_at = select.column_text(2);
    return stamp;
}

std::vector<KommuneBoundary> VacancyStore::kommune_boundaries() {
    Statement select = m_db.prepare(
        "SELECT ags, AsBinary(boundary), name FROM kommunen WHERE boundary IS NOT NULL "
        "ORDER BY ags");
    std::vector<KommuneBoundary> result;
    while (select.step())
        result.push_back(
            KommuneBoundary{select.column_text(0), select.column_blob(1), select.column_text(2)});
    return result;
}

// -----------------------------------------------------------------------------------------
// Zukunftsorte

namespace {

void bind_zukunftsort(Statement& statement, const ZukunftsortRecord& record) {
    statement.bind(1, record.lon)
        .bind(2, record.lat)
        .bind(3, record.name)
        .bind(4, record.kind)
        .bind(5, record.description)
        .bind(6, record.website)
        .bind(7, record.opened)
        .bind(8, record.kommune_ags)
        .bind(9, record.building_id)
        .bind(10, record.vacancy_id)
        .bind(11, record.story)
        .bind(12, json(record.images).dump());
}

}  // namespace

ZukunftsortRecord VacancyStore::insert_zukunftsort(const ZukunftsortRecord& record) {
    check_zukunftsort(m_db, record);
    OwnTransaction transaction(m_db);
    Statement insert = m_db.prepare(
        "INSERT INTO zukunftsorte (geom, name, kind, description, website, opened, kommune_ags, "
        "building_id, vacancy_id, story, images, created_at, updated_at, version) VALUES "
        "(MakePoint(?1, ?2, 4326), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, 1) "
        "RETURNING id");
    bind_zukunftsort(insert, record);
    insert.bind(13, m_db.now());
    insert.step();
    const std::int64_t id = insert.column_int64(0);
    insert.reset();  // as in insert_vacancy
    auto result = zukunftsort(id);
    if (!result) throw InternalError("Zukunftsort " + std::to_string(id) + " vanished");
    transaction.commit();
    return *result;
}

ZukunftsortRecord VacancyStore::update_zukunftsort(const ZukunftsortRecord& record,
                                                   std::int64_t expected_version) {
    check_zukunftsort(m_db, record);
    OwnTransaction transaction(m_db);
    const auto current = zukunftsort(record.id);
    if (!current) throw NotFound("Zukunftsort " + std::to_string(record.id) + " does not exist");
    if (current->version != expected_version)
        throw PreconditionFailed::stale("Zukunftsort", record.id, current->version,
                                        expected_version);
    Statement update = m_db.prepare(
        "UPDATE zukunftsorte SET geom = MakePoint(?1, ?2, 4326), name = ?3, kind = ?4, "
        "description = ?5, website = ?6, opened = ?7, kommune_ags = ?8, building_id = ?9, "
        "vacancy_id = ?10, story = ?11, images = ?12, updated_at = ?13, version = version + 1 "
        "WHERE id = ?14 AND version = ?15");
    bind_zukunftsort(update, record);
    update.bind(13, m_db.now()).bind(14, record.id).bind(15, expected_version);
    update.run();
    if (m_db.changes() != 1)
        throw PreconditionFailed::stale("Zukunftsort", record.id, current->version,
                                        expected_version);
    auto result = zukunftsort(record.id);  // before the commit, as in update_vacancy
    if (!result) throw InternalError("Zukunftsort " + std::to_string(record.id) + " vanished");
    transaction.commit();
    return *result;
}

void VacancyStore::remove_zukunftsort(std::int64_t id, std::int64_t expected_version) {
    OwnTransaction transaction(m_db);
    const auto current = zukunftsort(id);
    if (!current) throw NotFound("Zukunftsort " + std::to_string(id) + " does not exist");
    if (current->version != expected_version)
        throw PreconditionFailed::stale("Zukunftsort", id, current->version, expected_version);
    Statement remove = m_db.prepare("DELETE FROM zukunftsorte WHERE id = ?1 AND version = ?2");
    remove.bind(1, id).bind(2, expected_version).run();
    if (m_db.changes() != 1)
        throw PreconditionFailed::stale("Zukunftsort", id, current->version, expected_version);
    transaction.commit();
}

std::optional<ZukunftsortRecord> VacancyStore::zukunftsort(std::int64_t id) {
    Statement select = m_db.prepare(std::string(k_zukunftsort_columns) + "WHERE z.id = ?1");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_zukunftsort(select);
}

RecordPage<ZukunftsortRecord> VacancyStore::list_zukunftsorte(const ZukunftsortFilter& filter) {
    Conditions where;
    if (filter.kommune_prefix) add_prefix(where, "z.kommune_ags", *filter.kommune_prefix);
    if (filter.opened) add_date_range(where, "z.opened", *filter.opened);
    if (filter.bbox) add_bbox(m_db.dialect(), where, "zukunftsorte", "z", *filter.bbox);
    RecordPage<ZukunftsortRecord> page;
    Statement count = m_db.prepare("SELECT count(*) FROM zukunftsorte z " + where.sql);
    where.bind_all(count);
    count.step();
    page.number_matched = count.column_int64(0);
    Statement select =
        m_db.prepare(std::string(k_zukunftsort_columns) + where.sql +
                     order_by("zukunftsorte", filter.sort, "z.id") + " LIMIT ? OFFSET ?");
    where.bind_all(select);
    const int next = static_cast<int>(where.binds.size()) + 1;
    select.bind(next, filter.limit).bind(next + 1, filter.offset);
    while (select.step()) page.items.push_back(read_zukunftsort(select));
    return page;
}

std::optional<std::int64_t> VacancyStore::zukunftsort_of_vacancy(std::int64_t vacancy_id) {
    Statement select =
        m_db.prepare("SELECT min(id) FROM zukunftsorte WHERE vacancy_id = ?1 HAVING count(*) > 0");
    select.bind(1, vacancy_id);
    if (!select.step()) return std::nullopt;
    return select.column_optional_int64(0);
}

}  // namespace leerstand::data
