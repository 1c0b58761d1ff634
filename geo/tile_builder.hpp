#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/geometry.hpp"
#include "geo/tile_math.hpp"

/// Cuts features into one tile: project to tile units → clip to the buffered tile → simplify to
/// the tolerance and drop what is smaller → round to the integer grid → repair → orient.
/// The result is encoded as MVT or GeoJSON (tile_encoders.hpp), so both formats of a tile hold
/// the same features.
namespace leerstand::geo {

struct TileOptions {
    /// Grid units across the tile (MVT extent).
    std::uint32_t extent = 4096;
    /// Units kept beyond each border, so that strokes and labels continue across tiles.
    std::uint32_t buffer = 64;
    /// Douglas–Peucker tolerance in units; rings with an area below tolerance² are dropped.
    /// 8 units are one pixel of a 512-pixel vector tile (half a pixel of a 256-pixel one).
    double tolerance = 8;
};

struct TilePoint {
    std::int32_t x = 0;
    std::int32_t y = 0;
    friend bool operator==(const TilePoint&, const TilePoint&) = default;
};

/// An open ring (the first point is not repeated) or, for points, the list of points.
using TileRing = std::vector<TilePoint>;

enum class TileGeometryType { Point = 1, Polygon = 3 };

/// A feature in tile units (x east, y south, 0..extent inside the tile). Polygon rings come as
/// each exterior ring (positive area by the shoelace formula in these y-down units, clockwise
/// on screen, as the MVT specification wants) followed by its holes (negative area).
struct TileFeature {
    std::int64_t id = 0;
    TileGeometryType type = TileGeometryType::Polygon;
    std::vector<TileRing> rings;
    std::vector<FeatureProperty> properties;
};

struct TileLayer {
    std::string name;
    TileId tile;
    std::uint32_t extent = 4096;
    std::vector<TileFeature> features;
};

/// Twice the signed area of an open ring (doubled_ring_area, exact in integers); positive is
/// clockwise on screen.
std::int64_t doubled_signed_area(const TileRing& ring);

class TileBuilder {
  public:
    TileBuilder(std::string layer_name, TileId tile, TileOptions options = {});

    /// The tile plus its buffer in degrees: what a store query must return.
    LonLatBox query_box() const;

    /// Adds one feature (its point, or its polygons). A feature that lies outside the buffered
    /// tile or is smaller than the tolerance is left out; so are rings that vanish. Longitudes
    /// may pass ±180°; the parts beyond show on the other side of the world too.
    void add(const MapFeature& feature);

    const TileLayer& layer() const { return m_layer; }
    TileLayer take() { return std::move(m_layer); }

  private:
    struct Point2 {
        double x;
        double y;
    };
    using Ring2 = std::vector<Point2>;

    void add_one(const MapFeature& feature);
    void add_point(const MapFeature& feature);
    void add_polygons(const MapFeature& feature);
    /// Appends the finished rings of one polygon to `out`.
    void cut_polygon(const LonLatPolygon& polygon, std::vector<TileRing>& out);
    Point2 project(const LonLat& point) const;

    TileLayer m_layer;
    TileOptions m_options;
    double m_scale = 0;  // tile units per world unit
    double m_origin_x = 0;
    double m_origin_y = 0;
    double m_min = 0;  // buffered tile edges in units
    double m_max = 0;
    LonLatBox m_area;             // query_box()
    MercatorSeries m_mercator_y;  // lat -> tile units * world, near this tile
    Ring2 m_projected;            // scratch buffers, reused across features
    Ring2 m_clipped;
};

}  // namespace leerstand::geo
