#pragma once

// Private to geo/: the GEOS context of the calling thread and RAII owners for GEOS handles.
// GEOS_USE_ONLY_R_API is defined for the leerstand_geo target, so only the `_r` API compiles.

#include <geos_c.h>

#include <memory>
#include <string>

namespace leerstand::geo::detail {

/// One GEOS context handle. GEOS requires that a context is used by one thread at a time; its
/// error and notice texts are kept (the last one) for logs, never shown to users.
class GeosContext {
  public:
    GeosContext();
    ~GeosContext();
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;

    GEOSContextHandle_t handle() const noexcept { return m_handle; }
    /// Last error GEOS reported through this context (empty when none since clear_error()).
    const std::string& last_error() const noexcept { return m_last_error; }
    void clear_error() noexcept { m_last_error.clear(); }

  private:
    static void on_error(const char* message, void* userdata);
    static void on_notice(const char* message, void* userdata);
    GEOSContextHandle_t m_handle = nullptr;
    std::string m_last_error;
};

/// The calling thread's GEOS context (created on first use, destroyed at thread exit).
GeosContext& thread_geos();

/// While alive, GEOS calls on the calling thread fail (NULL, or 2 from a predicate) once the
/// thread has spent `cpu_seconds` of CPU time since construction. GEOS polls an interrupt
/// callback from its long loops; ours throws there when this thread's budget is spent, and
/// GEOS's C API turns that into an error return. Other threads are not affected, and thread
/// CPU time does not count the time the thread waits for a core.
/// Nested budgets: the inner one applies while it lives.
class GeosWorkBudget {
  public:
    explicit GeosWorkBudget(double cpu_seconds);
    ~GeosWorkBudget();
    GeosWorkBudget(const GeosWorkBudget&) = delete;
    GeosWorkBudget& operator=(const GeosWorkBudget&) = delete;

    /// True once a GEOS call was stopped by this budget: its result is missing.
    bool exhausted() const noexcept;

  private:
    double m_outer_deadline;
    bool m_outer_exhausted;
};

struct GeomDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSGeometry* g) const noexcept {
        if (g != nullptr) GEOSGeom_destroy_r(ctx, g);
    }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

inline GeomPtr make_geom(GEOSContextHandle_t ctx, GEOSGeometry* g) {
    return GeomPtr(g, GeomDeleter{ctx});
}

struct PreparedDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(const GEOSPreparedGeometry* g) const noexcept {
        if (g != nullptr) GEOSPreparedGeom_destroy_r(ctx, g);
    }
};
using PreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

struct CoordSeqDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSCoordSequence* s) const noexcept {
        if (s != nullptr) GEOSCoordSeq_destroy_r(ctx, s);
    }
};
using CoordSeqPtr = std::unique_ptr<GEOSCoordSequence, CoordSeqDeleter>;

}  // namespace leerstand::geo::detail
