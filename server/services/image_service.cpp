#include "server/services/image_service.hpp"

#include <sodium.h>
#include <vips/vips.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/ags.hpp"
#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "data/image_store.hpp"
#include "data/store.hpp"
#include "demo/deterministic.hpp"

namespace leerstand::services {

namespace {

// JPEG quality of every variant: photos of buildings stay crisp at about a tenth of the bytes
// of quality 95.
constexpr int k_jpeg_quality = 82;

// The loaders libvips picks for the three formats we take. Anything else it can read (GIF,
// TIFF, SVG, PDF, HEIC, ImageMagick's formats...) is refused: fewer decoders facing uploads.
constexpr std::array<std::string_view, 3> k_accepted_loaders = {
    "VipsForeignLoadJpegBuffer", "VipsForeignLoadPngBuffer", "VipsForeignLoadWebpBuffer"};

struct ImageUnref {
    void operator()(VipsImage* image) const noexcept { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, ImageUnref>;

struct BufferFree {
    void operator()(void* buffer) const noexcept { g_free(buffer); }
};
using BufferPtr = std::unique_ptr<void, BufferFree>;

struct AreaUnref {
    void operator()(VipsArrayDouble* array) const noexcept { vips_area_unref(VIPS_AREA(array)); }
};
using DoubleArrayPtr = std::unique_ptr<VipsArrayDouble, AreaUnref>;

/// libvips is started once per process. Operations are not cached: every upload is new, and a
/// cache would keep decoded pixels of uploads in memory. Loaders libvips marks untrusted (for
/// hostile input) are blocked on top of our own list.
void start_vips() {
    static std::once_flag started;
    std::call_once(started, [] {
        if (vips_init("leerstand") != 0) throw InternalError("libvips could not be started");
        vips_cache_set_max(0);
        vips_block_untrusted_set(TRUE);
    });
}

/// libvips' last error text, cleared: for the log only (it may name library internals).
std::string vips_error_text() {
    std::string text = vips_error_buffer();
    vips_error_clear();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

[[noreturn]] void fail_internal(const std::string& what) {
    throw InternalError("libvips: " + what + ": " + vips_error_text());
}

InvalidInput invalid_image() {
    vips_error_clear();
    return InvalidInput(ErrorCode{error_code::k_invalid_image},
                        "the image cannot be read: the file is damaged or incomplete");
}

TooLarge too_large(const std::string& why) {
    return TooLarge(ErrorCode{error_code::k_image_too_large}, why);
}

/// Refuses what is not a JPEG, PNG or WebP by its content (the file name and the type the
/// client sent say nothing), and images declaring more than k_max_image_pixels.
void check_header(std::string_view bytes) {
    const char* loader = vips_foreign_find_load_buffer(bytes.data(), bytes.size());
    vips_error_clear();  // "not a known format" is the answer here, not a fault
    if (!loader || std::find(k_accepted_loaders.begin(), k_accepted_loaders.end(),
                             std::string_view(loader)) == k_accepted_loaders.end())
        throw Unsupported(ErrorCode{error_code::k_unsupported_image},
                          "only JPEG, PNG and WebP images are taken");
    // Only the header is read here: libvips decodes pixels when they are asked for.
    ImagePtr header(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "fail_on",
                                               VIPS_FAIL_ON_ERROR, "access", VIPS_ACCESS_SEQUENTIAL,
                                               nullptr));
    if (!header) throw invalid_image();
    const std::int64_t pixels =
        std::int64_t{vips_image_get_width(header.get())} * vips_image_get_height(header.get());
    if (pixels > k_max_image_pixels)
        throw too_large("the image has " + std::to_string(pixels / 1'000'000) +
                        " megapixels; at most " + std::to_string(k_max_image_pixels / 1'000'000) +
                        " are taken");
}

/// `image` turned upright and scaled to fit `size` × `size` (never enlarged), decoded into
/// memory. Errors here are the file's: decoding happens now.
ImagePtr upright_within(std::string_view bytes, int size) {
    VipsImage* out = nullptr;
    // thumbnail turns the image by its EXIF orientation, imports an embedded ICC profile to
    // sRGB and, for JPEG and WebP, decodes at a reduced size right away.
    if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &out, size, "height",
                              size, "size", VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR,
                              nullptr) != 0)
        throw invalid_image();
    ImagePtr scaled(out);
    ImagePtr decoded(vips_image_copy_memory(scaled.get()));
    if (!decoded) throw invalid_image();
    return decoded;
}

/// `image` scaled further down to fit `size` × `size`.
ImagePtr shrunk(VipsImage* image, int size) {
    VipsImage* out = nullptr;
    if (vips_thumbnail_image(image, &out, size, "height", size, "size", VIPS_SIZE_DOWN, "no_rotate",
                             TRUE, nullptr) != 0)
        fail_internal("thumbnail");
    return ImagePtr(out);
}

/// 8-bit sRGB without alpha (transparent parts on white), encoded as a baseline JPEG without
/// any metadata: no EXIF (camera, time, GPS), XMP, IPTC, ICC profile or comment survives.
std::string jpeg_of(VipsImage* image) {
    VipsImage* out = nullptr;
    if (vips_colourspace(image, &out, VIPS_INTERPRETATION_sRGB, nullptr) != 0)
        fail_internal("colourspace");
    ImagePtr current(out);
    if (vips_image_hasalpha(current.get())) {
        double white[] = {255.0, 255.0, 255.0};
        DoubleArrayPtr background(vips_array_double_new(white, 3));
        if (vips_flatten(current.get(), &out, "background", background.get(), nullptr) != 0)
            fail_internal("flatten");
        current.reset(out);
    }
    if (vips_cast_uchar(current.get(), &out, nullptr) != 0) fail_internal("cast");
    current.reset(out);
    void* buffer = nullptr;
    std::size_t length = 0;
    if (vips_jpegsave_buffer(current.get(), &buffer, &length, "Q", k_jpeg_quality, "strip", TRUE,
                             "optimize_coding", TRUE, nullptr) != 0)
        fail_internal("jpegsave");
    const BufferPtr owned(buffer);
    return std::string(static_cast<const char*>(buffer), length);
}

struct ProcessedImage {
    int width = 0;  ///< of the largest variant
    int height = 0;
    std::vector<data::ImageVariant> variants;
};

ProcessedImage processed(std::string_view bytes) {
    start_vips();
    if (bytes.size() > k_max_image_bytes)
        throw too_large("the image file is larger than " + std::to_string(k_max_image_bytes >> 20) +
                        " MiB");
    check_header(bytes);
    // Decoded once, at the largest size; the smaller ones are made from that.
    const ImagePtr largest = upright_within(bytes, k_image_sizes.back());
    ProcessedImage result;
    result.width = vips_image_get_width(largest.get());
    result.height = vips_image_get_height(largest.get());
    for (const int size : k_image_sizes) {
        const ImagePtr variant =
            size == k_image_sizes.back() ? nullptr : shrunk(largest.get(), size);
        result.variants.push_back({size, jpeg_of(variant ? variant.get() : largest.get())});
    }
    return result;
}

/// 128 random bits as 32 lowercase hex digits: not guessable, not in any order.
std::string random_image_id() {
    unsigned char bytes[16];
    randombytes_buf(bytes, sizeof bytes);
    char hex[sizeof bytes * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
    return hex;
}

/// A colour of the illustration: one of `palette`, varied a little by `rng`.
using Colour = std::array<double, 3>;
Colour pick(demo::detail::Rng& rng, std::initializer_list<Colour> palette) {
    Colour colour = *(palette.begin() + rng.integer(0, static_cast<int>(palette.size()) - 1));
    for (double& channel : colour) channel = std::clamp(channel + rng.uniform(-12, 12), 0.0, 255.0);
    return colour;
}

void fill(VipsImage* canvas, Colour colour, int left, int top, int width, int height) {
    if (vips_draw_rect(canvas, colour.data(), 3, left, top, width, height, "fill", TRUE, nullptr) !=
        0)
        fail_internal("draw_rect");
}

/// A sky fading from `top` at the top edge to `bottom` at the bottom edge, in memory to draw on.
ImagePtr sky(int width, int height, Colour top, Colour bottom) {
    VipsImage* out = nullptr;
    if (vips_xyz(&out, width, height, nullptr) != 0) fail_internal("xyz");
    const ImagePtr coordinates(out);
    if (vips_extract_band(coordinates.get(), &out, 1, nullptr) != 0) fail_internal("extract_band");
    const ImagePtr rows(out);
    double slope[3];
    double offset[3];
    for (int band = 0; band < 3; ++band) {
        slope[band] = (bottom[band] - top[band]) / height;
        offset[band] = top[band];
    }
    if (vips_linear(rows.get(), &out, slope, offset, 3, "uchar", TRUE, nullptr) != 0)
        fail_internal("linear");
    const ImagePtr gradient(out);
    ImagePtr canvas(vips_image_copy_memory(gradient.get()));
    if (!canvas) fail_internal("copy_memory");
    return canvas;
}

/// `caption` in white on a dark band along the bottom; nothing when no font renders it.
void draw_caption(VipsImage* canvas, std::string_view caption) {
    const int width = vips_image_get_width(canvas);
    const int height = vips_image_get_height(canvas);
    // vips_text reads Pango markup: the caption is text, so its <, > and & are escaped.
    const std::unique_ptr<char, BufferFree> escaped(
        g_markup_escape_text(caption.data(), static_cast<gssize>(caption.size())));
    VipsImage* out = nullptr;
    if (vips_text(&out, escaped.get(), "font", "DejaVu Sans Bold 30", "width", width - 80, "dpi",
                  72, nullptr) != 0) {
        vips_error_clear();  // no Pango or no font: the picture goes without its caption
        return;
    }
    const ImagePtr mask(out);
    const int band = std::max(90, vips_image_get_height(mask.get()) + 40);
    fill(canvas, {40, 40, 48}, 0, height - band, width, band);
    Colour white = {250, 250, 250};
    if (vips_draw_mask(canvas, white.data(), 3, mask.get(), 40,
                       height - band + (band - vips_image_get_height(mask.get())) / 2,
                       nullptr) != 0)
        fail_internal("draw_mask");
}

}  // namespace

ImageUrls image_urls(std::string_view id) {
    const std::string base = "/images/" + std::string(id) + "/";
    return {base + std::to_string(k_image_sizes[0]) + ".jpg",
            base + std::to_string(k_image_sizes[1]) + ".jpg",
            base + std::to_string(k_image_sizes[2]) + ".jpg"};
}

void to_json(nlohmann::json& json, const ImageUrls& urls) {
    json = {{"small", urls.small}, {"medium", urls.medium}, {"large", urls.large}};
}

bool is_image_id(std::string_view text) {
    return text.size() == 32 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

void to_json(nlohmann::json& json, const StoredImage& image) {
    json = {{"id", image.id},
            {"width", image.width},
            {"height", image.height},
            {"urls", image_urls(image.id)}};
}

std::string illustration(std::uint64_t seed, std::string_view caption) {
    start_vips();
    demo::detail::Rng rng(seed);
    constexpr int k_width = 1200;
    constexpr int k_height = 800;
    const Colour sky_top = pick(rng, {{70, 130, 210}, {95, 150, 220}, {120, 110, 180}});
    const Colour sky_bottom = pick(rng, {{200, 225, 245}, {240, 210, 170}, {215, 230, 240}});
    const ImagePtr canvas = sky(k_width, k_height, sky_top, sky_bottom);
    VipsImage* image = canvas.get();

    Colour sun = pick(rng, {{255, 230, 140}, {255, 245, 200}});
    if (vips_draw_circle(image, sun.data(), 3, rng.integer(120, k_width - 120),
                         rng.integer(80, 200), rng.integer(40, 70), "fill", TRUE, nullptr) != 0)
        fail_internal("draw_circle");
    const int horizon = rng.integer(500, 560);
    fill(image, pick(rng, {{90, 145, 75}, {120, 150, 80}, {150, 140, 90}}), 0, horizon, k_width,
         k_height - horizon);

    // The house: walls, a roof of stacked rows, a chimney, two floors of windows and a door.
    const int house_width = rng.integer(520, 680);
    const int wall_height = rng.integer(250, 300);
    const int left = (k_width - house_width) / 2 + rng.integer(-100, 100);
    const int base = horizon + 90;
    const int top = base - wall_height;
    const Colour wall = pick(rng, {{232, 214, 170},
                                   {200, 120, 90},
                                   {226, 226, 214},
                                   {170, 192, 160},
                                   {214, 172, 118},
                                   {184, 152, 172}});
    const Colour roof = pick(rng, {{150, 60, 50}, {88, 90, 102}, {122, 72, 52}});
    fill(image, wall, left, top, house_width, wall_height);
    const int roof_height = rng.integer(120, 170);
    const int overhang = 24;
    fill(image, roof, left + house_width * 2 / 3, top - roof_height, 36, roof_height / 2);
    for (int row = 0; row < roof_height; ++row) {
        const int half = (house_width / 2 + overhang) * (row + 1) / roof_height;
        fill(image, roof, left + house_width / 2 - half, top - roof_height + row, 2 * half, 1);
    }
    const Colour frame = {245, 245, 240};
    const Colour glass = pick(rng, {{150, 190, 220}, {250, 228, 150}, {120, 160, 190}});
    const int columns = rng.integer(3, 4);
    const int window_width = house_width / (2 * columns + 1);
    const int window_height = wall_height / 4;
    for (int floor = 0; floor < 2; ++floor)
        for (int column = 0; column < columns; ++column) {
            const int x = left + window_width * (2 * column + 1);
            const int y = top + 24 + floor * (window_height + 36);
            if (floor == 1 && column == columns / 2) continue;  // the door's place
            fill(image, frame, x - 6, y - 6, window_width + 12, window_height + 12);
            fill(image, glass, x, y, window_width, window_height);
        }
    const int door_width = window_width + 10;
    const int door_left = left + window_width * (2 * (columns / 2) + 1) - 5;
    fill(image, frame, door_left - 6, base - wall_height / 2 - 6, door_width + 12,
         wall_height / 2 + 6);
    fill(image, pick(rng, {{96, 62, 40}, {60, 90, 122}, {70, 110, 80}}), door_left,
         base - wall_height / 2, door_width, wall_height / 2);

    if (!caption.empty()) draw_caption(image, caption);
    return jpeg_of(image);
}

ImageService::ImageService(data::Store& store)
    : m_store(store), m_images(std::make_unique<data::ImageStore>(store)) {}
ImageService::~ImageService() = default;

StoredImage ImageService::upload(std::string_view bytes, const std::optional<std::string>& kommune,
                                 const Caller& caller) {
    require_signed_in(caller);
    if (caller.role != Role::Admin && (caller.role != Role::Editor || caller.kommunen.empty()))
        throw Forbidden("only editors of a Kommune and admins may upload images");
    if (kommune) {
        const auto ags = Ags::parse(*kommune);
        if (!ags || !m_store.kommune_exists(ags->text()))
            throw field_error(
                "kommune", ags ? field_code::k_unknown_kommune : field_code::k_not_an_ags,
                "unknown Kommune " + *kommune + ": no Kommune with this AGS is loaded");
        require_write(caller, ags->text());
    }
    return store(bytes, kommune, caller.name);
}

StoredImage ImageService::store(std::string_view bytes, const std::optional<std::string>& kommune,
                                const std::string& created_by) {
    const ProcessedImage image = processed(bytes);
    data::ImageRecord record;
    record.id = random_image_id();
    record.kommune_ags = kommune;
    record.created_by = created_by;
    record.width = image.width;
    record.height = image.height;
    m_images->insert(record, image.variants);
    return {record.id, image.width, image.height};
}

std::string ImageService::variant(std::string_view id, int size) {
    const bool known_size =
        std::find(k_image_sizes.begin(), k_image_sizes.end(), size) != k_image_sizes.end();
    if (is_image_id(id) && known_size)
        if (auto bytes = m_images->variant(id, size)) return std::move(*bytes);
    throw NotFound("there is no image " + std::string(id.substr(0, 40)) + " of size " +
                   std::to_string(size));
}

bool ImageService::exists(std::string_view id) {
    return is_image_id(id) && m_images->find(id).has_value();
}

}  // namespace leerstand::services
