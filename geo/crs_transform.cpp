#include "geo/crs_transform.hpp"

#include <proj.h>

#include <cmath>
#include <memory>
#include <unordered_map>

namespace leerstand::geo {
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

    /// The transformation from `from` to `to`, created on first use; nullptr if PROJ fails.
    PJ* transform(const std::string& from, const std::string& to, AxisOrder order) {
        std::string key = from + '>' + to + (order == AxisOrder::LonLatFirst ? "|gis" : "");
        auto found = m_transforms.find(key);
        if (found != m_transforms.end()) return found->second.get();
        PjPtr result(proj_create_crs_to_crs(m_ctx, from.c_str(), to.c_str(), nullptr));
        if (result && order == AxisOrder::LonLatFirst)
            result.reset(proj_normalize_for_visualization(m_ctx, result.get()));
        PJ* pj = result.get();
        m_transforms.emplace(std::move(key), std::move(result));  // also caches a failure
        return pj;
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

bool transform_points(const std::string& from, const std::string& to, AxisOrder order, double* x,
                      double* y, std::size_t n) {
    PJ* pj = thread_proj().transform(from, to, order);
    if (pj == nullptr) return false;
    proj_errno_reset(pj);
    const std::size_t done = proj_trans_generic(pj, PJ_FWD, x, sizeof(double), n, y, sizeof(double),
                                                n, nullptr, 0, 0, nullptr, 0, 0);
    if (done != n || proj_errno(pj) != 0) return false;
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) return false;
    return true;
}

}  // namespace leerstand::geo
