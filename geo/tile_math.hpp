#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

/// Web Mercator tiles (the WebMercatorQuad tile matrix set of OGC API – Tiles, the XYZ scheme
/// of Leaflet and MapLibre): tile (0, 0) is the north-west corner, y grows southwards.
namespace leerstand::geo {

/// The deepest zoom the server answers (0.02 m per tile unit at 4096; enough for a house).
inline constexpr int k_max_tile_zoom = 24;
/// The latitude where the square Web Mercator world ends.
inline constexpr double k_max_mercator_lat = 85.051128779806592;

struct TileId {
    int z = 0;
    std::uint32_t x = 0;
    std::uint32_t y = 0;

    /// A checked tile id: 0 <= z <= k_max_tile_zoom and x, y < 2^z; nullopt otherwise.
    static std::optional<TileId> make(long long z, long long x, long long y);
    /// Parses the decimal texts of a URL (digits only, no sign, no leading '+').
    static std::optional<TileId> parse(std::string_view z, std::string_view x, std::string_view y);
    friend bool operator==(const TileId&, const TileId&) = default;
};

/// A box in degrees.
struct LonLatBox {
    double min_lon = 0;
    double min_lat = 0;
    double max_lon = 0;
    double max_lat = 0;

    bool intersects(const LonLatBox& other) const {
        return min_lon <= other.max_lon && other.min_lon <= max_lon && min_lat <= other.max_lat &&
               other.min_lat <= max_lat;
    }
};

/// Position in the world square [0, 1] x [0, 1] (x east, y south).
double lon_to_world_x(double lon);
/// Latitudes beyond k_max_mercator_lat are clamped to it (the poles are not on the map).
double lat_to_world_y(double lat);
double world_x_to_lon(double x);
double world_y_to_lat(double y);

/// lat_to_world_y(lat) * scale near one latitude, as a cubic in the distance from it: three
/// multiply-adds instead of a sine and a logarithm for each vertex a tile projects (those were a
/// twentieth of the instructions of a dense z14 tile). Within its reach the error is below the
/// bound it was made for (Taylor's remainder); beyond it, and wherever no reach meets the bound
/// (near the Mercator limit), it computes the exact formula.
class MercatorSeries {
  public:
    MercatorSeries() = default;  // the exact formula everywhere
    /// Around `lat0` for latitudes within `reach_degrees` of it (less if the error needs it),
    /// in units of 1/`scale` world widths (a tile's units: 2^z * extent), with an error of at
    /// most `max_error` such units.
    MercatorSeries(double lat0, double reach_degrees, double scale, double max_error);

    double scaled_world_y(double lat) const {
        const double d = lat - m_lat0;
        if (!(d < m_reach && d > -m_reach)) return lat_to_world_y(lat) * m_scale;
        return ((m_c3 * d + m_c2) * d + m_c1) * d + m_c0;
    }
    /// Degrees from lat0 within which the series is used (0: never).
    double reach() const { return m_reach; }

  private:
    double m_lat0 = 0;
    double m_reach = 0;
    double m_scale = 1;
    double m_c0 = 0, m_c1 = 0, m_c2 = 0, m_c3 = 0;  // per degree, per degree squared, cubed
};

/// The tile's area in degrees, widened on each side by `buffer` tile units of `extent`
/// (latitudes stay within the Mercator limits; longitudes may pass ±180 in the buffer).
LonLatBox tile_bounds(const TileId& tile, double buffer = 0, double extent = 4096);

/// The tiles of zoom `z` that `box` touches, widened by `buffer` units of `extent` so that a
/// change near a border also reaches the neighbour whose buffer shows it.
struct TileRange {
    int z = 0;
    std::uint32_t min_x = 0;
    std::uint32_t min_y = 0;
    std::uint32_t max_x = 0;
    std::uint32_t max_y = 0;

    bool contains(const TileId& tile) const {
        return tile.z == z && tile.x >= min_x && tile.x <= max_x && tile.y >= min_y &&
               tile.y <= max_y;
    }
};
TileRange tiles_touching(int z, const LonLatBox& box, double buffer = 0, double extent = 4096);

}  // namespace leerstand::geo
