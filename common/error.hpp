#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

/// The one error tree of Leerstandsatlas. Wrappers turn C library codes into these right after
/// the call; use cases throw them; only server/http maps them to an HTTP status and the CLI to
/// an exit code. `what()` is always safe to show to the user: never put library internals in it.
namespace leerstand {

/// A stable machine key of an error, in snake_case ("invalid_fields", "stale_version"):
/// clients map it to their own texts (the web app to German ones), so a key never changes its
/// meaning once published. docs/http.md lists them.
struct ErrorCode {
    std::string value;
};

/// The codes a thrower names, where a client wants to tell one error from the others of its
/// kind (the kinds' own codes are in server/http/problem.cpp; field codes in field_errors.hpp).
namespace error_code {
inline constexpr const char* k_malformed_multipart = "malformed_multipart";  ///< framing, boundary
inline constexpr const char* k_unreadable_upload = "unreadable_upload";      ///< a damaged archive
inline constexpr const char* k_wrong_credentials = "wrong_credentials";      ///< sign-in refused
inline constexpr const char* k_unknown_collection = "unknown_collection";
inline constexpr const char* k_unknown_kommune = "unknown_kommune";  ///< no Kommune with that AGS
/// a vacancy's status may not go there (422; `allowed` lists where it may)
inline constexpr const char* k_status_transition = "status_transition";
/// only a vacancy in_aktivierung or aktiviert can become a Zukunftsort (422)
inline constexpr const char* k_vacancy_status_not_linkable = "vacancy_status_not_linkable";
/// only an admin may change this field of a Kommune profile (403; `fields` names them)
inline constexpr const char* k_admin_only_field = "admin_only_field";
/// the vacancy is linked to another Zukunftsort already (409)
inline constexpr const char* k_vacancy_already_linked = "vacancy_already_linked";
/// an upload that is not a JPEG, PNG or WebP image, judged by its content (415)
inline constexpr const char* k_unsupported_image = "unsupported_image";
/// an image file that is damaged or truncated (400)
inline constexpr const char* k_invalid_image = "invalid_image";
/// an image file over its size, or an image over its pixel count (413)
inline constexpr const char* k_image_too_large = "image_too_large";
/// a membership request was decided the other way already (409; `status` says how)
inline constexpr const char* k_membership_request_decided = "membership_request_decided";
/// too many membership requests from one client (429 with Retry-After)
inline constexpr const char* k_too_many_membership_requests = "too_many_membership_requests";
// Inquiries (part "inquiries").
/// too many inquiries from one client (429 with Retry-After)
inline constexpr const char* k_too_many_inquiries = "too_many_inquiries";
/// the operator configured no mail relay, so the atlas cannot mail this (409)
inline constexpr const char* k_mail_not_configured = "mail_not_configured";
/// the personal data of the inquiry were deleted; nobody can be written to (409)
inline constexpr const char* k_personal_data_deleted = "personal_data_deleted";

/// /health: the database does not answer (503 with Retry-After; `backend`,
/// `database_reachable: false`)
inline constexpr const char* k_database_unavailable = "database_unavailable";

// Part "matches": suggestions and their recorded outcomes (Vermittlungen).
/// a match's outcome may not go there (422; `from`, `to`, `allowed` list where it may)
inline constexpr const char* k_match_transition = "match_transition";
/// the outcome of this offer and need is recorded already (409; `vermittlung_id`)
inline constexpr const char* k_match_recorded = "match_recorded";
/// the offer or the need is no longer open for this outcome (422; `offer_status`, `need_status`)
inline constexpr const char* k_match_closed = "match_closed";
/// the offer lies outside the need's place or offers no kind it wants (422)
inline constexpr const char* k_match_excluded = "match_excluded";
/// the need's author left no e-mail address to write to (422)
inline constexpr const char* k_need_without_email = "need_without_email";

// Why an upload could not be read; also the `error_code` of a failed upload job.
/// not a file of a format the atlas reads, or an archive without one (`file`)
inline constexpr const char* k_not_geodata = "not_geodata";
/// a file whose content breaks off or contradicts its header (`file`)
inline constexpr const char* k_damaged_file = "damaged_file";
/// a shapefile without its .shx or .dbf (`missing` lists the extensions)
inline constexpr const char* k_incomplete_shapefile = "incomplete_shapefile";
/// a layer without geometry (`file`)
inline constexpr const char* k_no_geometry = "no_geometry";
/// a coordinate system that is unreadable, unknown or cannot be inferred (`file`)
inline constexpr const char* k_unknown_crs = "unknown_crs";

// Upload jobs only (`error_code` of the upload status, never a problem's code).
/// the file was read, but not one feature could be stored (`read`; the report says why)
inline constexpr const char* k_nothing_stored = "nothing_stored";
/// the server stopped before the job began; upload the file again
inline constexpr const char* k_server_stopped = "server_stopped";
/// the server stopped while the job waited or ran; upload the file again
inline constexpr const char* k_upload_interrupted = "upload_interrupted";
// -- part "offers" (issue 23) --
/// an offer on a vacancy without the owner's consent to publish (422)
inline constexpr const char* k_vacancy_not_published = "vacancy_not_published";
/// the vacancy has an offer already; one offer per vacancy (409)
inline constexpr const char* k_vacancy_already_offered = "vacancy_already_offered";
// -- needs (Gesuche; part "needs" of issue 23) --
/// too many needs sent from this address through the public form (429)
inline constexpr const char* k_too_many_needs = "too_many_needs";
/// no unconfirmed need has this confirmation token: unknown, or used already (404)
inline constexpr const char* k_unknown_confirmation = "unknown_confirmation";
}  // namespace error_code

class Error : public std::runtime_error {
  public:
    /// `extensions`: extra members for the problem+json body, safe to show, for example
    /// `{"errors": [{"field": "status", "code": "not_one_of", "message": "..."}]}`.
    /// Without a code the error's kind gives one (server/http/problem.cpp).
    explicit Error(const std::string& message, nlohmann::json extensions = nlohmann::json::object())
        : std::runtime_error(message), m_extensions(std::move(extensions)) {}

    Error(ErrorCode code, const std::string& message,
          nlohmann::json extensions = nlohmann::json::object())
        : std::runtime_error(message),
          m_code(std::move(code.value)),
          m_extensions(std::move(extensions)) {}

    /// Empty when the thrower named none.
    const std::string& code() const noexcept { return m_code; }
    /// The thrower's code, else the one of the error's kind ("invalid_input", "not_found").
    std::string stable_code() const { return m_code.empty() ? kind_code() : m_code; }
    /// The code of the kind, for errors whose thrower named none.
    virtual const char* kind_code() const noexcept { return "internal"; }
    const nlohmann::json& extensions() const noexcept { return m_extensions; }

  private:
    std::string m_code;
    nlohmann::json m_extensions;
};

/// Bad arguments, a malformed file, a parameter out of range.
class InvalidInput : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "invalid_input"; }
};

class NotFound : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "not_found"; }
};

/// Duplicate key, stale version.
class Conflict : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "conflict"; }
};

/// Well-formed input that cannot be applied: a status transition that makes no sense.
class Unprocessable : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "unprocessable"; }
};

/// Unusable geometry or coordinate reference system.
class InvalidGeometry : public Unprocessable {
  public:
    using Unprocessable::Unprocessable;
    const char* kind_code() const noexcept override { return "invalid_geometry"; }
};

/// No valid credentials (anonymous caller, wrong password, expired session).
class Unauthenticated : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "unauthenticated"; }
};

/// Signed in, but the role or Kommune scope does not allow this.
class Forbidden : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "forbidden"; }
};

/// The caller's version (If-Match) is stale; nothing was changed.
class PreconditionFailed : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "stale_version"; }

    /// "<what> <id> has changed: its current version is N, not M; ..." with
    /// `current_version` for the client.
    static PreconditionFailed stale(const std::string& what, std::int64_t id, std::int64_t current,
                                    std::int64_t expected) {
        return stale(what, std::to_string(id), current, expected);
    }

    /// The same for a thing named by a key (a Kommune's AGS).
    static PreconditionFailed stale(const std::string& what, const std::string& key,
                                    std::int64_t current, std::int64_t expected) {
        return PreconditionFailed(
            ErrorCode{"stale_version"},
            what + " " + key + " has changed: its current version is " + std::to_string(current) +
                ", not " + std::to_string(expected) + "; load it again and repeat the change",
            nlohmann::json{{"current_version", current}});
    }
};

/// A write that must carry a version (If-Match) came without one.
class PreconditionRequired : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "version_required"; }
};

/// A body, file or unpacked archive over its limit.
class TooLarge : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "too_large"; }
};

/// A request target longer than any of ours could be.
class UriTooLong : public TooLarge {
  public:
    using TooLarge::TooLarge;
    const char* kind_code() const noexcept override { return "uri_too_long"; }
};

/// Request headers larger than a browser or GIS client ever sends.
class HeadersTooLarge : public TooLarge {
  public:
    using TooLarge::TooLarge;
    const char* kind_code() const noexcept override { return "headers_too_large"; }
};

/// Too many attempts (sign-in); `retry_after_seconds` says when to try again.
class TooManyRequests : public Error {
  public:
    TooManyRequests(const std::string& message, int retry_after_seconds)
        : Error(message), m_retry_after_seconds(retry_after_seconds) {}
    TooManyRequests(ErrorCode code, const std::string& message, int retry_after_seconds)
        : Error(std::move(code), message), m_retry_after_seconds(retry_after_seconds) {}
    int retry_after_seconds() const noexcept { return m_retry_after_seconds; }
    const char* kind_code() const noexcept override { return "too_many_requests"; }

  private:
    int m_retry_after_seconds;
};

/// A format or feature we do not read.
class Unsupported : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "unsupported"; }
};

/// The store stayed locked beyond its busy timeout, or too many requests already wait for a
/// worker thread (writes, downloads).
class StorageBusy : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "busy"; }
};

/// The mail relay could not be reached or refused a mail (502): the message names no relay
/// internals; the log has them.
class MailNotSent : public Error {
  public:
    using Error::Error;
    const char* kind_code() const noexcept override { return "mail_not_sent"; }
};

/// Anything a library reported that the user cannot fix; the message is for the log only.
class InternalError : public Error {
  public:
    using Error::Error;
};

}  // namespace leerstand
