#include "demo/outlines.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace leerstand::demo::detail {
namespace {

std::vector<Outline> parse_outlines() {
    const nlohmann::json document = nlohmann::json::parse(k_outline_geojson);
    std::vector<Outline> result;
    for (const nlohmann::json& feature : document.at("features")) {
        const nlohmann::json& properties = feature.at("properties");
        const nlohmann::json& geometry = feature.at("geometry");
        Outline outline;
        outline.ags = properties.at("AGS").get<std::string>();
        outline.name = properties.at("GEN").get<std::string>();
        outline.bez = properties.at("BEZ").get<std::string>();
        const nlohmann::json& rings = geometry.at("coordinates");
        // The generator lays settlements out inside one simple ring; VG5000 has that here.
        if (geometry.at("type") != "Polygon" || rings.size() != 1)
            throw InternalError("demo outline " + outline.ags +
                                " is not one polygon without holes");
        const nlohmann::json& ring = rings.front();
        for (std::size_t i = 0; i + 1 < ring.size(); ++i)  // without the closing vertex
            outline.lonlat.push_back({ring[i].at(0).get<double>(), ring[i].at(1).get<double>()});
        result.push_back(std::move(outline));
    }
    return result;
}

}  // namespace

const std::vector<Outline>& outlines() {
    static const std::vector<Outline> k_outlines = [] {
        try {
            return parse_outlines();
        } catch (const nlohmann::json::exception& error) {
            throw InternalError(std::string("the compiled-in demo outlines are unreadable: ") +
                                error.what());
        }
    }();
    return k_outlines;
}

const Outline& outline_of(std::string_view ags) {
    for (const Outline& outline : outlines())
        if (outline.ags == ags) return outline;
    throw InternalError("no demo outline for Kommune " + std::string(ags));
}

Vec2 vertex_mean(const std::vector<Vec2>& lonlat) {
    Vec2 sum;
    for (const Vec2& p : lonlat) sum = sum + p;
    return sum * (1.0 / static_cast<double>(lonlat.size()));
}

}  // namespace leerstand::demo::detail
