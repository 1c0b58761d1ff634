#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"

/// The one home of per-field input errors: every 400 that names fields has the body
/// `{"code": "invalid_fields", "detail": ..., "errors": [{"field", "code", "message"}]}`.
namespace leerstand {

/// Stable machine keys of one field's problem (`errors[].code`). Clients map them to their own
/// texts; a key never changes its meaning once published. docs/http.md lists them.
namespace field_code {
inline constexpr std::string_view k_required = "required";      ///< missing or empty
inline constexpr std::string_view k_wrong_type = "wrong_type";  ///< a string where a number goes
inline constexpr std::string_view k_not_one_of = "not_one_of";  ///< not among the allowed values
inline constexpr std::string_view k_unknown_field = "unknown_field";  ///< a member we do not know
inline constexpr std::string_view k_read_only = "read_only";  ///< may not be set by the client
inline constexpr std::string_view k_too_long = "too_long";    ///< over the field's length
inline constexpr std::string_view k_too_short = "too_short";  ///< under it (a password)
inline constexpr std::string_view k_out_of_range = "out_of_range";  ///< a number beyond its bounds
inline constexpr std::string_view k_not_a_date = "not_a_date";      ///< not a real YYYY-MM-DD date
inline constexpr std::string_view k_in_the_future = "in_the_future";
inline constexpr std::string_view k_not_an_ags = "not_an_ags";  ///< not 5 or 8 digits
inline constexpr std::string_view k_unknown_kommune = "unknown_kommune";
/// The point of a vacancy or Zukunftsort lies outside the Kommune its kommune_ags names.
inline constexpr std::string_view k_outside_kommune = "outside_kommune";
/// The point lies outside every Kommune of the atlas.
inline constexpr std::string_view k_outside_atlas = "outside_atlas";
inline constexpr std::string_view k_unknown_building = "unknown_building";
/// A building_id of a Kommune other than the item's.
inline constexpr std::string_view k_building_in_other_kommune = "building_in_other_kommune";
/// A building_id farther from the point than the matching distance (15 m).
inline constexpr std::string_view k_building_too_far = "building_too_far";
inline constexpr std::string_view k_unknown_vacancy = "unknown_vacancy";
/// An image id (a profile's `image`, a Zukunftsort's `images`) of no uploaded image.
inline constexpr std::string_view k_unknown_image = "unknown_image";
inline constexpr std::string_view k_not_a_url = "not_a_url";
inline constexpr std::string_view k_not_utf8 = "not_utf8";
inline constexpr std::string_view k_not_an_email = "not_an_email";  ///< not local@domain.tld
inline constexpr std::string_view k_duplicate = "duplicate";        ///< given twice
inline constexpr std::string_view k_invalid_geometry = "invalid_geometry";
/// a lone .shp: the other parts of the shapefile must come with it in a zip
inline constexpr std::string_view k_incomplete_shapefile = "incomplete_shapefile";
inline constexpr std::string_view k_not_applicable = "not_applicable";  ///< makes no sense here
/// a `crs` or `bbox-crs` the atlas does not offer (OGC API – Features Part 2)
inline constexpr std::string_view k_unsupported_crs = "unsupported_crs";
/// a name in `properties` or `sortby` that the collection's features never carry
inline constexpr std::string_view k_unknown_property = "unknown_property";
/// a `sortby` property the collection cannot be sorted by (figures, internal fields)
inline constexpr std::string_view k_not_sortable = "not_sortable";
inline constexpr std::string_view k_invalid_value = "invalid_value";  ///< any other malformed value
/// not a phone number: digits, spaces and + - ( ) / only (part "inquiries")
inline constexpr std::string_view k_not_a_phone = "not_a_phone";
}  // namespace field_code

/// The code of an InvalidInput that lists field errors.
inline constexpr std::string_view k_invalid_fields_code = "invalid_fields";

struct FieldError {
    std::string field;  ///< as the client named it; "" for the body as a whole
    std::string code;   ///< one of field_code
    std::string message;
};

/// Collects every field problem of one request, so the client sees them all at once.
class FieldErrors {
  public:
    void add(std::string field, std::string_view code, std::string message) {
        m_errors.push_back({std::move(field), std::string(code), std::move(message)});
    }
    bool empty() const noexcept { return m_errors.empty(); }
    std::size_t size() const noexcept { return m_errors.size(); }
    const std::vector<FieldError>& errors() const noexcept { return m_errors; }

    /// The InvalidInput naming every problem: detail "<what>: <first message>" (and how many
    /// more), `errors` the whole list. `what` may be empty for a lone field.
    /// @pre !empty()
    InvalidInput error(std::string_view what,
                       nlohmann::json extra = nlohmann::json::object()) const {
        std::string detail = what.empty() ? m_errors.front().message
                                          : std::string(what) + ": " + m_errors.front().message;
        if (m_errors.size() > 1) {
            const std::size_t more = m_errors.size() - 1;
            detail += " (and " + std::to_string(more) + " more problem" + (more > 1 ? "s" : "") +
                      ", see errors)";
        }
        nlohmann::json list = nlohmann::json::array();
        for (const FieldError& error : m_errors)
            list.push_back(
                {{"field", error.field}, {"code", error.code}, {"message", error.message}});
        extra["errors"] = std::move(list);
        return InvalidInput(ErrorCode{std::string(k_invalid_fields_code)}, detail,
                            std::move(extra));
    }

    void throw_if_any(std::string_view what) const {
        if (!m_errors.empty()) throw error(what);
    }

  private:
    std::vector<FieldError> m_errors;
};

/// The error of a single field, for checks that stop at their first problem.
inline InvalidInput field_error(std::string field, std::string_view code, std::string message,
                                nlohmann::json extra = nlohmann::json::object()) {
    FieldErrors errors;
    errors.add(std::move(field), code, std::move(message));
    return errors.error("", std::move(extra));
}

}  // namespace leerstand
