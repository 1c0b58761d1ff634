#pragma once

// The network's public face in the demo: the members' profiles and the Zukunftsorte.

#include <cstdint>
#include <string>
#include <vector>

#include "common/iso_date.hpp"
#include "data/records.hpp"
#include "demo/dataset.hpp"

namespace leerstand::demo::detail {

/// The profiles of the four founding members, members since `member_since` (YYYY-MM-DD), each
/// with a picture added to `pictures`.
std::vector<data::KommuneProfileRecord> member_profiles(const std::string& member_since,
                                                        std::uint64_t seed,
                                                        std::vector<Picture>& pictures);

/// Zukunftsorte: most in buildings whose report was activated (opened after that), a few in
/// buildings of a town core without a report, each with a story and one or two pictures of its
/// own. Needs the dataset's buildings and reports.
std::vector<Zukunftsort> plan_zukunftsorte(const Dataset& dataset, const IsoDate& as_of,
                                           std::uint64_t seed);

}  // namespace leerstand::demo::detail
