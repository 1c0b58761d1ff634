#include "server/services/import_service.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/ags.hpp"
#include "common/error.hpp"
#include "data/store.hpp"
#include "geo/feature_reader.hpp"
#include "geo/kommune_locator.hpp"
#include "geo/spatial_order.hpp"
#include "server/services/import_common.hpp"
#include "server/services/source_attributes.hpp"

namespace leerstand::services {

namespace {

using namespace detail;
using Batch = std::vector<data::BuildingRecord>;

constexpr std::size_t k_batch_size = 2048;
// Buildings are stored in Hilbert order of their anchor within windows of this many, so a
// tile's buildings share pages (a cold dense tile at 1M buildings read ~1,200 pages in source
// order and took twice the CPU). Bounded, so the import still streams: ~30 MB of records.
constexpr std::size_t k_sort_window = 32768;
constexpr std::size_t k_max_queued_batches = 8;  // bounds memory: the import streams

/// Hands batches from the reading thread to the writing thread; bounded both ways.
class BatchQueue {
  public:
    /// Blocks while the queue is full. Returns false when the consumer gave up.
    bool push(Batch batch) {
        std::unique_lock lock(m_mutex);
        m_not_full.wait(lock,
                        [&] { return m_batches.size() < k_max_queued_batches || m_cancelled; });
        if (m_cancelled) return false;
        m_batches.push_back(std::move(batch));
        m_not_empty.notify_one();
        return true;
    }

    /// Blocks until a batch arrives; false once the producer closed and all is taken.
    bool pop(Batch& out) {
        std::unique_lock lock(m_mutex);
        m_not_empty.wait(lock, [&] { return !m_batches.empty() || m_closed; });
        if (m_batches.empty()) return false;
        out = std::move(m_batches.front());
        m_batches.pop_front();
        m_not_full.notify_one();
        return true;
    }

    void close() {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_not_empty.notify_all();
    }

    void cancel() {
        std::lock_guard lock(m_mutex);
        m_cancelled = true;
        m_not_full.notify_all();
    }

  private:
    std::mutex m_mutex;
    std::condition_variable m_not_full, m_not_empty;
    std::deque<Batch> m_batches;
    bool m_closed = false;
    bool m_cancelled = false;
};

/// The reading side of a building import: source → repaired footprints → Kommune → batches.
class BuildingProducer {
  public:
    BuildingProducer(geo::FeatureReader& reader, std::vector<data::KommuneBoundary> boundaries,
                     const ImportOptions& options, ImportReport& rejections)
        : m_reader(reader),
          m_boundaries(std::move(boundaries)),
          m_options(options),
          m_report(rejections) {}

    std::atomic<std::int64_t> done{0};

    void run(BatchQueue& queue) {
        build_locator();
        geo::SourceFeature feature;
        m_window.reserve(k_sort_window);
        while (m_reader.next(feature)) {
            done.fetch_add(1, std::memory_order_relaxed);
            if (auto placed = to_record(feature)) m_window.push_back(std::move(*placed));
            if (m_window.size() == k_sort_window && !send_window(queue)) return;
        }
        send_window(queue);
    }

    /// The names of the Kommunen a report mentions (stored in, or lying outside in).
    std::map<std::string, std::string> names_of(const ImportReport& report) const {
        std::map<std::string, std::string> names;
        const auto add = [&](const std::map<std::string, std::int64_t>& counts) {
            for (const auto& entry : counts)
                if (auto found = m_names.find(entry.first); found != m_names.end())
                    names.emplace(entry.first, found->second);
        };
        add(report.stored_by_kommune);
        add(report.outside.by_kommune);
        return names;
    }

  private:
    /// A building and its place on the Hilbert curve.
    struct Placed {
        std::uint64_t order = 0;
        data::BuildingRecord record;
    };

    /// Sends the window's buildings in curve order, in batches; false when the import stopped.
    bool send_window(BatchQueue& queue) {
        std::stable_sort(m_window.begin(), m_window.end(),
                         [](const Placed& a, const Placed& b) { return a.order < b.order; });
        Batch batch;
        batch.reserve(k_batch_size);
        for (Placed& placed : m_window) {
            batch.push_back(std::move(placed.record));
            if (batch.size() == k_batch_size) {
                if (!queue.push(std::move(batch))) return false;
                batch = Batch();
                batch.reserve(k_batch_size);
            }
        }
        m_window.clear();
        return batch.empty() || queue.push(std::move(batch));
    }

    void build_locator() {
        // The locator lives on this thread: GEOS contexts and prepared geometries are
        // per thread. Every boundary goes in, also with a chosen Kommune: a feature outside
        // it is reported with the Kommune it lies in.
        for (auto& b : m_boundaries) {
            m_names.emplace(b.ags, std::move(b.name));
            m_locator.add(b.ags, b.boundary);
        }
        m_boundaries.clear();
        if (m_options.scope)
            for (const std::string& key : *m_options.scope)
                if (auto ags = Ags::parse(key)) m_scope.push_back(std::move(*ags));
    }

    bool in_scope(const std::string& ags) const {
        return !m_options.scope || std::any_of(m_scope.begin(), m_scope.end(),
                                               [&](const Ags& key) { return key.covers(ags); });
    }

    /// The Kommune a footprint anchored at (lon, lat) is stored in, or nothing after
    /// rejecting it as outside the chosen Kommune or the uploader's area.
    std::optional<std::string> assign(long long index, double lon, double lat) {
        if (m_options.kommune) {
            if (m_locator.contains(*m_options.kommune, lon, lat)) return *m_options.kommune;
            m_report.reject(index, "outside Kommune " + *m_options.kommune);
            m_report.outside.add(lon, lat, m_locator.locate(lon, lat));
            return std::nullopt;
        }
        auto ags = m_locator.locate(lon, lat);
        if (ags && in_scope(*ags)) return ags;
        m_report.reject(index, ags ? "outside your area" : "outside every known Kommune");
        m_report.outside.add(lon, lat, ags);
        return std::nullopt;
    }

    std::optional<Placed> to_record(geo::SourceFeature& feature) {
        ++m_report.read;
        if (!feature.footprint) {
            m_report.reject(feature.index, feature.rejection);
            return std::nullopt;
        }
        auto& footprint = *feature.footprint;
        auto ags = assign(feature.index, footprint.anchor_lon, footprint.anchor_lat);
        if (!ags) return std::nullopt;
        if (footprint.repaired) ++m_report.repaired;
        data::BuildingRecord record = building_from_attributes(feature.attributes);
        record.kommune_ags = std::move(*ags);
        record.footprint = std::move(footprint.wkb);
        record.area_m2 = footprint.area_m2;
        return Placed{geo::hilbert_index_of(footprint.anchor_lon, footprint.anchor_lat),
                      std::move(record)};
    }

    geo::FeatureReader& m_reader;
    std::vector<data::KommuneBoundary> m_boundaries;
    const ImportOptions& m_options;
    ImportReport& m_report;
    geo::KommuneLocator m_locator;
    std::map<std::string, std::string> m_names;  // AGS → name of every Kommune
    std::vector<Ags> m_scope;
    std::vector<Placed> m_window;
};

}  // namespace

ImportReport import_buildings(data::Store& store, const ImportOptions& options,
                              const ProgressCallback& progress) {
    const auto start = Clock::now();
    ImportReport report = start_report(options, "buildings");
    check_kommune_option(store, options);
    auto boundaries = store.kommune_boundaries();
    if (boundaries.empty())
        throw InvalidInput(
            "no Kommune boundaries in the database: load them first with "
            "`leerstand import-kommunen FILE`");

    geo::ReadOptions read = read_options(options);
    read.max_vertices = geo::k_max_footprint_vertices;
    auto reader = geo::FeatureReader::open(options.file, read);
    describe_source(reader.info(), report);

    auto import = store.begin_building_import(upload_record(options, report), options.replace,
                                              options.kommune.value_or(""));
    ImportReport rejections;  // written by the producer thread only
    BuildingProducer producer(reader, std::move(boundaries), options, rejections);
    BatchQueue queue;
    std::exception_ptr producer_error;
    std::thread reading([&] {
        try {
            producer.run(queue);
        } catch (...) {
            producer_error = std::current_exception();
        }
        queue.close();
    });

    ProgressThrottle throttle(progress, reader.info().feature_count);
    try {
        Batch batch;
        while (queue.pop(batch)) {
            for (const auto& building : batch) {
                import.add(building);
                ++report.stored_by_kommune[building.kommune_ags];
            }
            report.stored += static_cast<std::int64_t>(batch.size());
            throttle.tick(producer.done.load(std::memory_order_relaxed));
        }
    } catch (...) {
        queue.cancel();
        reading.join();
        throw;  // `import` rolls back as it goes out of scope
    }
    reading.join();
    if (producer_error) std::rethrow_exception(producer_error);
    throttle.tick(producer.done.load(), true);

    report.read = rejections.read;
    report.rejected = rejections.rejected;
    report.repaired = rejections.repaired;
    report.rejected_by_reason = std::move(rejections.rejected_by_reason);
    report.errors = std::move(rejections.errors);
    report.outside = std::move(rejections.outside);
    report.kommune_names = producer.names_of(report);
    report.seconds = seconds_since(start);
    if (report.stored == 0) {
        // Nothing usable: keep the store as it was (a replace must not delete the old
        // buildings), but keep a record of the attempt.
        { auto discard = std::move(import); }
        report.upload_id = store.record_failed_upload(upload_record(options, report));
        return report;
    }
    report.upload_id = import.commit(upload_record(options, report));
    return report;
}

ImportReport import_kommunen(data::Store& store, const ImportOptions& options,
                             const ProgressCallback& progress) {
    const auto start = Clock::now();
    ImportReport report = start_report(options, "kommunen");
    auto reader = geo::FeatureReader::open(options.file, read_options(options));
    describe_source(reader.info(), report);
    ProgressThrottle throttle(progress, reader.info().feature_count);

    std::vector<data::KommuneRecord> kommunen;
    std::map<std::string, std::size_t> position_by_ags;
    geo::SourceFeature feature;
    while (reader.next(feature)) {
        ++report.read;
        throttle.tick(report.read);
        auto fields = kommune_fields(feature.attributes);
        if (!fields.ok()) {
            report.reject(feature.index, fields.problem);
            continue;
        }
        if (!fields.keep) {
            report.reject(feature.index, "not a land area (GF " + fields.gf + ")");
            continue;
        }
        if (!feature.footprint) {
            report.reject(feature.index, feature.rejection);
            continue;
        }
        if (position_by_ags.count(fields.record.ags)) {
            report.reject(feature.index, "duplicate AGS (first kept)");
            continue;
        }
        if (feature.footprint->repaired) ++report.repaired;
        fields.record.boundary = std::move(feature.footprint->wkb);
        fields.record.area_m2 = feature.footprint->area_m2;
        position_by_ags[fields.record.ags] = kommunen.size();
        ++report.stored_by_kommune[fields.record.ags];
        report.zensus_gaps.check(fields.record.ags, fields.record.name);
        kommunen.push_back(std::move(fields.record));
    }
    throttle.tick(report.read, true);
    report.stored = static_cast<std::int64_t>(kommunen.size());
    report.seconds = seconds_since(start);
    if (kommunen.empty()) {
        report.upload_id = store.record_failed_upload(upload_record(options, report));
        return report;
    }
    report.upload_id = store.upsert_kommunen(kommunen, upload_record(options, report));
    return report;
}

}  // namespace leerstand::services
