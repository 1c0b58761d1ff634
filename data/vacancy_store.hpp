// API stable
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/records.hpp"
#include "data/vacancy_records.hpp"

namespace leerstand::data {

class Store;
class Connection;

/// Vacancies, their history and Zukunftsorte in the SpatiaLite store. Construct one on the
/// thread's Store whenever needed (it holds only a reference). The store checks only what the
/// schema needs (known vocabulary values and Kommune, readable coordinates); the rules of
/// the use case (lifecycle, rights, privacy) live in server/services.
///
/// Every write of a vacancy (insert, update, remove) writes its vacancy_history row in the same
/// transaction: changed_by, action, the changed fields only (old and new), kommune_ags.
/// consent_date is kept by the store: today (UTC) when consent_publish turns true, NULL while
/// it is false. created_at/updated_at/author/version are set by the store too.
///
/// Transactions: each write opens its own transaction unless one is already open (see
/// WriteTransaction), so several writes can be made atomic together.
/// Errors: StorageBusy when locked past the busy timeout; NotFound for unknown ids;
/// PreconditionFailed when `expected_version` is stale (nothing is changed, no history row);
/// InvalidInput for values the schema would refuse; InternalError for anything else.
class VacancyStore {
  public:
    explicit VacancyStore(Store& store);

    /// Groups several writes into one transaction (BEGIN IMMEDIATE: takes the write lock at
    /// once, so reads inside it see the state the writes apply to). Rolls back unless commit().
    /// Inside a transaction already open on the connection it joins that one instead (its
    /// commit() then does nothing; the outer transaction decides).
    class WriteTransaction {
      public:
        WriteTransaction(WriteTransaction&&) noexcept;
        ~WriteTransaction();
        void commit();

      private:
        friend class VacancyStore;
        struct Impl;
        explicit WriteTransaction(std::unique_ptr<Impl> impl);
        std::unique_ptr<Impl> m_impl;
    };
    WriteTransaction begin_write();

    // -- vacancies ----------------------------------------------------------------------------

    /// Inserts a vacancy (id, version, timestamps and consent_date of `record` are ignored;
    /// author is `record.author` or else `changed_by`) and its 'create' history row.
    /// Returns the stored record as read back.
    VacancyRecord insert_vacancy(const VacancyRecord& record, const std::string& changed_by);

    /// Replaces every stored field of vacancy `record.id` with `record` when its version is
    /// `expected_version`, bumps the version and writes an 'update' history row with the
    /// changed fields. When nothing differs, returns the stored record unchanged (no bump, no
    /// history). @throws NotFound, PreconditionFailed (message names the current version).
    VacancyRecord update_vacancy(const VacancyRecord& record, std::int64_t expected_version,
                                 const std::string& changed_by);

    /// Deletes it with a 'delete' history row (linked Zukunftsorte keep existing, vacancy_id
    /// NULL). @throws NotFound, PreconditionFailed.
    void remove_vacancy(std::int64_t id, std::int64_t expected_version,
                        const std::string& changed_by);

    std::optional<VacancyRecord> vacancy(std::int64_t id);
    RecordPage<VacancyRecord> list_vacancies(const VacancyFilter& filter);

    /// Oldest first (by changed_at, then id). Rows outlive their vacancy.
    std::vector<VacancyHistoryEntry> vacancy_history(std::int64_t vacancy_id);

    // -- buildings and Kommunen ---------------------------------------------------------------

    /// The building whose footprint contains (lon, lat) (the smallest one where several do),
    /// else the nearest one within `max_distance_m` metres (ellipsoidal distance), else none.
    /// Uses the footprints' spatial index.
    std::optional<std::int64_t> match_building(double lon, double lat,
                                               double max_distance_m = k_building_match_distance_m);
    /// Building `id` as seen from (lon, lat); nullopt when there is no such building.
    std::optional<BuildingPlace> building_place(std::int64_t id, double lon, double lat);

    bool kommune_exists(const std::string& ags);
    /// See KommuneStamp: cheap enough to call per request.
    KommuneStamp kommune_stamp();
    /// Every Kommune boundary (for a geo::KommuneLocator).
    std::vector<KommuneBoundary> kommune_boundaries();

    // -- Zukunftsorte -------------------------------------------------------------------------

    /// Inserts (id, version and timestamps ignored) and returns the stored record.
    ZukunftsortRecord insert_zukunftsort(const ZukunftsortRecord& record);
    /// Replaces every field when the version is `expected_version`; bumps it.
    /// @throws NotFound, PreconditionFailed.
    ZukunftsortRecord update_zukunftsort(const ZukunftsortRecord& record,
                                         std::int64_t expected_version);
    /// @throws NotFound, PreconditionFailed.
    void remove_zukunftsort(std::int64_t id, std::int64_t expected_version);
    std::optional<ZukunftsortRecord> zukunftsort(std::int64_t id);
    RecordPage<ZukunftsortRecord> list_zukunftsorte(const ZukunftsortFilter& filter);
    /// The Zukunftsort linked to a vacancy, if any.
    std::optional<std::int64_t> zukunftsort_of_vacancy(std::int64_t vacancy_id);

  private:
    Connection& m_db;
};

}  // namespace leerstand::data
