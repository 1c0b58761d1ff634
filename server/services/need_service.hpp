#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/services/caller.hpp"
#include "server/services/items.hpp"
#include "server/services/public_form.hpp"

namespace leerstand::data {
class Store;
}

namespace leerstand::services {

class LoginRateLimiter;
class SmtpRelay;

/// How many needs one client may send through the public form, and the window they count in:
/// an initiative posts one or two; a form robot many.
/// The limit of the public form per client (public_form.hpp): 5 needs an hour.
inline constexpr PublicFormLimits k_need_limits{5, std::chrono::seconds(3600)};

/// How long a need waits for its confirmation before it is deleted with everything in it.
inline constexpr std::chrono::days k_unconfirmed_need_days{7};

/// The use cases of needs (Gesuche): what initiatives, founders and associations look for.
/// The writable collection `gesuche` in the style of ZukunftsortService (staff: editors of a
/// Kommune and admins; source redaktion, status offen at once), the public form with its
/// confirmation by e-mail link, and the deletion of personal data. Who sees what is
/// privacy.hpp's (need_properties). No HTTP types here.
///
/// A need's properties: title (3..120 characters), description (<= 4000), uses (of
/// data::k_vacancy_uses, empty = any), kinds (of matching::k_offer_kinds, empty = any),
/// min_area_m2 / max_area_m2 (> 0, min <= max), exactly one place: `kommunen` (AGS of the
/// atlas' Gemeinden or Kreise) or `radius` {lon, lat, km (1..200), place_name}, needed_from
/// (YYYY-MM-DD), common_good, contact_name / contact_email / contact_phone, and for staff
/// `status` (offen, vermittelt, geschlossen). The geometry of a body is ignored: a need's point
/// is derived from its place.
///
/// One per thread (it holds the thread's Store). Errors as ZukunftsortService.
class NeedService {
  public:
    explicit NeedService(data::Store& store);
    ~NeedService();
    NeedService(NeedService&&) noexcept;
    NeedService& operator=(NeedService&&) noexcept;

    /// @throws NotFound for an unknown need and one the caller may not see (the same answer).
    FeatureResult get(std::int64_t id, const Caller& caller);
    /// Filters kommune, use, status, bbox; `datetime` does not apply (InvalidInput).
    ItemsPage list(const ItemsQuery& query, const Caller& caller);

    /// `feature`: a GeoJSON Feature whose properties are those of a need.
    FeatureResult create(const nlohmann::json& feature, const Caller& caller);
    /// Replaces every writable property; contact fields the caller may not see are kept.
    FeatureResult replace(std::int64_t id, const nlohmann::json& feature,
                          std::optional<std::int64_t> if_match, const Caller& caller);
    /// JSON Merge Patch (RFC 7396) of `{"properties": {...}}`.
    FeatureResult patch(std::int64_t id, const nlohmann::json& patch,
                        std::optional<std::int64_t> if_match, const Caller& caller);
    void remove(std::int64_t id, std::optional<std::int64_t> if_match, const Caller& caller);

    /// Takes a need of the public form: the properties of a need (no status) with
    /// contact_name and contact_email required, and the honeypot `homepage`. Stores it
    /// unconfirmed with the hash of a random token, then mails `contact_email` the link
    /// `confirm_base` + "/gesuche/bestaetigen?token=..." through `relay`. A filled honeypot
    /// gets the same answer, but nothing is stored or sent. Each call counts for `client`.
    /// @throws TooManyRequests (too_many_needs) while `client` is locked; Conflict
    ///         (mail_not_configured) without a relay; InvalidInput naming every field at fault;
    ///         MailNotSent when the relay fails (the need is deleted again: nothing stays).
    void submit(const nlohmann::json& body, const std::string& client, LoginRateLimiter& limiter,
                const SmtpRelay* relay, const std::string& confirm_base);

    /// Confirms the need of `{"token": ...}`: unbestaetigt becomes offen. Returns its id.
    /// @throws InvalidInput without a token; NotFound (unknown_confirmation) for a token no
    ///         unconfirmed need has, unknown or used (the same answer).
    std::int64_t confirm(const nlohmann::json& body);

    /// Deletes the contact data (and the texts of its messages) of needs closed more than
    /// `retention` ago, and needs left unconfirmed for k_unconfirmed_need_days. Returns how
    /// many needs lost data or went. For the server's retention job.
    std::int64_t delete_expired_personal_data(std::chrono::days retention);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace leerstand::services
