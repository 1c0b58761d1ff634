#pragma once

// Times of the demo's made-up history, counted back in months from its reference day, written
// as the store writes times (ISO 8601 UTC, second precision).

#include <string>

#include "common/iso_date.hpp"

namespace leerstand::demo::detail {

struct Month {
    int year = 0;
    int month = 1;  ///< 1..12
};

/// The month `back` months before the month of `day` (0: that month).
Month month_before(const IsoDate& day, int back);

/// "YYYY-MM-DD" of `day` (1..28, so it exists in every month) in the month.
std::string date_in(Month month, int day);

/// "YYYY-MM-DDTHH:MM:00Z".
std::string moment_in(Month month, int day, int hour, int minute);

}  // namespace leerstand::demo::detail
