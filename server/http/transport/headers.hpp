#pragma once

#include <pistache/http.h>
#include <pistache/http_header.h>
#include <pistache/router.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

/// Request and response headers as Pistache 0.0.5 keeps them.
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

/// The raw value of request header `name`, if sent. Headers Pistache knows may come parsed
/// into typed ones instead (Host, Accept, Content-Length...), without a raw value.
inline std::optional<std::string> header_value(const Pistache::Rest::Request& request,
                                               const std::string& name) {
    const auto raw = request.headers().tryGetRaw(name);
    if (!raw) return std::nullopt;
    return raw->value();
}

/// `text` without leading and trailing blanks and tabs (a header value's optional white space).
inline std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

}  // namespace leerstand::http
