#include "demo/deterministic.hpp"

#include <cmath>

namespace leerstand::demo::detail {
namespace {

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

}  // namespace

Rng make_stream(std::uint64_t seed, std::string_view ags, std::string_view purpose) {
    Rng mixer(seed ^ fnv1a(ags) ^ (fnv1a(purpose) << 1));
    return Rng(mixer.next());
}

double det_sin(double x) {
    x -= 2.0 * k_pi * std::floor((x + k_pi) / (2.0 * k_pi));  // [-pi, pi)
    if (x > k_pi / 2) {
        x = k_pi - x;
    } else if (x < -k_pi / 2) {
        x = -k_pi - x;
    }
    const double x2 = x * x;
    double term = x;
    double sum = x;
    for (int n = 1; n <= 9; ++n) {
        term *= -x2 / static_cast<double>((2 * n) * (2 * n + 1));
        sum += term;
    }
    return sum;
}

double det_cos(double x) {
    return det_sin(x + k_pi / 2);
}

}  // namespace leerstand::demo::detail
