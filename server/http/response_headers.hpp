#pragma once

#include <pistache/http.h>
#include <pistache/http_header.h>

#include <algorithm>
#include <memory>
#include <ostream>
#include <string>
#include <utility>

#include "server/services/caller.hpp"

namespace leerstand::http {

/// A response header with a free name and a fixed value. Pistache 0.0.5 writes only typed
/// headers into a response; headers added with `addRaw` are silently dropped.
class NamedHeader final : public Pistache::Http::Header::Header {
  public:
    NamedHeader(std::string name, std::string value)
        : m_name(std::move(name)), m_value(std::move(value)) {}

    const char* name() const override { return m_name.c_str(); }
    void write(std::ostream& stream) const override { stream << m_value; }
    // Pistache's header_cast compares this hash; no typed header shares these names.
    std::uint64_t hash() const override {
        return Pistache::Http::Header::detail::hash(m_name.c_str());
    }

  private:
    std::string m_name;
    std::string m_value;
};

/// Adds (or replaces) response header `name: value`. Call before `send()`.
inline void set_header(Pistache::Http::ResponseWriter& writer, std::string name,
                       std::string value) {
    auto& headers = writer.headers();
    headers.remove(name);
    headers.add(std::make_shared<NamedHeader>(std::move(name), std::move(value)));
}

/// Sends `body` like `writer.send`, with the response buffer sized for it first. Pistache
/// starts each response in a 512-byte buffer and doubles it as it fills: growing it was an
/// eighth of the time of serving a cached 81 KB tile. Room for the status line and headers
/// comes on top; should they need more, the buffer grows as before.
inline void send_sized(Pistache::Http::ResponseWriter& writer, Pistache::Http::Code code,
                       const std::string& body, const Pistache::Http::Mime::MediaType& mime) {
    constexpr std::size_t k_head_room = 2048;
    Pistache::DynamicStreamBuf& buffer = *writer.rdbuf();
    const std::size_t wanted = std::min(body.size() + k_head_room, buffer.maxSize());
    buffer = Pistache::DynamicStreamBuf(wanted, buffer.maxSize());
    writer.send(code, body, mime);
}

/// `Vary` and `Cache-Control` for a response that depends on who asks: a shared cache must
/// never hand what a signed-in caller got to anyone else.
inline void set_caller_cache_headers(Pistache::Http::ResponseWriter& writer,
                                     const services::Caller& caller) {
    set_header(writer, "Vary", "Cookie, Authorization");
    set_header(writer, "Cache-Control", caller.signed_in() ? "private, no-store" : "no-cache");
}

}  // namespace leerstand::http
