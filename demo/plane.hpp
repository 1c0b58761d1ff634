#pragma once

// Plane geometry in metres for the demo generator: vectors, rings, containment and a local
// frame that maps metres to lon/lat.

#include <cmath>
#include <vector>

namespace leerstand::demo::detail {

struct Vec2 {
    double x = 0.0;
    double y = 0.0;
};

// Inline: the layout calls these millions of times.
inline Vec2 operator+(Vec2 a, Vec2 b) {
    return {a.x + b.x, a.y + b.y};
}
inline Vec2 operator-(Vec2 a, Vec2 b) {
    return {a.x - b.x, a.y - b.y};
}
inline Vec2 operator*(Vec2 a, double k) {
    return {a.x * k, a.y * k};
}
inline double dot(Vec2 a, Vec2 b) {
    return a.x * b.x + a.y * b.y;
}
inline double cross(Vec2 a, Vec2 b) {
    return a.x * b.y - a.y * b.x;
}
inline double length(Vec2 a) {
    return std::sqrt(dot(a, a));
}

/// A closed ring without the repeated first vertex, counter-clockwise, in metres.
using Ring = std::vector<Vec2>;

bool inside(const Ring& ring, Vec2 p);

/// True when the disc (centre, radius) lies inside the ring.
bool holds_disc(const Ring& ring, Vec2 centre, double radius);

/// Local equirectangular frame around (lon0, lat0): an affine map, so straight edges in metres
/// stay straight in lon/lat and containment tests carry over exactly.
class Frame {
  public:
    Frame(double lon0, double lat0);
    Vec2 to_xy(double lon, double lat) const {
        return {(lon - m_lon0) * m_per_lon, (lat - m_lat0) * m_per_lat};
    }
    Vec2 to_lonlat(Vec2 p) const { return {m_lon0 + p.x / m_per_lon, m_lat0 + p.y / m_per_lat}; }

  private:
    double m_lon0, m_lat0, m_per_lon = 0.0, m_per_lat = 0.0;
};

}  // namespace leerstand::demo::detail
