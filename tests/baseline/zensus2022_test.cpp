// The Zensus 2022 table compiled into the binary: every row as awk reads the shipped CSV, the
// dwelling-weighted figure of a Kreis, and a clear error for a malformed table.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "baseline/csv_record.hpp"
#include "baseline/zensus2022.hpp"
#include "common/error.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::baseline {
namespace {

std::filesystem::path shipped_csv() {
    return std::filesystem::path(LEERSTAND_SOURCE_DIR) / "baseline/zensus" /
           "zensus2022_gemeinden_leerstand.csv";
}

/// awk over the shipped CSV (carriage returns removed). The numbers are the last three
/// fields, so names with commas in quotes do not shift them.
std::string awk(const std::string& program) {
    const auto result = test::run_command(
        {"sh", "-c", "tr -d '\\r' < '" + shipped_csv().string() + "' | awk -F, '" + program + "'"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
}

TEST(Zensus2022, HoldsEveryRowOfTheShippedFile) {
    const std::string rows = awk("NR > 1 { n++ } END { print n }");
    EXPECT_EQ(std::to_string(zensus2022().rows().size()) + "\n", rows);
    const std::string without = awk("NR > 1 && $NF == \"\" { n++ } END { print n }");
    std::size_t none = 0;
    for (const auto& row : zensus2022().rows()) none += row.leerstandsquote ? 0 : 1;
    EXPECT_EQ(std::to_string(none) + "\n", without);
    EXPECT_GT(none, 0u) << "the table has Gemeinden without a figure";
}

TEST(Zensus2022, EachGemeindeHasTheFiguresAwkReads) {
    // Every row, not a sample: AGS, einwohner, wohnungen and the share as the file has them.
    std::istringstream lines(awk(
        "NR > 1 { printf \"%s %s %s %s\\n\", $1, $(NF-2), $(NF-1), ($NF == \"\" ? \"-\" : $NF) }"));
    std::size_t checked = 0;
    for (std::string ags, einwohner, wohnungen, quote;
         lines >> ags >> einwohner >> wohnungen >> quote;) {
        const Zensus2022Gemeinde* row = zensus2022().find(ags);
        ASSERT_NE(row, nullptr) << ags;
        EXPECT_EQ(std::to_string(row->einwohner), einwohner) << ags;
        EXPECT_EQ(std::to_string(row->wohnungen), wohnungen) << ags;
        if (quote == "-")
            EXPECT_FALSE(row->leerstandsquote) << ags;
        else
            EXPECT_DOUBLE_EQ(row->leerstandsquote.value_or(-1), std::stod(quote)) << ags;
        ++checked;
    }
    EXPECT_EQ(checked, zensus2022().rows().size());
}

TEST(Zensus2022, KeepsNamesWithCommasInQuotes) {
    const std::string line = awk("$1 == \"12062224\" { print }");
    ASSERT_NE(line.find("\"Herzberg (Elster), Stadt\""), std::string::npos) << line;
    ASSERT_NE(zensus2022().find("12062224"), nullptr);
    EXPECT_EQ(zensus2022().find("12062224")->name, "Herzberg (Elster), Stadt");
    EXPECT_EQ(zensus2022().find("99999999"), nullptr);
}

TEST(Zensus2022, AGemeindesFigureIsItsShareAsAFraction) {
    const std::string herzberg = awk("$1 == \"12062224\" { print $NF / 100, $(NF-1) }");
    const auto figure = zensus2022().figure("12062224");
    ASSERT_TRUE(figure);
    std::ostringstream mine;
    mine << figure->vacancy_rate << " " << figure->dwellings << "\n";
    EXPECT_EQ(mine.str(), herzberg);
    EXPECT_DOUBLE_EQ(figure->vacancy_rate, 0.113);
}

TEST(Zensus2022, AKreisIsTheDwellingWeightedShareOfItsGemeinden) {
    // Landkreis Wunsiedel: 17 Gemeinden with a figure (its gemeindefreie Gebiete have no row).
    const std::string expected =
        awk("substr($1, 1, 5) == \"09479\" && $NF != \"\" { v += $(NF-1) * $NF / 100; d += "
            "$(NF-1); n++ }"
            " END { printf \"%d %d %.4f\\n\", n, d, v / d }");
    const auto figure = zensus2022().figure("09479");
    ASSERT_TRUE(figure);
    std::size_t gemeinden = 0;
    for (const auto& row : zensus2022().rows()) gemeinden += row.ags.starts_with("09479") ? 1 : 0;
    char mine[64];
    std::snprintf(mine, sizeof mine, "%zu %lld %.4f\n", gemeinden,
                  static_cast<long long>(figure->dwellings), figure->vacancy_rate);
    EXPECT_EQ(mine, expected);
    EXPECT_EQ(gemeinden, 17u);
}

TEST(Zensus2022, OverlappingKeysCountAGemeindeOnce) {
    const auto kreis = zensus2022().figure("09479");
    const auto both = zensus2022().figure(std::vector<std::string>{"09479", "09479169"});
    ASSERT_TRUE(kreis && both);
    EXPECT_EQ(both->dwellings, kreis->dwellings);
    EXPECT_EQ(both->vacancy_rate, kreis->vacancy_rate);
    // The network of Herzberg and Angermünde: weighted by their dwellings.
    const auto pair = zensus2022().figure(std::vector<std::string>{"12062224", "12073008"});
    const auto herzberg = zensus2022().find("12062224");
    const auto angermuende = zensus2022().find("12073008");
    ASSERT_TRUE(pair && herzberg && angermuende);
    const double vacant =
        static_cast<double>(herzberg->wohnungen) * *herzberg->leerstandsquote / 100 +
        static_cast<double>(angermuende->wohnungen) * *angermuende->leerstandsquote / 100;
    const auto dwellings = herzberg->wohnungen + angermuende->wohnungen;
    EXPECT_EQ(pair->dwellings, dwellings);
    EXPECT_NEAR(pair->vacancy_rate, vacant / static_cast<double>(dwellings), 0.5e-4);
    EXPECT_FALSE(zensus2022().figure("99"));
}

TEST(Zensus2022, NamesTheLineOfAMalformedRow) {
    const std::string header = "ags,name,einwohner,wohnungen,leerstandsquote\r\n";
    const std::string good = "12062224,\"Herzberg (Elster), Stadt\",8693,5114,11.3\r\n";
    EXPECT_EQ(Zensus2022::parse(header + good).rows().size(), 1u);
    auto message = [&](const std::string& text) {
        try {
            Zensus2022::parse(text);
        } catch (const InvalidInput& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message(header + good + "1206222,x,1,2,3\r\n"),
              "Zensus 2022 table, line 3: ags must be 8 digits");
    EXPECT_EQ(message(header + good + "12062225,x,1,2,101\r\n"),
              "Zensus 2022 table, line 3: leerstandsquote must be a percentage from 0 to 100");
    EXPECT_EQ(
        message(header + "12062225,\"x,1,2,3\r\n"),
        "Zensus 2022 table, line 2: expected 5 fields: " + header.substr(0, header.size() - 2));
    EXPECT_EQ(message(header + good + good), "Zensus 2022 table: AGS 12062224 appears twice");
    EXPECT_EQ(message("ags;name\r\n"), "Zensus 2022 table, line 1: the header must be " +
                                           header.substr(0, header.size() - 2));
}

TEST(CsvFields, SplitsQuotedAndPlainFields) {
    using Fields = std::vector<std::string>;
    EXPECT_EQ(csv_fields("a,\"b, c\",,\"d \"\"e\"\"\"\r"), (Fields{"a", "b, c", "", "d \"e\""}));
    EXPECT_EQ(csv_fields("a,"), (Fields{"a", ""}));
    EXPECT_FALSE(csv_fields("\"open"));
    EXPECT_FALSE(csv_fields("\"a\"b,c"));
}

}  // namespace
}  // namespace leerstand::baseline
