#pragma once

#include <pistache/http.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leerstand::http {

/// Sends a response whose body is already in memory (a cached tile), with the writer's headers,
/// without copying the body: head and body go to the socket in one `sendmsg`. Whatever the
/// socket does not take at once goes through Pistache's write queue, so slow readers are
/// handled as for any other response.
///
/// Pistache 0.0.5's `ResponseWriter::send` copies a body five times before the kernel sees it
/// (into its stream buffer, from that into a string, into its write queue's closure, into the
/// queue entry, and once more when it writes): for a cached 81 KB tile these copies were a
/// quarter of the server's time under load.
///
/// Pistache reads a connection until its socket is empty and hands over each request as it
/// comes. A response complete at once lets a fast client's next request arrive while that loop
/// still runs; it is answered at once too, and so on: under wrk one connection held a worker
/// for up to a second while the others waited (p99 1.3 s). So after a few responses in a row
/// to one connection on a worker, the next one's last byte waits for the queue, which Pistache
/// works through after the loop: the connection then waits for its turn like the others.
///
/// Must run on the connection's own worker, where GET handlers run (routing.cpp): nothing
/// else writes to the socket while it does. An answer whose earlier ones may still wait in
/// Pistache's queue (a client that asks before it has its answers, or an earlier answer sent
/// by `writer.send`) goes to the queue behind them instead (answer_order.hpp). What goes to
/// the queue meets Pistache's retry on a full socket (README.md) as any `writer.send` does: a
/// client that stops reading keeps the worker busy until it reads or leaves. Responses that set
/// cookies go through `writer.send` instead; to a HEAD request (answer.hpp) only the head goes,
/// through the queue.
void send_without_copying(Pistache::Http::ResponseWriter& writer, Pistache::Http::Version version,
                          Pistache::Http::Code code, const std::string& body,
                          std::string_view media_type);

/// The status line and headers of a response we write ourselves rather than through
/// `writer.send`: the writer's headers, then `media_type` as Content-Type (when given; else the
/// writer's own), and a Content-Length of `body_size`.
std::string response_head(Pistache::Http::ResponseWriter& writer, Pistache::Http::Version version,
                          Pistache::Http::Code code, std::uint64_t body_size,
                          std::optional<std::string_view> media_type);

}  // namespace leerstand::http
