#pragma once

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

/// Hand-made ISO WKB (little endian, 2D) for the data tests: GEOS and GDAL are not available
/// to them, so the bytes are written here directly from the WKB specification.
namespace leerstand::test::wkb {

using Bytes = std::vector<unsigned char>;
using Ring = std::vector<std::pair<double, double>>;

namespace detail {
inline void put_u32(Bytes& out, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<unsigned char>(value >> (8 * i)));
}
inline void put_f64(Bytes& out, double value) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<unsigned char>(bits >> (8 * i)));
}
inline void put_header(Bytes& out, std::uint32_t type) {
    out.push_back(1);  // little endian
    put_u32(out, type);
}
inline void put_polygon(Bytes& out, const std::vector<Ring>& rings) {
    put_header(out, 3);
    put_u32(out, static_cast<std::uint32_t>(rings.size()));
    for (const Ring& ring : rings) {
        put_u32(out, static_cast<std::uint32_t>(ring.size()));
        for (const auto& [x, y] : ring) {
            put_f64(out, x);
            put_f64(out, y);
        }
    }
}
}  // namespace detail

/// Closed 5-vertex ring of an axis-aligned rectangle, counter-clockwise.
inline Ring rectangle_ring(double x0, double y0, double x1, double y1) {
    return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

inline Bytes point(double x, double y) {
    Bytes out;
    detail::put_header(out, 1);
    detail::put_f64(out, x);
    detail::put_f64(out, y);
    return out;
}

inline Bytes polygon(const std::vector<Ring>& rings) {
    Bytes out;
    detail::put_polygon(out, rings);
    return out;
}

inline Bytes multipolygon(const std::vector<std::vector<Ring>>& polygons) {
    Bytes out;
    detail::put_header(out, 6);
    detail::put_u32(out, static_cast<std::uint32_t>(polygons.size()));
    for (const auto& rings : polygons) detail::put_polygon(out, rings);
    return out;
}

inline Bytes rectangle_polygon(double x0, double y0, double x1, double y1) {
    return polygon({rectangle_ring(x0, y0, x1, y1)});
}

inline Bytes rectangle_multipolygon(double x0, double y0, double x1, double y1) {
    return multipolygon({{rectangle_ring(x0, y0, x1, y1)}});
}

}  // namespace leerstand::test::wkb
