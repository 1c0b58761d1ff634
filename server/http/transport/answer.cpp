#include "server/http/transport/answer.hpp"

#include <pistache/peer.h>

#include <memory>
#include <optional>

#include "server/http/transport/direct_send.hpp"

namespace leerstand::http {

using namespace Pistache;

namespace {

thread_local const Rest::Request* t_answering = nullptr;
thread_local const std::string* t_answering_id = nullptr;

}  // namespace

AnsweringRequest::AnsweringRequest(const Rest::Request& request, const std::string& request_id)
    : m_previous_request(t_answering), m_previous_id(t_answering_id) {
    t_answering = &request;
    t_answering_id = &request_id;
}

AnsweringRequest::~AnsweringRequest() {
    t_answering = m_previous_request;
    t_answering_id = m_previous_id;
}

bool answering_head() {
    return t_answering != nullptr && t_answering->method() == Http::Method::Head;
}

const std::string& answering_request_id() {
    static const std::string k_none;
    return t_answering_id != nullptr ? *t_answering_id : k_none;
}

void send_answer(Http::ResponseWriter& writer, Http::Code code, const std::string& body,
                 std::string_view media_type) {
    const auto mime = Http::Mime::MediaType::fromString(std::string(media_type));
    if (!answering_head()) {
        writer.send(code, body, mime);
        return;
    }
    // The Content-Type as Pistache's send sets it, so that both heads read the same.
    if (mime.isValid()) {
        if (const auto type = writer.headers().tryGet<Http::Header::ContentType>())
            type->setMime(mime);
        else
            writer.headers().add<Http::Header::ContentType>(mime);
    }
    send_head_only(writer,
                   response_head(writer, t_answering->version(), code, body.size(), std::nullopt));
}

void send_head_only(Http::ResponseWriter& writer, std::string head) {
    const std::shared_ptr<Tcp::Peer> peer = writer.getPeer();
    if (!peer) return;  // the client left; there is nobody to answer
    // As Pistache's own send does: answered, the connection's keep-alive time runs again.
    peer->setIdle(true);
    const std::size_t size = head.size();
    peer->send(RawBuffer(std::move(head), size));
}

}  // namespace leerstand::http
