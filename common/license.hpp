#pragma once

#include <string>

namespace leerstand {

/// The licence of one source of data and the credit every use of it must show. Plain text
/// and an http(s) URL; written into exports, links and the map's attribution.
struct License {
    std::string source;       ///< whose data: "OpenStreetMap", "BKG VG5000", the network
    std::string title;        ///< the licence's short name: "ODbL 1.0", "dl-de/by-2-0"
    std::string url;          ///< the licence text
    std::string attribution;  ///< the credit line: "© OpenStreetMap-Mitwirkende"
};

}  // namespace leerstand
