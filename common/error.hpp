#pragma once

#include <stdexcept>
#include <string>

/// The one error tree of Leerstandsatlas. Wrappers turn C library codes into these right after
/// the call; use cases throw them; only server/http maps them to an HTTP status and the CLI to
/// an exit code. `what()` is always safe to show to the user: never put library internals in it.
namespace leerstand {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Bad arguments, a malformed file, a parameter out of range.
class InvalidInput : public Error {
  public:
    using Error::Error;
};

class NotFound : public Error {
  public:
    using Error::Error;
};

/// Duplicate key, stale version.
class Conflict : public Error {
  public:
    using Error::Error;
};

/// Unusable geometry or coordinate reference system.
class InvalidGeometry : public Error {
  public:
    using Error::Error;
};

/// A format or feature we do not read.
class Unsupported : public Error {
  public:
    using Error::Error;
};

/// The store stayed locked beyond its busy timeout.
class StorageBusy : public Error {
  public:
    using Error::Error;
};

/// Anything a library reported that the user cannot fix; the message is for the log only.
class InternalError : public Error {
  public:
    using Error::Error;
};

}  // namespace leerstand
