// ZukunftsortService, the use cases behind the writable collection zukunftsorte: validation,
// rights, the public view, and turning a vacancy into a Zukunftsort (linking, activation, and
// the privacy of the link). Real SpatiaLite files in a TempDir (feature_fixture.hpp).
#include "server/services/zukunftsort_service.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "common/error.hpp"
#include "tests/services/feature_fixture.hpp"

namespace leerstand::services {
namespace {

using namespace feature_test;

using ZukunftsortServiceTest = WritableCollectionsTest;

// -- Zukunftsorte -------------------------------------------------------------------------

TEST_F(ZukunftsortServiceTest, ZukunftsorteAreValidatedAndPublic) {
    const FeatureResult place =
        m_zukunftsorte->create(feature(in_wunsiedel, {{"name", "Kulturkaufhaus"},
                                                      {"kind", "kultur"},
                                                      {"website", "https://example.org/kaufhaus"},
                                                      {"opened", "2023-09-01"}}),
                               editor_in);
    const json& p = place.feature.at("properties");
    EXPECT_EQ(p.at("kommune_ags"), wunsiedel);
    EXPECT_EQ(p.at("name"), "Kulturkaufhaus");
    EXPECT_EQ(m_zukunftsorte->get(place.id, anonymous).feature, place.feature);
    EXPECT_EQ(m_zukunftsorte->list({}, anonymous).number_matched, 1);

    auto fields = [&](const json& properties) {
        const auto e = error_of<InvalidInput>(
            [&] { m_zukunftsorte->create(feature(in_wunsiedel, properties), editor_in); });
        return e ? error_fields(*e) : std::multiset<std::string>{};
    };
    EXPECT_EQ(fields({{"kind", "x"}}), std::multiset<std::string>{"name"});
    EXPECT_EQ(fields({{"name", ""}}), std::multiset<std::string>{"name"});
    EXPECT_EQ(fields({{"name", "A"}, {"website", "javascript:alert(1)"}}),
              std::multiset<std::string>{"website"});
    EXPECT_EQ(fields({{"name", "A"}, {"website", "ftp://example.org"}}),
              std::multiset<std::string>{"website"});
    EXPECT_EQ(fields({{"name", "A"}, {"opened", "2023-13-01"}, {"owner_contact", "x"}}),
              (std::multiset<std::string>{"opened", "owner_contact"}));
    EXPECT_TRUE(error_of<Unauthenticated>([&] {
        m_zukunftsorte->create(feature(in_wunsiedel, {{"name", "A"}}), anonymous);
    }));
    EXPECT_TRUE(error_of<Forbidden>([&] {
        m_zukunftsorte->create(feature(in_wunsiedel, {{"name", "A"}}), editor_out);
    }));

    const FeatureResult renamed = m_zukunftsorte->patch(
        place.id, patch_of({{"name", "Kulturkaufhaus Wunsiedel"}}), 1, editor_in);
    EXPECT_EQ(renamed.version, 2);
    EXPECT_EQ(renamed.feature.at("properties").at("kind"), "kultur");
    EXPECT_TRUE(
        error_of<PreconditionFailed>([&] { m_zukunftsorte->remove(place.id, 1, editor_in); }));
    m_zukunftsorte->remove(place.id, 2, editor_in);
    EXPECT_TRUE(error_of<NotFound>([&] { m_zukunftsorte->get(place.id, anonymous); }));
}

TEST_F(ZukunftsortServiceTest, TurningAVacancyIntoAZukunftsortLinksAndActivatesIt) {
    const FeatureResult early = create({{"status", "bestaetigt"}}, in_wunsiedel, editor_in);
    const json link_early =
        feature(in_wunsiedel, {{"name", "Dorfladen"}, {"vacancy_id", early.id}});
    const auto refused =
        error_of<Unprocessable>([&] { m_zukunftsorte->create(link_early, editor_in); });
    ASSERT_TRUE(refused);
    EXPECT_NE(std::string(refused->what()).find("in_aktivierung"), std::string::npos);
    EXPECT_EQ(count("zukunftsorte"), 0);

    const FeatureResult vacancy = create({{"status", "in_aktivierung"}}, in_wunsiedel, editor_in);
    const json link = feature(in_wunsiedel, {{"name", "Dorfladen"}, {"vacancy_id", vacancy.id}});
    // An editor elsewhere may not turn this vacancy into anything.
    EXPECT_TRUE(error_of<Forbidden>([&] { m_zukunftsorte->create(link, editor_out); }));
    EXPECT_TRUE(error_of<InvalidInput>([&] {
        m_zukunftsorte->create(feature(in_wunsiedel, {{"name", "X"}, {"vacancy_id", 4711}}), admin);
    }));

    const FeatureResult place = m_zukunftsorte->create(link, editor_in);
    EXPECT_EQ(place.feature.at("properties").at("vacancy_id"), vacancy.id);
    const FeatureResult activated = m_vacancies->get(vacancy.id, editor_in);
    EXPECT_EQ(activated.version, 2);
    EXPECT_EQ(activated.feature.at("properties").at("status"), "aktiviert");
    EXPECT_EQ(activated.feature.at("properties").at("zukunftsort_id"), place.id);
    const json history = m_vacancies->history(vacancy.id, editor_in);
    ASSERT_EQ(history.at("changes").size(), 2U);
    EXPECT_EQ(history.at("changes")[1].at("new"), (json{{"status", "aktiviert"}}));
    EXPECT_EQ(history.at("changes")[1].at("changed_by"), "eva");

    // The link is shown only to those who may see the (unconsented) vacancy.
    EXPECT_TRUE(m_zukunftsorte->get(place.id, anonymous)
                    .feature.at("properties")
                    .at("vacancy_id")
                    .is_null());
    EXPECT_TRUE(m_zukunftsorte->get(place.id, editor_out)
                    .feature.at("properties")
                    .at("vacancy_id")
                    .is_null());
    EXPECT_EQ(m_zukunftsorte->get(place.id, planner_in).feature.at("properties").at("vacancy_id"),
              vacancy.id);
    EXPECT_EQ(m_zukunftsorte->list({}, anonymous).features.at(0).at("properties").at("vacancy_id"),
              nullptr);

    // One Zukunftsort per vacancy.
    EXPECT_TRUE(error_of<Conflict>([&] { m_zukunftsorte->create(link, editor_in); }));
    const FeatureResult second =
        m_zukunftsorte->create(feature(in_wunsiedel, {{"name", "Café"}}), editor_in);
    EXPECT_TRUE(error_of<Conflict>([&] {
        m_zukunftsorte->patch(second.id, patch_of({{"vacancy_id", vacancy.id}}), 1, editor_in);
    }));
    // An aktiviert vacancy may be linked when it is free: unlink, then link the other place.
    m_zukunftsorte->patch(place.id, patch_of({{"vacancy_id", nullptr}}), 1, editor_in);
    const FeatureResult relinked =
        m_zukunftsorte->patch(second.id, patch_of({{"vacancy_id", vacancy.id}}), 1, editor_in);
    EXPECT_EQ(relinked.feature.at("properties").at("vacancy_id"), vacancy.id);
    EXPECT_EQ(m_vacancies->get(vacancy.id, admin).version, 2) << "already aktiviert: no change";

    // A Zukunftsort in Angermünde linked to a Wunsiedel vacancy: the editor of Angermünde
    // sees no link, and putting back what they got does not drop it.
    const FeatureResult far_away =
        m_zukunftsorte->create(feature(in_angermuende, {{"name", "Partnerladen"}}), admin);
    const FeatureResult other_vacancy = create({{"status", "aktiviert"}}, in_wunsiedel, editor_in);
    m_zukunftsorte->patch(far_away.id, patch_of({{"vacancy_id", other_vacancy.id}}), 1, admin);
    json echoed = m_zukunftsorte->get(far_away.id, editor_out).feature;
    EXPECT_TRUE(echoed.at("properties").at("vacancy_id").is_null());
    echoed["properties"]["description"] = "Partnerschaft mit Wunsiedel";
    m_zukunftsorte->replace(far_away.id, echoed, 2, editor_out);
    EXPECT_EQ(m_zukunftsorte->get(far_away.id, admin).feature.at("properties").at("vacancy_id"),
              other_vacancy.id);

    // Deleting the vacancy keeps the Zukunftsort.
    m_vacancies->remove(vacancy.id, 2, editor_in);
    const FeatureResult kept = m_zukunftsorte->get(second.id, admin);
    EXPECT_TRUE(kept.feature.at("properties").at("vacancy_id").is_null());
}

TEST_F(ZukunftsortServiceTest, RefusedLinksAndFiltersNameTheirCodes) {
    const FeatureResult early = create({{"status", "bestaetigt"}}, in_wunsiedel, editor_in);
    const auto not_linkable = error_of<Unprocessable>([&] {
        m_zukunftsorte->create(feature(in_wunsiedel, {{"name", "A"}, {"vacancy_id", early.id}}),
                               editor_in);
    });
    ASSERT_TRUE(not_linkable);
    EXPECT_EQ(not_linkable->code(), "vacancy_status_not_linkable");

    // An unknown vacancy and one the caller may not see get the same answer.
    const FeatureResult hidden = create({{"status", "aktiviert"}}, in_angermuende, admin);
    for (const std::int64_t id : {std::int64_t{4711}, hidden.id}) {
        const auto unknown = error_of<InvalidInput>([&] {
            m_zukunftsorte->create(feature(in_wunsiedel, {{"name", "A"}, {"vacancy_id", id}}),
                                   editor_in);
        });
        ASSERT_TRUE(unknown);
        EXPECT_EQ(unknown->code(), "invalid_fields");
        EXPECT_EQ(error_code(*unknown, "vacancy_id"), "unknown_vacancy");
    }

    const FeatureResult vacancy = create({{"status", "in_aktivierung"}}, in_wunsiedel, editor_in);
    const json link = feature(in_wunsiedel, {{"name", "Dorfladen"}, {"vacancy_id", vacancy.id}});
    m_zukunftsorte->create(link, editor_in);
    const auto linked = error_of<Conflict>([&] { m_zukunftsorte->create(link, editor_in); });
    ASSERT_TRUE(linked);
    EXPECT_EQ(linked->code(), "vacancy_already_linked");

    ItemsQuery query;
    query.use = "laden";
    const auto filter = error_of<InvalidInput>([&] { m_zukunftsorte->list(query, anonymous); });
    ASSERT_TRUE(filter);
    EXPECT_EQ(error_code(*filter, "use"), "not_applicable");
}

}  // namespace
}  // namespace leerstand::services
