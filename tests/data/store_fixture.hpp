#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "data/connection.hpp"
#include "data/records.hpp"
#include "data/store.hpp"
#include "tests/data/wkb_builder.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_support.hpp"

/// Shared set-up of the store tests: a fresh database per test on the backend the run chose
/// (tests/support/test_database.hpp), a SpatiaLite file in its own temp folder or a fresh
/// PostgreSQL database; unique per process, so `ctest -j` runs cannot collide.
namespace leerstand::test {

class StoreTest : public ::testing::Test {
  protected:
    static data::KommuneRecord kommune(const std::string& ags, const std::string& name, double x,
                                       double y) {
        data::KommuneRecord record;
        record.ags = ags;
        record.name = name;
        record.bez = ags.size() == 5 ? "Landkreis" : "Stadt";
        record.parent_ags = ags.size() == 8 ? ags.substr(0, 5) : "";
        record.boundary = wkb::rectangle_multipolygon(x, y, x + 0.1, y + 0.1);
        record.area_m2 = 7.5e7;
        return record;
    }

    static data::BuildingRecord building(const std::string& ags, const std::string& ref, double x,
                                         double y) {
        data::BuildingRecord record;
        record.kommune_ags = ags;
        record.source_ref = ref;
        record.function = "Wohnhaus";
        record.floors = 2;
        record.street = "Straße der Jugend";
        record.housenumber = "1a";
        record.postcode = "16278";
        record.city = "Angermünde";
        record.attributes_json = R"({"gebaeudefunktion":"1010","name":"Körnerhof"})";
        record.footprint = wkb::rectangle_multipolygon(x, y, x + 0.0001, y + 0.0001);
        record.area_m2 = 75.5;
        return record;
    }

    static data::UploadRecord upload(const std::string& layer, const std::string& mode) {
        data::UploadRecord record;
        record.user = "cli";
        record.file_name = "hausumringe.zip";
        record.format = "ESRI Shapefile";
        record.layer = layer;
        record.mode = mode;
        record.crs = "EPSG:25833";
        record.encoding = "UTF-8";
        return record;
    }

    /// Angermünde and Herzberg (Elster), two founding members, near their real places.
    void add_two_kommunen(data::Store& store) {
        store.upsert_kommunen({kommune(angermuende, "Angermünde", 13.9, 53.0),
                               kommune(herzberg, "Herzberg (Elster)", 13.2, 51.7)},
                              upload("kommunen", "append"));
    }

    /// A second connection to the same database, as another process would have.
    data::Connection raw() { return data::Connection(m_location); }

    /// The spatial index of `table`.`column` is sound: SpatiaLite's own check of its R*Tree,
    /// or on PostgreSQL the GiST index on the column (which the server keeps current).
    void expect_spatial_index_ok(data::Connection& db, const std::string& table,
                                 const std::string& column) {
        if (m_location.is_postgres()) {
            EXPECT_EQ(db.query_int64("SELECT count(*) FROM pg_indexes WHERE tablename = '" + table +
                                     "' AND indexdef LIKE '%USING gist (" + column + ")%'"),
                      1)
                << table << "." << column;
            return;
        }
        EXPECT_EQ(db.query_int64("SELECT CheckSpatialIndex('" + table + "', '" + column + "')"), 1)
            << table << "." << column;
    }

    static constexpr const char* angermuende = "12073008";
    static constexpr const char* herzberg = "12062224";

    TestDatabase m_database;
    /// The store's database, on either backend.
    const data::DatabaseLocation& m_location = m_database.location();
    /// A folder of this test for the files it writes beside the store.
    const TempDir& m_dir = m_database.dir();
    /// The SpatiaLite file, only for the tests of the file itself (other tools read it, its
    /// folder, its WAL), which start with LEERSTAND_REQUIRE_SPATIALITE. On PostgreSQL it is
    /// the test's folder, which no store opens: a test that forgot to skip fails.
    std::filesystem::path m_path = m_location.is_postgres() ? m_dir.path() : m_location.file();
};

}  // namespace leerstand::test
