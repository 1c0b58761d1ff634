#include "demo/moments.hpp"

#include <cstdio>

namespace leerstand::demo::detail {

Month month_before(const IsoDate& day, int back) {
    const int months = day.year() * 12 + static_cast<int>(day.month()) - 1 - back;
    return {months / 12, months % 12 + 1};
}

std::string date_in(Month month, int day) {
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", month.year, month.month, day);
    return text;
}

std::string moment_in(Month month, int day, int hour, int minute) {
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:00Z", month.year, month.month, day,
                  hour, minute);
    return text;
}

}  // namespace leerstand::demo::detail
