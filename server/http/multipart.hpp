#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// A strict multipart/form-data parser (RFC 7578, framing from RFC 2046 §5.1), independent of
/// Pistache: it reads the Content-Type header value and the raw request body.
namespace leerstand::http {

/// One field of a form. Bodies are views into the parsed request body, so a file is never
/// copied here.
struct FormPart {
    std::string name;  ///< field name, valid UTF-8
    /// Set for file fields: the client's file name without any folder part (some clients send
    /// a full path), valid UTF-8, may be empty (a file input with nothing chosen).
    std::optional<std::string> filename;
    std::string content_type = "text/plain";  ///< as sent; text/plain when absent (RFC 7578 §4.4)
    std::string_view body;                    ///< the part's bytes, binary-safe
};

/// A parsed form. Text field names are unique: a text field sent twice is refused, so no
/// handler ever has to guess which of two values counts. Files may share a name (the parts of
/// a shapefile chosen together); required_file() takes exactly one, required_files() all.
class MultipartForm {
  public:
    /// Parses `body` framed as the `content_type` header value says.
    /// The parts point into `body`: keep it alive and unchanged as long as the form.
    /// @throws Unsupported when the media type is not multipart/form-data;
    ///         InvalidInput of code `malformed_multipart` for a missing or malformed boundary,
    ///         malformed part headers, a part without `Content-Disposition: form-data;
    ///         name=...`, or a body that ends without its closing boundary; a field error
    ///         (`duplicate`) for a text field sent twice, `not_utf8` for a bad file name.
    static MultipartForm parse(std::string_view content_type, std::string_view body);
    /// Refused at compile time: the parts would point into a string about to be destroyed.
    static MultipartForm parse(std::string_view content_type, std::string&& body) = delete;

    const std::vector<FormPart>& parts() const { return m_parts; }

    /// The field called `name`, or null.
    const FormPart* find(std::string_view name) const;

    /// The text of a required field.
    /// @throws InvalidInput naming the field (field_errors.hpp) when it is missing or empty
    ///         (`required`), a file (`wrong_type`), not UTF-8 (`not_utf8`) or longer than 1000
    ///         bytes (`too_long`).
    std::string required_text(std::string_view name) const;

    /// The text of an optional field; nullopt when absent or empty (browsers send empty inputs).
    /// @throws InvalidInput like required_text for a file, bad UTF-8 or an overlong value.
    std::optional<std::string> optional_text(std::string_view name) const;

    /// A required file field with content, sent once.
    /// @throws InvalidInput when it is missing, a plain text field, empty or sent twice.
    const FormPart& required_file(std::string_view name) const;

    /// All files sent under `name`, in the order sent; at least one, each with content.
    /// @throws InvalidInput like required_file, except for a repeated name.
    std::vector<const FormPart*> required_files(std::string_view name) const;

  private:
    std::vector<FormPart> m_parts;
};

/// An optional EPSG code field: "25832" or "EPSG:25832"; nullopt when absent or empty.
/// @throws InvalidInput naming the field for anything else.
std::optional<int> optional_epsg(const MultipartForm& form, std::string_view name);

}  // namespace leerstand::http
