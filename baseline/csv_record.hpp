#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leerstand::baseline {

/// The fields of one CSV record (RFC 4180: comma-separated, fields with a comma or a quote in
/// double quotes, a quote inside doubled). A trailing carriage return is not part of the last
/// field. The line must hold the whole record (the Zensus files have no line breaks in fields).
/// @returns nothing when a quoted field is not closed or text follows its closing quote.
std::optional<std::vector<std::string>> csv_fields(std::string_view line);

}  // namespace leerstand::baseline
