#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/field_errors.hpp"

/// The pieces every public form of the atlas shares (membership requests, inquiries, needs):
/// anyone may send them without an account, so each has a limit per client, a honeypot field
/// robots fill, bounded text fields and no member it does not know.
namespace leerstand::services {

class LoginRateLimiter;

/// How many submissions one client may send, and the window they count in: a person sends
/// one or two; a form robot many. Kept by a LoginRateLimiter of its own per form (each
/// submission counts as an attempt, per client), so clients are told apart as for sign-ins,
/// `X-Real-IP` included.
struct PublicFormLimits {
    int per_client = 5;
    std::chrono::seconds window{3600};
};

/// A limiter for one public form, with `limits`.
std::shared_ptr<LoginRateLimiter> make_public_form_limiter(PublicFormLimits limits = {});

/// One public form's limit: `key` is what all its submissions count under, `what` names the
/// submissions in the message.
struct PublicFormLimit {
    const char* key;
    const char* what;
};

/// @throws TooManyRequests (with `locked_code`, one of error_code's too_many_..., and
///         Retry-After) while `client` is locked.
void check_public_form_limit(LoginRateLimiter& limiter, const PublicFormLimit& limit,
                             const std::string& client, ErrorCode locked_code);
/// Counts one submission of `client`.
void count_public_form_submission(LoginRateLimiter& limiter, const PublicFormLimit& limit,
                                  const std::string& client);

/// The honeypot: a form field hidden from people (its web form hides it); robots fill it.
inline constexpr const char* k_honeypot_field = "homepage";

/// True when the honeypot member of `body` holds anything: answer as for a success, store
/// nothing.
bool honeypot_filled(const nlohmann::json& body);

/// A text member of a form with its bounds in characters (openapi.json says the same as
/// minLength/maxLength, the web form as maxlength).
struct FormTextField {
    std::string_view name;
    std::size_t max_characters;
    bool required;
    std::size_t min_characters = 0;  ///< for a given (non-blank) value
};

/// A text member: trimmed, within its bounds; nullopt when absent, null or blank (a problem
/// then only when it is required), or when it has a problem (reported in `errors`).
std::optional<std::string> read_form_text(const nlohmann::json& body, const FormTextField& field,
                                          FieldErrors& errors);

/// Reports every member of `body` that is not among `known` (unknown_field).
void refuse_unknown_members(const nlohmann::json& body,
                            std::initializer_list<std::string_view> known, FieldErrors& errors);

/// True when `errors` names `field`.
bool names_field(const FieldErrors& errors, std::string_view field);

}  // namespace leerstand::services
