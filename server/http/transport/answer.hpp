#pragma once

#include <pistache/http.h>
#include <pistache/router.h>

#include <string>
#include <string_view>

/// Where answers leave, so that a HEAD request gets what GET gets without the body (RFC 9110
/// 9.3.2): the same status line and headers, Content-Length of the body GET would send
/// included. Pistache 0.0.5's `ResponseWriter::send` always writes the length of the body it is
/// given, so the head of a HEAD answer is written here. Every sender goes through these (or
/// checks `answering_head` itself: the cached tiles' direct send, the paced exports).
namespace leerstand::http {

/// Marks the request this thread answers, and its id, while it lives. routing.cpp runs every
/// handler inside one, so that the senders know a HEAD request and the request id without each
/// handler passing them down; handlers send their answer before they return, on the thread
/// they run on (a lane's too).
class AnsweringRequest {
  public:
    AnsweringRequest(const Pistache::Rest::Request& request, const std::string& request_id);
    ~AnsweringRequest();
    AnsweringRequest(const AnsweringRequest&) = delete;
    AnsweringRequest& operator=(const AnsweringRequest&) = delete;

  private:
    const Pistache::Rest::Request* m_previous_request;
    const std::string* m_previous_id;
};

/// True while this thread answers a HEAD request.
bool answering_head();

/// The id of the request this thread answers (also sent as `X-Request-Id`); "" outside one.
const std::string& answering_request_id();

/// Sends `body` as `media_type` with status `code` and the writer's headers; to a HEAD request
/// the same head without the body.
void send_answer(Pistache::Http::ResponseWriter& writer, Pistache::Http::Code code,
                 const std::string& body, std::string_view media_type);

/// Sends `head` (a status line and headers, see response_head) and nothing else. It goes through
/// Pistache's write queue as `writer.send` does, so it keeps its place among the connection's
/// answers (answer_order.hpp) and may be sent from any thread.
void send_head_only(Pistache::Http::ResponseWriter& writer, std::string head);

}  // namespace leerstand::http
