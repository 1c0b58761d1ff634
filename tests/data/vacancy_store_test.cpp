// VacancyStore: vacancies with their history rows, optimistic versions, the visibility
// condition of list queries, building matching through the R*Tree, and Zukunftsorte, on a
// real SpatiaLite file. The rows are read back through a second raw connection where the
// store's own reader would hide a mistake.
#include "data/vacancy_store.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/store.hpp"
#include "tests/data/store_fixture.hpp"

namespace {

using leerstand::Conflict;
using leerstand::InvalidInput;
using leerstand::NotFound;
using leerstand::PreconditionFailed;
using leerstand::data::RecordPage;
using leerstand::data::Store;
using leerstand::data::VacancyFilter;
using leerstand::data::VacancyRecord;
using leerstand::data::VacancyStore;
using leerstand::data::ZukunftsortRecord;
using nlohmann::json;

// Metres in degrees of longitude / latitude near `lat` (local approximation, good to well
// under 1 % over tens of metres).
double metres_lon(double metres, double lat) {
    return metres / (111320.0 * std::cos(lat * std::numbers::pi / 180.0));
}
double metres_lat(double metres) {
    return metres / 110574.0;
}

class VacancyStoreTest : public leerstand::test::StoreTest {
  protected:
    void SetUp() override {
        m_store.emplace(m_location);
        add_two_kommunen(*m_store);
        m_db.emplace(*m_store);
    }

    VacancyRecord sample(const std::string& ags = angermuende) {
        VacancyRecord record;
        record.lon = ags == angermuende ? 13.95 : 13.25;
        record.lat = ags == angermuende ? 53.05 : 51.75;
        record.kommune_ags = ags;
        record.status = "gemeldet";
        record.use = "laden";
        record.vacant_since = "2021-03-01";
        record.floor_area_m2 = 120.5;
        record.owner_type = "privat";
        record.owner_contact = "Frau Beispiel, 03331 123";
        record.internal_notes = "Erbengemeinschaft";
        record.public_description = "Ladenlokal am Markt";
        return record;
    }

    /// Adds rectangular buildings (x0, y0, x1, y1) to Angermünde and returns their ids.
    std::vector<std::int64_t> add_buildings(const std::vector<std::array<double, 4>>& boxes) {
        auto import = m_store->begin_building_import(upload("buildings", "append"), false, "");
        int n = 0;
        for (const auto& box : boxes) {
            auto record = building(angermuende, "test:" + std::to_string(++n), 0, 0);
            record.footprint =
                leerstand::test::wkb::rectangle_multipolygon(box[0], box[1], box[2], box[3]);
            import.add(record);
        }
        import.commit(upload("buildings", "append"));
        std::vector<std::int64_t> ids;
        auto raw_db = raw();
        auto select = raw_db.prepare("SELECT id FROM buildings ORDER BY id");
        while (select.step()) ids.push_back(select.column_int64(0));
        return ids;
    }

    std::int64_t history_rows() {
        return raw().query_int64("SELECT count(*) FROM vacancy_history");
    }

    std::optional<Store> m_store;
    std::optional<VacancyStore> m_db;
};

TEST_F(VacancyStoreTest, InsertStoresEveryFieldAndACreateHistoryRow) {
    auto record = sample();
    record.consent_publish = true;
    record.consent_date = "1999-01-01";  // store-kept: ignored
    const VacancyRecord stored = m_db->insert_vacancy(record, "anna");

    EXPECT_GT(stored.id, 0);
    EXPECT_EQ(stored.version, 1);
    EXPECT_DOUBLE_EQ(stored.lon, 13.95);
    EXPECT_DOUBLE_EQ(stored.lat, 53.05);
    EXPECT_EQ(stored.kommune_ags, angermuende);
    EXPECT_EQ(stored.use, "laden");
    EXPECT_EQ(stored.vacant_since, "2021-03-01");
    EXPECT_EQ(stored.floor_area_m2, 120.5);
    EXPECT_EQ(stored.owner_contact, "Frau Beispiel, 03331 123");
    EXPECT_EQ(stored.author, "anna");
    EXPECT_TRUE(stored.consent_publish);
    EXPECT_EQ(stored.consent_date, leerstand::data::utc_now_iso8601().substr(0, 10));
    EXPECT_FALSE(stored.building_id);
    EXPECT_FALSE(stored.zukunftsort_id);
    EXPECT_FALSE(stored.created_at.empty());

    auto db = raw();
    auto row = db.prepare(
        "SELECT vacancy_id, kommune_ags, changed_by, action, old_values, new_values "
        "FROM vacancy_history");
    ASSERT_TRUE(row.step());
    EXPECT_EQ(row.column_int64(0), stored.id);
    EXPECT_EQ(row.column_text(1), angermuende);
    EXPECT_EQ(row.column_text(2), "anna");
    EXPECT_EQ(row.column_text(3), "create");
    EXPECT_TRUE(row.column_is_null(4));
    const json created = json::parse(row.column_text(5));
    EXPECT_EQ(created.at("status"), "gemeldet");
    EXPECT_EQ(created.at("owner_contact"), "Frau Beispiel, 03331 123");
    EXPECT_EQ(created.at("geometry").at("coordinates"), json::array({13.95, 53.05}));
    EXPECT_FALSE(created.contains("building_id")) << "nulls are left out of a create";
    EXPECT_FALSE(row.step());
}

TEST_F(VacancyStoreTest, UpdateRecordsOnlyTheChangedFieldsAndBumpsTheVersion) {
    const VacancyRecord first = m_db->insert_vacancy(sample(), "anna");
    VacancyRecord next = first;
    next.status = "bestaetigt";
    next.internal_notes.reset();
    next.consent_publish = true;
    const VacancyRecord second = m_db->update_vacancy(next, 1, "bert");
    EXPECT_EQ(second.version, 2);
    EXPECT_EQ(second.status, "bestaetigt");
    EXPECT_FALSE(second.internal_notes);
    EXPECT_EQ(second.author, "anna") << "author stays the creator";
    EXPECT_TRUE(second.consent_date);

    const auto history = m_db->vacancy_history(first.id);
    ASSERT_EQ(history.size(), 2U);
    EXPECT_EQ(history[1].action, "update");
    EXPECT_EQ(history[1].changed_by, "bert");
    const json old_values = json::parse(history[1].old_values_json);
    const json new_values = json::parse(history[1].new_values_json);
    EXPECT_EQ(old_values, (json{{"status", "gemeldet"},
                                {"internal_notes", "Erbengemeinschaft"},
                                {"consent_publish", false},
                                {"consent_date", nullptr}}));
    EXPECT_EQ(new_values, (json{{"status", "bestaetigt"},
                                {"internal_notes", nullptr},
                                {"consent_publish", true},
                                {"consent_date", *second.consent_date}}));

    // Withdrawing consent clears its date.
    next = second;
    next.consent_publish = false;
    next.consent_date = "2020-01-01";  // ignored
    const VacancyRecord third = m_db->update_vacancy(next, 2, "bert");
    EXPECT_FALSE(third.consent_date);
    EXPECT_EQ(third.version, 3);
}

TEST_F(VacancyStoreTest, ThePublicVersionCountsOnlyChangesThePublicSees) {
    // Kept hidden, edited twice: no public view yet.
    VacancyRecord next = m_db->insert_vacancy(sample(), "anna");
    EXPECT_EQ(next.public_version, 0);
    EXPECT_EQ(next.public_created_at, "");
    for (const char* use : {"wohnen", "gewerbe"}) {
        next.use = use;
        next = m_db->update_vacancy(next, next.version, "anna");
    }
    EXPECT_EQ(next.version, 3);
    EXPECT_EQ(next.public_version, 0);
    // Published: the public view begins.
    next.consent_publish = true;
    next = m_db->update_vacancy(next, next.version, "anna");
    EXPECT_EQ(next.public_version, 1);
    EXPECT_EQ(next.public_created_at, next.updated_at);
    EXPECT_EQ(next.public_updated_at, next.updated_at);
    const VacancyRecord published = next;
    // Internal fields change nothing the public sees.
    next.internal_notes = "neu";
    next.owner_contact = "Herr Neu";
    next.owner_type = "gewerblich";
    next = m_db->update_vacancy(next, next.version, "anna");
    EXPECT_EQ(next.version, published.version + 1);
    EXPECT_EQ(next.public_version, 1);
    EXPECT_EQ(next.public_updated_at, published.public_updated_at);
    // Each field the public sees does.
    next.lon += 0.0001;
    next = m_db->update_vacancy(next, next.version, "anna");
    EXPECT_EQ(next.public_version, 2);
    next.public_description = "Neu beschrieben";
    next = m_db->update_vacancy(next, next.version, "anna");
    EXPECT_EQ(next.public_version, 3);
    // Withdrawn and given again: two changes of the view; its beginning stays.
    next.consent_publish = false;
    next = m_db->update_vacancy(next, next.version, "anna");
    next.consent_publish = true;
    next = m_db->update_vacancy(next, next.version, "anna");
    EXPECT_EQ(next.public_version, 5);
    EXPECT_EQ(next.public_created_at, published.public_created_at);
    // Published from the start: version 1 at once.
    auto record = sample();
    record.consent_publish = true;
    const VacancyRecord at_once = m_db->insert_vacancy(record, "anna");
    EXPECT_EQ(at_once.public_version, 1);
    EXPECT_EQ(at_once.public_created_at, at_once.created_at);
}

TEST_F(VacancyStoreTest, AnUpdateThatChangesNothingKeepsVersionAndHistory) {
    const VacancyRecord first = m_db->insert_vacancy(sample(), "anna");
    const VacancyRecord same = m_db->update_vacancy(first, 1, "bert");
    EXPECT_EQ(same.version, 1);
    EXPECT_EQ(history_rows(), 1);
}

TEST_F(VacancyStoreTest, StaleVersionChangesNothingAndWritesNoHistory) {
    const VacancyRecord first = m_db->insert_vacancy(sample(), "anna");
    VacancyRecord next = first;
    next.status = "bestaetigt";
    m_db->update_vacancy(next, 1, "bert");

    // A second writer that loaded version 1, through another connection (another worker).
    Store other_store(m_location);
    VacancyStore other(other_store);
    VacancyRecord late = first;
    late.status = "kein_leerstand";
    try {
        other.update_vacancy(late, 1, "carla");
        FAIL() << "a stale version must be refused";
    } catch (const PreconditionFailed& error) {
        EXPECT_NE(std::string(error.what()).find("current version is 2"), std::string::npos)
            << error.what();
        EXPECT_EQ(error.extensions().at("current_version"), 2);
    }
    EXPECT_THROW(other.remove_vacancy(first.id, 1, "carla"), PreconditionFailed);
    EXPECT_EQ(m_db->vacancy(first.id)->status, "bestaetigt");
    EXPECT_EQ(history_rows(), 2);
    EXPECT_THROW(m_db->update_vacancy(next, 99, "bert"), PreconditionFailed);
    next.id = 4711;
    EXPECT_THROW(m_db->update_vacancy(next, 1, "bert"), NotFound);
    EXPECT_THROW(m_db->remove_vacancy(4711, 1, "bert"), NotFound);
}

TEST_F(VacancyStoreTest, RemoveKeepsHistoryAndUnlinksTheZukunftsort) {
    VacancyRecord record = sample();
    record.status = "aktiviert";
    const VacancyRecord vacancy = m_db->insert_vacancy(record, "anna");
    ZukunftsortRecord place;
    place.lon = vacancy.lon;
    place.lat = vacancy.lat;
    place.name = "Kulturladen";
    place.kommune_ags = angermuende;
    place.vacancy_id = vacancy.id;
    const ZukunftsortRecord stored_place = m_db->insert_zukunftsort(place);
    EXPECT_EQ(m_db->vacancy(vacancy.id)->zukunftsort_id, stored_place.id);
    EXPECT_EQ(m_db->zukunftsort_of_vacancy(vacancy.id), stored_place.id);
    EXPECT_EQ(stored_place.vacancy_kommune_ags, angermuende);
    EXPECT_EQ(stored_place.vacancy_consent_publish, false);

    m_db->remove_vacancy(vacancy.id, 1, "bert");
    EXPECT_FALSE(m_db->vacancy(vacancy.id));
    const auto history = m_db->vacancy_history(vacancy.id);
    ASSERT_EQ(history.size(), 2U);
    EXPECT_EQ(history[1].action, "delete");
    EXPECT_EQ(history[1].changed_by, "bert");
    EXPECT_EQ(history[1].new_values_json, "null");
    EXPECT_EQ(json::parse(history[1].old_values_json).at("status"), "aktiviert");
    EXPECT_EQ(history[1].kommune_ags, angermuende);

    const auto kept = m_db->zukunftsort(stored_place.id);
    ASSERT_TRUE(kept);
    EXPECT_FALSE(kept->vacancy_id) << "ON DELETE SET NULL (foreign_keys on)";
    EXPECT_FALSE(m_db->zukunftsort_of_vacancy(vacancy.id));
}

TEST_F(VacancyStoreTest, WritesInsideAnUncommittedWriteTransactionRollBack) {
    {
        auto transaction = m_db->begin_write();
        m_db->insert_vacancy(sample(), "anna");
        // no commit
    }
    EXPECT_EQ(raw().query_int64("SELECT count(*) FROM vacancies"), 0);
    EXPECT_EQ(history_rows(), 0);
    {
        auto transaction = m_db->begin_write();
        m_db->insert_vacancy(sample(), "anna");
        m_db->insert_vacancy(sample(herzberg), "anna");
        transaction.commit();
    }
    EXPECT_EQ(raw().query_int64("SELECT count(*) FROM vacancies"), 2);
    EXPECT_EQ(history_rows(), 2);
}

TEST_F(VacancyStoreTest, RefusesValuesTheSchemaWouldRefuseNamingTheFields) {
    VacancyRecord record = sample();
    record.kommune_ags = "09999999";
    record.status = "verkauft";
    record.floor_area_m2 = -1.0;
    record.building_id = 99;
    try {
        m_db->insert_vacancy(record, "anna");
        FAIL() << "must be refused";
    } catch (const InvalidInput& error) {
        std::set<std::string> fields;
        for (const auto& e : error.extensions().at("errors")) fields.insert(e.at("field"));
        EXPECT_EQ(fields,
                  (std::set<std::string>{"kommune_ags", "status", "floor_area_m2", "building_id"}));
    }
    EXPECT_EQ(history_rows(), 0);
}

TEST_F(VacancyStoreTest, ListAppliesVisibilityFiltersAndPages) {
    // Angermünde: consented gemeldet, unconsented bestaetigt; Herzberg: the same.
    for (const char* ags : {angermuende, herzberg}) {
        VacancyRecord a = sample(ags);
        a.consent_publish = true;
        m_db->insert_vacancy(a, "anna");
        VacancyRecord b = sample(ags);
        b.status = "bestaetigt";
        m_db->insert_vacancy(b, "anna");
    }
    auto ids = [&](const VacancyFilter& filter) {
        const RecordPage<VacancyRecord> page = m_db->list_vacancies(filter);
        std::vector<std::int64_t> result;
        for (const auto& record : page.items) result.push_back(record.id);
        return std::make_pair(result, page.number_matched);
    };

    VacancyFilter everything;
    everything.visibility.all = true;
    EXPECT_EQ(ids(everything), std::make_pair(std::vector<std::int64_t>{1, 2, 3, 4}, 4L));

    VacancyFilter consented;  // the public
    EXPECT_EQ(ids(consented), std::make_pair(std::vector<std::int64_t>{1, 3}, 2L));

    VacancyFilter scoped;  // internal in Landkreis Uckermark (12073): Angermünde
    scoped.visibility.internal_prefixes = {"12073"};
    EXPECT_EQ(ids(scoped), std::make_pair(std::vector<std::int64_t>{1, 2, 3}, 3L));

    scoped.kommune_prefix = herzberg;
    EXPECT_EQ(ids(scoped), std::make_pair(std::vector<std::int64_t>{3}, 1L));

    VacancyFilter by_status;
    by_status.visibility.all = true;
    by_status.status = "bestaetigt";
    by_status.limit = 1;
    by_status.offset = 1;
    EXPECT_EQ(ids(by_status), std::make_pair(std::vector<std::int64_t>{4}, 2L));
}

TEST_F(VacancyStoreTest, MatchesContainingThenNearestWithinFifteenMetres) {
    // Building 1: about 13 x 11 m; building 2 a smaller one inside it; building 3 further east.
    const double lat = 53.05;
    const std::vector<std::int64_t> ids =
        add_buildings({{13.95, lat, 13.9502, lat + 0.0001},
                       {13.95005, lat + 0.00002, 13.9501, lat + 0.00006},
                       {13.9510, lat, 13.9511, lat + 0.0001}});
    ASSERT_EQ(ids.size(), 3U);
    // Inside 1 only; inside 1 and 2 (the smaller wins).
    EXPECT_EQ(m_db->match_building(13.95015, lat + 0.00005), ids[0]);
    EXPECT_EQ(m_db->match_building(13.95007, lat + 0.00004), ids[1]);
    // 8 m south of building 1's southern edge.
    EXPECT_EQ(m_db->match_building(13.9501, lat - metres_lat(8.0)), ids[0]);
    // Between 1 and 3 (about 53 m apart): 10 m from 3, about 43 m from 1.
    EXPECT_EQ(m_db->match_building(13.9510 - metres_lon(10.0, lat), lat + 0.00005), ids[2]);
    // 14 m and 16 m north: the limit is 15 m.
    EXPECT_EQ(m_db->match_building(13.9501, lat + 0.0001 + metres_lat(14.0)), ids[0]);
    EXPECT_FALSE(m_db->match_building(13.9501, lat + 0.0001 + metres_lat(16.0)));
    // 40 m from everything.
    EXPECT_FALSE(m_db->match_building(13.9505, lat + 0.0001 + metres_lat(40.0)));
    EXPECT_FALSE(m_db->match_building(13.9501, lat - metres_lat(8.0), 5.0));
}

TEST_F(VacancyStoreTest, KommuneStampChangesWithTheKommunen) {
    const auto before = m_db->kommune_stamp();
    EXPECT_EQ(before.count, 2);
    EXPECT_EQ(m_db->kommune_stamp(), before);
    m_store->upsert_kommunen({kommune("14521410", "Neukirchen/Erzgeb.", 12.8, 50.7)},
                             upload("kommunen", "append"));
    const auto after = m_db->kommune_stamp();
    EXPECT_NE(after, before);
    EXPECT_EQ(after.count, 3);
    EXPECT_EQ(m_db->kommune_boundaries().size(), 3U);
    EXPECT_TRUE(m_db->kommune_exists("14521410"));
    EXPECT_FALSE(m_db->kommune_exists("14521411"));
}

TEST_F(VacancyStoreTest, ZukunftsorteRoundTripWithVersions) {
    ZukunftsortRecord place;
    place.lon = 13.25;
    place.lat = 51.75;
    place.name = "Co-Working Herzberg";
    place.kind = "coworking";
    place.website = "https://example.org/";
    place.opened = "2023-05-01";
    place.kommune_ags = herzberg;
    const ZukunftsortRecord stored = m_db->insert_zukunftsort(place);
    EXPECT_EQ(stored.version, 1);
    EXPECT_EQ(stored.name, "Co-Working Herzberg");
    EXPECT_EQ(stored.website, "https://example.org/");
    EXPECT_FALSE(stored.vacancy_id);

    ZukunftsortRecord next = stored;
    next.description = "Arbeitsplätze im alten Kaufhaus";
    const ZukunftsortRecord second = m_db->update_zukunftsort(next, 1);
    EXPECT_EQ(second.version, 2);
    EXPECT_EQ(second.description, "Arbeitsplätze im alten Kaufhaus");
    EXPECT_THROW(m_db->update_zukunftsort(next, 1), PreconditionFailed);
    EXPECT_THROW(m_db->remove_zukunftsort(stored.id, 1), PreconditionFailed);

    leerstand::data::ZukunftsortFilter filter;
    filter.kommune_prefix = "12062";
    EXPECT_EQ(m_db->list_zukunftsorte(filter).number_matched, 1);
    filter.kommune_prefix = "12073";
    EXPECT_EQ(m_db->list_zukunftsorte(filter).number_matched, 0);

    m_db->remove_zukunftsort(stored.id, 2);
    EXPECT_FALSE(m_db->zukunftsort(stored.id));
    EXPECT_THROW(m_db->remove_zukunftsort(stored.id, 2), NotFound);

    place.name.clear();
    EXPECT_THROW(m_db->insert_zukunftsort(place), InvalidInput);
}

}  // namespace
