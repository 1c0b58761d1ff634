#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// What the suggestions and the recorded outcomes of matches (Vermittlungen) read and write in
/// the store: offers and needs as far as the score and the staff's panel need them, the
/// `vermittlungen` rows and the `nachrichten` sent to a need's author. Narrow queries of their
/// own: the offers' and needs' use cases own the full records.
namespace leerstand::data {

class Store;

/// An offer (angebote row) with what the score needs of its vacancy and Kommune.
struct MatchOfferRow {
    std::int64_t id = 0;
    std::int64_t vacancy_id = 0;
    std::string title;
    std::string kommune_ags;  ///< the vacancy's Gemeinde
    std::string kommune_name;
    /// The centre of the Kommune's boundary; the vacancy's point for one without a boundary.
    double centre_lon = 0;
    double centre_lat = 0;
    double vacancy_lon = 0;
    double vacancy_lat = 0;
    std::string use;             ///< the vacancy's
    std::string vacancy_status;  ///< the vacancy's
    bool consent_publish = false;
    std::vector<std::string> kinds;
    std::optional<double> floor_area_m2;
    std::optional<std::string> available_from;  ///< YYYY-MM-DD
    std::string contact_role;
    std::optional<std::string> contact_email;
    std::string status;
    std::int64_t version = 0;
};

/// A need (gesuche row) as the score and the panel show it; contact_email is for the mail to
/// its author only and never leaves the service.
struct MatchNeedRow {
    std::int64_t id = 0;
    std::string title;
    std::optional<std::string> description;
    std::vector<std::string> uses;
    std::vector<std::string> kinds;
    std::optional<double> min_area_m2;
    std::optional<double> max_area_m2;
    /// AGS keys (Gemeinde or Kreis), with their names; empty for a radius.
    std::vector<std::string> kommunen;
    std::vector<std::string> kommune_names;
    std::optional<double> centre_lon;
    std::optional<double> centre_lat;
    std::optional<double> radius_km;
    std::optional<std::string> place_name;
    std::optional<std::string> needed_from;  ///< YYYY-MM-DD
    bool common_good = false;
    std::string status;
    std::optional<std::string> contact_email;
    std::int64_t version = 0;
};

/// One `vermittlungen` row: the outcome of a match as staff recorded it.
struct VermittlungRecord {
    std::int64_t id = 0;
    std::int64_t angebot_id = 0;
    std::int64_t gesuch_id = 0;
    std::string status;  ///< kontaktiert, angenommen, abgeschlossen, abgelehnt
    int score = 0;
    std::string match;  ///< the match as JSON text, as scored when it was recorded
    std::optional<std::int64_t> zukunftsort_id;
    std::optional<std::string> accepted_at;
    std::optional<std::string> finished_at;
    std::string created_at;
    std::string updated_at;
    std::optional<std::string> author;
    std::int64_t version = 0;
    std::int64_t messages = 0;  ///< how many messages were sent to the need's author
};

/// Reads and writes through the Store's connection (its thread only). Writes join an open
/// transaction (VacancyStore::begin_write), so an outcome and its consequences commit together.
class MatchStore {
  public:
    explicit MatchStore(Store& store);

    std::optional<MatchOfferRow> offer(std::int64_t id);
    /// Offers with one of `statuses`, in the Kommunen starting with one of `kommune_prefixes`
    /// (nullopt: everywhere), by id.
    std::vector<MatchOfferRow> offers(
        const std::vector<std::string>& statuses,
        const std::optional<std::vector<std::string>>& kommune_prefixes);

    std::optional<MatchNeedRow> need(std::int64_t id);
    /// Needs of `status`, by id.
    std::vector<MatchNeedRow> needs(std::string_view status);

    std::optional<VermittlungRecord> vermittlung(std::int64_t id);
    /// The recorded outcomes of an offer's (or a need's) matches.
    std::vector<VermittlungRecord> vermittlungen_of_offer(std::int64_t angebot_id);
    std::vector<VermittlungRecord> vermittlungen_of_need(std::int64_t gesuch_id);
    std::optional<VermittlungRecord> vermittlung_of(std::int64_t angebot_id,
                                                    std::int64_t gesuch_id);

    /// Inserts `record` (id, version, timestamps ignored) and returns it as stored.
    /// @throws Conflict when the pair has an outcome already.
    VermittlungRecord insert_vermittlung(const VermittlungRecord& record);
    /// Writes status, score, match, zukunftsort_id, accepted_at, finished_at of `record` when
    /// its version is `expected_version`, and bumps it. @throws NotFound, PreconditionFailed.
    VermittlungRecord update_vermittlung(const VermittlungRecord& record,
                                         std::int64_t expected_version);

    /// Sets an offer's (a need's) status, bumping its version; closed_at is set for a closed
    /// status (`closed`) and cleared otherwise.
    void set_offer_status(std::int64_t id, const std::string& status, bool closed);
    void set_need_status(std::int64_t id, const std::string& status, bool closed);

    /// Records a message mailed to need `gesuch_id`'s author about offer `angebot_id`.
    void insert_need_message(std::int64_t gesuch_id, std::int64_t angebot_id,
                             const std::string& text, const std::string& author);

  private:
    Store& m_store;
};

}  // namespace leerstand::data
