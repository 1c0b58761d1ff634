#pragma once

#include <cstdint>
#include <optional>
#include <string>

/// The public profiles of the Kommunen: the profile columns of `kommunen` (migration 1), the
/// page address (slug) and the profile's own version (migration 13).
namespace leerstand::data {

class Store;
class Connection;

/// What a Kommune shows of itself on its page. Texts absent are NULL in the store.
struct KommuneProfileRecord {
    std::string ags;
    std::string name;
    std::string bez;
    std::string slug;  ///< the readable address: /kommunen/<slug>
    std::optional<std::string> text;
    std::optional<std::string> website;
    std::optional<std::string> contact;       ///< a public contact role of the Kommune
    std::optional<std::string> image_id;      ///< kommunen.image_url holds the image's id
    std::optional<std::string> member_since;  ///< YYYY-MM-DD
    bool founding_member = false;
    /// Moves only when something the profile shows changes: a profile edit, a new name.
    std::int64_t version = 1;
};

/// Reads and writes profiles through the Store's connection (on the Store's thread only).
class ProfileStore {
  public:
    /// `store` must outlive this object.
    explicit ProfileStore(Store& store);

    std::optional<KommuneProfileRecord> by_ags(const std::string& ags);
    std::optional<KommuneProfileRecord> by_slug(const std::string& slug);

    /// Stores the profile fields of `profile` (text, website, contact, image, member since,
    /// founding member) over the Kommune's at `expected_version`, one version further, and
    /// returns what is stored. Name, bez and slug are not the profile's to change.
    /// @throws NotFound for an unknown AGS; PreconditionFailed when the stored version is not
    ///         `expected_version`.
    KommuneProfileRecord update(const KommuneProfileRecord& profile, std::int64_t expected_version);

  private:
    Store& m_store;
};

/// Gives each Kommune without a slug one, in the caller's transaction: the slug of its name
/// (common/slug.hpp) when no other Kommune has it, else that slug followed by '-' and its AGS,
/// which no other can have. Gemeinden are served before Kreise, each in AGS order, so of a
/// town and its Landkreis of the same name the town gets the short address. A slug once given
/// is kept for good (a shared link must keep working), even when a later import renames the
/// Kommune or brings a namesake.
void assign_kommune_slugs(Connection& connection);

}  // namespace leerstand::data
