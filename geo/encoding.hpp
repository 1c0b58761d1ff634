#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leerstand::geo {

/// Maps what a `.cpg` file or an `--encoding` option says ("1252", "ANSI 1250", "UTF-8",
/// "ISO-8859-1", "cp1252", ...) to an iconv name ("CP1252", "UTF-8", ...). Returns nullopt for
/// text that names no encoding we know (an HTML page saved as .cpg, for example).
std::optional<std::string> normalize_encoding_name(std::string_view declared);

/// Maps a DBF language driver id (header byte 29) to an encoding; nullopt for 0 / unknown.
std::optional<std::string> encoding_from_ldid(unsigned char ldid);

/// True when `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

/// Converts `text` from `encoding` to UTF-8. Throws InvalidInput for an unknown encoding.
std::string to_utf8(std::string_view text, const std::string& encoding);

}  // namespace leerstand::geo
