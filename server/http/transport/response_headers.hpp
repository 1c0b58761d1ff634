#pragma once

#include <pistache/http.h>
#include <pistache/http_header.h>

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

/// `Vary` and `Cache-Control` for a response that depends on who asks: a shared cache must
/// never hand what a signed-in caller got to anyone else.
inline void set_caller_cache_headers(Pistache::Http::ResponseWriter& writer,
                                     const services::Caller& caller) {
    set_header(writer, "Vary", "Cookie, Authorization");
    set_header(writer, "Cache-Control", caller.signed_in() ? "private, no-store" : "no-cache");
}

}  // namespace leerstand::http
