#include "server/services/upload_jobs.hpp"

#include <malloc.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string_view>
#include <thread>

#include "common/ags.hpp"
#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "data/store.hpp"
#include "geo/archive_check.hpp"
#include "geo/crs_inference.hpp"
#include "geo/encoding.hpp"
#include "geo/feature_reader.hpp"
#include "server/services/import_service.hpp"
#include "server/services/thread_store.hpp"
#include "server/services/vacancy_import.hpp"

namespace leerstand::services {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t k_sniff_bytes =
    std::size_t{64} * 1024;  // as much as detect_upload_format needs

constexpr const char* k_server_stopped =
    "the server stopped before this upload was imported; upload the file again";
constexpr const char* k_orphaned =
    "the server stopped while this upload was waiting or being imported; upload the file again";

/// Why a job failed: `code` (error_code) and `values` (the numbers and names a client's own
/// sentence needs) for the web app, `message` in English for API clients.
struct JobError {
    std::string code;
    std::string message;
    nlohmann::json values = nlohmann::json::object();
};

/// The upload status members of a failure: `error`, `error_code`, `error_values`.
void put_job_error(nlohmann::json& target, const JobError& error) {
    target["error"] = error.message;
    target["error_code"] = error.code;
    target["error_values"] = error.values;
}

/// A name nobody can guess or steer: the client's name never reaches the file system.
std::string generated_name(const std::string& extension) {
    static std::mutex mutex;
    static std::mt19937_64 random{std::random_device{}()};
    std::lock_guard lock(mutex);
    constexpr const char* k_hex = "0123456789abcdef";
    std::string name = "upload-";
    for (int word = 0; word < 2; ++word) {
        std::uint64_t bits = random();
        for (int i = 0; i < 16; ++i, bits >>= 4) name.push_back(k_hex[bits & 0xF]);
    }
    return name + extension;
}

void write_file(const fs::path& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    // Uploads may hold personal data (owner contacts of vacancies): for the server's eyes only.
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, ignored);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
        fs::remove(path, ignored);
        throw InternalError("cannot write the upload to " + path.string());
    }
}

std::string describe_bytes(std::uint64_t bytes) {
    constexpr std::uint64_t k_mib = 1ull << 20;
    if (bytes >= k_mib && bytes % k_mib == 0) return std::to_string(bytes / k_mib) + " MiB";
    return std::to_string(bytes) + " bytes";
}

void remove_quietly(const fs::path& path) {
    std::error_code ignored;
    fs::remove(path, ignored);
}

/// Returns the heap an import freed to the system. GDAL's GeoJSON reader alone builds about
/// 40 bytes of objects per byte of a feature's text (a 28 MB footprint: 1.1 GB), and the
/// server raises glibc's trim threshold to keep tile buffers in the heap (server.cpp), so
/// without this the peak of the largest upload stayed resident for good. Once per job, never
/// per response: that would give back the very buffers the threshold keeps.
void give_freed_memory_back() {
    malloc_trim(0);
}

}  // namespace

struct UploadJobs::Impl {
    /// Everything the job thread needs; the request's bytes are on disk by then.
    struct Job {
        std::int64_t id = 0;
        fs::path file;
        std::string display_name;
        std::string layer, kommune, mode, user;
        std::optional<int> srs;
        std::optional<std::string> encoding;
    };

    /// A queued or running job, as status() shows it.
    struct Live {
        std::string state = "queued";
        std::int64_t done = 0;
        std::int64_t total = -1;
        std::string kommune, layer, file_name;
    };

    Impl(fs::path db_path, fs::path work, UploadLimits upload_limits)
        : db(std::move(db_path)), work_dir(std::move(work)), limits(upload_limits) {
        fs::create_directories(work_dir);
        remove_leftover_files();
        worker = std::thread([this] { run(); });
    }

    /// Deletes the files an earlier server left in work_dir: a server killed while a job
    /// waited or ran never removed its file, and uploads may hold personal data. No job of
    /// this process exists yet; the rows of those uploads are reported as interrupted.
    /// (A second server on the same database would lose its waiting uploads; one server
    /// per database is the supported set-up.)
    void remove_leftover_files() {
        std::error_code error;
        for (const auto& entry : fs::directory_iterator(work_dir, error))
            if (entry.path().filename().string().rfind("upload-", 0) == 0)
                remove_quietly(entry.path());
    }
    void run();
    void run_job(const Job& job);
    void record_failure(const Job& job, const JobError& error);
    /// For errors whose text is for the log only: logs it, the user gets the upload id.
    void record_internal_failure(const Job& job, const std::string& log_text);
    nlohmann::json live_status(std::int64_t id, const Live& entry) const;

    const fs::path db;
    const fs::path work_dir;
    const UploadLimits limits;

    // Guards everything below. Every thread uses its own store (thread_store), and no write
    // runs under the mutex: a write may wait for SQLite's lock, and status() (on Pistache's
    // workers) must not wait for the mutex meanwhile.
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Job> queue;
    std::map<std::int64_t, Live> live;
    bool stopping = false;
    std::thread worker;  // last: it starts once everything above exists
};

void UploadJobs::Impl::run() {
    geo::guard_gdal_read_limits();
    while (true) {
        Job job;
        {
            std::unique_lock lock(mutex);
            wake.wait(lock, [this] { return stopping || !queue.empty(); });
            if (stopping) return;  // stop() fails what is still queued
            job = std::move(queue.front());
            queue.pop_front();
            live[job.id].state = "running";
        }
        run_job(job);
        remove_quietly(job.file);
        // Before the entry goes: whoever sees the job ended sees its memory given back.
        give_freed_memory_back();
        std::lock_guard lock(mutex);
        // Only now: the row is final, so status() may read it from the store from here on.
        live.erase(job.id);
    }
}

void UploadJobs::Impl::run_job(const Job& job) {
    try {
        data::Store& store = thread_store(db);  // the job thread's own connection
        store.set_upload_state(job.id, "running");
        geo::ensure_gdal_registered();
        if (job.file.extension() == ".zip")
            geo::verify_zip_file(job.file, job.display_name,
                                 {limits.max_unpacked_bytes, limits.max_zip_entries});

        ImportOptions options;
        options.file = job.file;
        options.display_name = job.display_name;
        if (job.layer != "kommunen") options.kommune = job.kommune;
        options.srs = job.srs;
        options.encoding = job.encoding;
        options.replace = job.mode == "replace";
        options.user = job.user;
        options.upload_id = job.id;
        const ProgressCallback progress = [this, id = job.id](std::int64_t done,
                                                              std::int64_t total) {
            std::lock_guard lock(mutex);
            auto& entry = live[id];
            entry.done = done;
            entry.total = total;
        };
        // Each import ends by writing the uploads row itself: done with its report, or failed
        // (with the report) when no feature could be stored.
        if (job.layer == "buildings") {
            import_buildings(store, options, progress);
        } else if (job.layer == "kommunen") {
            import_kommunen(store, options, progress);
        } else {
            import_vacancies(store, options, progress);
        }
    } catch (const Error& e) {
        if (dynamic_cast<const InternalError*>(&e))
            record_internal_failure(job, e.what());
        else
            record_failure(job, {e.stable_code(),
                                 geo::with_crs_hint(e.what(), "in the upload's form field srs"),
                                 e.extensions()});
    } catch (const std::exception& e) {
        record_internal_failure(job, e.what());
    }
}

void UploadJobs::Impl::record_internal_failure(const Job& job, const std::string& log_text) {
    std::cerr << ("leerstand: upload " + std::to_string(job.id) + " failed: " + log_text + "\n")
              << std::flush;
    record_failure(job, {"internal",
                         "the import failed because of an internal error; the server log has the "
                         "details under upload " +
                             std::to_string(job.id),
                         {{"upload_id", job.id}}});
}

void UploadJobs::Impl::record_failure(const Job& job, const JobError& error) {
    data::UploadRecord record;
    record.id = job.id;
    record.user = job.user;
    record.file_name = job.display_name;
    record.layer = job.layer;
    record.kommune_ags = job.layer == "kommunen" ? "" : job.kommune;
    record.mode = job.mode;
    nlohmann::json report = {
        {"file", job.display_name},
        {"target", job.layer},
        {"mode", job.mode},
        {"kommune",
         record.kommune_ags.empty() ? nlohmann::json(nullptr) : nlohmann::json(record.kommune_ags)},
        {"read", 0},
        {"stored", 0},
        {"rejected", 0},
        {"upload_id", job.id}};
    put_job_error(report, error);
    record.report_json = report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    try {
        thread_store(db).record_failed_upload(record);  // without the mutex, see above
    } catch (const std::exception& e) {
        // The row stays "running"; status() then reports it as interrupted.
        std::cerr << ("leerstand: upload " + std::to_string(job.id) +
                      ": cannot record the failure: " + e.what() + "\n")
                  << std::flush;
    }
}

nlohmann::json UploadJobs::Impl::live_status(std::int64_t id, const Live& entry) const {
    return {{"id", id},
            {"state", entry.state},
            {"progress",
             {{"done", entry.done},
              {"total", entry.total < 0 ? nlohmann::json(nullptr) : nlohmann::json(entry.total)}}},
            {"kommune",
             entry.kommune.empty() ? nlohmann::json(nullptr) : nlohmann::json(entry.kommune)},
            {"layer", entry.layer},
            {"file_name", entry.file_name}};
}

UploadJobs::UploadJobs(std::filesystem::path db, std::filesystem::path work_dir,
                       UploadLimits limits)
    : m_impl(std::make_unique<Impl>(std::move(db), std::move(work_dir), limits)) {}

UploadJobs::~UploadJobs() {
    try {
        stop();
    } catch (const std::exception& e) {
        std::cerr << "leerstand: stopping the upload jobs: " << e.what() << "\n";
    }
}

const UploadLimits& UploadJobs::limits() const {
    return m_impl->limits;
}

std::int64_t UploadJobs::submit(UploadRequest request, const Caller& caller) {
    require_signed_in(caller);
    Impl& impl = *m_impl;

    if (request.layer != "buildings" && request.layer != "vacancies" && request.layer != "kommunen")
        throw field_error("layer", field_code::k_not_one_of,
                          "layer must be buildings or vacancies, not '" + request.layer + "'",
                          {{"allowed", {"buildings", "vacancies"}}});
    if (request.mode != "append" && request.mode != "replace")
        throw field_error("mode", field_code::k_not_one_of,
                          "mode must be append or replace, not '" + request.mode + "'",
                          {{"allowed", {"append", "replace"}}});
    if (request.layer == "kommunen") {
        require_admin(caller);
        request.kommune.clear();  // boundaries carry their own AGS
    } else {
        if (request.kommune.empty())
            throw field_error("kommune", field_code::k_required,
                              "kommune (the AGS the upload belongs to) is missing");
        require_write(caller, request.kommune);
    }
    const bool bad_name =
        !geo::is_valid_utf8(request.file_name) ||
        std::any_of(request.file_name.begin(), request.file_name.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '/' || c == '\\';
        });
    if (bad_name)
        throw field_error("file", field_code::k_invalid_value,
                          "the file name must be UTF-8 text without folders or control "
                          "characters");
    if (request.encoding && !geo::normalize_encoding_name(*request.encoding))
        throw field_error("encoding", field_code::k_not_one_of,
                          "the encoding '" + *request.encoding +
                              "' is unknown; use for example UTF-8, CP1252 or "
                              "ISO-8859-1");
    if (request.srs && (*request.srs < 1 || *request.srs > 999999))
        throw field_error("srs", field_code::k_invalid_value,
                          "srs must be an EPSG code such as 25832");
    if (request.content.empty())
        throw field_error("file", field_code::k_required, "the uploaded file is empty");
    if (request.content.size() > impl.limits.max_body_bytes)
        throw TooLarge(
            "the upload is larger than the limit of " + describe_bytes(impl.limits.max_body_bytes),
            {{"limit_bytes", impl.limits.max_body_bytes}});

    const std::string display_name =
        request.file_name.empty() ? std::string("upload") : request.file_name;
    const geo::UploadFormat format =
        geo::detect_upload_format(request.file_name, request.content.substr(0, k_sniff_bytes));
    if (format == geo::UploadFormat::Shapefile)
        throw field_error("file", field_code::k_incomplete_shapefile,
                          display_name +
                              " is only the geometry part of a shapefile; zip it together "
                              "with its .shx, .dbf and .prj and upload the zip");
    if (format == geo::UploadFormat::Zip) {
        try {
            geo::check_zip(request.content, display_name,
                           {impl.limits.max_unpacked_bytes, impl.limits.max_zip_entries});
        } catch (const InvalidInput& e) {
            // Damaged, encrypted or with unsafe entry names: the file is at fault, not a field.
            throw InvalidInput(ErrorCode{error_code::k_unreadable_upload}, e.what(),
                               e.extensions());
        }
    }

    // The calling thread's own connection, used without the mutex: creating the row waits
    // for SQLite's write lock while another upload's import holds it (up to the busy
    // timeout), and status() must not wait with it.
    data::Store& store = thread_store(impl.db);
    // The Kommune must exist before anything is written: a typo gets a 400 at once, not a
    // failed job later.
    if (!request.kommune.empty()) {
        const auto ags = Ags::parse(request.kommune);
        if (!ags || !store.kommune_exists(ags->text()))
            throw field_error(
                "kommune", ags ? field_code::k_unknown_kommune : field_code::k_not_an_ags,
                "unknown Kommune " + request.kommune + ": no Kommune with this AGS is loaded");
    }

    Impl::Job job;
    job.file = impl.work_dir / generated_name(geo::upload_extension(format));
    write_file(job.file, request.content);
    job.display_name = display_name;
    job.layer = request.layer;
    job.kommune = request.kommune;
    job.mode = request.mode;
    job.user = caller.name;
    job.srs = request.srs;
    job.encoding = request.encoding;

    data::UploadRecord record;
    record.user = job.user;
    record.file_name = display_name;
    record.layer = job.layer;
    record.kommune_ags = job.kommune;
    record.mode = job.mode;
    try {
        // Row first, then the entry: in between, status() reads the row ("queued"), which is
        // what the entry would say too.
        job.id = store.create_upload(record);
        std::lock_guard lock(impl.mutex);
        if (impl.stopping) {
            impl.record_failure(
                job, {error_code::k_server_stopped, k_server_stopped});  // only while shutting down
            throw StorageBusy("the server is shutting down; try again later");
        }
        Impl::Live entry;
        entry.kommune = job.kommune;
        entry.layer = job.layer;
        entry.file_name = display_name;
        impl.live[job.id] = std::move(entry);
        impl.queue.push_back(job);
    } catch (...) {
        remove_quietly(job.file);
        throw;
    }
    impl.wake.notify_one();
    return job.id;
}

nlohmann::json UploadJobs::status(std::int64_t upload_id, const Caller& caller) {
    require_signed_in(caller);
    Impl& impl = *m_impl;
    const std::string unknown = "upload " + std::to_string(upload_id) + " does not exist";

    // Memory first, then the store, under the lock: a job erases its entry only after its row
    // is final, and submit() makes the row ("queued") before the entry, so the two views never
    // disagree.
    std::lock_guard lock(impl.mutex);
    if (auto it = impl.live.find(upload_id); it != impl.live.end()) {
        // An upload the caller may not see is as unknown to it as a missing one.
        if (!may_read_internal(caller, it->second.kommune)) throw NotFound(unknown);
        return impl.live_status(upload_id, it->second);
    }
    const auto row = thread_store(impl.db).upload(upload_id);
    if (!row || !may_read_internal(caller, row->kommune_ags)) throw NotFound(unknown);

    nlohmann::json status = {
        {"id", row->id},
        {"state", row->state},
        {"kommune",
         row->kommune_ags.empty() ? nlohmann::json(nullptr) : nlohmann::json(row->kommune_ags)},
        {"layer", row->layer},
        {"file_name", row->file_name},
        {"created_at", row->created_at},
        {"finished_at",
         row->finished_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(row->finished_at)}};
    if (row->state == "queued" || row->state == "running") {
        // Not in memory, so no job of this process has it: an earlier server stopped.
        status["state"] = "failed";
        status["progress"] = {{"done", 0}, {"total", nullptr}};
        put_job_error(status, {error_code::k_upload_interrupted, k_orphaned});
        return status;
    }
    status["progress"] = {{"done", row->features_read}, {"total", row->features_read}};
    auto report = nlohmann::json::parse(row->report_json, nullptr, false);
    if (report.is_discarded() || !report.is_object()) report = nlohmann::json::object();
    // The stored report is written before the row's id is known to it.
    report["upload_id"] = row->id;
    if (row->state == "failed") {
        if (report.contains("error")) {
            // A report of an older version has its message only.
            put_job_error(status,
                          {report.value("error_code", std::string("error")),
                           report["error"].is_string() ? report["error"].get<std::string>() : "",
                           report.value("error_values", nlohmann::json::object())});
        } else {
            put_job_error(status, {error_code::k_nothing_stored,
                                   "none of the " + std::to_string(row->features_read) +
                                       " features could be stored; rejected_by_reason in the "
                                       "report says why",
                                   {{"read", row->features_read}}});
        }
    }
    status["report"] = std::move(report);
    return status;
}

void UploadJobs::stop() {
    Impl& impl = *m_impl;
    std::deque<Impl::Job> dropped;
    {
        std::lock_guard lock(impl.mutex);
        if (!impl.worker.joinable()) return;
        impl.stopping = true;
        dropped.swap(impl.queue);
    }
    impl.wake.notify_all();
    impl.worker.join();  // the running job, if any, finishes first
    for (const auto& job : dropped) {
        impl.record_failure(job, {error_code::k_server_stopped, k_server_stopped});
        remove_quietly(job.file);
        std::lock_guard lock(impl.mutex);
        impl.live.erase(job.id);
    }
}

}  // namespace leerstand::services
