#pragma once

#include <pistache/http.h>
#include <pistache/router.h>

#include <cstdint>
#include <memory>

namespace leerstand::http {

/// The router's handler, with Pistache's input step written here (README.md).
///
/// Pistache 0.0.5's own step answers whatever its parser throws with a 500 whose body is the
/// exception's text: `Content-Length: -5` gave `basic_string::_M_create`, an internal error
/// text on the wire. And it takes a body announced past the limit until that much has arrived
/// (or the body timeout ran out), holding a buffer for it. Here a request Pistache cannot parse
/// gets a 400 problem, one whose Content-Length is above `max_body_bytes` a 413 problem as soon
/// as its headers are in, and so does one whose head leaves the body's length open to two
/// readings (two Content-Length headers, or Content-Length with Transfer-Encoding): 400. Either
/// way the connection is closed after the answer and whatever the client still sends is
/// dropped. Everything else goes to the router as before.
///
/// Pistache's step also drops whatever follows a complete request in the same read: a client
/// that pipelines (sends its next request before the answer, as HTTP/1.1 allows) waited for
/// an answer that never came. Here the next request is taken too, in order, when the one
/// before was answered at once (reads on the connection's worker); after one answered later
/// on a lane's thread (writes, downloads) it is still dropped.
class RequestIntake : public Pistache::Rest::Private::RouterHandler {
  public:
    HTTP_PROTOTYPE(RequestIntake)

    RequestIntake(const Pistache::Rest::Router& routes, std::uint64_t max_body_bytes);

  private:
    void onInput(const char* buffer, size_t length,
                 const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
    /// Feeds `length` bytes of the connection's input to the request being read; returns how
    /// many at the end of them follow a request completed and handed over by them.
    std::uint64_t take(const char* buffer, size_t length,
                       const std::shared_ptr<Pistache::Tcp::Peer>& peer);
    /// Hands a complete request to the router, as Pistache's own step does.
    void hand_over(Pistache::Http::Request& request,
                   const std::shared_ptr<Pistache::Tcp::Peer>& peer);
    /// Answers `error` (the exception being handled) and closes the connection.
    void refuse(const std::exception_ptr& error, const Pistache::Http::Request& request,
                const std::shared_ptr<Pistache::Tcp::Peer>& peer);

    std::uint64_t m_max_body_bytes;
};

}  // namespace leerstand::http
