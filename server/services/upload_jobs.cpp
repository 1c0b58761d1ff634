#include "server/services/upload_jobs.hpp"

#include <malloc.h>

#include <algorithm>
#include <array>
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

/// Removes a spooled upload: a file, or the folder of a shapefile's parts.
void remove_quietly(const fs::path& path) {
    std::error_code ignored;
    fs::remove_all(path, ignored);
}

/// The parts of a shapefile the atlas reads when they are sent side by side, not zipped.
constexpr std::array<std::string_view, 5> k_shapefile_parts = {".shp", ".shx", ".dbf", ".prj",
                                                               ".cpg"};
/// Without these the .shp cannot be read; the others are optional (the CRS can be inferred,
/// the encoding detected).
constexpr std::array<std::string_view, 3> k_required_shapefile_parts = {".shp", ".shx", ".dbf"};

std::string lower_ascii(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return text;
}

std::string extension_of(const std::string& name) {
    return lower_ascii(fs::path(name).extension().string());
}

/// The refusal of a shapefile without its index or attribute table, naming what is missing
/// (field code incomplete_shapefile, extension `missing`: [".shx", ".dbf"]).
InvalidInput incomplete_shapefile(const std::string& shp_name,
                                  const std::vector<std::string>& missing) {
    std::string list;
    for (const std::string& part : missing) list += (list.empty() ? "" : ", ") + part;
    return field_error("file", field_code::k_incomplete_shapefile,
                       "the shapefile " + shp_name + " lacks its " + list +
                           "; choose the .shp, .shx and .dbf (and .prj, .cpg if there) together, "
                           "or upload them zipped",
                       {{"missing", missing}});
}

/// A shapefile's parts sent as several files, by lower-case extension. Refuses other files,
/// a part sent twice, parts of different shapefiles and a set without .shp, .shx or .dbf.
std::map<std::string, UploadFile> shapefile_parts(const std::vector<UploadFile>& files) {
    std::map<std::string, UploadFile> parts;
    for (const UploadFile& file : files) {
        const std::string extension = extension_of(file.name);
        if (std::find(k_shapefile_parts.begin(), k_shapefile_parts.end(), extension) ==
            k_shapefile_parts.end())
            throw field_error("file", field_code::k_not_one_of,
                              file.name +
                                  " is not part of a shapefile: several files must be one "
                                  "shapefile's .shp, .shx, .dbf, .prj and .cpg",
                              {{"allowed", k_shapefile_parts}});
        if (!parts.emplace(extension, file).second)
            throw field_error("file", field_code::k_duplicate,
                              "two " + extension + " files were sent; choose one shapefile");
    }
    const std::string stem = lower_ascii(fs::path(files.front().name).stem().string());
    for (const UploadFile& file : files)
        if (lower_ascii(fs::path(file.name).stem().string()) != stem)
            throw field_error("file", field_code::k_invalid_value,
                              files.front().name + " and " + file.name +
                                  " belong to different shapefiles; choose the parts of one");
    std::vector<std::string> missing;
    for (std::string_view required : k_required_shapefile_parts)
        if (!parts.count(std::string(required))) missing.emplace_back(required);
    if (!missing.empty())
        throw incomplete_shapefile(fs::path(files.front().name).stem().string() + ".shp", missing);
    return parts;
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
        fs::path file;   // what the import opens
        fs::path spool;  // what to delete afterwards: the file, or the folder of a shapefile
        std::string display_name;
        std::string layer, kommune, mode, user;
        std::optional<std::vector<std::string>> scope;  // automatic: the caller's write scope
        bool automatic = false;
        std::optional<int> srs;
        std::optional<std::string> encoding;
    };

    /// A queued or running job, as status() shows it.
    struct Live {
        std::string state = "queued";
        std::int64_t done = 0;
        std::int64_t total = -1;
        std::string kommune, layer, file_name, user;
    };

    Impl(data::DatabaseLocation db_location, fs::path work, UploadLimits upload_limits)
        : db(std::move(db_location)), work_dir(std::move(work)), limits(upload_limits) {
        fs::create_directories(work_dir);
        remove_leftover_files();
        worker = std::thread([this] { run(); });
    }

    /// May `caller` see the upload of `user` for `kommune`? Whoever may read the Kommune's
    /// internal data; an upload without a Kommune (assigned automatically) also its uploader.
    /// A Kommune's upload stays with the Kommune: an uploader moved elsewhere loses it.
    static bool may_see(const Caller& caller, const std::string& kommune, const std::string& user) {
        const bool own =
            kommune.empty() && caller.signed_in() && !user.empty() && caller.name == user;
        return own || may_read_internal(caller, kommune);
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

    const data::DatabaseLocation db;
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
        remove_quietly(job.spool);
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
        if (!job.kommune.empty()) options.kommune = job.kommune;
        if (job.automatic) options.scope = job.scope;
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

UploadJobs::UploadJobs(data::DatabaseLocation db, std::filesystem::path work_dir,
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
    std::optional<std::vector<std::string>> scope;
    if (request.automatic) {
        if (request.layer != "buildings")
            throw field_error("assignment", field_code::k_not_applicable,
                              "automatic assignment is for building footprints only");
        if (!request.kommune.empty())
            throw field_error("assignment", field_code::k_not_applicable,
                              "choose one Kommune or automatic assignment, not both");
        scope = write_scope(caller);
    } else if (request.layer == "kommunen") {
        require_admin(caller);
        request.kommune.clear();  // boundaries carry their own AGS
    } else {
        if (request.kommune.empty())
            throw field_error("kommune", field_code::k_required,
                              "kommune (the AGS the upload belongs to) is missing");
        require_write(caller, request.kommune);
    }
    std::vector<UploadFile> files{{request.file_name, request.content}};
    files.insert(files.end(), request.more_files.begin(), request.more_files.end());
    if (files.size() > impl.limits.max_files)
        throw TooLarge("an upload takes at most " + std::to_string(impl.limits.max_files) +
                       " files (a shapefile's .shp, .shx, .dbf, .prj and .cpg), not " +
                       std::to_string(files.size()));
    for (const UploadFile& file : files) {
        const bool bad_name =
            !geo::is_valid_utf8(file.name) || file.name == "." || file.name == ".." ||
            std::any_of(file.name.begin(), file.name.end(), [](char c) {
                return static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '/' || c == '\\';
            });
        if (bad_name)
            throw field_error("file", field_code::k_invalid_value,
                              "the file name must be UTF-8 text without folders or control "
                              "characters");
    }
    if (request.encoding && !geo::normalize_encoding_name(*request.encoding))
        throw field_error("encoding", field_code::k_not_one_of,
                          "the encoding '" + *request.encoding +
                              "' is unknown; use for example UTF-8, CP1252 or "
                              "ISO-8859-1");
    if (request.srs && (*request.srs < 1 || *request.srs > 999999))
        throw field_error("srs", field_code::k_invalid_value,
                          "srs must be an EPSG code such as 25832");
    for (const UploadFile& file : files)
        if (file.content.empty())
            throw field_error("file", field_code::k_required,
                              files.size() == 1 ? std::string("the uploaded file is empty")
                                                : "the uploaded file " + file.name + " is empty");
    std::uint64_t total_bytes = 0;
    for (const UploadFile& file : files) total_bytes += file.content.size();
    if (total_bytes > impl.limits.max_body_bytes)
        throw TooLarge(
            "the upload is larger than the limit of " + describe_bytes(impl.limits.max_body_bytes),
            {{"limit_bytes", impl.limits.max_body_bytes}});

    // Several files: a shapefile's parts, read from one spool folder as if unzipped.
    std::optional<std::map<std::string, UploadFile>> shapefile;
    if (files.size() > 1) shapefile = shapefile_parts(files);
    const UploadFile& main_file = shapefile ? shapefile->at(".shp") : files.front();
    const std::string display_name =
        main_file.name.empty() ? std::string("upload") : main_file.name;
    const geo::UploadFormat format =
        geo::detect_upload_format(main_file.name, main_file.content.substr(0, k_sniff_bytes));
    if (format == geo::UploadFormat::Shapefile && !shapefile)
        throw incomplete_shapefile(display_name, {".shx", ".dbf"});
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
    if (shapefile) {
        // The client's names never reach the file system: the parts keep only their extension.
        job.spool = impl.work_dir / generated_name("");
        fs::create_directory(job.spool);
        std::error_code ignored;
        fs::permissions(job.spool, fs::perms::owner_all, ignored);
        try {
            for (const auto& [extension, part] : *shapefile)
                write_file(job.spool / ("upload" + extension), part.content);
        } catch (...) {
            remove_quietly(job.spool);
            throw;
        }
        job.file = job.spool / "upload.shp";
    } else {
        job.file = impl.work_dir / generated_name(geo::upload_extension(format));
        write_file(job.file, request.content);
        job.spool = job.file;
    }
    job.display_name = display_name;
    job.automatic = request.automatic;
    job.scope = scope;
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
        entry.user = job.user;
        impl.live[job.id] = std::move(entry);
        impl.queue.push_back(job);
    } catch (...) {
        remove_quietly(job.spool);
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
        if (!Impl::may_see(caller, it->second.kommune, it->second.user)) throw NotFound(unknown);
        return impl.live_status(upload_id, it->second);
    }
    const auto row = thread_store(impl.db).upload(upload_id);
    if (!row || !Impl::may_see(caller, row->kommune_ags, row->user)) throw NotFound(unknown);

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
        remove_quietly(job.spool);
        std::lock_guard lock(impl.mutex);
        impl.live.erase(job.id);
    }
}

}  // namespace leerstand::services
