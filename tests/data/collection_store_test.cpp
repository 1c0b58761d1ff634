// CollectionStore on the run's backend: boxes (with area, line-shaped, a point) through the
// spatial index plus the exact test, the extent, and sortby with missing values.
#include "data/collection_store.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "data/store.hpp"
#include "tests/data/store_fixture.hpp"

namespace {

using leerstand::data::Bbox;
using leerstand::data::BuildingItem;
using leerstand::data::CollectionFilter;
using leerstand::data::CollectionStore;
using leerstand::data::SortKey;
using leerstand::data::Store;

class CollectionStoreTest : public leerstand::test::StoreTest {
  protected:
    void SetUp() override { add_two_kommunen(m_store); }

    /// Imports buildings of 0.0001° squares at the given corners, with the given floors.
    void add(const std::vector<std::pair<double, std::optional<int>>>& corners_and_floors) {
        auto import = m_store.begin_building_import(upload("buildings", "append"), false, "");
        int n = 0;
        for (const auto& [lon, floors] : corners_and_floors) {
            auto record = building(angermuende, "way/" + std::to_string(++n), lon, 53.02);
            record.floors = floors;
            import.add(record);
        }
        import.commit(upload("buildings", "append"));
    }

    std::vector<std::string> refs(const CollectionFilter& filter) {
        std::vector<std::string> out;
        for (const BuildingItem& item : m_collections.list_buildings(filter).items)
            out.push_back(item.source_ref.value_or("?"));
        return out;
    }

    Store m_store{m_location};
    CollectionStore m_collections{m_store};
};

TEST_F(CollectionStoreTest, BoxesFindTheBuildingsTheyMeet) {
    add({{13.95, 2}, {13.96, 2}, {13.97, 2}});
    using Refs = std::vector<std::string>;
    CollectionFilter filter;
    filter.bbox = Bbox{13.9595, 53.0195, 13.9605, 53.0205};
    EXPECT_EQ(refs(filter), Refs{"way/2"});
    filter.bbox = Bbox{13.96005, 53.0, 13.96005, 53.1};  // a line across the second
    EXPECT_EQ(refs(filter), Refs{"way/2"});
    filter.bbox = Bbox{13.97005, 53.02005, 13.97005, 53.02005};  // a point in the third
    EXPECT_EQ(refs(filter), Refs{"way/3"});
    filter.bbox = Bbox{13.9502, 53.0, 13.9598, 53.1};  // between them
    EXPECT_TRUE(refs(filter).empty());
    EXPECT_EQ(m_collections.list_buildings(filter).number_matched, 0);

    const auto extent = m_collections.extent("buildings", {});
    ASSERT_TRUE(extent);
    // SpatiaLite's R*Tree keeps 32-bit floats rounded outwards.
    EXPECT_NEAR(extent->min_lon, 13.95, 1e-5);
    EXPECT_NEAR(extent->max_lon, 13.9701, 1e-5);
    EXPECT_NEAR(extent->min_lat, 53.02, 1e-5);
    EXPECT_NEAR(extent->max_lat, 53.0201, 1e-5);
    EXPECT_LE(extent->min_lon, 13.95);
    EXPECT_GE(extent->max_lat, 53.0201);
}

TEST_F(CollectionStoreTest, MissingValuesSortFirstAscendingAndLastDescending) {
    add({{13.95, 3}, {13.96, std::nullopt}, {13.97, 1}});
    using Refs = std::vector<std::string>;
    CollectionFilter filter;
    filter.sort = {SortKey{"floors", false}};
    EXPECT_EQ(refs(filter), (Refs{"way/2", "way/3", "way/1"}));
    filter.sort = {SortKey{"floors", true}};
    EXPECT_EQ(refs(filter), (Refs{"way/1", "way/3", "way/2"}));
}

}  // namespace
