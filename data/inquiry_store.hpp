#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

/// Inquiries (`anfragen`) about offers, and the messages the Kommune sent to inquirers
/// (`nachrichten`): what the public form stores and the staff inbox reads.
#include "data/offer_store.hpp"

namespace leerstand::data {

class Store;

/// What an inquiry needs of its offer: its name, its Kommune (the vacancy's) and the public
/// contact of the Kommune (never the owner's).
struct InquiryOffer {
    std::int64_t id = 0;
    std::string title;
    std::string kommune_ags;
    std::string kommune_name;
    std::optional<std::string> contact_email;
};

/// One message of the Kommune to an inquirer. `text` is empty once deleted.
struct InquiryMessage {
    std::int64_t id = 0;
    std::optional<std::string> text;
    std::optional<std::string> author;
    std::string sent_at;
    bool mailed = false;
};

/// One row of `anfragen` with its offer and messages. The personal fields (name, email, phone,
/// message) are empty once deleted.
struct InquiryRecord {
    std::int64_t id = 0;  ///< 0 for a new inquiry
    std::int64_t offer_id = 0;
    std::optional<std::string> name;
    std::optional<std::string> email;
    std::optional<std::string> phone;
    std::optional<std::string> message;
    std::string intended_use;
    bool common_good = false;
    std::string status = "neu";  ///< "neu", "in_kontakt" or "abgeschlossen"
    std::string created_at;
    std::string updated_at;
    std::optional<std::string> closed_at;
    std::optional<std::string> personal_data_deleted_at;
    std::int64_t version = 1;
    InquiryOffer offer;  ///< read with the inquiry; ignored by insert
    std::vector<InquiryMessage> messages;
};

/// Which inquiries a list shows: those of offers in Kommunen whose AGS starts with one of
/// `kommune_prefixes` (nullopt: all), with `status` (nullopt: any).
struct InquiryFilter {
    std::optional<std::vector<std::string>> kommune_prefixes;
    std::optional<std::string> status;
};

/// Reads and writes through the Store's connection, so it is used on the Store's thread only.
class InquiryStore {
  public:
    /// `store` must outlive this object.
    explicit InquiryStore(Store& store);

    /// The offer `id` if `visible` lets see it (the public's: privacy.hpp's offer rule).
    std::optional<InquiryOffer> public_offer(std::int64_t id, const OfferVisibility& visible);

    /// Stores a new inquiry (status neu, created now) and returns its id.
    std::int64_t insert(const InquiryRecord& inquiry);

    /// The inquiries `filter` selects, newest first, each with its offer and messages.
    std::vector<InquiryRecord> list(const InquiryFilter& filter);
    /// How many inquiries of each status the prefixes of `filter` select (its status is
    /// ignored); every status is present.
    std::map<std::string, std::int64_t> count_by_status(const InquiryFilter& filter);

    std::optional<InquiryRecord> inquiry(std::int64_t id);

    /// Sets the status of inquiry `id` (closed_at now for abgeschlossen, none otherwise) and
    /// returns it; an unchanged status writes nothing. @throws NotFound for an unknown id.
    InquiryRecord set_status(std::int64_t id, const std::string& status);

    /// Records a message sent to the inquirer of `id` and puts the inquiry in contact, in one
    /// transaction; returns the inquiry afterwards. @throws NotFound for an unknown id.
    InquiryRecord add_message(std::int64_t id, const std::string& text, const std::string& author,
                              bool mailed);

    /// Deletes name, e-mail, phone and message of the inquiries closed before `cutoff` (ISO
    /// 8601 UTC text), and the text of the messages sent to them, keeping status and dates;
    /// returns how many inquiries lost their data.
    std::int64_t delete_personal_data_closed_before(const std::string& cutoff);

  private:
    Store& m_store;
};

}  // namespace leerstand::data
