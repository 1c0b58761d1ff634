#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Pictures of Kommune profiles and Zukunftsorte: one row per image and its encoded variants as
/// BLOBs (migration 9). The bytes come ready-made from the image service; nothing here reads or
/// changes them.
namespace leerstand::data {

class Store;

/// One row of `images`.
struct ImageRecord {
    std::string id;                          ///< 32 lowercase hex digits, random
    std::optional<std::string> kommune_ags;  ///< the Kommune it was uploaded for, if named
    std::string created_by;                  ///< the user's name
    int width = 0;                           ///< of the largest variant
    int height = 0;
};

/// One encoded size of an image: `size` is the longest side it was made for (320, 800, 1600).
struct ImageVariant {
    int size = 0;
    std::string bytes;
};

/// Reads and writes images through the Store's connection, on the Store's thread only.
class ImageStore {
  public:
    /// `store` must outlive this object.
    explicit ImageStore(Store& store);

    /// Stores the image with all its variants in one transaction: all or nothing.
    /// @throws Conflict for an id stored already.
    void insert(const ImageRecord& image, const std::vector<ImageVariant>& variants);

    /// The bytes of `id`'s variant `size`, or nullopt when there is none.
    std::optional<std::string> variant(std::string_view id, int size);

    /// The image's row, or nullopt.
    std::optional<ImageRecord> find(std::string_view id);

  private:
    Store& m_store;
};

}  // namespace leerstand::data
