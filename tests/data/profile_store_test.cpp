// The Kommune profiles in the store (data/profile_store.hpp): page addresses (slugs) that stay
// put, and a profile version that moves only with what the profile shows.
#include "data/profile_store.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "data/store.hpp"
#include "tests/data/store_fixture.hpp"

namespace {

using leerstand::data::KommuneProfileRecord;
using leerstand::data::ProfileStore;
using leerstand::data::Store;

using ProfileStoreTest = leerstand::test::StoreTest;

TEST_F(ProfileStoreTest, EachKommuneGetsTheSlugOfItsName) {
    Store store(m_location);
    add_two_kommunen(store);
    ProfileStore profiles(store);
    EXPECT_EQ(profiles.by_ags(angermuende)->slug, "angermuende");
    EXPECT_EQ(profiles.by_ags(herzberg)->slug, "herzberg-elster");
    EXPECT_EQ(profiles.by_slug("herzberg-elster")->ags, herzberg);
    EXPECT_FALSE(profiles.by_slug("herzberg"));
}

TEST_F(ProfileStoreTest, NamesakesAreToldApartByTheirAgsAndTheTownComesFirst) {
    Store store(m_location);
    // A Landkreis and its town of one name, imported together: the town keeps the short one.
    store.upsert_kommunen(
        {kommune("09475", "Hof", 11.9, 50.3), kommune("09464000", "Hof", 11.9, 50.3)},
        upload("kommunen", "append"));
    // A namesake that comes later gets the long one; the first keeps what it had.
    store.upsert_kommunen({kommune("06633006", "Hof, Stadt", 9.4, 51.3)},
                          upload("kommunen", "append"));
    ProfileStore profiles(store);
    EXPECT_EQ(profiles.by_ags("09464000")->slug, "hof");
    EXPECT_EQ(profiles.by_ags("09475")->slug, "hof-09475");
    EXPECT_EQ(profiles.by_ags("06633006")->slug, "hof-06633006");
}

TEST_F(ProfileStoreTest, ASlugStaysWhenTheKommuneIsRenamedAndTheVersionMoves) {
    Store store(m_location);
    add_two_kommunen(store);
    ProfileStore profiles(store);
    ASSERT_EQ(profiles.by_ags(angermuende)->version, 1);
    // The same name and a new boundary: nothing the profile shows.
    store.upsert_kommunen({kommune(angermuende, "Angermünde", 14.1, 53.1)},
                          upload("kommunen", "append"));
    EXPECT_EQ(profiles.by_ags(angermuende)->version, 1);
    store.upsert_kommunen({kommune(angermuende, "Angermünde (Uckermark)", 14.1, 53.1)},
                          upload("kommunen", "append"));
    const auto renamed = profiles.by_ags(angermuende);
    EXPECT_EQ(renamed->slug, "angermuende");
    EXPECT_EQ(renamed->name, "Angermünde (Uckermark)");
    EXPECT_EQ(renamed->version, 2);
}

TEST_F(ProfileStoreTest, AnUpdateWritesTheProfileAtItsVersion) {
    Store store(m_location);
    add_two_kommunen(store);
    ProfileStore profiles(store);
    KommuneProfileRecord profile = *profiles.by_ags(angermuende);
    profile.text = "Wir aktivieren Leerstand.";
    profile.founding_member = true;
    profile.member_since = "2019-05-01";
    profile.name = "ignored";
    const KommuneProfileRecord stored = profiles.update(profile, 1);
    EXPECT_EQ(stored.version, 2);
    EXPECT_EQ(stored.text, "Wir aktivieren Leerstand.");
    EXPECT_TRUE(stored.founding_member);
    EXPECT_EQ(stored.name, "Angermünde");
    EXPECT_THROW(profiles.update(profile, 1), leerstand::PreconditionFailed);
    profile.ags = "12000000";
    EXPECT_THROW(profiles.update(profile, 2), leerstand::NotFound);
    EXPECT_EQ(profiles.by_ags(angermuende)->version, 2);
}

}  // namespace
