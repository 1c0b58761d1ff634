#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "server/services/caller.hpp"

namespace leerstand::data {
class Store;
class ImageStore;
}  // namespace leerstand::data

/// Pictures of Kommune profiles, Zukunftsorte (and later offers): uploaded as JPEG, PNG or
/// WebP, stored as three JPEG sizes with every metadata block removed, served under
/// `/images/<id>/<size>.jpg`. Decoding and encoding are libvips'; no image code of our own.
namespace leerstand::services {

/// The longest side of each stored variant, smallest first.
inline constexpr std::array<int, 3> k_image_sizes = {320, 800, 1600};
/// The largest image file taken (413, code `image_too_large`).
inline constexpr std::size_t k_max_image_bytes = 15u << 20;
/// The most pixels an image may declare; checked from its header before anything is decoded,
/// so a small file that unpacks to gigabytes (a decompression bomb) is refused cheaply.
inline constexpr std::int64_t k_max_image_pixels = 50'000'000;

/// The public paths of an image's variants (`/images/<id>/320.jpg`, …) under the names the
/// web app uses; as JSON `{"small", "medium", "large"}`.
struct ImageUrls {
    std::string small;
    std::string medium;
    std::string large;
};
ImageUrls image_urls(std::string_view id);
void to_json(nlohmann::json& json, const ImageUrls& urls);

/// True for what an image id looks like: 32 lowercase hex digits.
bool is_image_id(std::string_view text);

/// A stored image: its id and the size of its largest variant.
struct StoredImage {
    std::string id;
    int width = 0;
    int height = 0;
};
/// `{"id", "width", "height", "urls"}`, the answer to an upload.
void to_json(nlohmann::json& json, const StoredImage& image);

/// An illustrative picture for the demo data, drawn with libvips alone: a sky, the sun, the
/// ground and a house front with windows and a door, in colours chosen by `seed`, and
/// `caption` along the bottom when a font is at hand. The same seed and caption give the same
/// bytes. Returns a JPEG; store it with ImageService::store like any upload.
std::string illustration(std::uint64_t seed, std::string_view caption);

/// The image use cases on the thread's Store (one per thread, like the Store).
class ImageService {
  public:
    explicit ImageService(data::Store& store);
    ~ImageService();
    ImageService(const ImageService&) = delete;
    ImageService& operator=(const ImageService&) = delete;

    /// An upload: `bytes` of the file, for `kommune` (an AGS) if named, by `caller`.
    /// Signed-in editors may upload for a Kommune of their scope (or, naming none, if they have
    /// one), admins always; the caller is checked before the bytes are looked at.
    /// @throws Unauthenticated for the public; Forbidden for a planner or a Kommune outside the
    ///         editor's scope; InvalidInput naming `kommune` for a malformed or unknown AGS;
    ///         and what store() throws.
    StoredImage upload(std::string_view bytes, const std::optional<std::string>& kommune,
                       const Caller& caller);

    /// Stores `bytes` as a new image (no permission check: the demo and upload() use it).
    /// @throws TooLarge (code `image_too_large`) beyond k_max_image_bytes or
    ///         k_max_image_pixels; Unsupported (415, code `unsupported_image`) for anything
    ///         but JPEG, PNG and WebP, judged by content; InvalidInput (code `invalid_image`) for
    ///         a damaged or truncated file. Nothing is stored then.
    StoredImage store(std::string_view bytes, const std::optional<std::string>& kommune,
                      const std::string& created_by);

    /// The JPEG of `id`'s variant `size`.
    /// @throws NotFound for an unknown id or a size not in k_image_sizes.
    std::string variant(std::string_view id, int size);

    /// True when an image of this id is stored (for the parts that link images).
    bool exists(std::string_view id);

  private:
    data::Store& m_store;
    std::unique_ptr<data::ImageStore> m_images;
};

}  // namespace leerstand::services
