#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/bbox.hpp"
#include "data/vacancy_records.hpp"

/// Needs (Gesuche) in the store: what initiatives look for, the table `gesuche` of migration
/// 14. A need names its place either as Kommunen or as a circle around a point.
namespace leerstand::data {

class Store;
class Connection;

/// One row of `gesuche`. The contact fields are empty once deleted.
struct NeedRecord {
    std::int64_t id = 0;
    std::string title;
    std::optional<std::string> description;
    std::vector<std::string> uses;   ///< of k_vacancy_uses; empty: any use
    std::vector<std::string> kinds;  ///< of matching::k_offer_kinds; empty: any kind
    std::optional<double> min_area_m2;
    std::optional<double> max_area_m2;
    /// AGS of Gemeinden or Kreise; empty when the place is a circle.
    std::vector<std::string> kommunen;
    std::optional<double> centre_lon;  ///< the circle's centre and radius, or all empty
    std::optional<double> centre_lat;
    std::optional<double> radius_km;
    std::optional<std::string> place_name;
    std::optional<std::string> needed_from;  ///< YYYY-MM-DD
    bool common_good = false;
    std::optional<std::string> contact_name;
    std::optional<std::string> contact_email;
    std::optional<std::string> contact_phone;
    std::string status = "offen";      ///< unbestaetigt, offen, vermittelt, geschlossen
    std::string source = "redaktion";  ///< formular (the public form) or redaktion (staff)
    std::optional<std::string> confirmed_at;
    std::optional<std::string> author;  ///< the staff member who entered it
    std::string created_at;
    std::string updated_at;
    std::optional<std::string> closed_at;
    std::optional<std::string> personal_data_deleted_at;
    std::int64_t version = 1;
    // Read only: where a map shows the need, the circle's centre or the centre of the box
    // around the named Kommunen' boundaries (none when they have no boundary).
    std::optional<double> map_lon;
    std::optional<double> map_lat;
};

/// The statuses a need can have; `closed` ones count for the deletion of personal data.
inline constexpr std::array<std::string_view, 4> k_need_statuses = {"unbestaetigt", "offen",
                                                                    "vermittelt", "geschlossen"};

/// A page of needs, ordered by id.
struct NeedFilter {
    /// The statuses the caller may see (privacy.hpp need_visibility); empty: every status.
    std::vector<std::string> visible_statuses = {"offen"};
    std::optional<std::string> status;
    /// Needs of this AGS or its first digits: naming it (or its Kreis, or one of its
    /// Gemeinden), or a circle that reaches one of its boundaries.
    std::optional<std::string> kommune_prefix;
    std::optional<std::string> use;  ///< needs taking this use (those of any use too)
    std::optional<Bbox> bbox;        ///< the map point inside or on the box's edge
    std::int64_t limit = 100;
    std::int64_t offset = 0;
};

/// Reads and writes through the Store's connection, on the Store's thread only. Each write
/// opens its own transaction unless one is open. Errors: NotFound for unknown
/// ids, PreconditionFailed for a stale version, StorageBusy, InternalError.
class NeedStore {
  public:
    /// `store` must outlive this object.
    explicit NeedStore(Store& store);

    /// Stores a new need (id, version, times, closed_at and confirmed_at of `record` are the
    /// store's: confirmed now unless it is unbestaetigt) with the hash of its confirmation
    /// token, if any. Returns it as read back.
    NeedRecord insert(const NeedRecord& record,
                      const std::optional<std::string>& confirm_token_hash = std::nullopt);
    /// Replaces every field of need `record.id` at `expected_version` and bumps the version;
    /// closed_at follows the status (set when it becomes vermittelt or geschlossen).
    NeedRecord update(const NeedRecord& record, std::int64_t expected_version);
    void remove(std::int64_t id, std::int64_t expected_version);
    std::optional<NeedRecord> need(std::int64_t id);
    RecordPage<NeedRecord> list(const NeedFilter& filter);
    /// The box around the map points of the needs of `visible_statuses` (empty: all).
    std::optional<Bbox> extent(const std::vector<std::string>& visible_statuses);

    /// Confirms the unconfirmed need whose token has `token_hash`: offen, confirmed now, the
    /// token forgotten (it works once). Returns its id; nullopt for an unknown or used token.
    std::optional<std::int64_t> confirm(const std::string& token_hash);

    /// Deletes the contact data (and the texts of its messages) of every need closed before
    /// `closed_before`, and every need still unconfirmed that was created before
    /// `unconfirmed_before` (both ISO 8601 UTC). Returns how many needs lost data or went.
    std::int64_t delete_personal_data(const std::string& closed_before,
                                      const std::string& unconfirmed_before);

  private:
    Connection& m_db;
};

}  // namespace leerstand::data
