#include "server/services/crs.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "geo/crs_transform.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

// A millimetre at most in degrees (7 decimals, RFC 7946's promise) and in metres (3).
constexpr int k_degree_decimals = 7;
constexpr int k_metre_decimals = 3;
// Points followed along each edge of a bbox given in another CRS.
constexpr int k_edge_points = 16;

double rounded(double value, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

/// Every position of a GeoJSON `coordinates` member, in order.
void collect_positions(json& coordinates, std::vector<json*>& positions) {
    if (!coordinates.is_array() || coordinates.empty()) return;
    if (coordinates.front().is_number()) {
        positions.push_back(&coordinates);
        return;
    }
    for (json& member : coordinates) collect_positions(member, positions);
}

void collect_geometry_positions(json& geometry, std::vector<json*>& positions) {
    if (!geometry.is_object()) return;
    if (const auto members = geometry.find("geometries"); members != geometry.end()) {
        for (json& member : *members) collect_geometry_positions(member, positions);
        return;
    }
    if (const auto coordinates = geometry.find("coordinates"); coordinates != geometry.end())
        collect_positions(*coordinates, positions);
}

}  // namespace

const Crs& crs84() {
    return supported_crs().front();
}

const std::vector<Crs>& supported_crs() {
    static const std::vector<Crs> k_list = {
        {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84", k_degree_decimals},
        {"http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326", k_degree_decimals},
        {"http://www.opengis.net/def/crs/EPSG/0/4258", "EPSG:4258", k_degree_decimals},
        {"http://www.opengis.net/def/crs/EPSG/0/25832", "EPSG:25832", k_metre_decimals},
        {"http://www.opengis.net/def/crs/EPSG/0/25833", "EPSG:25833", k_metre_decimals},
        {"http://www.opengis.net/def/crs/EPSG/0/3857", "EPSG:3857", k_metre_decimals},
    };
    return k_list;
}

const Crs* find_crs(std::string_view uri) {
    for (const Crs& crs : supported_crs())
        if (crs.uri == uri) return &crs;
    return nullptr;
}

void geometry_to_crs(json& geometry, const Crs& crs) {
    if (&crs == &crs84()) return;
    std::vector<json*> positions;
    collect_geometry_positions(geometry, positions);
    if (positions.empty()) return;
    std::vector<double> x, y;
    x.reserve(positions.size());
    y.reserve(positions.size());
    for (const json* position : positions) {
        x.push_back((*position)[0].get<double>());
        y.push_back((*position)[1].get<double>());
    }
    if (!geo::transform_points(std::string(crs84().name), std::string(crs.name),
                               geo::AxisOrder::Authority, x.data(), y.data(), x.size()))
        throw std::runtime_error("PROJ could not reproject a geometry into " +
                                 std::string(crs.name));
    for (std::size_t i = 0; i < positions.size(); ++i) {
        (*positions[i])[0] = rounded(x[i], crs.decimals);
        (*positions[i])[1] = rounded(y[i], crs.decimals);
    }
}

std::optional<data::Bbox> bbox_to_crs84(const std::array<double, 4>& box, const Crs& crs) {
    // The four edges, each followed at k_edge_points points.
    std::vector<double> first, second;
    for (int i = 0; i <= k_edge_points; ++i) {
        const double t = static_cast<double>(i) / k_edge_points;
        const double along_first = box[0] + t * (box[2] - box[0]);
        const double along_second = box[1] + t * (box[3] - box[1]);
        for (const auto& [a, b] :
             {std::pair{along_first, box[1]}, std::pair{along_first, box[3]},
              std::pair{box[0], along_second}, std::pair{box[2], along_second}}) {
            first.push_back(a);
            second.push_back(b);
        }
    }
    if (!geo::transform_points(std::string(crs.name), std::string(crs84().name),
                               geo::AxisOrder::Authority, first.data(), second.data(),
                               first.size()))
        return std::nullopt;
    const auto [min_lon, max_lon] = std::minmax_element(first.begin(), first.end());
    const auto [min_lat, max_lat] = std::minmax_element(second.begin(), second.end());
    return data::Bbox{*min_lon, *min_lat, *max_lon, *max_lat};
}

}  // namespace leerstand::services
