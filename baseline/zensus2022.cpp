#include "baseline/zensus2022.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "baseline/csv_record.hpp"
#include "common/ags.hpp"
#include "common/error.hpp"

namespace leerstand::baseline {

namespace {

constexpr std::string_view k_header = "ags,name,einwohner,wohnungen,leerstandsquote";

std::optional<std::int64_t> whole_number(const std::string& text) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

std::optional<double> percent(const std::string& text) {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 100))
        return std::nullopt;
    return value;
}

InvalidInput bad_line(std::size_t line, const std::string& why) {
    return InvalidInput("Zensus 2022 table, line " + std::to_string(line) + ": " + why);
}

}  // namespace

Zensus2022 Zensus2022::parse(std::string_view csv) {
    Zensus2022 table;
    std::size_t line_number = 0;
    std::size_t at = 0;
    while (at < csv.size()) {
        const std::size_t newline = csv.find('\n', at);
        const std::size_t end = newline == std::string_view::npos ? csv.size() : newline;
        std::string_view line = csv.substr(at, end - at);
        at = end + 1;
        ++line_number;
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (line_number == 1) {
            if (line != k_header) throw bad_line(1, "the header must be " + std::string(k_header));
            continue;
        }
        if (line.empty()) continue;
        const auto fields = csv_fields(line);
        if (!fields || fields->size() != 5)
            throw bad_line(line_number, "expected 5 fields: " + std::string(k_header));
        const auto& f = *fields;
        const auto ags = Ags::parse(f[0]);
        const auto einwohner = whole_number(f[2]);
        const auto wohnungen = whole_number(f[3]);
        const auto quote = f[4].empty() ? std::optional<double>() : percent(f[4]);
        if (!ags || !ags->is_gemeinde()) throw bad_line(line_number, "ags must be 8 digits");
        if (!einwohner || !wohnungen)
            throw bad_line(line_number, "einwohner and wohnungen must be whole numbers");
        if (!f[4].empty() && !quote)
            throw bad_line(line_number, "leerstandsquote must be a percentage from 0 to 100");
        table.m_rows.push_back({f[0], f[1], *einwohner, *wohnungen, quote});
    }
    std::sort(table.m_rows.begin(), table.m_rows.end(),
              [](const auto& a, const auto& b) { return a.ags < b.ags; });
    const auto repeated =
        std::adjacent_find(table.m_rows.begin(), table.m_rows.end(),
                           [](const auto& a, const auto& b) { return a.ags == b.ags; });
    if (repeated != table.m_rows.end())
        throw InvalidInput("Zensus 2022 table: AGS " + repeated->ags + " appears twice");
    return table;
}

const Zensus2022Gemeinde* Zensus2022::find(std::string_view ags) const {
    const auto at =
        std::lower_bound(m_rows.begin(), m_rows.end(), ags,
                         [](const auto& row, std::string_view key) { return row.ags < key; });
    return at != m_rows.end() && at->ags == ags ? &*at : nullptr;
}

std::optional<Zensus2022Figure> Zensus2022::figure(const std::vector<std::string>& keys) const {
    // Rows are sorted, so the Gemeinden of a key are one run; a set of row indexes keeps a
    // Gemeinde that two keys cover (a Kreis and one of its Gemeinden) from counting twice.
    std::set<std::size_t> covered;
    for (const std::string& key : keys) {
        auto at =
            std::lower_bound(m_rows.begin(), m_rows.end(), key,
                             [](const auto& row, const std::string& k) { return row.ags < k; });
        for (; at != m_rows.end() && at->ags.starts_with(key); ++at)
            covered.insert(static_cast<std::size_t>(at - m_rows.begin()));
    }
    double vacant = 0;
    std::int64_t dwellings = 0;
    for (const std::size_t index : covered) {
        const Zensus2022Gemeinde& row = m_rows[index];
        if (!row.leerstandsquote) continue;
        vacant += static_cast<double>(row.wohnungen) * *row.leerstandsquote / 100.0;
        dwellings += row.wohnungen;
    }
    if (dwellings == 0) return std::nullopt;
    const double rate = std::round(vacant / static_cast<double>(dwellings) * 1e4) / 1e4;
    return Zensus2022Figure{rate, dwellings};
}

std::optional<Zensus2022Figure> Zensus2022::figure(std::string_view key) const {
    return figure(std::vector<std::string>{std::string(key)});
}

const Zensus2022& zensus2022() {
    static const Zensus2022 k_table = Zensus2022::parse(detail::k_zensus2022_csv);
    return k_table;
}

}  // namespace leerstand::baseline
