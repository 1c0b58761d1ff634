#include "server/http/multipart.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "common/text.hpp"
#include "geo/encoding.hpp"
#include "server/http/percent_decoding.hpp"

namespace leerstand::http {

namespace {

constexpr std::size_t k_max_boundary_length = 70;  // RFC 2046 §5.1.1
constexpr std::size_t k_max_part_header_bytes =
    std::size_t{16} * 1024;  // generous; real clients send < 300
constexpr std::size_t k_max_text_field_bytes = 1000;

constexpr std::string_view k_crlf = "\r\n";

/// A body a form parser cannot read: the client's software is at fault, not a field.
InvalidInput malformed(const std::string& what) {
    return InvalidInput(ErrorCode{error_code::k_malformed_multipart},
                        "malformed multipart/form-data body: " + what);
}

bool is_token_char(unsigned char c) {
    // RFC 9110 tchar
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_boundary_char(unsigned char c) {
    // RFC 2046 bchars (space allowed, but not as the last character)
    return std::isalnum(c) ||
           std::string_view("'()+_,-./:=? ").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool has_control_char(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7F;
    });
}

// ------------------------------------------------------------------------ header parameters

/// `; name=value` pairs after a media type or disposition type. Names are lower-cased; values
/// are tokens or quoted strings (RFC 9110 §5.6.4/§5.6.6).
using Parameters = std::vector<std::pair<std::string, std::string>>;

/// Reads a quoted string starting at `text[pos] == '"'`; leaves `pos` after the closing quote.
/// Only `\"` and `\\` are escapes: browsers send a backslash in a file name unescaped, so any
/// other backslash is kept as it is.
std::string read_quoted(std::string_view text, std::size_t& pos, std::string_view what) {
    std::string value;
    ++pos;  // opening quote
    while (pos < text.size()) {
        const char c = text[pos];
        if (c == '"') {
            ++pos;
            return value;
        }
        if (c == '\\' && pos + 1 < text.size() && (text[pos + 1] == '"' || text[pos + 1] == '\\')) {
            value.push_back(text[pos + 1]);
            pos += 2;
            continue;
        }
        value.push_back(c);
        ++pos;
    }
    throw malformed("unterminated quoted string in " + std::string(what));
}

Parameters parse_parameters(std::string_view text, std::string_view what) {
    Parameters parameters;
    std::size_t pos = 0;
    const auto skip_space = [&] {
        while (pos < text.size() && is_space(text[pos])) ++pos;
    };
    while (true) {
        skip_space();
        if (pos == text.size()) return parameters;
        if (text[pos] != ';')
            throw malformed("expected ';' between parameters of " + std::string(what));
        ++pos;
        skip_space();
        if (pos == text.size()) return parameters;  // a trailing ';' is harmless
        const std::size_t name_start = pos;
        while (pos < text.size() && is_token_char(static_cast<unsigned char>(text[pos]))) ++pos;
        if (pos == name_start || pos == text.size() || text[pos] != '=')
            throw malformed("a parameter of " + std::string(what) + " is not name=value");
        std::string name = ascii_lower(text.substr(name_start, pos - name_start));
        ++pos;  // '='
        std::string value;
        if (pos < text.size() && text[pos] == '"') {
            value = read_quoted(text, pos, what);
        } else {
            const std::size_t value_start = pos;
            while (pos < text.size() && is_token_char(static_cast<unsigned char>(text[pos]))) ++pos;
            if (pos == value_start)
                throw malformed("the parameter " + name + " of " + std::string(what) +
                                " has no value");
            value = std::string(text.substr(value_start, pos - value_start));
        }
        const bool duplicate =
            std::any_of(parameters.begin(), parameters.end(),
                        [&name](const auto& parameter) { return parameter.first == name; });
        if (duplicate)
            throw malformed("the parameter " + name + " appears twice in " + std::string(what));
        parameters.emplace_back(std::move(name), std::move(value));
    }
}

const std::string* parameter(const Parameters& parameters, std::string_view name) {
    for (const auto& [key, value] : parameters)
        if (key == name) return &value;
    return nullptr;
}

/// Splits "type/subtype; params" into the lower-cased type and the parameters.
std::pair<std::string, Parameters> parse_typed_value(std::string_view value,
                                                     std::string_view what) {
    value = trim(value);
    const std::size_t end = std::min(value.find(';'), value.size());
    std::string type = ascii_lower(trim(value.substr(0, end)));
    return {std::move(type), parse_parameters(value.substr(end), what)};
}

// ------------------------------------------------------------------------ file names

/// Decodes an RFC 8187 (formerly 5987) ext-value: charset'language'percent-encoded.
std::string decode_ext_value(std::string_view value) {
    const std::size_t first = value.find('\'');
    const std::size_t second =
        first == std::string_view::npos ? first : value.find('\'', first + 1);
    if (second == std::string_view::npos)
        throw malformed("filename* is not of the form charset'language'value");
    const std::string charset = ascii_lower(value.substr(0, first));
    if (charset != "utf-8" && charset != "iso-8859-1")
        throw malformed("filename* uses the charset " + charset + "; use UTF-8");
    const std::optional<std::string> decoded = percent_decode(value.substr(second + 1));
    if (!decoded) throw malformed("bad percent-encoding in filename*");
    const std::string& bytes = *decoded;
    if (charset == "utf-8") return bytes;
    std::string utf8;  // ISO-8859-1 maps byte for byte onto U+0000..U+00FF
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            utf8.push_back(ch);
        } else {
            utf8.push_back(static_cast<char>(0xC0 | (c >> 6)));
            utf8.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return utf8;
}

/// The last path component: old browsers and some scripts send "C:\\Users\\...\\x.zip".
std::string base_name(const std::string& name) {
    const std::size_t slash = name.find_last_of("/\\");
    return slash == std::string::npos ? name : name.substr(slash + 1);
}

// ------------------------------------------------------------------------ parts

void apply_content_disposition(std::string_view value, FormPart& part) {
    auto [type, parameters] = parse_typed_value(value, "Content-Disposition");
    if (type != "form-data")
        throw malformed("a part's Content-Disposition is '" + type + "', not form-data");
    const std::string* name = parameter(parameters, "name");
    if (name == nullptr || name->empty())
        throw malformed("a part's Content-Disposition has no field name");
    if (!geo::is_valid_utf8(*name) || has_control_char(*name))
        throw malformed("a field name is not valid UTF-8 text");
    part.name = *name;

    std::optional<std::string> filename;
    if (const std::string* extended = parameter(parameters, "filename*"))
        filename = decode_ext_value(*extended);  // preferred over the plain form (RFC 6266 §4.3)
    else if (const std::string* plain = parameter(parameters, "filename"))
        filename = *plain;
    if (filename) {
        if (!geo::is_valid_utf8(*filename) || has_control_char(*filename))
            throw field_error(
                part.name, field_code::k_not_utf8,
                "the file name of the field '" + part.name + "' is not valid UTF-8 text");
        part.filename = base_name(*filename);
    }
}

void apply_transfer_encoding(std::string_view value) {
    // RFC 7578 §4.7: senders must not use any other; we never decode base64 or
    // quoted-printable.
    const std::string encoding = ascii_lower(trim(value));
    if (encoding != "binary" && encoding != "8bit" && encoding != "7bit")
        throw InvalidInput(ErrorCode{error_code::k_malformed_multipart},
                           "Content-Transfer-Encoding " + encoding +
                               " is not supported in a form; send the file as binary");
}

/// Parses the header block of one part (without the blank line that ends it).
FormPart parse_part_headers(std::string_view block) {
    FormPart part;
    bool seen_disposition = false, seen_type = false, seen_encoding = false;
    while (!block.empty()) {
        const std::size_t end = std::min(block.find(k_crlf), block.size());
        const std::string_view line = block.substr(0, end);
        block.remove_prefix(std::min(end + k_crlf.size(), block.size()));
        if (line.empty() || is_space(line.front()))
            throw malformed("folded or empty header line in a part");
        if (line.find_first_of("\r\n") != std::string_view::npos)
            throw malformed("a bare CR or LF in a part's headers");
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            throw malformed("a part header line has no name: value form");
        const std::string_view name = line.substr(0, colon);
        if (!std::all_of(name.begin(), name.end(),
                         [](char c) { return is_token_char(static_cast<unsigned char>(c)); }))
            throw malformed("a part header name has invalid characters");
        const std::string_view value = line.substr(colon + 1);
        const auto once = [&](bool& seen) {
            if (seen)
                throw malformed("the header " + std::string(name) + " appears twice in a part");
            seen = true;
        };
        if (ascii_iequals(name, "Content-Disposition")) {
            once(seen_disposition);
            apply_content_disposition(value, part);
        } else if (ascii_iequals(name, "Content-Type")) {
            once(seen_type);
            part.content_type = std::string(trim(value));
        } else if (ascii_iequals(name, "Content-Transfer-Encoding")) {
            once(seen_encoding);
            apply_transfer_encoding(value);
        }
        // Other headers carry nothing a form field needs (RFC 7578 §4.8); they are ignored.
    }
    if (!seen_disposition) throw malformed("a part has no Content-Disposition header");
    return part;
}

std::string boundary_of(std::string_view content_type) {
    auto [type, parameters] = parse_typed_value(content_type, "Content-Type");
    if (type != "multipart/form-data")
        throw Unsupported("the upload must be sent as multipart/form-data, not " +
                          (type.empty() ? std::string("without a Content-Type") : "as " + type));
    const std::string* boundary = parameter(parameters, "boundary");
    if (boundary == nullptr || boundary->empty())
        throw InvalidInput(ErrorCode{error_code::k_malformed_multipart},
                           "the Content-Type multipart/form-data has no boundary parameter");
    if (boundary->size() > k_max_boundary_length || boundary->back() == ' ' ||
        !std::all_of(boundary->begin(), boundary->end(),
                     [](char c) { return is_boundary_char(static_cast<unsigned char>(c)); }))
        throw InvalidInput(
            ErrorCode{error_code::k_malformed_multipart},
            "the multipart boundary must be 1 to 70 letters, digits or '()+_,-./:=? characters");
    return *boundary;
}

}  // namespace

MultipartForm MultipartForm::parse(std::string_view content_type, std::string_view body) {
    const std::string dash_boundary = "--" + boundary_of(content_type);
    const std::string delimiter = std::string(k_crlf) + dash_boundary;

    // The first boundary line opens the body, or follows a preamble that is ignored
    // (RFC 2046 §5.1.1).
    std::size_t pos = 0;
    if (body.substr(0, dash_boundary.size()) != dash_boundary) {
        pos = body.find(delimiter);
        if (pos == std::string_view::npos)
            throw malformed("the boundary never appears in the body");
        pos += k_crlf.size();
    }

    MultipartForm form;
    while (true) {
        pos += dash_boundary.size();
        if (body.substr(pos, 2) == "--") return form;  // close delimiter; the epilogue is ignored
        while (pos < body.size() && is_space(body[pos])) ++pos;  // transport padding
        if (body.substr(pos, k_crlf.size()) != k_crlf)
            throw malformed("a boundary line is not followed by CRLF");
        pos += k_crlf.size();

        // Headers end at the first blank line; a part with no headers starts with it.
        std::size_t headers_end = pos;
        if (body.substr(pos, k_crlf.size()) != k_crlf) {
            const std::size_t search_end = std::min(body.size(), pos + k_max_part_header_bytes);
            headers_end = body.substr(0, search_end).find("\r\n\r\n", pos);
            if (headers_end == std::string_view::npos)
                throw malformed("a part's headers do not end with a blank line");
            headers_end += k_crlf.size();
        }
        FormPart part = parse_part_headers(body.substr(pos, headers_end - pos));
        const std::size_t content_start = headers_end + k_crlf.size();

        const std::size_t next = body.find(delimiter, content_start);
        if (next == std::string_view::npos)
            throw malformed("the body ends without its closing boundary (--" +
                            dash_boundary.substr(2) + "--)");
        part.body = body.substr(content_start, next - content_start);
        // Several files may share a name (a shapefile's parts); a text field may not repeat.
        const FormPart* earlier = form.find(part.name);
        if (earlier != nullptr && !(earlier->filename && part.filename))
            throw field_error(part.name, field_code::k_duplicate,
                              "the form field '" + part.name + "' appears twice");
        form.m_parts.push_back(std::move(part));
        pos = next + k_crlf.size();
    }
}

const FormPart* MultipartForm::find(std::string_view name) const {
    for (const auto& part : m_parts)
        if (part.name == name) return &part;
    return nullptr;
}

std::optional<std::string> MultipartForm::optional_text(std::string_view name) const {
    const FormPart* part = find(name);
    if (part == nullptr || (part->body.empty() && !part->filename)) return std::nullopt;
    const std::string field(name);
    if (part->filename)
        throw field_error(field, field_code::k_wrong_type,
                          "the form field '" + field + "' must be text, not a file");
    if (part->body.size() > k_max_text_field_bytes)
        throw field_error(field, field_code::k_too_long,
                          "the form field '" + field + "' is longer than " +
                              std::to_string(k_max_text_field_bytes) + " bytes");
    if (!geo::is_valid_utf8(part->body))
        throw field_error(field, field_code::k_not_utf8,
                          "the form field '" + field + "' is not valid UTF-8 text");
    return std::string(part->body);
}

std::string MultipartForm::required_text(std::string_view name) const {
    auto text = optional_text(name);
    if (!text) {
        const std::string field(name);
        throw field_error(field, field_code::k_required,
                          find(name) == nullptr ? "the form field '" + field + "' is missing"
                                                : "the form field '" + field + "' is empty");
    }
    return *text;
}

const FormPart& MultipartForm::required_file(std::string_view name) const {
    const std::string field(name);
    const std::vector<const FormPart*> all = required_files(name);
    if (all.size() > 1)
        throw field_error(
            field, field_code::k_duplicate,
            "the form field '" + field + "' takes one file, not " + std::to_string(all.size()));
    return *all.front();
}

std::vector<const FormPart*> MultipartForm::required_files(std::string_view name) const {
    const std::string field(name);
    std::vector<const FormPart*> all;
    for (const auto& candidate : m_parts)
        if (candidate.name == name) all.push_back(&candidate);
    if (all.empty())
        throw field_error(field, field_code::k_required,
                          "the form field '" + field + "' (a file) is missing");
    for (const FormPart* part : all) {
        if (!part->filename)
            throw field_error(field, field_code::k_wrong_type,
                              "the form field '" + field +
                                  "' must be a file (Content-Disposition with a filename)");
        if (part->body.empty())
            throw field_error(field, field_code::k_required,
                              "the file in '" + field + "' is empty");
    }
    return all;
}

std::optional<int> optional_epsg(const MultipartForm& form, std::string_view name) {
    auto text = form.optional_text(name);
    if (!text) return std::nullopt;
    std::string_view code = *text;
    if (code.size() > 5 && ascii_iequals(code.substr(0, 5), "EPSG:")) code.remove_prefix(5);
    int value = 0;
    const auto [end, error] = std::from_chars(code.data(), code.data() + code.size(), value);
    if (error != std::errc() || end != code.data() + code.size() || value < 1 || value > 999999)
        throw field_error(std::string(name), field_code::k_invalid_value,
                          "the form field '" + std::string(name) +
                              "' must be an EPSG code such as 25832 or EPSG:25832, not '" + *text +
                              "'");
    return value;
}

}  // namespace leerstand::http
