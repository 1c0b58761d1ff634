#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/services/caller.hpp"

namespace leerstand::data {
class Store;
}

namespace leerstand::services {

class SmtpRelay;

/// How a message to a need's author leaves the atlas: the operator's relay (null: none
/// configured) and the public URL the mail links the offer's page with.
struct MatchMailing {
    const SmtpRelay* relay = nullptr;
    std::string base_url;
};

/// Suggestions (Vorschläge) and their outcomes (Vermittlungen), for staff only: the best needs
/// for an offer, the best offers for a need (matching::rank_*), and the outcome staff record
/// for a pair. Recording moves the things around it along: contacting mails the need's author
/// through the atlas (its address is never shown), accepting moves the vacancy to
/// in_aktivierung and the offer to reserviert, finishing creates the Zukunftsort (the vacancy
/// becomes aktiviert) and closes offer and need as vermittelt — each outcome with its
/// consequences in one transaction. No HTTP types here; one per thread (holds its Store).
///
/// Who: editors whose scope holds the offer's Kommune, and admins. Errors: Unauthenticated
/// (401) for the public; NotFound for an unknown offer, need or outcome and for an offer the
/// caller may not see; Forbidden (403) for one it may see but not change; InvalidInput (400,
/// invalid_fields) for a bad body; PreconditionRequired/PreconditionFailed for PATCH without
/// or with a stale If-Match; Unprocessable (422) `match_transition` (with `from`, `to`,
/// `allowed`), `match_closed`, `match_excluded`, `need_without_email`; Conflict (409)
/// `match_recorded` and `mail_not_configured`; MailNotSent (502). Nothing is recorded when any
/// of them is thrown.
class MatchService {
  public:
    explicit MatchService(data::Store& store);
    ~MatchService();
    MatchService(MatchService&&) noexcept;
    MatchService& operator=(MatchService&&) noexcept;

    /// `{"angebot_id", "suggestions": [{"match", "need", "vermittlung"}]}`: the ten best open
    /// needs for offer `offer_id`, as docs/matching.md ranks them.
    nlohmann::json offer_suggestions(std::int64_t offer_id, const Caller& caller);

    /// `{"gesuch_id", "suggestions": [{"match", "offer", "vermittlung"}]}`: the ten best offers
    /// (offen or reserviert) for need `need_id` among those the caller may change.
    nlohmann::json need_suggestions(std::int64_t need_id, const Caller& caller);

    /// Records the outcome of a pair: `{"angebot_id", "gesuch_id", "status", "message"?}`.
    /// Returns the outcome as `vermittlung_json` shows it.
    nlohmann::json record(const nlohmann::json& body, const Caller& caller,
                          const MatchMailing& mailing);

    /// Changes outcome `id`: `{"status"?, "message"?, "zukunftsort"?: {"name", "kind"?,
    /// "description"?}}` (the Zukunftsort when finishing).
    nlohmann::json change(std::int64_t id, const nlohmann::json& body,
                          std::optional<std::int64_t> if_match, const Caller& caller,
                          const MatchMailing& mailing);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
