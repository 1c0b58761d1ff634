#pragma once

#include <cstdint>

/// A one-dimensional order of places that keeps neighbours near each other (a Hilbert curve).
/// Rows stored in this order share database pages with their neighbours, so a tile — which
/// reads every building of a small area — touches a few pages instead of one per building.
namespace leerstand::geo {

/// Bits per axis of `hilbert_index_of`: 2^24 cells round the globe, about 2.4 m of longitude.
inline constexpr int k_spatial_order_bits = 24;

/// Position of cell (x, y) along the Hilbert curve that fills a 2^order × 2^order grid
/// (order 1 to 31; x and y below 2^order). Cells next to each other on the curve are next to
/// each other on the grid.
std::uint64_t hilbert_index(std::uint32_t x, std::uint32_t y, int order);

/// `hilbert_index` of the cell of (lon, lat) in a 2^k_spatial_order_bits grid over
/// lon −180…180, lat −90…90 (values outside are clamped; NaN counts as the minimum).
std::uint64_t hilbert_index_of(double lon, double lat);

}  // namespace leerstand::geo
