#include "geo/utm_area.hpp"

#include <proj.h>

#include <cmath>
#include <memory>
#include <string>
#include <unordered_map>

namespace leerstand::geo::detail {
namespace {

struct PjDeleter {
    void operator()(PJ* pj) const noexcept { proj_destroy(pj); }
};
using PjPtr = std::unique_ptr<PJ, PjDeleter>;

/// One PROJ context per thread plus its transformations (a PJ is usable by one thread only).
class ThreadProj {
  public:
    ThreadProj() : m_ctx(proj_context_create()) {
        // Failures are reported through return values; keep PROJ quiet on stderr.
        proj_log_level(m_ctx, PJ_LOG_NONE);
    }
    ~ThreadProj() {
        m_transforms.clear();  // PJs before their context
        proj_context_destroy(m_ctx);
    }
    ThreadProj(const ThreadProj&) = delete;
    ThreadProj& operator=(const ThreadProj&) = delete;

    /// The transformation from `source` to `target` (such as "EPSG:4326"), created on first
    /// use; nullptr if PROJ fails.
    PJ* transform(const std::string& source, const std::string& target) {
        const std::string key = source + ">" + target;
        auto found = m_transforms.find(key);
        if (found != m_transforms.end()) return found->second.get();
        PjPtr raw(proj_create_crs_to_crs(m_ctx, source.c_str(), target.c_str(), nullptr));
        // Normalise so lon/lat are in that order and projected axes easting/northing.
        PjPtr normalized(raw ? proj_normalize_for_visualization(m_ctx, raw.get()) : nullptr);
        PJ* result = normalized.get();
        m_transforms.emplace(key, std::move(normalized));  // also caches a failure (nullptr)
        return result;
    }

  private:
    PJ_CONTEXT* m_ctx;
    std::unordered_map<std::string, PjPtr> m_transforms;
};

ThreadProj& thread_proj() {
    thread_local ThreadProj proj;
    return proj;
}

}  // namespace

int utm_epsg_for(double lon, double lat) noexcept {
    int zone = static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1;
    if (zone < 1) zone = 1;
    if (zone > 60) zone = 60;  // lon = 180 exactly
    if (lat >= 0.0) return (zone >= 28 && zone <= 38) ? 25800 + zone : 32600 + zone;
    return 32700 + zone;
}

bool project_to_utm(int utm_epsg, double* x, double* y, std::size_t n) {
    return project_points("EPSG:4326", "EPSG:" + std::to_string(utm_epsg), x, y, n);
}

bool project_points(const std::string& source, const std::string& target, double* x, double* y,
                    std::size_t n) {
    PJ* pj = thread_proj().transform(source, target);
    if (pj == nullptr) return false;
    proj_errno_reset(pj);
    const std::size_t done = proj_trans_generic(pj, PJ_FWD, x, sizeof(double), n, y, sizeof(double),
                                                n, nullptr, 0, 0, nullptr, 0, 0);
    if (done != n || proj_errno(pj) != 0) return false;
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) return false;
    }
    return true;
}

}  // namespace leerstand::geo::detail
