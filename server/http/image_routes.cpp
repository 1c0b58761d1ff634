#include <pistache/http.h>

#include <charconv>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "server/http/multipart.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/image_service.hpp"
#include "server/services/thread_store.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

// Room for the form around the file: its boundaries, part headers and the `kommune` field.
constexpr std::size_t k_form_allowance = 64u << 10;

/// `POST /api/images`: the form's `file` and optional `kommune` → 201 with the id and URLs.
void post_image(const ApiContext& context, const Rest::Request& request,
                Http::ResponseWriter& writer) {
    // Who first: an anonymous caller learns nothing about the body, not even its size.
    const services::Caller caller = request_caller(request, context);
    services::require_signed_in(caller);
    if (request.body().size() > services::k_max_image_bytes + k_form_allowance)
        throw TooLarge(ErrorCode{error_code::k_image_too_large},
                       "the image file is larger than " +
                           std::to_string(services::k_max_image_bytes >> 20) + " MiB");
    const MultipartForm form =
        MultipartForm::parse(header_value(request, "Content-Type").value_or(""), request.body());
    const FormPart& file = form.required_file("file");
    const services::StoredImage image =
        services::thread_service<services::ImageService>(context.db)
            .upload(file.body, form.optional_text("kommune"), caller);
    set_header(writer, "Location", services::image_urls(image.id).large);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Created, image);
}

/// The size a variant's file name asks for ("320.jpg" → 320); nullopt for anything else.
std::optional<int> variant_size(const std::string& file) {
    constexpr std::string_view k_extension = ".jpg";
    if (!file.ends_with(k_extension)) return std::nullopt;
    const char* end = file.data() + file.size() - k_extension.size();
    int size = 0;
    const auto [stop, error] = std::from_chars(file.data(), end, size);
    if (error != std::errc() || stop != end || file.front() == '0') return std::nullopt;
    return size;
}

/// `GET /images/{id}/{size}.jpg`: a variant, public and never changing (a new picture gets a
/// new id), so caches may keep it for a year and revalidate by ETag.
void get_image(const ApiContext& context, const Rest::Request& request,
               Http::ResponseWriter& writer) {
    const std::string id = path_param(request, ":image");
    const std::string file = path_param(request, ":file");
    const auto size = variant_size(file);
    if (!size) throw NotFound("images are at /images/{id}/{320,800,1600}.jpg");
    const std::string bytes =
        services::thread_service<services::ImageService>(context.db).variant(id, *size);
    // The bytes of an id and size never change, so the pair is a strong validator.
    const std::string etag = "\"" + id + "-" + std::to_string(*size) + "\"";
    set_header(writer, "ETag", etag);
    set_header(writer, "Cache-Control", "public, max-age=31536000, immutable");
    const auto if_none_match = header_value(request, "If-None-Match");
    if (if_none_match &&
        (trimmed(*if_none_match) == "*" || if_none_match->find(etag) != std::string::npos)) {
        writer.send(Http::Code::Not_Modified);
        return;
    }
    send_answer(writer, Http::Code::Ok, bytes, "image/jpeg");
}

}  // namespace

void add_image_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/api/images", Method::Post, post_image},
                        {"/images/:image/:file", Method::Get, get_image},
                    });
}

}  // namespace leerstand::http
