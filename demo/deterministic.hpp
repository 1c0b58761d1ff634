#pragma once

// Numbers that come out the same on every platform for the same seed: the generator's own
// random stream and a sine from a fixed series. The demo library is compiled with
// -ffp-contract=off (demo/CMakeLists.txt), so nothing here is fused into an FMA either.

#include <cstdint>
#include <string_view>

namespace leerstand::demo::detail {

inline constexpr double k_pi = 3.14159265358979323846;

/// splitmix64: tiny and fully specified, unlike std::*_distribution.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next() {
        m_state += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = m_state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1): the top 53 bits, scaled exactly.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Uniform in [lo, hi] (the modulo bias is irrelevant here).
    int integer(int lo, int hi) {
        const auto span = static_cast<std::uint64_t>(std::int64_t{hi} - lo + 1);
        return lo + static_cast<int>(next() % span);
    }
    bool chance(double p) { return uniform() < p; }

  private:
    std::uint64_t m_state;
};

/// An independent stream per Kommune and purpose, so changing one part leaves the others alone.
Rng make_stream(std::uint64_t seed, std::string_view ags, std::string_view purpose);

/// sin from a fixed Taylor polynomial: std::sin may differ in the last bit between C libraries.
/// Error below 1e-12, far below the 1 cm the output is rounded to.
double det_sin(double x);
double det_cos(double x);

inline double radians(double degrees) {
    return degrees * k_pi / 180.0;
}

}  // namespace leerstand::demo::detail
