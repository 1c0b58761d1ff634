#include "server/services/profile_service.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ags.hpp"
#include "common/bounded_text.hpp"
#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "common/iso_date.hpp"
#include "common/text.hpp"
#include "data/profile_store.hpp"
#include "server/services/feature_input.hpp"
#include "server/services/image_service.hpp"
#include "server/services/summary_service.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

constexpr std::size_t k_text_max = 5000;
constexpr std::size_t k_website_max = 500;
constexpr std::size_t k_contact_max = 500;
/// How long a link preview's description may be: what search results and chats show.
constexpr std::size_t k_preview_max = 200;
constexpr std::string_view k_invalid = "the profile is not valid";

json text_or_null(const std::optional<std::string>& text) {
    return text ? json(*text) : json(nullptr);
}

json profile_json(const data::KommuneProfileRecord& record, const std::string& base_url) {
    json image = nullptr;
    if (record.image_id) image = {{"id", *record.image_id}, {"urls", image_urls(*record.image_id)}};
    return {{"ags", record.ags},
            {"name", record.name},
            {"bez", record.bez.empty() ? json(nullptr) : json(record.bez)},
            {"slug", record.slug},
            {"url", base_url + "/kommunen/" + record.slug},
            {"text", text_or_null(record.text)},
            {"website", text_or_null(record.website)},
            {"contact", text_or_null(record.contact)},
            {"image", std::move(image)},
            {"member_since", text_or_null(record.member_since)},
            {"founding_member", record.founding_member}};
}

/// `text` with every run of white space as one space, trimmed.
std::string one_line(std::string_view text) {
    std::string line;
    bool space = false;
    for (const char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            space = !line.empty();
            continue;
        }
        if (space) line += ' ';
        space = false;
        line += c;
    }
    return line;
}

/// The first sentences of `text` that fit a preview, whole; the first one shortened when it
/// alone is too long.
std::string first_sentences(std::string_view text) {
    const std::string line = one_line(text);
    std::size_t end = 0;  // the end of the last whole sentence that fits
    for (std::size_t i = 0; i < line.size(); ++i) {
        const bool stop = (line[i] == '.' || line[i] == '!' || line[i] == '?') &&
                          (i + 1 == line.size() || line[i + 1] == ' ');
        if (!stop) continue;
        if (utf8_characters(std::string_view(line).substr(0, i + 1)) > k_preview_max) break;
        end = i + 1;
    }
    if (end > 0) return line.substr(0, end);
    return utf8_shortened(line, k_preview_max - 1);
}

/// A merge patch of a profile: each member absent when the patch does not name it; a nested
/// nullopt is a null (the field cleared).
struct ProfilePatch {
    std::optional<std::optional<BoundedText>> text;
    std::optional<std::optional<BoundedText>> website;
    std::optional<std::optional<BoundedText>> contact;
    std::optional<std::optional<std::string>> image_id;
    std::optional<std::optional<IsoDate>> member_since;
    std::optional<bool> founding_member;
};

std::optional<std::optional<std::string>> read_image(const json& value, ImageService& images,
                                                     FieldErrors& errors) {
    if (value.is_null()) return std::optional<std::string>();
    // The profile's own `image` object may come back with its id (and its urls, ignored).
    const json& id = value.is_object() && value.contains("id") ? value.at("id") : value;
    if (!id.is_string() || !is_image_id(id.get_ref<const std::string&>())) {
        errors.add("image", id.is_string() ? field_code::k_invalid_value : field_code::k_wrong_type,
                   "image must be the id of an uploaded image (32 hex digits) or null");
        return std::nullopt;
    }
    // A profile never points at a picture that is not there: its page would show a hole.
    if (!images.exists(id.get_ref<const std::string&>())) {
        errors.add("image", field_code::k_unknown_image,
                   "there is no uploaded image " + id.get<std::string>());
        return std::nullopt;
    }
    return std::optional<std::string>(id.get<std::string>());
}

ProfilePatch read_patch(const json& body, ImageService& images, FieldErrors& errors) {
    ProfilePatch patch;
    if (!body.is_object()) {
        errors.add("", field_code::k_wrong_type,
                   "the body must be a JSON object, not " + json_type_name(body));
        return patch;
    }
    // Clients send back what they read; what the profile does not own is ignored.
    static const std::vector<std::string_view> k_read_only = {"ags", "name", "bez", "slug", "url"};
    for (const auto& [key, value] : body.items()) {
        if (key == "text") {
            if (auto text = read_optional_text(value, key, k_text_max, errors))
                patch.text = std::move(*text);
        } else if (key == "contact") {
            if (auto text = read_optional_text(value, key, k_contact_max, errors))
                patch.contact = std::move(*text);
        } else if (key == "website") {
            if (auto url = read_optional_web_url(value, key, k_website_max, errors))
                patch.website = std::move(*url);
        } else if (key == "image") {
            if (auto image = read_image(value, images, errors)) patch.image_id = std::move(*image);
        } else if (key == "member_since") {
            if (auto date = read_optional_date(value, key, true, errors))
                patch.member_since = std::move(*date);
        } else if (key == "founding_member") {
            if (value.is_boolean() || value.is_null())
                patch.founding_member = value.is_boolean() && value.get<bool>();
            else
                errors.add(key, field_code::k_wrong_type, "founding_member must be true or false");
        } else if (std::find(k_read_only.begin(), k_read_only.end(), key) == k_read_only.end()) {
            errors.add(key, field_code::k_unknown_field, "unknown member '" + key + "'");
        }
    }
    return patch;
}

/// A cleared text and an empty one are the same: nothing to show.
std::optional<std::string> stored_text(const std::optional<BoundedText>& text) {
    if (!text || one_line(text->text()).empty()) return std::nullopt;
    return text->text();
}

data::KommuneProfileRecord patched(data::KommuneProfileRecord record, const ProfilePatch& patch) {
    if (patch.text) record.text = stored_text(*patch.text);
    if (patch.website) record.website = stored_text(*patch.website);
    if (patch.contact) record.contact = stored_text(*patch.contact);
    if (patch.image_id) record.image_id = *patch.image_id;
    if (patch.member_since)
        record.member_since = *patch.member_since
                                  ? std::optional<std::string>((*patch.member_since)->text())
                                  : std::nullopt;
    if (patch.founding_member) record.founding_member = *patch.founding_member;
    return record;
}

bool same_profile(const data::KommuneProfileRecord& a, const data::KommuneProfileRecord& b) {
    return a.text == b.text && a.website == b.website && a.contact == b.contact &&
           a.image_id == b.image_id && a.member_since == b.member_since &&
           a.founding_member == b.founding_member;
}

}  // namespace

struct ProfileService::Impl {
    explicit Impl(data::Store& store) : profiles(store), images(store) {}

    data::ProfileStore profiles;
    ImageService images;

    /// An AGS first, else a slug (slugs are lower case; a link typed with capitals works too).
    std::optional<data::KommuneProfileRecord> find(const std::string& ref) {
        if (Ags::parse(ref)) return profiles.by_ags(ref);
        return profiles.by_slug(ascii_lower(ref));
    }

    data::KommuneProfileRecord found(const std::string& ref) {
        auto record = find(ref);
        if (!record) throw unknown_kommune(ref);
        return std::move(*record);
    }
};

ProfileService::ProfileService(data::Store& store) : m_impl(std::make_unique<Impl>(store)) {}
ProfileService::~ProfileService() = default;
ProfileService::ProfileService(ProfileService&&) noexcept = default;
ProfileService& ProfileService::operator=(ProfileService&&) noexcept = default;

ProfileResult ProfileService::get(const std::string& ref, const std::string& base_url) {
    const data::KommuneProfileRecord record = m_impl->found(ref);
    return {record.ags, record.version, profile_json(record, base_url)};
}

std::optional<KommunePagePreview> ProfileService::page_preview(const std::string& ref) {
    const auto record = m_impl->find(ref);
    if (!record) return std::nullopt;
    KommunePagePreview preview;
    preview.title = record->name;
    preview.description = record->text && !one_line(*record->text).empty()
                              ? first_sentences(*record->text)
                              : "Leerstand und Zukunftsorte in " + record->name +
                                    ": Zahlen, Entwicklung und Profil im Leerstandsatlas.";
    if (record->image_id) preview.image_path = image_urls(*record->image_id).medium;
    preview.path = "/kommunen/" + record->slug;
    return preview;
}

ProfileResult ProfileService::patch(const std::string& ref, const json& patch,
                                    std::optional<std::int64_t> if_match, const Caller& caller,
                                    const std::string& base_url) {
    require_signed_in(caller);
    const data::KommuneProfileRecord current = m_impl->found(ref);
    require_write(caller, current.ags);
    if (!if_match)
        throw PreconditionRequired(
            "send the version you changed as If-Match (the ETag of your last GET)");
    if (*if_match != current.version)
        throw PreconditionFailed::stale("the profile of Kommune", current.ags, current.version,
                                        *if_match);
    FieldErrors errors;
    const ProfilePatch changes = read_patch(patch, m_impl->images, errors);
    errors.throw_if_any(k_invalid);
    data::KommuneProfileRecord next = patched(current, changes);
    if (caller.role != Role::Admin) {
        // Network membership is the network's to record, not the Kommune's.
        json fields = json::array();
        if (next.member_since != current.member_since) fields.push_back("member_since");
        if (next.founding_member != current.founding_member) fields.push_back("founding_member");
        if (!fields.empty())
            throw Forbidden(ErrorCode{error_code::k_admin_only_field},
                            "only an admin may change " + fields.front().get<std::string>() +
                                (fields.size() > 1 ? " and " + fields.back().get<std::string>()
                                                   : std::string()),
                            json{{"fields", fields}});
    }
    // Nothing changed: the version stays, so no one sees an edit that was none.
    if (same_profile(next, current))
        return {current.ags, current.version, profile_json(current, base_url)};
    const data::KommuneProfileRecord stored = m_impl->profiles.update(next, current.version);
    return {stored.ags, stored.version, profile_json(stored, base_url)};
}

}  // namespace leerstand::services
