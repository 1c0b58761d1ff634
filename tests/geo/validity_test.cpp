// The reader decides validity of simple rings without GEOS (geo/polygon_rings.hpp). That test
// may say "ask GEOS" freely, but when it says "certainly valid", GEOS must agree. Checked here
// on every real building and on random rings, with GEOS (through OGR) as the oracle.

#include <gdal_priv.h>
#include <geos_c.h>
#include <gtest/gtest.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>

#include <random>
#include <sstream>

#include "geo/polygon_rings.hpp"
#include "tests/support/test_support.hpp"

using namespace leerstand;
using geo::detail::certainly_valid_simple_ring;
using geo::detail::read_ogr_rings;
using geo::detail::RingSet;

namespace {

struct OracleContext {
    GEOSContextHandle_t ctx = GEOS_init_r();
    ~OracleContext() { GEOS_finish_r(ctx); }
};

bool geos_valid(const OGRGeometry& g) {
    static OracleContext oracle;
    GEOSGeometry* geos = g.exportToGEOS(oracle.ctx);
    if (geos == nullptr) return false;
    const bool valid = GEOSisValid_r(oracle.ctx, geos) == 1;
    GEOSGeom_destroy_r(oracle.ctx, geos);
    return valid;
}

std::unique_ptr<OGRGeometry> wkt(const std::string& text) {
    OGRGeometry* g = nullptr;
    OGRGeometryFactory::createFromWkt(text.c_str(), nullptr, &g);
    return std::unique_ptr<OGRGeometry>(g);
}

/// Fast verdict for a geometry; false too when it has no usable rings.
bool fast_valid(const OGRGeometry& g) {
    RingSet rings;
    return read_ogr_rings(&g, rings).empty() && certainly_valid_simple_ring(rings);
}

struct Tally {
    long fast = 0;
    long total = 0;
};

void check_file(const std::filesystem::path& path, Tally& tally) {
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    ASSERT_TRUE(ds) << path;
    for (auto& feature : *ds->GetLayer(0)) {
        const OGRGeometry* g = feature->GetGeometryRef();
        if (g == nullptr) continue;
        ++tally.total;
        if (!fast_valid(*g)) continue;
        ++tally.fast;
        EXPECT_TRUE(geos_valid(*g)) << path.filename() << " feature " << feature->GetFID();
    }
}

}  // namespace

TEST(FastValidity, OnlySimpleValidKnownShapesAreCertainlyValid) {
    EXPECT_TRUE(fast_valid(*wkt("POLYGON ((0 0,10 0,10 5,0 5,0 0))")));
    EXPECT_TRUE(fast_valid(*wkt("POLYGON ((0 0,3 0,3 3,2 3,2 1,1 1,1 3,0 3,0 0))")));  // U shape
    // A vertex 1e-16 above an edge does not touch it: valid, and GEOS agrees.
    const auto close = wkt("POLYGON ((0 0,4 0,4 4,2 0.0000000000000001,0 4,0 0))");
    EXPECT_TRUE(fast_valid(*close));
    EXPECT_TRUE(geos_valid(*close));
    // Each of these is invalid or needs GEOS to judge: never "certainly valid".
    for (const char* shape : {
             "POLYGON ((0 0,10 10,10 0,0 10,0 0))",                  // bowtie
             "POLYGON ((0 0,2 0,1 1,2 2,0 2,1 1,0 0))",              // touches itself at (1 1)
             "POLYGON ((0 0,10 0,10 5,5 5,5 10,5 5,0 5,0 0))",       // spike out and back
             "POLYGON ((0 0,5 0,10 0,10 5,0 5,0 0))",                // straight joint: ask GEOS
             "POLYGON ((0 0,10 0,10 0,10 5,0 5,0 0))",               // repeated point
             "POLYGON ((0 0,1 1,2 2,0 0))",                          // collinear
             "POLYGON ((0 0,4 0,4 4,2 0,0 4,0 0))",                  // touches its own edge
             "POLYGON ((0 0,10 0,10 5,0 5,0 0),(1 1,2 1,2 2,1 1))",  // holes: GEOS decides
         }) {
        auto g = wkt(shape);
        EXPECT_FALSE(fast_valid(*g)) << shape;
    }
}

TEST(FastValidity, NeverContradictsGeosOnRandomRings) {
    std::mt19937 random(20240101);
    std::uniform_real_distribution<double> coordinate(0.0, 1.0);
    std::uniform_int_distribution<int> points(3, 9);
    Tally tally;
    for (int i = 0; i < 20000; ++i) {
        std::ostringstream text;
        text.precision(17);
        const int n = points(random);
        double x0 = 0, y0 = 0;
        text << "POLYGON ((";
        for (int k = 0; k < n; ++k) {
            // Snap a third of the coordinates to a coarse grid: touching and collinear cases.
            double x = coordinate(random), y = coordinate(random);
            if (k % 3 == 0) x = std::round(x * 4) / 4, y = std::round(y * 4) / 4;
            if (k == 0) x0 = x, y0 = y;
            text << x << ' ' << y << ',';
        }
        text << x0 << ' ' << y0 << "))";
        auto g = wkt(text.str());
        ++tally.total;
        if (!fast_valid(*g)) continue;
        ++tally.fast;
        EXPECT_TRUE(geos_valid(*g)) << text.str();
    }
    EXPECT_GT(tally.fast, 1000);  // the test exercises the fast path, not only the fallback
}

TEST(FastValidity, NeverContradictsGeosOnRealBuildings) {
    const auto bayreuth = test::shared_data("buildings/osm_bayreuth_nord_2014_buildings.geojson");
    LEERSTAND_REQUIRE_SHARED(bayreuth);
    Tally tally;
    check_file(bayreuth, tally);
    check_file(test::shared_data("buildings/osm_lauf_pegnitz_2020_buildings.geojson"), tally);
    check_file(test::shared_data("buildings/osm_harsdorf_2014_buildings.geojson"), tally);
    check_file(test::shared_data(
                   "shapefiles-wild/koeln_2013_cp1252_ldid57_utm32_fe2500000/Stadtviertel.shp"),
               tally);
    // Most buildings are simple rings: the fast path must carry the bulk of them.
    EXPECT_GT(tally.fast, tally.total / 2) << tally.fast << " of " << tally.total;
}
