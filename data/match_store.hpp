#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// What the recorded outcomes of matches (Vermittlungen) read and write in the store: the
/// `vermittlungen` rows, the statuses they change and the `nachrichten` sent to a need's author.
/// The offers and needs a match scores are read through OfferStore and NeedStore.
namespace leerstand::data {

class Store;

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
