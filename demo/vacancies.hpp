#pragma once

// The demo's vacancy reports: which buildings are reported, and how each report moved through
// the lifecycle over the two years before the reference day.

#include <cstdint>
#include <vector>

#include "common/iso_date.hpp"
#include "demo/dataset.hpp"

namespace leerstand::demo::detail {

/// Reports come in triples: three reports of one Kommune with the same status, use and
/// publication, whose steps fall in the same months. So every count the public figures show
/// (by status, by use, published or not, at the start of every month) is a multiple of three,
/// never the 1 or 2 the small-count rules hide (docs/privacy.md), and the demo shows numbers.
inline constexpr int k_triple = 3;

/// Reports in the founding Gemeinden and the three Landkreis towns, every status and use,
/// each step in one of the 24 months before the month of `as_of`.
std::vector<Vacancy> plan_vacancies(const std::vector<Building>& buildings, const IsoDate& as_of,
                                    std::uint64_t seed);

}  // namespace leerstand::demo::detail
