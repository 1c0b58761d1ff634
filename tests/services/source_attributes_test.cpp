#include "server/services/source_attributes.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace leerstand::services {
namespace {

TEST(BuildingFromAttributes, OsmExportFieldsAreRead) {
    auto record = building_from_attributes({{"osm_way_id", "123"},
                                            {"building", "yes"},
                                            {"building_levels", "3"},
                                            {"addr_street", "Mühlenstraße"},
                                            {"addr_housenumber", "4a"},
                                            {"addr_postcode", "95463"},
                                            {"addr_city", "Bindlach"}});
    EXPECT_EQ(record.source_ref, "osm:way/123");
    EXPECT_EQ(record.function, "yes");
    EXPECT_EQ(record.floors, 3);
    EXPECT_EQ(record.street, "Mühlenstraße");
    EXPECT_EQ(record.housenumber, "4a");
    EXPECT_EQ(record.postcode, "95463");
    EXPECT_EQ(record.city, "Bindlach");
    auto attributes = nlohmann::json::parse(record.attributes_json);
    EXPECT_EQ(attributes["addr_street"], "Mühlenstraße");
}

TEST(BuildingFromAttributes, TruncatedShapefileNamesAndAlkisCodesAreRead) {
    auto record = building_from_attributes({{"OID", "DEBY0000ABC"},
                                            {"GFK", "31001_1000"},
                                            {"ADDR_STREE", "Hauptstraße"},
                                            {"ADDR_HOUSE", "1"},
                                            {"BUILDING_L", "2.0"},
                                            {"EMPTY", ""}});
    EXPECT_EQ(record.source_ref, "alkis:DEBY0000ABC");
    EXPECT_EQ(record.function, "31001_1000");
    EXPECT_EQ(record.street, "Hauptstraße");
    EXPECT_EQ(record.housenumber, "1");
    EXPECT_EQ(record.floors, 2);
    EXPECT_FALSE(nlohmann::json::parse(record.attributes_json).contains("EMPTY"));
}

TEST(BuildingFromAttributes, RelationsAreNamedAndUnparseableFloorsLeftEmpty) {
    auto record = building_from_attributes({{"osm_id", "77"}, {"building_levels", "2-3"}});
    EXPECT_EQ(record.source_ref, "osm:relation/77");
    EXPECT_FALSE(record.floors.has_value());
}

TEST(KommuneFields, Vg250AndVg5000AreRead) {
    auto gemeinde =
        kommune_fields({{"AGS", "12073008"}, {"GEN", "Angermünde"}, {"BEZ", "Stadt"}, {"GF", "4"}});
    EXPECT_TRUE(gemeinde.ok());
    EXPECT_TRUE(gemeinde.keep);
    EXPECT_EQ(gemeinde.record.parent_ags, "12073");
    EXPECT_EQ(gemeinde.record.name, "Angermünde");

    EXPECT_TRUE(kommune_fields({{"AGS", "09479"}, {"GEN", "Wunsiedel"}, {"GF", "9"}}).keep);
    EXPECT_FALSE(kommune_fields({{"AGS", "12073008"}, {"GEN", "See"}, {"GF", "2"}}).keep);
    EXPECT_EQ(kommune_fields({{"AGS", "09479"}, {"GEN", "Kreis"}}).record.parent_ags, "");
}

TEST(KommuneFields, RejectsBadKeys) {
    EXPECT_EQ(kommune_fields({{"GEN", "x"}}).problem, "no AGS");
    EXPECT_FALSE(kommune_fields({{"AGS", "1207300"}, {"GEN", "x"}}).ok());
    EXPECT_FALSE(kommune_fields({{"AGS", "12O73008"}, {"GEN", "x"}}).ok());
    EXPECT_FALSE(kommune_fields({{"AGS", "12073008"}}).ok());
}

}  // namespace
}  // namespace leerstand::services
