#pragma once

// Street names and house numbers for the plots a Gemeinde's buildings stand on.

#include <string>
#include <vector>

#include "demo/deterministic.hpp"
#include "demo/plots.hpp"

namespace leerstand::demo::detail {

struct Address {
    std::string street;
    std::string housenumber;
};

/// Street per (settlement, row), numbers odd on the +v side and even on the other, rising
/// along the street.
std::vector<Address> addresses(const std::vector<Plot>& used, Rng& rng);

}  // namespace leerstand::demo::detail
