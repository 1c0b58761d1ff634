#include "geo/tile_math.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>

namespace leerstand::geo {

namespace {

std::optional<long long> parse_decimal(std::string_view text) {
    // from_chars accepts neither '+' nor spaces; a leading '-' is refused by the range check.
    if (text.empty() || text.size() > 12) return std::nullopt;
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::uint32_t clamp_index(double world, double tiles) {
    const double index = std::floor(world * tiles);
    return static_cast<std::uint32_t>(std::clamp(index, 0.0, tiles - 1));
}

}  // namespace

std::optional<TileId> TileId::make(long long z, long long x, long long y) {
    if (z < 0 || z > k_max_tile_zoom) return std::nullopt;
    const long long tiles = 1LL << z;
    if (x < 0 || y < 0 || x >= tiles || y >= tiles) return std::nullopt;
    return TileId{static_cast<int>(z), static_cast<std::uint32_t>(x),
                  static_cast<std::uint32_t>(y)};
}

std::optional<TileId> TileId::parse(std::string_view z, std::string_view x, std::string_view y) {
    const auto zz = parse_decimal(z), xx = parse_decimal(x), yy = parse_decimal(y);
    if (!zz || !xx || !yy) return std::nullopt;
    return make(*zz, *xx, *yy);
}

double lon_to_world_x(double lon) {
    return lon / 360.0 + 0.5;
}

double lat_to_world_y(double lat) {
    const double clamped = std::clamp(lat, -k_max_mercator_lat, k_max_mercator_lat);
    const double s = std::sin(clamped * std::numbers::pi / 180.0);
    return 0.5 - std::log((1 + s) / (1 - s)) / (4 * std::numbers::pi);
}

double world_x_to_lon(double x) {
    return (x - 0.5) * 360.0;
}

double world_y_to_lat(double y) {
    return std::atan(std::sinh(std::numbers::pi * (1 - 2 * y))) * 180.0 / std::numbers::pi;
}

MercatorSeries::MercatorSeries(double lat0, double reach_degrees, double scale, double max_error)
    : m_lat0(lat0), m_scale(scale) {
    constexpr double radian = std::numbers::pi / 180.0;
    const double far = std::abs(lat0) + reach_degrees;  // the derivatives grow with |lat|
    if (!(reach_degrees > 0) || far >= k_max_mercator_lat) return;
    // y(phi) = 1/2 - ln(tan(pi/4 + phi/2)) / (2 pi); with s = sec phi, t = tan phi, k = -1/(2 pi)
    // its derivatives are k s, k s t, k (s t^2 + s^3) and k (s t^3 + 5 s^3 t).
    const double k = -1.0 / (2 * std::numbers::pi);
    const double s0 = 1 / std::cos(lat0 * radian), t0 = std::tan(lat0 * radian);
    const double sf = 1 / std::cos(far * radian), tf = std::tan(far * radian);
    const double fourth = std::abs(k) * (sf * tf * tf * tf + 5 * sf * sf * sf * tf);
    // Taylor's remainder in the caller's units: fourth * reach^4 / 24 * scale (reach in radians).
    double reach = reach_degrees * radian;
    const double error = fourth * std::pow(reach, 4) / 24 * scale;
    if (error > max_error) reach *= std::pow(max_error / error, 0.25);
    m_reach = reach / radian;
    m_c0 = lat_to_world_y(lat0) * scale;
    m_c1 = k * s0 * radian * scale;
    m_c2 = k * s0 * t0 * radian * radian / 2 * scale;
    m_c3 = k * (s0 * t0 * t0 + s0 * s0 * s0) * radian * radian * radian / 6 * scale;
}

LonLatBox tile_bounds(const TileId& tile, double buffer, double extent) {
    const double tiles = std::ldexp(1.0, tile.z);
    const double margin = buffer / extent;
    const double x0 = (tile.x - margin) / tiles, x1 = (tile.x + 1 + margin) / tiles;
    const double y0 = std::max(0.0, (tile.y - margin) / tiles);
    const double y1 = std::min(1.0, (tile.y + 1 + margin) / tiles);
    return {world_x_to_lon(x0), world_y_to_lat(y1), world_x_to_lon(x1), world_y_to_lat(y0)};
}

TileRange tiles_touching(int z, const LonLatBox& box, double buffer, double extent) {
    const double tiles = std::ldexp(1.0, z);
    const double margin = buffer / extent / tiles;
    TileRange range;
    range.z = z;
    range.min_x = clamp_index(lon_to_world_x(box.min_lon) - margin, tiles);
    range.max_x = clamp_index(lon_to_world_x(box.max_lon) + margin, tiles);
    range.min_y = clamp_index(lat_to_world_y(box.max_lat) - margin, tiles);
    range.max_y = clamp_index(lat_to_world_y(box.min_lat) + margin, tiles);
    return range;
}

}  // namespace leerstand::geo
