#include <pistache/http.h>

#include <string>

#include "common/error.hpp"
#include "server/http/multipart.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/upload_jobs.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

/// The upload form: `file` and `kommune`, optionally `layer`, `srs`, `encoding` and `mode`.
services::UploadRequest upload_request(const Rest::Request& request) {
    const MultipartForm form =
        MultipartForm::parse(header_value(request, "Content-Type").value_or(""), request.body());
    services::UploadRequest upload;
    const FormPart& file = form.required_file("file");
    upload.file_name = file.filename.value_or("upload");
    upload.content = file.body;  // a view: submit() saves it before the request goes
    upload.kommune = form.required_text("kommune");
    upload.layer = form.optional_text("layer").value_or("buildings");
    upload.srs = optional_epsg(form, "srs");
    upload.encoding = form.optional_text("encoding");
    upload.mode = form.optional_text("mode").value_or("append");
    return upload;
}

void post_upload(const ApiContext& context, const Rest::Request& request,
                 Http::ResponseWriter& writer) {
    // Who first: an anonymous or out-of-scope caller learns nothing about the body.
    const services::Caller caller = request_caller(request, context);
    services::require_signed_in(caller);
    const std::uint64_t limit = context.uploads->limits().max_body_bytes;
    if (request.body().size() > limit)
        throw TooLarge(
            "the upload is larger than the limit of " + std::to_string(limit >> 20) + " MiB",
            {{"limit_bytes", limit}});
    const std::int64_t id = context.uploads->submit(upload_request(request), caller);
    const std::string location = "/api/uploads/" + std::to_string(id);
    set_header(writer, "Location", location);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Accepted, {{"id", id}, {"state", "queued"}, {"href", location}});
}

void get_upload(const ApiContext& context, const Rest::Request& request,
                Http::ResponseWriter& writer) {
    const services::Caller caller = request_caller(request, context);
    const nlohmann::json status =
        context.uploads->status(id_param(request, ":upload", "upload"), caller);
    set_caller_cache_headers(writer, caller);
    send_json(writer, Http::Code::Ok, status);
}

}  // namespace

void add_upload_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(router, context,
                    {
                        {"/api/uploads", Method::Post, post_upload},
                        {"/api/uploads/:upload", Method::Get, get_upload},
                    });
}

}  // namespace leerstand::http
