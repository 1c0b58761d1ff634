#pragma once

#include <string>
#include <string_view>

namespace leerstand::services {

/// `data` as a gzip member (RFC 1952) at zlib `level` (1 fastest .. 9 smallest).
/// @throws InternalError when zlib fails (out of memory).
std::string gzip(std::string_view data, int level = 1);

}  // namespace leerstand::services
