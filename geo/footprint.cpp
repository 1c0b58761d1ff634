#include "geo/footprint.hpp"

#include <ogr_geometry.h>

#include <memory>

#include "common/error.hpp"
#include "geo/polygon_rings.hpp"

namespace leerstand::geo {

Footprint footprint_from_wkt(std::string_view wkt_lonlat) {
    const std::string text(wkt_lonlat);  // OGR wants a NUL-terminated string
    OGRGeometry* parsed = nullptr;
    if (OGRGeometryFactory::createFromWkt(text.c_str(), nullptr, &parsed) != OGRERR_NONE ||
        parsed == nullptr) {
        delete parsed;
        throw InvalidGeometry("the footprint is not valid WKT");
    }
    const std::unique_ptr<OGRGeometry> geometry(parsed);
    thread_local detail::RingSet rings;
    std::string reason = detail::read_ogr_rings(geometry.get(), rings);
    if (reason.empty() && !detail::coordinates_ok(rings, true))
        reason = detail::k_invalid_coordinates;
    Footprint footprint;
    if (reason.empty()) {
        thread_local detail::FootprintBuilder builder;
        reason = builder.build(rings, footprint);
    }
    if (!reason.empty()) throw InvalidGeometry("unusable footprint: " + reason);
    return footprint;
}

double area_m2(const std::vector<unsigned char>& wkb_lonlat) {
    thread_local detail::RingSet rings;
    if (!detail::read_wkb_rings(wkb_lonlat.data(), wkb_lonlat.size(), rings)) {
        throw InvalidGeometry("the footprint is not valid WKB");
    }
    if (rings.empty()) return 0.0;  // no polygonal part: no area
    if (!detail::coordinates_ok(rings, true)) {
        throw InvalidGeometry("the footprint has invalid lon/lat coordinates");
    }
    double area = 0.0;
    double anchor_lon = 0.0;
    double anchor_lat = 0.0;
    if (!detail::utm_area_and_anchor(rings, area, anchor_lon, anchor_lat)) {
        throw InvalidGeometry("cannot compute the area of the footprint");
    }
    return area;
}

}  // namespace leerstand::geo
