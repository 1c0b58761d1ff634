#include "tests/geo/geo_oracle.hpp"

#include <gdal_priv.h>
#include <geos_c.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <stdexcept>

namespace leerstand::test {
namespace {

/// A GEOS context for the oracle, separate from the one geo/ uses.
struct OracleGeos {
    GEOSContextHandle_t ctx = GEOS_init_r();
    ~OracleGeos() { GEOS_finish_r(ctx); }
};

GEOSContextHandle_t oracle_geos() {
    thread_local OracleGeos geos;
    return geos.ctx;
}

double geos_area(const OGRGeometry& geometry) {
    GEOSContextHandle_t ctx = oracle_geos();
    GEOSGeometry* g = geometry.exportToGEOS(ctx);
    if (g == nullptr) throw std::runtime_error("oracle: OGR could not export to GEOS");
    double area = 0;
    GEOSArea_r(ctx, g, &area);
    GEOSGeom_destroy_r(ctx, g);
    return area;
}

std::unique_ptr<OGRGeometry> from_wkt(const std::string& wkt) {
    OGRGeometry* g = nullptr;
    if (OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g) != OGRERR_NONE)
        throw std::runtime_error("oracle: bad WKT " + wkt);
    return std::unique_ptr<OGRGeometry>(g);
}

OGRSpatialReference srs(int epsg) {
    OGRSpatialReference s;
    s.importFromEPSG(epsg);
    s.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

void transform(OGRGeometry& g, int from, int to) {
    OGRSpatialReference a = srs(from);
    OGRSpatialReference b = srs(to);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&a, &b));
    if (!ct || g.transform(ct.get()) != OGRERR_NONE)
        throw std::runtime_error("oracle: OGR could not transform");
}

}  // namespace

double oracle_area_in_epsg(const std::vector<unsigned char>& wkb_lonlat, int epsg) {
    OGRGeometry* raw = nullptr;
    if (OGRGeometryFactory::createFromWkb(wkb_lonlat.data(), nullptr, &raw, wkb_lonlat.size()) !=
        OGRERR_NONE)
        throw std::runtime_error("oracle: bad WKB");
    std::unique_ptr<OGRGeometry> g(raw);
    transform(*g, 4326, epsg);
    return geos_area(*g);
}

double oracle_planar_area(const std::string& wkt) {
    return geos_area(*from_wkt(wkt));
}

std::string oracle_to_lonlat_wkt(const std::string& wkt, int epsg) {
    auto g = from_wkt(wkt);
    transform(*g, epsg, 4326);
    return g->exportToWkt(OGRWktOptions());
}

std::vector<double> oracle_areas_of_file(const std::filesystem::path& path) {
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) throw std::runtime_error("oracle: cannot open " + path.string());
    std::vector<double> areas;
    for (auto& feature : *ds->GetLayer(0)) {
        const OGRGeometry* g = feature->GetGeometryRef();
        areas.push_back(g != nullptr ? geos_area(*g) : 0.0);
    }
    return areas;
}

ReadSummary read_all(const std::filesystem::path& path, const geo::ReadOptions& options) {
    auto reader = geo::FeatureReader::open(path, options);
    ReadSummary summary;
    summary.info = reader.info();
    geo::SourceFeature feature;
    while (reader.next(feature)) {
        ++summary.read;
        if (feature.footprint) {
            ++summary.footprints;
            if (feature.footprint->repaired) ++summary.repaired;
        } else {
            ++summary.rejections[feature.rejection];
        }
        summary.features.push_back(feature);
    }
    return summary;
}

std::string attribute(const geo::SourceFeature& feature, const std::string& name) {
    for (const auto& [key, value] : feature.attributes)
        if (key == name) return value;
    return {};
}

bool oracle_covers(const std::vector<unsigned char>& wkb, double lon, double lat) {
    GEOSContextHandle_t ctx = oracle_geos();
    GEOSGeometry* g = GEOSGeomFromWKB_buf_r(ctx, wkb.data(), wkb.size());
    GEOSGeometry* p = GEOSGeom_createPointFromXY_r(ctx, lon, lat);
    const bool covers = g != nullptr && p != nullptr && GEOSCovers_r(ctx, g, p) == 1;
    GEOSGeom_destroy_r(ctx, p);
    GEOSGeom_destroy_r(ctx, g);
    return covers;
}

}  // namespace leerstand::test
