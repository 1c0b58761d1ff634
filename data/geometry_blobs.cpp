#include "data/geometry_blobs.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include "common/error.hpp"

namespace leerstand::data::detail {

namespace {

/// Bounds-checked reads of either byte order.
class ByteReader {
  public:
    ByteReader(std::span<const unsigned char> bytes, std::size_t offset)
        : m_bytes(bytes), m_offset(offset) {}

    void set_little_endian(bool little) {
        m_swap = little != (std::endian::native == std::endian::little);
    }
    bool ok() const { return m_ok; }
    std::size_t offset() const { return m_offset; }

    std::uint8_t byte() {
        if (!need(1)) return 0;
        return m_bytes[m_offset++];
    }
    std::uint32_t uint32() {
        if (!need(4)) return 0;
        std::uint32_t value = 0;
        std::memcpy(&value, m_bytes.data() + m_offset, 4);
        m_offset += 4;
        return m_swap ? __builtin_bswap32(value) : value;
    }
    double float64() {
        if (!need(8)) return 0;
        std::uint64_t bits = 0;
        std::memcpy(&bits, m_bytes.data() + m_offset, 8);
        m_offset += 8;
        return std::bit_cast<double>(m_swap ? __builtin_bswap64(bits) : bits);
    }
    /// A count that must fit into what is left, each element at least `element_bytes` long.
    std::uint32_t count(std::size_t element_bytes) {
        const std::uint32_t n = uint32();
        if (m_ok && n * element_bytes > m_bytes.size() - m_offset) m_ok = false;
        return m_ok ? n : 0;
    }

  private:
    bool need(std::size_t n) {
        if (m_offset + n > m_bytes.size()) m_ok = false;
        return m_ok;
    }
    std::span<const unsigned char> m_bytes;
    std::size_t m_offset;
    bool m_swap = false;
    bool m_ok = true;
};

// SpatiaLite BLOB-Geometry: 0x00, endianness, SRID, MBR (4 doubles), 0x7C, class, data, 0xFE.
constexpr std::uint8_t blob_start = 0x00, blob_mbr_end = 0x7C, blob_end = 0xFE, blob_entity = 0x69;
constexpr std::uint32_t class_point = 1, class_polygon = 3, class_multipoint = 4,
                        class_multipolygon = 6;

void read_polygon(ByteReader& in, LonLatPolygon& polygon) {
    const std::uint32_t rings = in.count(4);
    polygon.resize(rings);
    for (LonLatRing& ring : polygon) {
        const std::uint32_t points = in.count(16);
        ring.resize(points);
        for (LonLat& p : ring) {
            p.lon = in.float64();
            p.lat = in.float64();
        }
    }
}

[[noreturn]] void malformed() {
    throw InternalError("a geometry in the store is not a readable SpatiaLite BLOB");
}

[[noreturn]] void malformed_wkb() {
    throw InternalError("a geometry in the store is not readable 2D WKB");
}

// EWKB (PostGIS' own form) flags its SRID in the type; ISO WKB has none. Z and M are not in
// the schema (XY columns), so their codes stay unknown.
constexpr std::uint32_t ewkb_srid_flag = 0x20000000;

/// The byte order and type of a WKB geometry (skipping an EWKB SRID).
std::uint32_t wkb_header(ByteReader& in) {
    const std::uint8_t order = in.byte();
    if (order > 1) malformed_wkb();
    in.set_little_endian(order == 1);
    std::uint32_t type = in.uint32();
    if (type & ewkb_srid_flag) {
        in.uint32();
        type &= ~ewkb_srid_flag;
    }
    return type;
}

/// Reads a geometry of class `type` into `feature` (point and polygons cleared first), the
/// same for SpatiaLite BLOBs and WKB: they differ only in how a part of a collection starts,
/// which `part_class` reads (returning the part's class). `fail` throws.
template <typename PartClass>
void read_geometry(ByteReader& in, std::uint32_t type, MapFeature& feature, PartClass part_class,
                   void (*fail)()) {
    feature.point.reset();
    feature.polygons.clear();
    switch (type) {
        case class_point:
            feature.point = LonLat{in.float64(), in.float64()};
            break;
        case class_multipoint:
            // Tiles show points one by one; a MultiPoint column is not in the schema, so the
            // first point stands for it rather than failing the whole tile.
            if (in.count(21) == 0 || part_class(in) != class_point) fail();
            feature.point = LonLat{in.float64(), in.float64()};
            break;
        case class_polygon:
            feature.polygons.resize(1);
            read_polygon(in, feature.polygons.front());
            break;
        case class_multipolygon:
            feature.polygons.resize(in.count(9));
            for (LonLatPolygon& polygon : feature.polygons) {
                if (part_class(in) != class_polygon) fail();
                read_polygon(in, polygon);
            }
            break;
        default:
            fail();
    }
}

}  // namespace

void decode_spatialite_blob(std::span<const unsigned char> blob, MapFeature& feature) {
    if (blob.size() < 44 || blob[0] != blob_start || blob[1] > 1 || blob[38] != blob_mbr_end ||
        blob.back() != blob_end)
        malformed();
    ByteReader in(blob.first(blob.size() - 1), 39);
    in.set_little_endian(blob[1] == 1);
    // Each part of a collection starts with an entity mark, then its class.
    const auto part_class = [](ByteReader& r) {
        return r.byte() == blob_entity ? r.uint32() : std::uint32_t{0};
    };
    read_geometry(in, in.uint32(), feature, part_class, malformed);
    if (!in.ok()) malformed();
}

void decode_wkb(std::span<const unsigned char> wkb, MapFeature& feature) {
    ByteReader in(wkb, 0);
    // Each part of a collection is a WKB geometry of its own, with its own byte order.
    read_geometry(in, wkb_header(in), feature, wkb_header, malformed_wkb);
    // A whole geometry and nothing after it: trailing bytes mean the bytes are not what we think.
    if (!in.ok() || in.offset() != wkb.size()) malformed_wkb();
}

bool extend_box_by_wkb(std::span<const unsigned char> wkb, Bbox& box, bool& has_box) {
    ByteReader in(wkb, 0);
    Bbox found{};
    bool any = false;
    auto polygon = [&](ByteReader& r) {
        const std::uint32_t rings = r.count(4);
        for (std::uint32_t i = 0; i < rings && r.ok(); ++i) {
            const std::uint32_t points = r.count(16);
            for (std::uint32_t j = 0; j < points && r.ok(); ++j) {
                const double x = r.float64(), y = r.float64();
                if (!any) found = {x, y, x, y};
                any = true;
                found = {std::min(found.min_lon, x), std::min(found.min_lat, y),
                         std::max(found.max_lon, x), std::max(found.max_lat, y)};
            }
        }
    };
    auto header = [&](ByteReader& r) {
        const std::uint8_t order = r.byte();
        if (order > 1) return 0u;
        r.set_little_endian(order == 1);
        return r.uint32();
    };
    const std::uint32_t type = header(in);
    if (type == 3) {
        polygon(in);
    } else if (type == 6) {
        const std::uint32_t n = in.count(9);
        for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
            if (header(in) != 3) return false;
            polygon(in);
        }
    } else {
        return false;
    }
    if (!in.ok() || !any) return false;
    if (!has_box) box = found;
    box = {std::min(box.min_lon, found.min_lon), std::min(box.min_lat, found.min_lat),
           std::max(box.max_lon, found.max_lon), std::max(box.max_lat, found.max_lat)};
    has_box = true;
    return true;
}

}  // namespace leerstand::data::detail
