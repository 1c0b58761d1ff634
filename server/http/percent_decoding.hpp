#pragma once

#include <optional>
#include <string>
#include <string_view>

/// The one decoder of `%XX` escapes, for the three places requests carry them.
namespace leerstand::http {

/// Decodes `%XX` escapes once; nullopt when an escape is malformed. `+` stays `+` (paths,
/// RFC 8187 file names).
std::optional<std::string> percent_decode(std::string_view text);

/// As HTML forms encode a query: `+` is a space and `%XX` a byte; a `%` without two hex digits
/// after it stays as it is. Pistache hands query names and values over undecoded.
std::string form_decode(std::string_view text);

}  // namespace leerstand::http
