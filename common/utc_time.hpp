#pragma once

#include <chrono>
#include <ctime>
#include <string>

/// Times as the store keeps them and the API writes them: ISO 8601 UTC text with second
/// precision ("2024-05-01T09:30:00Z"), so stored times compare as text.
namespace leerstand {

inline std::string utc_iso8601(std::chrono::system_clock::time_point time) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buffer;
}

inline std::string utc_now_iso8601() {
    return utc_iso8601(std::chrono::system_clock::now());
}

}  // namespace leerstand
