#include "data/image_store.hpp"

#include "data/connection.hpp"
#include "data/store.hpp"

namespace leerstand::data {

ImageStore::ImageStore(Store& store) : m_store(store) {}

void ImageStore::insert(const ImageRecord& image, const std::vector<ImageVariant>& variants) {
    Connection& connection = m_store.connection();
    Transaction transaction(connection);
    connection
        .prepare(
            "INSERT INTO images (id, kommune_ags, created_by, created_at, width, height) "
            "VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, image.id)
        .bind(2, image.kommune_ags)
        .bind(3, image.created_by)
        .bind(4, utc_now_iso8601())
        .bind(5, image.width)
        .bind(6, image.height)
        .run();
    Statement add =
        connection.prepare("INSERT INTO image_variants (image_id, size, bytes) VALUES (?, ?, ?)");
    for (const ImageVariant& variant : variants) {
        add.bind(1, image.id)
            .bind(2, variant.size)
            .bind_blob(3, {reinterpret_cast<const unsigned char*>(variant.bytes.data()),
                           variant.bytes.size()})
            .run();
        add.reset();
    }
    transaction.commit();
}

std::optional<std::string> ImageStore::variant(std::string_view id, int size) {
    Statement statement = m_store.connection().prepare(
        "SELECT bytes FROM image_variants WHERE image_id = ? AND size = ?");
    statement.bind(1, id).bind(2, size);
    if (!statement.step()) return std::nullopt;
    const auto bytes = statement.column_blob_view(0);
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::optional<ImageRecord> ImageStore::find(std::string_view id) {
    Statement statement = m_store.connection().prepare(
        "SELECT id, kommune_ags, created_by, width, height FROM images WHERE id = ?");
    statement.bind(1, id);
    if (!statement.step()) return std::nullopt;
    ImageRecord image;
    image.id = statement.column_text(0);
    if (!statement.column_is_null(1)) image.kommune_ags = statement.column_text(1);
    image.created_by = statement.column_text(2);
    image.width = static_cast<int>(statement.column_int64(3));
    image.height = static_cast<int>(statement.column_int64(4));
    return image;
}

}  // namespace leerstand::data
