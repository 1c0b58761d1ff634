#include "geo/geos_context.hpp"

#include <time.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

namespace leerstand::geo::detail {
namespace {

// The budget of the calling thread, in seconds of its CPU time; 0 = none.
thread_local double t_deadline = 0.0;
thread_local bool t_exhausted = false;
// Read by every thread's GEOS polls, written once at registration: atomic, so a poll on
// another thread during the registration reads it without a data race.
std::atomic<GEOSInterruptCallback*> g_previous_callback{nullptr};

double thread_cpu_seconds() noexcept {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

class BudgetSpent : public std::runtime_error {
  public:
    BudgetSpent() : std::runtime_error("the work budget of this GEOS operation is spent") {}
};

void check_budget() {
    if (GEOSInterruptCallback* previous = g_previous_callback.load(std::memory_order_acquire))
        previous();
    if (t_deadline > 0.0 && thread_cpu_seconds() > t_deadline) {
        t_exhausted = true;
        // Thrown where GEOS would throw its own InterruptedException (GEOS_interruptRequest
        // sets one flag for all threads, so it could stop another thread's work instead).
        throw BudgetSpent();
    }
}

}  // namespace

GeosContext::GeosContext() : m_handle(GEOS_init_r()) {
    if (m_handle == nullptr) throw std::bad_alloc();
    GEOSContext_setErrorMessageHandler_r(m_handle, &GeosContext::on_error, this);
    GEOSContext_setNoticeMessageHandler_r(m_handle, &GeosContext::on_notice, this);
}

GeosContext::~GeosContext() {
    GEOS_finish_r(m_handle);
}

void GeosContext::on_error(const char* message, void* userdata) {
    // Kept for logs only: GEOS text never becomes a user-facing message.
    static_cast<GeosContext*>(userdata)->m_last_error = message != nullptr ? message : "";
}

void GeosContext::on_notice(const char* /*message*/, void* /*userdata*/) {
    // Notices (e.g. "Self-intersection at or near point ...") are expected for broken input,
    // which we repair; swallow them so GEOS does not print to stderr.
}

GeosWorkBudget::GeosWorkBudget(double cpu_seconds)
    : m_outer_deadline(t_deadline), m_outer_exhausted(t_exhausted) {
    static std::once_flag registered;
    std::call_once(registered, [] {
        g_previous_callback.store(GEOS_interruptRegisterCallback(&check_budget),
                                  std::memory_order_release);
    });
    t_deadline = thread_cpu_seconds() + cpu_seconds;
    t_exhausted = false;
}

GeosWorkBudget::~GeosWorkBudget() {
    t_deadline = m_outer_deadline;
    t_exhausted = m_outer_exhausted;
}

bool GeosWorkBudget::exhausted() const noexcept {
    return t_exhausted;
}

GeosContext& thread_geos() {
    thread_local GeosContext context;
    return context;
}

}  // namespace leerstand::geo::detail
