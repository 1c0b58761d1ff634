#include "server/services/demo_service.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "data/profile_store.hpp"
#include "data/store.hpp"
#include "data/vacancy_store.hpp"
#include "server/services/image_service.hpp"

namespace leerstand::services {
namespace {

/// Who the demo's reports and their history name.
const std::string k_demo_user = "demo";

data::UploadRecord demo_upload(const std::string& layer, const DemoOptions& options,
                               std::int64_t count, const nlohmann::json& report) {
    data::UploadRecord upload;
    upload.user = k_demo_user;
    upload.file_name = "demo (seed " + std::to_string(options.seed) + ")";
    upload.format = "demo";
    upload.layer = layer;
    upload.mode = "append";
    upload.crs = "EPSG:4326";
    upload.encoding = "UTF-8";
    upload.features_read = count;
    upload.stored = count;
    upload.report_json = report.dump();
    upload.state = "done";
    return upload;
}

/// Stamps the store's writes with the demo's times, and gives the clock back however the demo
/// ends.
class PinnedClock {
  public:
    explicit PinnedClock(data::Store& store) : m_store(store) {}
    PinnedClock(const PinnedClock&) = delete;
    PinnedClock& operator=(const PinnedClock&) = delete;
    ~PinnedClock() { m_store.pin_time(std::nullopt); }
    void set(const std::string& time) { m_store.pin_time(time); }

  private:
    data::Store& m_store;
};

/// One write of the demo's history: a step of a report, or the opening of a Zukunftsort.
struct Event {
    std::string at;
    int kind = 0;  // 0 report step, 1 Zukunftsort: a place opens after its report's step
    std::size_t index = 0;
    std::size_t step = 0;
};

/// Every write in the order it happened, so ids and history rows follow time.
std::vector<Event> events_of(const demo::Dataset& dataset) {
    std::vector<Event> events;
    for (std::size_t i = 0; i < dataset.vacancies.size(); ++i)
        for (std::size_t k = 0; k < dataset.vacancies[i].steps.size(); ++k)
            events.push_back({dataset.vacancies[i].steps[k].at, 0, i, k});
    for (std::size_t i = 0; i < dataset.zukunftsorte.size(); ++i)
        events.push_back({dataset.zukunftsorte[i].at, 1, i, 0});
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        return std::tie(a.at, a.kind, a.index, a.step) < std::tie(b.at, b.kind, b.index, b.step);
    });
    return events;
}

/// Draws `picture` and stores it under its own id, at the store's pinned time.
void store_picture(ImageService& images, const demo::Picture& picture) {
    images.store(illustration(picture.seed, picture.caption), picture.kommune_ags, k_demo_user,
                 picture.id);
}

/// Writes the reports' steps and the Zukunftsorte with their pictures, each at its time.
/// Buildings are found by the point the generator gives inside their footprint.
void write_history(data::VacancyStore& vacancies, ImageService& images, PinnedClock& clock,
                   const demo::Dataset& dataset) {
    const auto building_id = [&](std::size_t index) {
        const demo::Building& b = dataset.buildings[index];
        const auto id = vacancies.match_building(b.anchor_lon, b.anchor_lat, 0.0);
        if (!id) throw InternalError("demo building " + b.record.source_ref + " was not stored");
        return id;
    };
    std::vector<data::VacancyRecord> stored(dataset.vacancies.size());
    for (const Event& event : events_of(dataset)) {
        clock.set(event.at);
        if (event.kind == 1) {
            const demo::Zukunftsort& place = dataset.zukunftsorte[event.index];
            // Its pictures come with it, at its opening: record.images names them.
            for (const demo::Picture& picture : place.pictures) store_picture(images, picture);
            data::ZukunftsortRecord record = place.record;
            record.building_id = building_id(place.building);
            if (place.vacancy) record.vacancy_id = stored[*place.vacancy].id;
            vacancies.insert_zukunftsort(record);
            continue;
        }
        const demo::Vacancy& vacancy = dataset.vacancies[event.index];
        data::VacancyRecord record = vacancy.steps[event.step].state;
        record.building_id = building_id(vacancy.building);
        if (event.step == 0) {
            stored[event.index] = vacancies.insert_vacancy(record, k_demo_user);
        } else {
            record.id = stored[event.index].id;
            stored[event.index] =
                vacancies.update_vacancy(record, stored[event.index].version, k_demo_user);
        }
    }
}

}  // namespace

DemoReport generate_demo(data::Store& store, const DemoOptions& options) {
    demo::check_options(options);
    const data::StoreCounts counts = store.counts();
    if (counts.kommunen > 0 || counts.buildings > 0 || counts.vacancies > 0 ||
        counts.zukunftsorte > 0) {
        throw Conflict("the store already holds " + std::to_string(counts.kommunen) +
                       " Kommunen and " + std::to_string(counts.buildings) +
                       " buildings; load the demo only into a new, empty database");
    }
    // Generate everything before writing anything.
    const demo::Dataset dataset = demo::make_dataset(options);

    std::vector<data::KommuneRecord> kommunen;
    nlohmann::json per_kommune = nlohmann::json::object();
    for (const demo::Kommune& k : dataset.kommunen) kommunen.push_back(k.record);
    for (const demo::Building& b : dataset.buildings) {
        nlohmann::json& count = per_kommune[b.record.kommune_ags];
        count = count.is_null() ? 1 : count.get<int>() + 1;
    }
    const nlohmann::json report_json = {{"generator", "leerstand demo"},
                                        {"seed", options.seed},
                                        {"as_of", dataset.as_of},
                                        {"kommunen", dataset.kommunen.size()},
                                        {"buildings", dataset.buildings.size()},
                                        {"buildings_per_kommune", per_kommune}};
    const auto n_kommunen = static_cast<std::int64_t>(dataset.kommunen.size());
    const auto n_buildings = static_cast<std::int64_t>(dataset.buildings.size());

    PinnedClock clock(store);
    clock.set(dataset.started_at);
    data::VacancyStore vacancies(store);
    // One transaction for all of it: the writes below join it, and a failure anywhere
    // leaves the store as it was.
    auto transaction = vacancies.begin_write();
    DemoReport report;
    report.upload_id_kommunen =
        store.upsert_kommunen(kommunen, demo_upload("kommunen", options, n_kommunen, report_json));

    data::UploadRecord building_upload =
        demo_upload("buildings", options, n_buildings, report_json);
    data::UploadRecord running = building_upload;
    running.state = "running";
    running.stored = 0;
    auto import = store.begin_building_import(running, false, "");
    for (const demo::Building& b : dataset.buildings) import.add(b.record);
    report.upload_id_buildings = import.commit(building_upload);

    ImageService images(store);
    for (const demo::Picture& picture : dataset.pictures) store_picture(images, picture);
    data::ProfileStore profiles(store);
    for (const data::KommuneProfileRecord& profile : dataset.profiles)
        profiles.update(profile, profiles.by_ags(profile.ags).value().version);
    write_history(vacancies, images, clock, dataset);
    transaction.commit();

    report.kommunen = static_cast<int>(n_kommunen);
    report.buildings = n_buildings;
    report.vacancies = static_cast<std::int64_t>(dataset.vacancies.size());
    report.zukunftsorte = static_cast<std::int64_t>(dataset.zukunftsorte.size());
    return report;
}

}  // namespace leerstand::services
