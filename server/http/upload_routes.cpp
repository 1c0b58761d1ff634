#include <pistache/http.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "server/http/multipart.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/services/upload_jobs.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

/// The upload form: `file` (once, or a shapefile's parts as several `file`s), `kommune` or
/// `assignment=automatic`, optionally `layer`, `srs`, `encoding` and `mode`.
services::UploadRequest upload_request(const Rest::Request& request) {
    const MultipartForm form =
        MultipartForm::parse(header_value(request, "Content-Type").value_or(""), request.body());
    services::UploadRequest upload;
    const std::vector<const FormPart*> files = form.required_files("file");
    upload.file_name = files.front()->filename.value_or("upload");
    upload.content = files.front()->body;  // views: submit() saves them before the request goes
    for (std::size_t i = 1; i < files.size(); ++i)
        upload.more_files.push_back({files[i]->filename.value_or("upload"), files[i]->body});
    const std::string assignment = form.optional_text("assignment").value_or("kommune");
    if (assignment != "kommune" && assignment != "automatic")
        throw field_error("assignment", field_code::k_not_one_of,
                          "assignment must be kommune or automatic, not '" + assignment + "'",
                          {{"allowed", {"kommune", "automatic"}}});
    upload.automatic = assignment == "automatic";
    upload.kommune = upload.automatic ? form.optional_text("kommune").value_or("")
                                      : form.required_text("kommune");
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
