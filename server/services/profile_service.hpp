#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/services/caller.hpp"

namespace leerstand::data {
class Store;
}

namespace leerstand::services {

/// A Kommune's public profile as the API writes it, with its version (the ETag).
struct ProfileResult {
    std::string ags;
    std::int64_t version = 0;
    /// ags, name, slug, url (the page's absolute address), text, website, contact, image
    /// ({id, urls} or null), member_since, founding_member.
    nlohmann::json profile;
};

/// What a link to a Kommune's page previews (server/http/app_pages.hpp fills in the page).
struct KommunePagePreview {
    std::string title;        ///< the Kommune's name
    std::string description;  ///< the first sentences of its profile text, or a general line
    std::string image_path;   ///< "/images/<id>/800.jpg", or empty
    std::string path;         ///< the canonical path: /kommunen/<slug>
};

/// The use cases of the Kommune profiles (issue 21): read one by AGS or by its readable
/// address (slug), and change it. Profiles are public by design: whoever asks gets the same
/// answer, and its version moves only when the profile or the Kommune's name changes.
///
/// Who may change one: editors whose Kommunen cover it (a Kreis key its Gemeinden) and
/// admins; member_since and founding_member only admins (Forbidden, code
/// "admin_only_field"). Texts: text up to 5,000 characters, website (an http(s) address) and
/// contact up to 500, image the id of an image stored by ImageService (field code
/// "unknown_image" for any other). One per thread.
class ProfileService {
  public:
    explicit ProfileService(data::Store& store);
    ~ProfileService();
    ProfileService(ProfileService&&) noexcept;
    ProfileService& operator=(ProfileService&&) noexcept;

    /// `ref`: an AGS or a slug. `base_url` begins the page address in `url`.
    /// @throws NotFound (code "unknown_kommune") when no Kommune has it.
    ProfileResult get(const std::string& ref, const std::string& base_url);

    /// The preview of the page `/kommunen/<ref>`, or nothing for an unknown `ref`.
    std::optional<KommunePagePreview> page_preview(const std::string& ref);

    /// JSON Merge Patch (RFC 7396) of the profile of Kommune `ref` (an AGS or a slug). In
    /// this order: Unauthenticated for the public; NotFound for an unknown Kommune; Forbidden
    /// outside the caller's Kommunen; PreconditionRequired without `if_match`,
    /// PreconditionFailed when it is not the current version; InvalidInput (field errors)
    /// for a bad body; Forbidden (admin_only_field) for an editor changing an admin's field.
    /// Members it does not change may be sent back as read (ags, name, slug, url, image.urls).
    ProfileResult patch(const std::string& ref, const nlohmann::json& patch,
                        std::optional<std::int64_t> if_match, const Caller& caller,
                        const std::string& base_url);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
