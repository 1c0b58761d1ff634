#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/iso_date.hpp"
#include "data/profile_store.hpp"
#include "data/records.hpp"
#include "data/vacancy_records.hpp"

/// The demo generator: the real outlines of the founding members of the Starke Orte network
/// (BKG VG5000 2021, shipped in demo/data), made-up buildings inside them and a made-up two
/// years of the network's work: vacancy reports and their history, profiles, Zukunftsorte.
/// The same options give the same bytes. Everything below `detail` is the generator's own;
/// this header is its door.
namespace leerstand::demo {

/// What to generate.
struct Options {
    std::uint64_t seed = 1;
    /// Buildings for each Kommune that gets buildings (the three founding Gemeinden and three
    /// towns of the Landkreis); 0 = the default mix, about 4,500 buildings in total. At most
    /// 3000.
    int buildings_per_kommune = 0;
    /// The day the demo's history ends: reports are filed and change in the 24 months before
    /// its month. Empty: today (UTC), so a new demo always shows a current trend.
    std::optional<IsoDate> as_of;
    /// Only Kommunen and buildings: no reports, profiles or Zukunftsorte (a base for tests
    /// and imports that bring their own).
    bool buildings_only = false;
};

/// Largest accepted Options::buildings_per_kommune.
inline constexpr int k_max_buildings_per_kommune = 3000;

/// One Kommune: the store record and its boundary as WKT (lon/lat, 7 decimals).
struct Kommune {
    data::KommuneRecord record;
    std::string wkt;
};

/// One generated building: the store record, its footprint as WKT (lon/lat, 7 decimals) and
/// a point that lies inside the footprint.
struct Building {
    data::BuildingRecord record;
    std::string wkt;
    double anchor_lon = 0.0;
    double anchor_lat = 0.0;
};

/// A report as it stands from `at` (ISO 8601 UTC) on. Its point is the anchor of the building
/// it is about; ids, versions and times are the store's.
struct VacancyStep {
    std::string at;
    data::VacancyRecord state;
};

/// One vacancy report: the building it is about (an index into Dataset::buildings) and its
/// states in the order they happened, the first the report as filed.
struct Vacancy {
    std::size_t building = 0;
    std::vector<VacancyStep> steps;
};

/// A picture the demo draws (services::illustration) and stores under `id`, a 32-digit hex id
/// from the seed; profiles and Zukunftsorte name it as their image.
struct Picture {
    std::string id;
    std::uint64_t seed = 0;  ///< what the drawing is made of
    std::string caption;
    std::string kommune_ags;
};

/// One Zukunftsort, opened at `at`: in a building (an index into Dataset::buildings), and
/// where it came from a report, that report (an index into Dataset::vacancies). Its pictures
/// (named in record.images, in that order) are stored when it opens.
struct Zukunftsort {
    std::string at;
    data::ZukunftsortRecord record;
    std::size_t building = 0;
    std::optional<std::size_t> vacancy;
    std::vector<Picture> pictures;
};

/// The whole demo dataset, in generation order (Kommunen first, parents before children).
struct Dataset {
    std::uint64_t seed = 0;
    std::string as_of;       ///< YYYY-MM-DD
    std::string started_at;  ///< when the network began: Kommunen and buildings are loaded then
    std::vector<Kommune> kommunen;
    std::vector<Building> buildings;
    std::vector<data::KommuneProfileRecord> profiles;
    std::vector<Picture> pictures;
    std::vector<Vacancy> vacancies;
    std::vector<Zukunftsort> zukunftsorte;
};

/// Throws InvalidInput for options out of range.
void check_options(const Options& options);

/// Builds the demo dataset without touching a store: the VG5000 outlines of the four founding
/// members of the Starke Orte network (Angermünde, Herzberg (Elster), Neukirchen/Erzgeb.,
/// Landkreis Wunsiedel i. Fichtelgebirge with its 26 Gemeinden and gemeindefreie Gebiete),
/// buildings in settlements where the real towns are (the founding Gemeinden and three towns of
/// the Landkreis), and unless buildings_only: reports with their history, profiles of the four
/// members and Zukunftsorte. Every footprint lies inside the Kommune named by its kommune_ags,
/// and the same options give byte-identical output on every platform (the generator uses only
/// its own random numbers and IEEE basic arithmetic).
/// Throws InvalidInput for options out of range.
Dataset make_dataset(const Options& options);

}  // namespace leerstand::demo
