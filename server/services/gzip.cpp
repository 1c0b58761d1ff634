#include "server/services/gzip.hpp"

#include <zlib.h>

#include "common/error.hpp"

namespace leerstand::services {

namespace {

/// Owns a deflate stream for one gzip() call.
class Deflater {
  public:
    explicit Deflater(int level) {
        // 15 + 16: the largest window, with a gzip header and trailer instead of zlib's.
        if (deflateInit2(&m_stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            throw InternalError("zlib: deflateInit2 failed");
    }
    ~Deflater() { deflateEnd(&m_stream); }
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;
    z_stream& stream() { return m_stream; }

  private:
    z_stream m_stream{};
};

}  // namespace

std::string gzip(std::string_view data, int level) {
    Deflater deflater(level);
    z_stream& stream = deflater.stream();
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    // deflateBound() guarantees room for everything, so one Z_FINISH call completes.
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END) throw InternalError("zlib: deflate failed");
    out.resize(stream.total_out);
    return out;
}

}  // namespace leerstand::services
