#include "geo/geos_context.hpp"

#include <stdexcept>

namespace leerstand::geo::detail {

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

GeosContext& thread_geos() {
    thread_local GeosContext context;
    return context;
}

}  // namespace leerstand::geo::detail
