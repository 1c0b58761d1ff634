#include "data/zensus_grid_store.hpp"

#include <algorithm>
#include <bit>

#include "data/connection.hpp"
#include "data/sql_conditions.hpp"
#include "data/store.hpp"
#include "data/tile_store.hpp"

namespace leerstand::data {

namespace {

void append_le(std::vector<unsigned char>& out, const void* bytes, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(bytes);
    out.insert(out.end(), p, p + size);
}

/// A 2D WKB Polygon of one ring, little-endian (GeomFromWKB's input; x86 and ARM are
/// little-endian, and the byte-order flag says so).
std::vector<unsigned char> polygon_wkb(const LonLatRing& ring) {
    static_assert(std::endian::native == std::endian::little);
    std::vector<unsigned char> wkb;
    wkb.reserve(13 + ring.size() * 16);
    wkb.push_back(1);
    const std::uint32_t type = 3, rings = 1, points = static_cast<std::uint32_t>(ring.size());
    append_le(wkb, &type, 4);
    append_le(wkb, &rings, 4);
    append_le(wkb, &points, 4);
    for (const LonLat& p : ring) {
        append_le(wkb, &p.lon, 8);
        append_le(wkb, &p.lat, 8);
    }
    return wkb;
}

}  // namespace

std::int64_t replace_zensus_grid(Store& store, const std::vector<ZensusGridCellRecord>& cells) {
    Connection& db = store.connection();
    Transaction transaction(db);
    Bbox changed{180, 90, -180, -90};
    auto widen = [&changed](double min_lon, double min_lat, double max_lon, double max_lat) {
        changed = {std::min(changed.min_lon, min_lon), std::min(changed.min_lat, min_lat),
                   std::max(changed.max_lon, max_lon), std::max(changed.max_lat, max_lat)};
    };
    {
        // The tiles of the cells there were are stale too.
        Statement old = db.prepare(detail::extent_sql(db.dialect(), "zensus2011_grid", "cell"));
        if (old.step() && !old.column_is_null(0))
            widen(old.column_double(0), old.column_double(1), old.column_double(2),
                  old.column_double(3));
    }
    db.exec("DELETE FROM zensus2011_grid");
    Statement insert = db.prepare(
        "INSERT INTO zensus2011_grid (id, leerstandsquote, cell) "
        "VALUES (?1, ?2, GeomFromWKB(?3, 4326))");
    for (const ZensusGridCellRecord& record : cells) {
        const std::vector<unsigned char> wkb = polygon_wkb(record.cell);
        insert.bind(1, record.id).bind(2, record.leerstandsquote).bind_blob(3, wkb).run();
        insert.reset();
        for (const LonLat& p : record.cell) widen(p.lon, p.lat, p.lon, p.lat);
    }
    if (changed.min_lon <= changed.max_lon)
        record_tile_change(db, tile_source_bit(TileSource::Zensus2011Grid), changed);
    transaction.commit();
    return static_cast<std::int64_t>(cells.size());
}

}  // namespace leerstand::data
