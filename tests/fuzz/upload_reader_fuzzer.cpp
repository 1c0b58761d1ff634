// libFuzzer target over the upload reader: every input goes the way of an HTTP upload (format
// check, zip checks, GDAL read of every feature); see upload_fuzz_entry.hpp for what byte 0
// means. Run it with scripts/fuzz/run.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/upload_fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Our own refusals are caught inside; any other exception escapes and libFuzzer reports
    // the abort of std::terminate as a crash, which is what it is.
    leerstand::fuzz::read_upload_for_fuzzing(data, size);
    return 0;
}
