#include "geo/tile_encoders.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <protozero/pbf_builder.hpp>
#include <unordered_map>

namespace leerstand::geo {

namespace {

// vector_tile.proto (MVT 2.1): the field numbers of each message as an enum of its own.
// protozero::pbf_builder<Enum> takes only its own enum's tags, so a field number of one message
// cannot be written into another (vtzero writes tiles the same way).
namespace mvt {
enum class TileField : protozero::pbf_tag_type { Layers = 3 };
enum class LayerField : protozero::pbf_tag_type {
    Name = 1,
    Features = 2,
    Keys = 3,
    Values = 4,
    Extent = 5,
    Version = 15
};
enum class FeatureField : protozero::pbf_tag_type { Id = 1, Tags = 2, Type = 3, Geometry = 4 };
enum class ValueField : protozero::pbf_tag_type {
    StringValue = 1,
    DoubleValue = 3,
    SintValue = 6,
    BoolValue = 7
};
enum class Command : std::uint32_t { MoveTo = 1, LineTo = 2, ClosePath = 7 };

/// A submessage in the field `field` of `parent`; `field` must be one of the parent's own
/// (pbf_builder's own constructor would take any tag).
template <typename Child, typename Parent>
protozero::pbf_builder<Child> submessage(protozero::pbf_builder<Parent>& parent, Parent field) {
    return protozero::pbf_builder<Child>(parent, field);
}
}  // namespace mvt

std::uint32_t command(mvt::Command id, std::size_t count) {
    return static_cast<std::uint32_t>(id) | static_cast<std::uint32_t>(count << 3);
}

std::uint32_t zigzag(std::int32_t value) {
    return (static_cast<std::uint32_t>(value) << 1) ^ static_cast<std::uint32_t>(value >> 31);
}

class GeometryCommands {
  public:
    void point_list(const TileRing& points) {
        m_out.push_back(command(mvt::Command::MoveTo, points.size()));
        for (const TilePoint& p : points) step(p);
    }
    void ring(const TileRing& ring) {
        m_out.push_back(command(mvt::Command::MoveTo, 1));
        step(ring.front());
        m_out.push_back(command(mvt::Command::LineTo, ring.size() - 1));
        for (std::size_t i = 1; i < ring.size(); ++i) step(ring[i]);
        m_out.push_back(command(mvt::Command::ClosePath, 1));
    }
    const std::vector<std::uint32_t>& commands() const { return m_out; }
    void clear() {
        m_out.clear();
        m_cursor = {};
    }

  private:
    void step(const TilePoint& p) {
        m_out.push_back(zigzag(p.x - m_cursor.x));
        m_out.push_back(zigzag(p.y - m_cursor.y));
        m_cursor = p;
    }
    std::vector<std::uint32_t> m_out;
    TilePoint m_cursor;
};

void write_value(protozero::pbf_builder<mvt::LayerField>& layer, const FeatureValue& value) {
    using mvt::ValueField;
    auto out = mvt::submessage<ValueField>(layer, mvt::LayerField::Values);
    std::visit(
        [&out](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>)
                out.add_string(ValueField::StringValue, v);
            else if constexpr (std::is_same_v<T, bool>)
                out.add_bool(ValueField::BoolValue, v);
            else if constexpr (std::is_same_v<T, double>)
                out.add_double(ValueField::DoubleValue, v);
            else
                out.add_sint64(ValueField::SintValue, v);
        },
        value);
}

}  // namespace

// -- GeoJSON ---------------------------------------------------------------------------

/// Through integers when they hold it exactly (every lon/lat does): formatting was a fifth of
/// the time of making GeoJSON tiles with std::to_chars' fixed form, which stays as the
/// fallback. The scaled value is rounded half to even; either neighbour is within a pixel.
void append_decimal(std::string& out, double value, int decimals) {
    static constexpr std::uint64_t k_powers[] = {1,
                                                 10,
                                                 100,
                                                 1000,
                                                 10000,
                                                 100000,
                                                 1000000,
                                                 10000000,
                                                 100000000,
                                                 1000000000,
                                                 10000000000,
                                                 100000000000,
                                                 1000000000000,
                                                 10000000000000,
                                                 100000000000000,
                                                 1000000000000000};
    const double scaled = decimals >= 0 && decimals <= 15
                              ? std::nearbyint(value * static_cast<double>(k_powers[decimals]))
                              : std::numeric_limits<double>::quiet_NaN();
    if (std::fabs(scaled) < 9.0e15) {  // false for NaN and infinity too
        const std::uint64_t magnitude = static_cast<std::uint64_t>(std::fabs(scaled));
        const std::uint64_t whole = magnitude / k_powers[decimals];
        std::uint64_t fraction = magnitude - whole * k_powers[decimals];
        int digits = decimals;
        while (digits > 0 && fraction % 10 == 0) {
            fraction /= 10;
            --digits;
        }
        // Written into a buffer and appended once: appending piece by piece (a capacity check
        // each) was half the time of this function, which writes every GeoJSON coordinate.
        char buffer[48];
        char* end = buffer;
        if (scaled < 0) *end++ = '-';  // never for -0: "-0.0" is "0"
        end = std::to_chars(end, buffer + 24, whole).ptr;
        if (digits > 0) {
            *end++ = '.';
            char fraction_digits[20];
            char* fraction_end =
                std::to_chars(fraction_digits, fraction_digits + sizeof fraction_digits, fraction)
                    .ptr;
            const auto length = static_cast<int>(fraction_end - fraction_digits);
            end = std::fill_n(end, digits - length, '0');  // the zeros after the point
            end = std::copy(fraction_digits, fraction_end, end);
        }
        out.append(buffer, end);
        return;
    }
    if (!std::isfinite(value)) {
        out += "null";  // still JSON; a tile never holds such a coordinate
        return;
    }
    char buffer[400];  // the fixed form of 1e308 with 15 decimals fits
    auto [end, error] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    if (error != std::errc()) return;
    // Trailing zeros carry no information; "13.50000" becomes "13.5", "-0.0" becomes "0".
    char* last = end;
    if (decimals > 0) {
        while (last > buffer && last[-1] == '0') --last;
        if (last > buffer && last[-1] == '.') --last;
    }
    if (last - buffer == 2 && buffer[0] == '-' && buffer[1] == '0') {
        out += '0';
        return;
    }
    out.append(buffer, last);
}

namespace {

void append_json_string(std::string& out, const std::string& text) {
    out += '"';
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            static const char k_hex[] = "0123456789abcdef";
            out += "\\u00";
            out += k_hex[u >> 4];
            out += k_hex[u & 0xF];
        } else {
            out += c;
        }
    }
    out += '"';
}

void append_value(std::string& out, const FeatureValue& value) {
    std::visit(
        [&out](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
                append_json_string(out, v);
            } else if constexpr (std::is_same_v<T, bool>) {
                out += v ? "true" : "false";
            } else {
                char buffer[32];
                const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, v);
                if (error == std::errc()) out.append(buffer, end);
            }
        },
        value);
}

class LonLatWriter {
  public:
    explicit LonLatWriter(const TileLayer& layer)
        : m_scale(std::ldexp(1.0, layer.tile.z) * layer.extent),
          m_origin_x(static_cast<double>(layer.tile.x) * layer.extent),
          m_origin_y(static_cast<double>(layer.tile.y) * layer.extent),
          m_decimals(geojson_decimals(layer.tile)),
          m_first_row(-static_cast<std::int64_t>(layer.extent) / 2),
          m_lat_of_row(2 * static_cast<std::size_t>(layer.extent),
                       std::numeric_limits<double>::quiet_NaN()) {}

    void position(std::string& out, const TilePoint& p) const {
        out += '[';
        append_decimal(out, world_x_to_lon((m_origin_x + p.x) / m_scale), m_decimals);
        out += ',';
        append_decimal(out, lat_of_row(p.y), m_decimals);
        out += ']';
    }

    /// RFC 7946 wants exteriors counter-clockwise in lon/lat: y flips, so the order reverses.
    void ring(std::string& out, const TileRing& ring) const {
        out += '[';
        for (std::size_t i = ring.size(); i-- > 0;) {
            position(out, ring[i]);
            out += ',';
        }
        position(out, ring.back());
        out += ']';
    }

  private:
    /// The latitude of a row of tile units, each computed once: vertices of neighbouring
    /// buildings share rows, and atan(sinh) for each was a tenth of a GeoJSON tile's time.
    double lat_of_row(std::int32_t y) const {
        const std::int64_t index = static_cast<std::int64_t>(y) - m_first_row;
        if (index < 0 || index >= static_cast<std::int64_t>(m_lat_of_row.size()))
            return world_y_to_lat((m_origin_y + y) / m_scale);
        double& lat = m_lat_of_row[static_cast<std::size_t>(index)];
        if (std::isnan(lat)) lat = world_y_to_lat((m_origin_y + y) / m_scale);
        return lat;
    }

    double m_scale;
    double m_origin_x;
    double m_origin_y;
    int m_decimals;
    std::int64_t m_first_row;                  // the row of m_lat_of_row[0]
    mutable std::vector<double> m_lat_of_row;  // NaN: not computed yet
};

void append_geometry(std::string& out, const TileFeature& feature, const LonLatWriter& writer) {
    if (feature.type == TileGeometryType::Point) {
        const TileRing& points = feature.rings.front();
        if (points.size() == 1) {
            out += R"({"type":"Point","coordinates":)";
            writer.position(out, points.front());
        } else {
            out += R"({"type":"MultiPoint","coordinates":[)";
            for (std::size_t i = 0; i < points.size(); ++i) {
                if (i) out += ',';
                writer.position(out, points[i]);
            }
            out += ']';
        }
        out += '}';
        return;
    }
    const auto exteriors =
        std::count_if(feature.rings.begin(), feature.rings.end(),
                      [](const TileRing& r) { return doubled_signed_area(r) > 0; });
    const bool multi = exteriors > 1;
    out +=
        multi ? R"({"type":"MultiPolygon","coordinates":[)" : R"({"type":"Polygon","coordinates":)";
    bool open_polygon = false;
    for (std::size_t i = 0; i < feature.rings.size(); ++i) {
        const bool exterior = doubled_signed_area(feature.rings[i]) > 0;
        if (exterior) {
            if (open_polygon) out += "],";
            out += '[';
            open_polygon = true;
        } else {
            out += ',';
        }
        writer.ring(out, feature.rings[i]);
    }
    if (open_polygon) out += ']';
    if (multi) out += ']';
    out += '}';
}

}  // namespace

int geojson_decimals(const TileId& tile) {
    const double tiles = std::ldexp(1.0, tile.z);
    const double lon_per_pixel = 360.0 / (tiles * 256);
    // Towards the poles a pixel spans fewer degrees of latitude: use the tile's poleward edge.
    const double north = world_y_to_lat(tile.y / tiles);
    const double south = world_y_to_lat((tile.y + 1) / tiles);
    const double poleward = std::min(std::max(std::abs(north), std::abs(south)), 89.0);
    const double lat_per_pixel = lon_per_pixel * std::cos(poleward * M_PI / 180.0);
    const double quarter_pixel = std::min(lon_per_pixel, lat_per_pixel) / 4;
    return std::clamp(static_cast<int>(std::ceil(-std::log10(quarter_pixel))), 0, 10);
}

std::string encode_mvt(const TileLayer& layer) {
    using mvt::FeatureField;
    using mvt::LayerField;
    std::string buffer;
    protozero::pbf_builder<mvt::TileField> tile{buffer};
    auto out = mvt::submessage<LayerField>(tile, mvt::TileField::Layers);
    out.add_uint32(LayerField::Version, 2);
    out.add_string(LayerField::Name, layer.name);

    std::unordered_map<std::string, std::uint32_t> key_index;
    std::vector<const std::string*> keys;
    std::map<FeatureValue, std::uint32_t> value_index;
    std::vector<const FeatureValue*> values;
    std::vector<std::uint32_t> tags;
    GeometryCommands geometry;
    for (const TileFeature& feature : layer.features) {
        tags.clear();
        for (const FeatureProperty& property : feature.properties) {
            auto [k, new_key] = key_index.try_emplace(property.key, keys.size());
            if (new_key) keys.push_back(&k->first);
            auto [v, new_value] = value_index.try_emplace(property.value, values.size());
            if (new_value) values.push_back(&v->first);
            tags.push_back(k->second);
            tags.push_back(v->second);
        }
        geometry.clear();
        if (feature.type == TileGeometryType::Point) {
            geometry.point_list(feature.rings.front());
        } else {
            for (const TileRing& ring : feature.rings) geometry.ring(ring);
        }
        auto f = mvt::submessage<FeatureField>(out, LayerField::Features);
        if (feature.id > 0) f.add_uint64(FeatureField::Id, static_cast<std::uint64_t>(feature.id));
        if (!tags.empty()) f.add_packed_uint32(FeatureField::Tags, tags.begin(), tags.end());
        f.add_enum(FeatureField::Type, static_cast<std::int32_t>(feature.type));
        f.add_packed_uint32(FeatureField::Geometry, geometry.commands().begin(),
                            geometry.commands().end());
    }
    for (const std::string* key : keys) out.add_string(LayerField::Keys, *key);
    for (const FeatureValue* value : values) write_value(out, *value);
    out.add_uint32(LayerField::Extent, layer.extent);
    out.commit();
    return buffer;
}

std::string encode_geojson_tile(const TileLayer& layer) {
    const LonLatWriter writer(layer);
    std::string out = R"({"type":"FeatureCollection","features":[)";
    bool first = true;
    for (const TileFeature& feature : layer.features) {
        out += first ? "" : ",";
        first = false;
        out += R"({"type":"Feature","id":)";
        out += std::to_string(feature.id);
        out += R"(,"geometry":)";
        append_geometry(out, feature, writer);
        out += R"(,"properties":{)";
        for (std::size_t i = 0; i < feature.properties.size(); ++i) {
            if (i) out += ',';
            append_json_string(out, feature.properties[i].key);
            out += ':';
            append_value(out, feature.properties[i].value);
        }
        out += "}}";
    }
    out += "]}";
    return out;
}

}  // namespace leerstand::geo
