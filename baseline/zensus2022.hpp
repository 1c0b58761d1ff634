#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The official baseline beside the atlas' own figures: dwellings and the share of vacant
/// dwellings per Gemeinde from the Zensus 2022 (Statistische Ämter des Bundes und der Länder,
/// dl-de/by-2-0; baseline/zensus/README.md). The table is compiled into the binary.
namespace leerstand::baseline {

inline constexpr const char* k_zensus2022_source = "Zensus 2022";
inline constexpr int k_zensus2022_year = 2022;
/// The attribution the licence asks for, on every output that carries the figures.
inline constexpr const char* k_zensus2022_attribution =
    "Statistische Ämter des Bundes und der Länder, Zensus 2022 (Daten verändert)";
inline constexpr const char* k_zensus_license_name = "dl-de/by-2-0";
inline constexpr const char* k_zensus_license_url = "https://www.govdata.de/dl-de/by-2-0";

/// One row of the table: a Gemeinde as of the census.
struct Zensus2022Gemeinde {
    std::string ags;  ///< 8 digits
    std::string name;
    std::int64_t einwohner = 0;
    std::int64_t wohnungen = 0;
    /// Share of vacant dwellings in per cent, one decimal; nothing where the census gives none.
    std::optional<double> leerstandsquote;
};

/// The vacancy of an area: the dwelling-weighted share of its Gemeinden with a figure.
struct Zensus2022Figure {
    double vacancy_rate = 0;     ///< a fraction (0.113 for 11.3 %), rounded to 1e-4
    std::int64_t dwellings = 0;  ///< the dwellings of the Gemeinden with a figure
};

class Zensus2022 {
  public:
    /// Reads the table's CSV text (header ags,name,einwohner,wohnungen,leerstandsquote).
    /// @throws InvalidInput naming the line of a malformed row or a repeated AGS.
    static Zensus2022 parse(std::string_view csv);

    /// The Gemeinde with this 8-digit AGS, or null.
    const Zensus2022Gemeinde* find(std::string_view ags) const;

    /// The figure of the Gemeinden whose AGS starts with one of `keys` (a Gemeinde's own AGS,
    /// a Kreis' 5 digits; overlapping keys count a Gemeinde once); nothing when none of them
    /// has a figure.
    std::optional<Zensus2022Figure> figure(const std::vector<std::string>& keys) const;
    std::optional<Zensus2022Figure> figure(std::string_view key) const;

    const std::vector<Zensus2022Gemeinde>& rows() const { return m_rows; }

  private:
    std::vector<Zensus2022Gemeinde> m_rows;  ///< by AGS
};

/// The compiled-in table, read once.
const Zensus2022& zensus2022();

namespace detail {
/// The text of baseline/zensus/zensus2022_gemeinden_leerstand.csv (zensus2022_table.cpp.in).
extern const std::string_view k_zensus2022_csv;
}  // namespace detail

}  // namespace leerstand::baseline
