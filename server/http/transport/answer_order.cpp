#include "server/http/transport/answer_order.hpp"

namespace leerstand::http {

std::shared_ptr<AnswerOrder> answer_order_of(Pistache::Tcp::Peer& peer) {
    // Short: Pistache takes the key as std::string by value, and this one fits without allocating.
    constexpr const char* key = "ls.order";
    if (auto data = peer.tryGetData(key)) return std::static_pointer_cast<AnswerOrder>(data);
    auto made = std::make_shared<AnswerOrder>();
    peer.putData(key, made);
    return made;
}

}  // namespace leerstand::http
