#pragma once

#include <ostream>
#include <stdexcept>
#include <string>

#include "common/error.hpp"

/// How every command of the CLI ends: an exit code, and on failure one line on stderr.
namespace leerstand::cli {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_error = 1;
inline constexpr int k_exit_usage = 2;
inline constexpr int k_exit_nothing_stored = 3;  ///< an import that read rows but stored none

/// Wrong words on the command line: answered with a hint to `leerstand help`.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The one line for `error`: a list of field errors shows every message, not just the first.
std::string one_line(const Error& error);

/// Runs `body` and maps its exceptions to one line on `err` and an exit code.
template <typename Body>
int guarded(std::ostream& err, Body&& body) {
    try {
        return body();
    } catch (const UsageError& e) {
        err << "leerstand: " << e.what() << " (see `leerstand help`)\n";
        return k_exit_usage;
    } catch (const InternalError& e) {
        // Library text is for diagnosis, not for users; keep it on one line.
        err << "leerstand: internal error: " << e.what() << "\n";
        return k_exit_error;
    } catch (const Error& e) {
        err << "leerstand: " << one_line(e) << "\n";
        return k_exit_error;
    } catch (const std::exception& e) {
        err << "leerstand: unexpected error: " << e.what() << "\n";
        return k_exit_error;
    }
}

}  // namespace leerstand::cli
