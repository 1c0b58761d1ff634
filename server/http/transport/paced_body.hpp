#pragma once

#include <pistache/http.h>

#include <cstdint>
#include <istream>

namespace leerstand::http {

/// Sends `size` bytes of `in` as the body (status 200, the writer's headers) without ever
/// handing Pistache more than the client's socket takes at once (README.md). To a HEAD
/// request (answer.hpp) the head alone, with the Content-Length of `size`.
///
/// Pistache 0.0.5 retries a write that meets a full socket at once, on the reactor worker, until
/// the client reads: a client reading an 18 MiB export at 2 KB/s kept a worker at 100 % CPU and
/// stalled every connection on it. Here each piece goes to Pistache only when the previous one
/// is written and the kernel has room for all of it, so Pistache's write never meets a full
/// socket (which also avoids its "could not find write data" abort: a stale writable event
/// after a write from another thread drained the queue). The waiting is ours, on a thread of
/// the download lane, never on a reactor worker. Gives up (closing the connection) when the
/// client takes nothing for a minute or the server stops; stops when the client is gone.
void send_paced(Pistache::Http::ResponseWriter& writer, std::istream& in, std::uint64_t size);

}  // namespace leerstand::http
