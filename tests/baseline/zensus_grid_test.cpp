// The reader of the Zensus 2011 1 km grid on a slice of the real file, and its one-line errors.
#include <gtest/gtest.h>

#include <sstream>

#include "baseline/zensus_grid.hpp"
#include "common/error.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::baseline {
namespace {

const char* const k_grid = "zensus/zensus2011_1km_leerstandsquote_epsg3035.csv";

std::string error_of(const std::string& text) {
    std::istringstream in(text);
    try {
        read_zensus_grid(in);
    } catch (const InvalidInput& error) {
        return error.what();
    }
    return "no error";
}

TEST(ZensusGrid, ReadsTheFirst2000RowsOfTheRealFileAsAwkDoes) {
    const auto file = test::shared_data(k_grid);
    LEERSTAND_REQUIRE_SHARED(file);
    const auto slice = test::run_command({"head", "-n", "2001", file.string()});
    ASSERT_EQ(slice.exit_code, 0);
    std::istringstream in(slice.out);
    const auto cells = read_zensus_grid(in);
    ASSERT_EQ(cells.size(), 2000u);
    // Row 1234 and the share sum, as awk reads them.
    const auto awk = test::run_command(
        {"sh", "-c",
         "head -n 2001 '" + file.string() +
             "' | tr -d '\\r' | awk -F, 'NR == 1235 { print $1, $2, $3 } NR > 1 { s += $3 } "
             "END { printf \"%.3f\\n\", s }'"});
    ASSERT_EQ(awk.exit_code, 0) << awk.err;
    std::ostringstream mine;
    mine << static_cast<long long>(cells[1233].x) << " " << static_cast<long long>(cells[1233].y)
         << " " << cells[1233].leerstandsquote << "\n";
    double sum = 0;
    for (const auto& cell : cells) sum += cell.leerstandsquote;
    char total[64];
    std::snprintf(total, sizeof total, "%.3f\n", sum);
    EXPECT_EQ(mine.str() + total, awk.out);
    // The key is the cell's kilometre grid position.
    EXPECT_EQ(cells[1233].id, static_cast<std::int64_t>(cells[1233].x / 1000) * 100000 +
                                  static_cast<std::int64_t>(cells[1233].y / 1000));
}

TEST(ZensusGrid, NamesTheLineOfTheFirstBadRow) {
    const std::string header = "x_mp_1km,y_mp_1km,leerstandsquote\r\n";
    EXPECT_EQ(error_of(header + "4340500,2691500,0\r\n4341500,2691500,101\r\n"),
              "line 3: leerstandsquote must be a percentage from 0 to 100, not '101'");
    EXPECT_EQ(error_of(header + "4340500,2691500,0\n4340400,2691500,1\n"),
              "line 3: x_mp_1km and y_mp_1km must be the centre of a 1 km cell in Germany in "
              "EPSG:3035 metres (such as 4340500,2691500), not '4340400,2691500'");
    EXPECT_EQ(error_of(header + "13.4,52.5,1\n"),
              "line 2: x_mp_1km and y_mp_1km must be the centre of a 1 km cell in Germany in "
              "EPSG:3035 metres (such as 4340500,2691500), not '13.4,52.5'");
    EXPECT_EQ(error_of(header + "4340500,2691500\n"),
              "line 2: expected 3 fields (x_mp_1km,y_mp_1km,leerstandsquote), not "
              "'4340500,2691500'");
    EXPECT_EQ(error_of(header + "4340500,2691500,1\n4340500,2691500,2\n"),
              "line 3: the cell 4340500,2691500 appears twice");
    EXPECT_EQ(error_of("x,y,z\n"),
              "line 1: the header must be x_mp_1km,y_mp_1km,leerstandsquote, not 'x,y,z'");
    EXPECT_EQ(error_of(""), "the grid file is empty");
}

}  // namespace
}  // namespace leerstand::baseline
