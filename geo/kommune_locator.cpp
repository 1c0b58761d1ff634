#include "geo/kommune_locator.hpp"

#include <unordered_map>

#include "common/error.hpp"
#include "geo/geos_context.hpp"

namespace leerstand::geo {
namespace {

using detail::GeomPtr;
using detail::PreparedPtr;

struct TreeDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSSTRtree* tree) const noexcept {
        if (tree != nullptr) GEOSSTRtree_destroy_r(ctx, tree);
    }
};
using TreePtr = std::unique_ptr<GEOSSTRtree, TreeDeleter>;

struct Entry {
    std::string ags;
    GeomPtr boundary;
    PreparedPtr prepared;
    double area = 0.0;  // in degrees²: only compared between nested boundaries
};

/// Most specific first: longer AGS (Gemeinde before Kreis), then the smaller boundary.
bool more_specific(const Entry& a, const Entry& b) {
    if (a.ags.size() != b.ags.size()) return a.ags.size() > b.ags.size();
    return a.area < b.area;
}

}  // namespace

struct KommuneLocator::Impl {
    // Owned by the locator (not thread_local) so that its geometries, tree and prepared
    // boundaries are destroyed with the context that made them, whichever thread ends last.
    detail::GeosContext geos;
    std::vector<std::unique_ptr<Entry>> entries;  // stable addresses: the tree stores Entry*
    std::unordered_map<std::string, Entry*> by_ags;
    TreePtr tree{nullptr, TreeDeleter{geos.handle()}};
    bool tree_stale = true;

    GEOSContextHandle_t ctx() const { return geos.handle(); }

    /// GEOS's STRtree cannot take inserts once queried, so it is rebuilt after add().
    void rebuild_tree() {
        tree.reset(GEOSSTRtree_create_r(ctx(), 10));
        if (!tree) throw InternalError("GEOS could not create a spatial index");
        for (const auto& entry : entries) {
            GEOSSTRtree_insert_r(ctx(), tree.get(), entry->boundary.get(), entry.get());
        }
        tree_stale = false;
    }

    std::vector<const Entry*> covering(double lon, double lat) {
        if (tree_stale) rebuild_tree();
        GeomPtr point = detail::make_geom(ctx(), GEOSGeom_createPointFromXY_r(ctx(), lon, lat));
        if (!point) throw InternalError("GEOS could not create a point");
        std::vector<const Entry*> hits;
        struct Query {
            Impl* self;
            const GEOSGeometry* point;
            std::vector<const Entry*>* hits;
        } query{this, point.get(), &hits};
        GEOSSTRtree_query_r(
            ctx(), tree.get(), point.get(),
            [](void* item, void* userdata) {
                auto* q = static_cast<Query*>(userdata);
                const auto* entry = static_cast<const Entry*>(item);
                // Covers: a point on the boundary line counts as inside.
                if (GEOSPreparedCovers_r(q->self->ctx(), entry->prepared.get(), q->point) == 1) {
                    q->hits->push_back(entry);
                }
            },
            &query);
        return hits;
    }
};

KommuneLocator::KommuneLocator() : m_impl(std::make_unique<Impl>()) {}
KommuneLocator::KommuneLocator(KommuneLocator&&) noexcept = default;
KommuneLocator& KommuneLocator::operator=(KommuneLocator&&) noexcept = default;
KommuneLocator::~KommuneLocator() = default;

void KommuneLocator::add(const std::string& ags, const std::vector<unsigned char>& boundary_wkb) {
    GEOSContextHandle_t ctx = m_impl->ctx();
    GeomPtr boundary = detail::make_geom(
        ctx, GEOSGeomFromWKB_buf_r(ctx, boundary_wkb.data(), boundary_wkb.size()));
    if (!boundary) throw InvalidGeometry("the boundary of Kommune " + ags + " is not valid WKB");
    const int type = GEOSGeomTypeId_r(ctx, boundary.get());
    if ((type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) ||
        GEOSisEmpty_r(ctx, boundary.get()) != 0) {
        throw InvalidGeometry("the boundary of Kommune " + ags + " is not a polygon");
    }
    // Official boundaries can be invalid (VG5000 has three self-intersecting ones); a
    // prepared predicate on an invalid polygon may answer wrongly, so repair first.
    if (GEOSisValid_r(ctx, boundary.get()) != 1) {
        GeomPtr fixed = detail::make_geom(ctx, GEOSMakeValid_r(ctx, boundary.get()));
        if (!fixed) throw InvalidGeometry("the boundary of Kommune " + ags + " cannot be repaired");
        boundary = std::move(fixed);
    }
    auto entry = std::make_unique<Entry>();
    entry->ags = ags;
    GEOSArea_r(ctx, boundary.get(), &entry->area);
    entry->prepared = PreparedPtr(GEOSPrepare_r(ctx, boundary.get()), detail::PreparedDeleter{ctx});
    if (!entry->prepared) throw InternalError("GEOS could not prepare a Kommune boundary");
    entry->boundary = std::move(boundary);

    auto existing = m_impl->by_ags.find(ags);
    if (existing != m_impl->by_ags.end()) {
        // A second boundary for the same AGS replaces the first.
        for (auto& slot : m_impl->entries) {
            if (slot.get() == existing->second) {
                slot = std::move(entry);
                existing->second = slot.get();
                break;
            }
        }
    } else {
        m_impl->by_ags.emplace(ags, entry.get());
        m_impl->entries.push_back(std::move(entry));
    }
    m_impl->tree_stale = true;
}

std::optional<std::string> KommuneLocator::locate(double lon, double lat) const {
    if (m_impl->entries.empty()) return std::nullopt;
    const std::vector<const Entry*> hits = m_impl->covering(lon, lat);
    const Entry* best = nullptr;
    for (const Entry* hit : hits) {
        if (best == nullptr || more_specific(*hit, *best)) best = hit;
    }
    if (best == nullptr) return std::nullopt;
    return best->ags;
}

bool KommuneLocator::contains(const std::string& ags, double lon, double lat) const {
    auto found = m_impl->by_ags.find(ags);
    if (found == m_impl->by_ags.end()) return false;
    GEOSContextHandle_t ctx = m_impl->ctx();
    GeomPtr point = detail::make_geom(ctx, GEOSGeom_createPointFromXY_r(ctx, lon, lat));
    return point && GEOSPreparedCovers_r(ctx, found->second->prepared.get(), point.get()) == 1;
}

std::size_t KommuneLocator::size() const {
    return m_impl->entries.size();
}

}  // namespace leerstand::geo
