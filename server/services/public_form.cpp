#include "server/services/public_form.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "common/bounded_text.hpp"
#include "common/text.hpp"
#include "server/services/auth_service.hpp"

namespace leerstand::services {

namespace {

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

std::shared_ptr<LoginRateLimiter> make_public_form_limiter(PublicFormLimits limits) {
    SignInLimits counts;
    counts.per_name_and_client = limits.per_client;
    counts.per_client = limits.per_client;
    counts.window = limits.window;
    return std::make_shared<LoginRateLimiter>(counts);
}

void check_public_form_limit(LoginRateLimiter& limiter, const PublicFormLimit& limit,
                             const std::string& client, ErrorCode locked_code) {
    try {
        limiter.check(limit.key, client);
    } catch (const TooManyRequests& locked) {
        // The limiter speaks of sign-ins; this client sent the form.
        throw TooManyRequests(std::move(locked_code),
                              std::string("too many ") + limit.what +
                                  " from this address; try again in " +
                                  std::to_string(locked.retry_after_seconds()) + " seconds",
                              locked.retry_after_seconds());
    }
}

void count_public_form_submission(LoginRateLimiter& limiter, const PublicFormLimit& limit,
                                  const std::string& client) {
    limiter.record_failure(limit.key, client);
}

bool honeypot_filled(const nlohmann::json& body) {
    if (!body.is_object() || !body.contains(k_honeypot_field)) return false;
    const nlohmann::json& value = body.at(k_honeypot_field);
    return !value.is_null() && !(value.is_string() && value.get_ref<const std::string&>().empty());
}

std::optional<std::string> read_form_text(const nlohmann::json& body, const FormTextField& field,
                                          FieldErrors& errors) {
    const std::string name(field.name);
    const nlohmann::json* value = body.contains(name) ? &body.at(name) : nullptr;
    if (value != nullptr && !value->is_null() && !value->is_string()) {
        errors.add(name, field_code::k_wrong_type, name + " must be a string");
        return std::nullopt;
    }
    const std::string_view text = value != nullptr && value->is_string()
                                      ? trimmed(value->get_ref<const std::string&>())
                                      : std::string_view();
    if (text.empty()) {
        if (field.required) errors.add(name, field_code::k_required, name + " is required");
        return std::nullopt;
    }
    auto bounded = BoundedText::parse(text, field.max_characters);
    if (!bounded) {
        errors.add(
            name, field_code::k_too_long,
            name + " must be at most " + std::to_string(field.max_characters) + " characters long");
        return std::nullopt;
    }
    if (utf8_characters(text) < field.min_characters) {
        errors.add(name, field_code::k_too_short,
                   name + " must be at least " + std::to_string(field.min_characters) +
                       " characters long");
        return std::nullopt;
    }
    return std::move(*bounded).take();
}

void refuse_unknown_members(const nlohmann::json& body,
                            std::initializer_list<std::string_view> known, FieldErrors& errors) {
    for (const auto& [name, value] : body.items()) {
        bool found = false;
        for (const std::string_view k : known) found = found || name == k;
        if (!found) errors.add(name, field_code::k_unknown_field, "unknown member " + name);
    }
}

bool names_field(const FieldErrors& errors, std::string_view field) {
    for (const FieldError& error : errors.errors())
        if (error.field == field) return true;
    return false;
}

}  // namespace leerstand::services
