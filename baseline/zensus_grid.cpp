#include "baseline/zensus_grid.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <unordered_set>

#include "baseline/csv_record.hpp"
#include "common/error.hpp"

namespace leerstand::baseline {

namespace {

constexpr std::string_view k_header = "x_mp_1km,y_mp_1km,leerstandsquote";
// EPSG:3035 metres that hold Germany with a wide margin: a centre outside is a wrong column
// or a wrong CRS, not a cell.
constexpr double k_min_easting = 3'800'000, k_max_easting = 4'900'000;
constexpr double k_min_northing = 2'500'000, k_max_northing = 3'700'000;

std::optional<double> number(const std::string& text) {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
        !std::isfinite(value))
        return std::nullopt;
    return value;
}

/// A 1 km cell's centre lies 500 m past a whole kilometre.
bool is_cell_centre(double metres) {
    return std::fmod(metres, 1000.0) == 500.0;
}

}  // namespace

std::vector<ZensusGridCell> read_zensus_grid(std::istream& in) {
    std::vector<ZensusGridCell> cells;
    std::unordered_set<std::int64_t> seen;
    std::string line;
    std::size_t line_number = 0;
    auto fail = [&line_number](const std::string& why) {
        return InvalidInput("line " + std::to_string(line_number) + ": " + why);
    };
    while (std::getline(in, line)) {
        ++line_number;
        if (line.ends_with('\r')) line.pop_back();
        if (line_number == 1) {
            if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
            if (line != k_header)
                throw fail("the header must be " + std::string(k_header) + ", not '" +
                           line.substr(0, 80) + "'");
            continue;
        }
        if (line.empty()) continue;
        const auto fields = csv_fields(line);
        if (!fields || fields->size() != 3)
            throw fail("expected 3 fields (x_mp_1km,y_mp_1km,leerstandsquote), not '" +
                       line.substr(0, 80) + "'");
        const auto x = number((*fields)[0]);
        const auto y = number((*fields)[1]);
        const auto quote = number((*fields)[2]);
        if (!x || !y || !is_cell_centre(*x) || !is_cell_centre(*y) || *x < k_min_easting ||
            *x > k_max_easting || *y < k_min_northing || *y > k_max_northing)
            throw fail(
                "x_mp_1km and y_mp_1km must be the centre of a 1 km cell in Germany in "
                "EPSG:3035 metres (such as 4340500,2691500), not '" +
                (*fields)[0] + "," + (*fields)[1] + "'");
        if (!quote || *quote < 0 || *quote > 100)
            throw fail("leerstandsquote must be a percentage from 0 to 100, not '" + (*fields)[2] +
                       "'");
        const auto id =
            static_cast<std::int64_t>(*x / 1000) * 100000 + static_cast<std::int64_t>(*y / 1000);
        if (!seen.insert(id).second)
            throw fail("the cell " + (*fields)[0] + "," + (*fields)[1] + " appears twice");
        cells.push_back({id, *x, *y, *quote});
    }
    if (in.bad()) throw InvalidInput("the grid file could not be read");
    if (line_number == 0) throw InvalidInput("the grid file is empty");
    return cells;
}

}  // namespace leerstand::baseline
