#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "server/services/caller.hpp"
#include "server/services/public_form.hpp"

namespace leerstand::data {
class Store;
}

/// Inquiries about offers ("Interesse melden"): the public form (`POST
/// /api/angebote/{id}/anfragen`), the mail to the Kommune's office, the staff inbox
/// (`/api/anfragen`) with its answers mailed to the inquirer, and the deletion of the
/// inquiries' personal data a while after they were closed (docs/privacy.md).
namespace leerstand::services {

class LoginRateLimiter;
class SmtpRelay;

/// The limit of inquiries per client (public_form.hpp): 5 an hour.
inline constexpr PublicFormLimits k_inquiry_limits{5, std::chrono::seconds(3600)};

/// One per thread (it holds the thread's Store).
class InquiryService {
  public:
    explicit InquiryService(data::Store& store);

    /// Takes an inquiry about offer `offer_id`: `{"name", "email", "phone", "intended_use",
    /// "common_good", "message", "homepage"}`. `homepage` is the honeypot: when it is filled
    /// the answer is the same, but nothing is stored or mailed. Each inquiry counts for
    /// `client` in `limiter`. With a `relay`, the office of the offer's Kommune (its
    /// contact_email) gets a mail with the inquiry, Reply-To the inquirer; a relay that fails
    /// is logged, the inquiry is kept.
    /// @throws TooManyRequests (too_many_inquiries) while `client` is locked, InvalidInput
    ///         (invalid_fields) naming every field at fault, NotFound for an offer the public
    ///         does not see.
    void submit(std::int64_t offer_id, const nlohmann::json& body, const std::string& client,
                LoginRateLimiter& limiter, const SmtpRelay* relay);

    /// The inbox: the inquiries of offers in the caller's write scope (all for an admin) with
    /// `status` (any when absent), newest first: `{"inquiries": [...], "counts": {"neu": n,
    /// "in_kontakt": n, "abgeschlossen": n}, "mail_configured": bool}`.
    /// @throws Unauthenticated, Forbidden (planners, editors of no Kommune), InvalidInput for
    ///         an unknown status.
    nlohmann::json list(const Caller& caller, const std::optional<std::string>& status,
                        bool mail_configured);

    /// Sets the status of inquiry `id` (`{"status": "neu" | "in_kontakt" | "abgeschlossen"}`);
    /// every move is allowed (reopening too). Returns the inquiry.
    /// @throws as list; NotFound for an inquiry outside the caller's scope.
    nlohmann::json set_status(const Caller& caller, std::int64_t id, const nlohmann::json& body);

    /// Mails `{"text"}` to the inquirer of `id` through `relay` (Reply-To the offer's
    /// contact_email), records it as a message and puts the inquiry in contact. Returns the
    /// inquiry.
    /// @throws as set_status; Conflict (mail_not_configured) without a relay, Conflict
    ///         (personal_data_deleted) when the inquirer's address is gone; MailNotSent when
    ///         the relay fails (nothing is recorded then).
    nlohmann::json answer(const Caller& caller, std::int64_t id, const nlohmann::json& body,
                          const SmtpRelay* relay);

    /// Deletes the personal data of inquiries closed more than `retention` ago; returns how
    /// many inquiries lost it.
    std::int64_t delete_expired_personal_data(std::chrono::days retention);

  private:
    data::Store& m_store;
};

}  // namespace leerstand::services
