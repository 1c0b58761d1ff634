#pragma once

#include <pistache/peer.h>

#include <cstdint>
#include <memory>

namespace leerstand::http {

/// Where a connection's answers stand, so that an answer written straight to the socket
/// (direct_send.hpp) never overtakes an earlier one that still waits in Pistache's write queue.
/// That can only happen to a client that asks before it has its previous answer (pipelining),
/// but then it would get the answers' bytes out of order. Kept with the connection's peer and
/// used only on its worker (the request intake, inline handlers and the queue's callbacks all
/// run there).
struct AnswerOrder {
    std::uint64_t asked = 0;    ///< requests handed to the router so far; the last one's number
    std::uint64_t settled = 0;  ///< answers 1 … settled are all with the kernel, in order
};

/// The connection's AnswerOrder, made on first use.
std::shared_ptr<AnswerOrder> answer_order_of(Pistache::Tcp::Peer& peer);

}  // namespace leerstand::http
