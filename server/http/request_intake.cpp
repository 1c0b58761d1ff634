#include "server/http/request_intake.hpp"

#include <pistache/peer.h>
#include <sys/socket.h>

#include <string>

#include "common/error.hpp"
#include "server/http/problem.hpp"
#include "server/http/routing.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

/// Peer data marking a connection whose request was refused: its remaining input is dropped.
constexpr const char* k_refused = "leerstand.refused";

Problem problem_with(int status, std::string detail) {
    Problem problem;
    problem.status = status;
    problem.detail = std::move(detail);
    return problem;
}

/// The problem for what parsing threw: Pistache's HttpError keeps its status and reason (they
/// describe the request), anything else is a request Pistache could not read; its text is
/// Pistache's or the standard library's, never shown.
Problem parse_problem(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const Http::HttpError& e) {
        return problem_with(e.code(), e.reason());
    } catch (const TooLarge& e) {
        return problem_with(413, e.what());
    } catch (...) {
        return problem_with(400,
                            "the request could not be read (malformed request line or headers)");
    }
}

}  // namespace

RequestIntake::RequestIntake(const Rest::Router& router, std::uint64_t max_body_bytes)
    : Rest::Private::RouterHandler(router), m_max_body_bytes(max_body_bytes) {}

void RequestIntake::onInput(const char* buffer, size_t length,
                            const std::shared_ptr<Tcp::Peer>& peer) {
    if (peer->tryGetData(k_refused)) return;  // the rest of a refused request
    const auto parser = getParser(peer);
    Http::Request& request = parser->request;
    try {
        if (!parser->feed(buffer, length))
            throw TooLarge("the request is larger than " + std::to_string(m_max_body_bytes) +
                           " bytes");
        if (parser->parse() == Http::Private::State::Done) {
            hand_over(request, peer);
            parser->reset();
            return;
        }
        // The headers may be in while the body is not: refuse what will not fit now.
        const auto announced = request.headers().tryGet<Http::Header::ContentLength>();
        if (announced && announced->value() > m_max_body_bytes)
            throw TooLarge("the request body is larger than " + std::to_string(m_max_body_bytes) +
                           " bytes (Content-Length: " + std::to_string(announced->value()) + ")");
    } catch (...) {
        refuse(std::current_exception(), request, peer);
        parser->reset();
    }
}

void RequestIntake::hand_over(Http::Request& request, const std::shared_ptr<Tcp::Peer>& peer) {
    Http::ResponseWriter writer(request.version(), transport(), this, peer);
    request.copyAddress(peer->address());
    peer->setIdle(false);  // Pistache's keep-alive timer must not close it while it is handled
    onRequest(request, std::move(writer));
}

void RequestIntake::refuse(const std::exception_ptr& error, const Http::Request& request,
                           const std::shared_ptr<Tcp::Peer>& peer) {
    peer->putData(k_refused, std::make_shared<bool>(true));
    const Problem problem = parse_problem(error);
    const std::string request_id = next_request_id();
    Http::ResponseWriter writer(Http::Version::Http11, transport(), this, peer);
    try {
        set_common_headers(writer, request_id);
        writer.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
        const Fd fd = peer->fd();
        writer
            .send(static_cast<Http::Code>(problem.status),
                  problem_json(problem, request.resource(), request_id),
                  Http::Mime::MediaType::fromString("application/problem+json"))
            // Written: now close, so the client stops sending what nobody will read. This runs
            // on the peer's worker right after the write, before it could close the socket.
            .then([fd](ssize_t) { ::shutdown(fd, SHUT_RDWR); }, Async::IgnoreException);
    } catch (const std::exception&) {
        ::shutdown(peer->fd(), SHUT_RDWR);  // the peer is gone or the answer cannot be built
    }
}

}  // namespace leerstand::http
