#include "matching/matching.hpp"

#include <gtest/gtest.h>

#include "geo/great_circle.hpp"

namespace leerstand::matching {
namespace {

Ags ags(const char* text) {
    return *Ags::parse(text);
}
IsoDate date(const char* text) {
    return *IsoDate::parse(text);
}

constexpr LonLat k_angermuende{14.0000, 53.0167};

/// A Laden of 120 m² for rent in Angermünde, available now.
Offer shop_offer() {
    return Offer{1, ags("12073008"), k_angermuende, "laden", {"miete"}, 120.0, {}};
}

/// Wants a Laden of 80..150 m² to rent in Angermünde, any time.
Need shop_need() {
    return Need{7, {"laden"}, 80.0, 150.0, KommuneArea{{ags("12073008")}}, {"miete"}, {}, false};
}

const Component& part(const Match& match, std::string_view name) {
    for (const Component& component : match.components)
        if (component.name == name) return component;
    throw std::logic_error("no component " + std::string(name));
}

void expect_points(const Component& part, int points, std::string_view code) {
    EXPECT_EQ(part.points, points) << part.name;
    EXPECT_EQ(part.reason.code, code) << part.name;
}

Component scored(const Offer& offer, const Need& need, std::string_view name) {
    const auto match = score(offer, need);
    if (!match) throw std::logic_error("pair excluded");
    return part(*match, name);
}

TEST(MatchingScore, AFullFitScoresEveryWeight) {
    const auto match = score(shop_offer(), shop_need());
    ASSERT_TRUE(match);
    EXPECT_EQ(match->total, 100);
    EXPECT_EQ(match->offer_id, 1);
    EXPECT_EQ(match->need_id, 7);
    ASSERT_EQ(match->components.size(), 5U);
    EXPECT_EQ(match->components[0].name, "use");
    EXPECT_EQ(match->components[0].weight, 30);
    EXPECT_EQ(match->components[1].name, "size");
    EXPECT_EQ(match->components[1].weight, 25);
    EXPECT_EQ(match->components[2].name, "place");
    EXPECT_EQ(match->components[2].weight, 20);
    EXPECT_EQ(match->components[3].name, "kind");
    EXPECT_EQ(match->components[3].weight, 15);
    EXPECT_EQ(match->components[4].name, "timing");
    EXPECT_EQ(match->components[4].weight, 10);
}

TEST(MatchingScore, UseFitsIsRelatedOrDiffers) {
    Offer offer = shop_offer();
    Need need = shop_need();
    auto use = scored(offer, need, "use");
    expect_points(use, 30, "use_fits");
    EXPECT_EQ(use.reason.values, (nlohmann::json{{"use", "laden"}}));

    need.uses = {"gewerbe"};  // a shop can serve a trade
    use = scored(offer, need, "use");
    expect_points(use, 15, "use_related");
    EXPECT_EQ(use.reason.values, (nlohmann::json{{"use", "laden"}, {"wanted", {"gewerbe"}}}));

    offer.use = "gemischt";
    need.uses = {"wohnen"};
    EXPECT_EQ(scored(offer, need, "use").points, 15);

    need.uses = {"landwirtschaft", "oeffentlich"};
    use = scored(offer, need, "use");
    expect_points(use, 0, "use_differs");

    need.uses.clear();
    use = scored(offer, need, "use");
    expect_points(use, 30, "use_open");
}

TEST(MatchingScore, SizeAtEitherEndOfTheRangeFits) {
    Offer offer = shop_offer();
    Need need = shop_need();
    offer.area_m2 = 80.0;
    auto size = scored(offer, need, "size");
    expect_points(size, 25, "size_within");
    EXPECT_EQ(size.reason.values, (nlohmann::json{{"area", 80.0}, {"min", 80.0}, {"max", 150.0}}));
    offer.area_m2 = 150.0;
    size = scored(offer, need, "size");
    expect_points(size, 25, "size_within");
}

TEST(MatchingScore, SizeOutsideByOneSquareMetreLosesPoints) {
    Offer offer = shop_offer();
    Need need = shop_need();
    offer.area_m2 = 79.0;  // 25 * (1 - 2 * 1 / 80) = 24.375 -> 24
    auto size = scored(offer, need, "size");
    expect_points(size, 24, "size_below");
    offer.area_m2 = 151.0;  // 25 * (1 - 1 / 150) = 24.83 -> 24
    size = scored(offer, need, "size");
    expect_points(size, 24, "size_above");
}

TEST(MatchingScore, SizeFallsToNothingAtHalfTheMinimumOrTwiceTheMaximum) {
    Offer offer = shop_offer();
    Need need = shop_need();
    offer.area_m2 = 60.0;  // 25 * (1 - 2 * 20 / 80) = 12.5 -> 12
    EXPECT_EQ(scored(offer, need, "size").points, 12);
    offer.area_m2 = 40.0;
    EXPECT_EQ(scored(offer, need, "size").points, 0);
    offer.area_m2 = 10.0;
    EXPECT_EQ(scored(offer, need, "size").points, 0);
    offer.area_m2 = 225.0;  // 25 * (1 - 75 / 150) = 12.5 -> 12
    EXPECT_EQ(scored(offer, need, "size").points, 12);
    offer.area_m2 = 300.0;
    EXPECT_EQ(scored(offer, need, "size").points, 0);
    offer.area_m2 = 5000.0;
    EXPECT_EQ(scored(offer, need, "size").points, 0);
}

TEST(MatchingScore, AMissingAreaMayFit) {
    Offer offer = shop_offer();
    offer.area_m2.reset();
    const auto size = scored(offer, shop_need(), "size");
    expect_points(size, 10, "size_unknown");
    EXPECT_EQ(size.reason.values, (nlohmann::json{{"min", 80.0}, {"max", 150.0}}));
}

TEST(MatchingScore, OpenRangesHaveNoEndOnTheirOpenSide) {
    Offer offer = shop_offer();
    Need need = shop_need();
    need.max_area_m2.reset();
    offer.area_m2 = 5000.0;
    EXPECT_EQ(scored(offer, need, "size").points, 25);
    offer.area_m2 = 79.0;
    EXPECT_EQ(scored(offer, need, "size").reason.code, "size_below");

    need = shop_need();
    need.min_area_m2.reset();
    offer.area_m2 = 1.0;
    EXPECT_EQ(scored(offer, need, "size").points, 25);
    offer.area_m2 = 151.0;
    EXPECT_EQ(scored(offer, need, "size").reason.code, "size_above");

    need.max_area_m2.reset();
    offer.area_m2.reset();
    const auto size = scored(offer, need, "size");
    expect_points(size, 25, "size_open");
}

TEST(MatchingPlace, AKreisCoversItsGemeinden) {
    Offer offer = shop_offer();
    offer.kommune = ags("09479169");  // Wunsiedel, in Landkreis Wunsiedel 09479
    Need need = shop_need();
    need.area = KommuneArea{{ags("12073008"), ags("09479")}};
    const auto place = scored(offer, need, "place");
    expect_points(place, 20, "place_in_kreis");
    EXPECT_EQ(place.reason.values, (nlohmann::json{{"kommune", "09479169"}, {"kreis", "09479"}}));

    // A Gemeinde named as well as its Kreis gives the more specific reason.
    need.area = KommuneArea{{ags("09479"), ags("09479169")}};
    EXPECT_EQ(scored(offer, need, "place").reason.code, "place_in_kommune");
}

TEST(MatchingPlace, AnOfferOutsideTheNamedKommunenIsExcluded) {
    Offer offer = shop_offer();
    offer.kommune = ags("09478123");  // a neighbouring Kreis: 09478 is not 09479
    Need need = shop_need();
    need.area = KommuneArea{{ags("09479"), ags("12073008")}};
    EXPECT_FALSE(score(offer, need));
    offer.kommune = ags("12062224");
    EXPECT_FALSE(score(offer, need));
}

TEST(MatchingPlace, TheRimOfTheRadiusIsInside) {
    // A tenth of a degree of latitude: 6371.0088 km * 0.1 * pi / 180 = 11.1195 km.
    const LonLat centre{13.0, 52.0};
    ASSERT_NEAR(geo::great_circle_km(centre, {13.0, 52.1}), 11.1195, 0.0001);
    Offer offer = shop_offer();
    offer.kommune_centre = {13.0, 52.1};
    Need need = shop_need();
    need.area = RadiusArea{centre, 11.12};
    const auto place = scored(offer, need, "place");
    // 20 * (1 - 11.1195 / (2 * 11.12)) = 10.0004 -> 10: half the weight at the rim.
    expect_points(place, 10, "distance_km");
    EXPECT_EQ(place.reason.values,
              (nlohmann::json{{"km", 11.1}, {"kommune", "12073008"}, {"radius_km", 11.12}}));

    need.area = RadiusArea{centre, 11.11};
    EXPECT_FALSE(score(offer, need));

    need.area = RadiusArea{{13.0, 52.1}, 5.0};
    EXPECT_EQ(scored(offer, need, "place").points, 20);
}

TEST(MatchingPlace, GreatCircleDistanceBetweenTwoMemberTowns) {
    // Angermünde to Herzberg (Elster), the haversine formula step by step:
    // dlat = -1.3334 deg, dlon = -0.7667 deg; sin²(dlat/2) = 0.00013539,
    // cos(53.0167) cos(51.6833) = 0.37299, sin²(dlon/2) = 0.000044765,
    // h = 0.00013539 + 0.37299 * 0.000044765 = 0.00015209, d = 2 * 6371.0088 * asin(sqrt(h)) =
    // 157.14 km.
    EXPECT_NEAR(geo::great_circle_km(k_angermuende, {13.2333, 51.6833}), 157.14, 0.01);
    EXPECT_EQ(geo::great_circle_km(k_angermuende, k_angermuende), 0.0);
}

TEST(MatchingKind, NoCommonKindExcludesThePair) {
    Offer offer = shop_offer();
    Need need = shop_need();
    need.kinds = {"kauf", "erbpacht"};
    EXPECT_FALSE(score(offer, need));

    offer.kinds = {"miete", "kauf", "zwischennutzung"};
    auto kind = scored(offer, need, "kind");
    expect_points(kind, 15, "kind_fits");
    EXPECT_EQ(kind.reason.values, (nlohmann::json{{"kinds", {"kauf"}}}));

    need.kinds.clear();
    kind = scored(offer, need, "kind");
    EXPECT_EQ(kind.reason.code, "kind_open");
    offer.kinds.clear();
    EXPECT_FALSE(score(offer, need));
}

TEST(MatchingTiming, AvailableByTheDateNeededIsInTime) {
    Offer offer = shop_offer();
    Need need = shop_need();
    need.needed_from = date("2027-03-01");
    auto timing = scored(offer, need, "timing");  // no date: available now
    expect_points(timing, 10, "time_ready");

    offer.available_from = date("2027-03-01");
    timing = scored(offer, need, "timing");
    EXPECT_EQ(timing.points, 10);
    EXPECT_EQ(timing.reason.values,
              (nlohmann::json{{"available", "2027-03-01"}, {"needed", "2027-03-01"}}));

    need.needed_from.reset();
    timing = scored(offer, need, "timing");
    expect_points(timing, 10, "time_open");
}

TEST(MatchingTiming, LaterLosesAPointPerFiveWeeksAndAllAfterAYear) {
    Offer offer = shop_offer();
    Need need = shop_need();
    need.needed_from = date("2027-02-28");
    offer.available_from = date("2027-03-01");  // 1 day: 10 * 364 / 365 = 9.97 -> 9
    auto timing = scored(offer, need, "timing");
    expect_points(timing, 9, "time_later");
    EXPECT_EQ(timing.reason.values["days"], 1);

    need.needed_from = date("2027-01-01");
    offer.available_from = date("2027-07-02");  // 182 days: 10 * 183 / 365 = 5.01 -> 5
    EXPECT_EQ(scored(offer, need, "timing").points, 5);
    offer.available_from = date("2028-01-01");  // 365 days
    EXPECT_EQ(scored(offer, need, "timing").points, 0);
    offer.available_from = date("2030-01-01");
    EXPECT_EQ(scored(offer, need, "timing").points, 0);

    // Across a leap day: 2028-02-01 to 2028-03-01 is 29 days, 10 * 336 / 365 = 9.2 -> 9.
    need.needed_from = date("2028-02-01");
    offer.available_from = date("2028-03-01");
    EXPECT_EQ(scored(offer, need, "timing").reason.values["days"], 29);
}

TEST(MatchingRanking, TopNKeepsTheBestAndBreaksTiesById) {
    const Offer offer = shop_offer();
    Need fits = shop_need();
    Need fits_too = shop_need();
    Need smaller = shop_need();
    Need other_kind = shop_need();
    fits.id = 30;
    fits_too.id = 20;
    smaller.id = 10;
    smaller.min_area_m2 = 150.0;  // 120 of 150: 25 * (1 - 60 / 150) = 15
    other_kind.id = 5;
    other_kind.kinds = {"kauf"};
    const std::vector<Need> needs = {fits, smaller, other_kind, fits_too};

    const auto all = rank_needs(offer, needs, 10);
    ASSERT_EQ(all.size(), 3U);
    EXPECT_EQ(all[0].need_id, 20);
    EXPECT_EQ(all[1].need_id, 30);
    EXPECT_EQ(all[2].need_id, 10);
    EXPECT_EQ(all[2].total, 90);

    const auto best = rank_needs(offer, needs, 1);
    ASSERT_EQ(best.size(), 1U);
    EXPECT_EQ(best[0].need_id, 20);
    EXPECT_TRUE(rank_needs(offer, needs, 0).empty());
}

TEST(MatchingJson, AMatchWritesItsComponentsWithTheirReasons) {
    Need need = shop_need();
    need.common_good = true;
    const auto match = score(shop_offer(), need);
    ASSERT_TRUE(match);
    const nlohmann::json json = to_json(*match);
    EXPECT_EQ(json["total"], 100);
    EXPECT_EQ(json["common_good"], true);
    ASSERT_EQ(json["components"].size(), 5U);
    EXPECT_EQ(json["components"][1],
              (nlohmann::json{
                  {"component", "size"},
                  {"weight", 25},
                  {"points", 25},
                  {"reason",
                   {{"code", "size_within"}, {"area", 120.0}, {"min", 80.0}, {"max", 150.0}}}}));
}

}  // namespace
}  // namespace leerstand::matching
