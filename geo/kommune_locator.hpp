#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leerstand::geo {

/// Finds the Kommune whose boundary contains a point, through a GEOS STRtree of prepared
/// boundaries (not a scan). Where boundaries nest (a Gemeinde inside its Landkreis) the most
/// specific one wins: the longest AGS, then the smallest area.
/// Not thread-safe: use one locator per thread.
class KommuneLocator {
  public:
    KommuneLocator();
    KommuneLocator(KommuneLocator&&) noexcept;
    KommuneLocator& operator=(KommuneLocator&&) noexcept;
    ~KommuneLocator();

    /// @param boundary_wkb MultiPolygon/Polygon WKB in EPSG:4326 lon/lat
    void add(const std::string& ags, const std::vector<unsigned char>& boundary_wkb);

    /// AGS of the Kommune containing (lon, lat), if any.
    std::optional<std::string> locate(double lon, double lat) const;

    /// True when the Kommune `ags` contains (lon, lat); false for an unknown AGS.
    bool contains(const std::string& ags, double lon, double lat) const;

    std::size_t size() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::geo
