#include "server/services/zensus_grid_import.hpp"

#include <chrono>
#include <fstream>

#include "baseline/zensus_grid.hpp"
#include "common/error.hpp"
#include "data/zensus_grid_store.hpp"
#include "geo/grid_cells.hpp"

namespace leerstand::services {

ZensusGridReport import_zensus_grid(data::Store& store, const std::filesystem::path& file) {
    const auto start = std::chrono::steady_clock::now();
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InvalidInput("cannot open " + file.string());
    std::vector<baseline::ZensusGridCell> cells;
    try {
        cells = baseline::read_zensus_grid(in);
    } catch (const InvalidInput& error) {
        throw InvalidInput(file.filename().string() + ": " + error.what());
    }
    std::vector<geo::LaeaCell> centres;
    centres.reserve(cells.size());
    for (const auto& cell : cells) centres.push_back({cell.x, cell.y});
    std::vector<LonLatRing> rings =
        geo::laea_cells_to_lonlat(centres, baseline::k_zensus_grid_half_cell_m);
    std::vector<data::ZensusGridCellRecord> records;
    records.reserve(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i)
        records.push_back({cells[i].id, cells[i].leerstandsquote, std::move(rings[i])});
    ZensusGridReport report;
    report.cells = data::replace_zensus_grid(store, records);
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace leerstand::services
