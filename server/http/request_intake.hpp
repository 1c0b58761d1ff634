#pragma once

#include <pistache/http.h>
#include <pistache/router.h>

#include <cstdint>
#include <memory>

namespace leerstand::http {

/// The router's handler, with Pistache's input step written here (TOOLCHAIN P1).
///
/// Pistache 0.0.5's own step answers whatever its parser throws with a 500 whose body is the
/// exception's text: `Content-Length: -5` gave `basic_string::_M_create`, an internal error
/// text on the wire. And it takes a body announced past the limit until that much has arrived
/// (or the body timeout ran out), holding a buffer for it. Here a request Pistache cannot parse
/// gets a 400 problem, one whose Content-Length is above `max_body_bytes` a 413 problem as soon
/// as its headers are in; either way the connection is closed after the answer and whatever the
/// client still sends is dropped. Everything else goes to the router as before.
class RequestIntake : public Pistache::Rest::Private::RouterHandler {
  public:
    HTTP_PROTOTYPE(RequestIntake)

    RequestIntake(const Pistache::Rest::Router& router, std::uint64_t max_body_bytes);

  private:
    void onInput(const char* buffer, size_t length,
                 const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
    /// Hands a complete request to the router, as Pistache's own step does.
    void hand_over(Pistache::Http::Request& request,
                   const std::shared_ptr<Pistache::Tcp::Peer>& peer);
    /// Answers `error` (the exception being handled) and closes the connection.
    void refuse(const std::exception_ptr& error, const Pistache::Http::Request& request,
                const std::shared_ptr<Pistache::Tcp::Peer>& peer);

    std::uint64_t m_max_body_bytes;
};

}  // namespace leerstand::http
