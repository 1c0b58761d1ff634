// Building import throughput of Store::BuildingImport into a file database.
// Not a test: run it by hand, e.g.
//   build/tests/data/data_store_bench --count 200000 --db /tmp/bench.sqlite
// Options for finding the bottleneck (they change the schema of the bench database only):
//   --cache-mib N       PRAGMA cache_size of N MiB for the import
//   --no-spatial-index  DisableSpatialIndex on buildings.footprint (no R*Tree triggers)
//   --polygon           pass Polygon WKB (CastToMultiPolygon path) instead of MultiPolygon
//   --replace           run the import twice, the second in replace mode, and time both
//   --sql "SQL"         run SQL before the import (repeatable), e.g. "DROP TRIGGER ..."

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "data/connection.hpp"
#include "data/store.hpp"
#include "tests/data/wkb_builder.hpp"

namespace {

using leerstand::data::BuildingRecord;
using leerstand::data::Store;
using leerstand::data::UploadRecord;

struct Options {
    long count = 200000;
    std::filesystem::path db = "/tmp/leerstand_store_bench.sqlite";
    long cache_mib = 0;
    bool no_spatial_index = false;
    bool polygon = false;
    bool replace = false;
    std::vector<std::string> sql;  // run before the import, e.g. "DROP TRIGGER ..."
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (arg == "--count")
            options.count = std::stol(next());
        else if (arg == "--db")
            options.db = next();
        else if (arg == "--cache-mib")
            options.cache_mib = std::stol(next());
        else if (arg == "--no-spatial-index")
            options.no_spatial_index = true;
        else if (arg == "--polygon")
            options.polygon = true;
        else if (arg == "--replace")
            options.replace = true;
        else if (arg == "--sql")
            options.sql.push_back(next());
        else {
            std::fprintf(stderr, "unknown option %s\n", arg.c_str());
            std::exit(2);
        }
    }
    return options;
}

// CPU seconds of this process (user + system): steadier than wall time on a shared machine.
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Timing {
    double wall = 0;
    double cpu = 0;
};

void print(const char* what, long count, const Timing& t) {
    std::printf("%s %ld buildings: wall %.3f s (%.0f/s), cpu %.3f s (%.0f/s)\n", what, count,
                t.wall, static_cast<double>(count) / t.wall, t.cpu,
                static_cast<double>(count) / t.cpu);
}

// Buildings of about 10 m x 8 m on a grid near Angermünde, with typical attribute sizes.
Timing import_once(Store& store, const Options& options, bool replace) {
    namespace wkb = leerstand::test::wkb;
    UploadRecord upload;
    upload.user = "bench";
    upload.layer = "buildings";
    upload.mode = replace ? "replace" : "append";
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    auto import = store.begin_building_import(upload, replace, "12073008");
    BuildingRecord building;
    building.kommune_ags = "12073008";
    building.function = "Wohnhaus";
    building.city = "Angermünde";
    for (long i = 0; i < options.count; ++i) {
        const double x = 13.9 + static_cast<double>(i % 1000) * 0.0002;
        const double y = 52.9 + static_cast<double>(i / 1000) * 0.0001;
        building.footprint = options.polygon
                                 ? wkb::rectangle_polygon(x, y, x + 0.00014, y + 0.00007)
                                 : wkb::rectangle_multipolygon(x, y, x + 0.00014, y + 0.00007);
        building.source_ref = "osm:way/" + std::to_string(1000000 + i);
        building.street = "Berliner Straße";
        building.housenumber = std::to_string(i % 200);
        building.attributes_json = R"({"building":"house","osm_id":)" + std::to_string(i) + "}";
        building.area_m2 = 80.0;
        import.add(building);
    }
    upload.stored = options.count;
    const std::chrono::duration<double> adding = std::chrono::steady_clock::now() - start;
    const double cpu_adding = cpu_seconds() - cpu_start;
    import.commit(upload);
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    const double cpu_total = cpu_seconds() - cpu_start;
    std::printf("  add(): wall %.3f s, cpu %.3f s; commit(): wall %.3f s, cpu %.3f s\n",
                adding.count(), cpu_adding, seconds.count() - adding.count(),
                cpu_total - cpu_adding);
    return Timing{seconds.count(), cpu_total};
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(options.db.string() + suffix);
    Store store(options.db);
    leerstand::data::KommuneRecord kommune{
        "12073008",
        "Angermünde",
        "Stadt",
        "12073",
        leerstand::test::wkb::rectangle_multipolygon(13.8, 52.8, 14.2, 53.2),
        1.0};
    store.upsert_kommunen({kommune}, UploadRecord{});
    auto& db = store.connection();
    if (options.cache_mib > 0)
        db.exec("PRAGMA cache_size=-" + std::to_string(options.cache_mib * 1024));
    if (options.no_spatial_index) {
        db.query_int64("SELECT DisableSpatialIndex('buildings', 'footprint')");
        db.exec("DROP TABLE idx_buildings_footprint");
    }
    for (const std::string& sql : options.sql) db.exec(sql);
    print("import of", options.count, import_once(store, options, false));
    if (options.replace)
        print("replace import (deleting as many) of", options.count,
              import_once(store, options, true));
    std::printf("buildings stored: %lld\n", static_cast<long long>(store.counts().buildings));
    return 0;
}
