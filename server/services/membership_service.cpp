#include "server/services/membership_service.hpp"

#include <array>
#include <initializer_list>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>

#include "common/ags.hpp"
#include "common/bounded_text.hpp"
#include "common/email_address.hpp"
#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "common/iso_date.hpp"
#include "common/utc_time.hpp"
#include "data/membership_store.hpp"
#include "data/store.hpp"
#include "server/services/auth_service.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

/// The one key all membership requests of a client count under in their limiter.
constexpr const char* k_limit_key = "membership-request";
/// The honeypot: a form field hidden from people (web/membership.js); robots fill it.
constexpr const char* k_honeypot_field = "homepage";

/// The text fields of a request with their longest length in characters (openapi.json says
/// the same as maxLength, the web form as maxlength) and whether they must be given.
struct TextField {
    std::string_view name;
    std::size_t max_characters;
    bool required;
};
constexpr std::array<TextField, 5> k_text_fields = {{
    {"kommune_name", 200, false},
    {"person", 200, true},
    {"role", 200, false},
    {"email", EmailAddress::k_max_length, true},
    {"message", 5000, false},
}};

/// What a valid request says, ready to store.
struct RequestInput {
    std::optional<Ags> kommune;
    data::MembershipRequestRecord record;
};

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

/// A text member: trimmed, within its length; nullopt when absent, null or blank (a problem
/// then only when it is required), or when it has a problem (reported in `errors`).
std::optional<std::string> read_text(const json& body, const TextField& field,
                                     FieldErrors& errors) {
    const std::string name(field.name);
    const json* value = body.contains(name) ? &body.at(name) : nullptr;
    if (value != nullptr && !value->is_null() && !value->is_string()) {
        errors.add(name, field_code::k_wrong_type, name + " must be a string");
        return std::nullopt;
    }
    const std::string_view text = value != nullptr && value->is_string()
                                      ? trimmed(value->get_ref<const std::string&>())
                                      : std::string_view();
    if (text.empty()) {
        if (field.required) errors.add(name, field_code::k_required, name + " is required");
        return std::nullopt;
    }
    auto bounded = BoundedText::parse(text, field.max_characters);
    if (!bounded) {
        errors.add(
            name, field_code::k_too_long,
            name + " must be at most " + std::to_string(field.max_characters) + " characters long");
        return std::nullopt;
    }
    return std::move(*bounded).take();
}

/// A `kommune` member: an AGS or null. Absent and null give nullopt.
std::optional<Ags> read_kommune(const json& body, FieldErrors& errors) {
    if (!body.contains("kommune") || body.at("kommune").is_null()) return std::nullopt;
    const json& value = body.at("kommune");
    auto ags = value.is_string() ? Ags::parse(value.get_ref<const std::string&>()) : std::nullopt;
    if (!ags)
        errors.add("kommune",
                   value.is_string() ? field_code::k_not_an_ags : field_code::k_wrong_type,
                   "kommune must be an AGS of 8 (Gemeinde) or 5 (Kreis) digits, or null");
    return ags;
}

/// Every member of `body` that is not among `known` is reported.
void refuse_unknown_members(const json& body, std::initializer_list<std::string_view> known,
                            FieldErrors& errors) {
    for (const auto& [name, value] : body.items()) {
        bool found = false;
        for (const std::string_view k : known) found = found || name == k;
        if (!found) errors.add(name, field_code::k_unknown_field, "unknown member " + name);
    }
}

bool names_field(const FieldErrors& errors, std::string_view field) {
    for (const FieldError& error : errors.errors())
        if (error.field == field) return true;
    return false;
}

RequestInput read_request(const json& body, const data::Store& store) {
    FieldErrors errors;
    RequestInput input;
    if (!body.is_object()) {
        errors.add("", field_code::k_wrong_type, "the body must be a JSON object");
        throw errors.error("invalid membership request");
    }
    refuse_unknown_members(
        body, {"kommune", "kommune_name", "person", "role", "email", "message", k_honeypot_field},
        errors);
    input.kommune = read_kommune(body, errors);
    auto& record = input.record;
    for (const TextField& field : k_text_fields) {
        auto text = read_text(body, field, errors);
        if (field.name == "kommune_name") record.kommune_name = text.value_or("");
        if (field.name == "person") record.person = std::move(text);
        if (field.name == "role") record.role = std::move(text);
        if (field.name == "message") record.message = std::move(text);
        if (field.name == "email" && text) {
            if (auto email = EmailAddress::parse(*text))
                record.email = email->text();
            else
                errors.add("email", field_code::k_not_an_email,
                           "email must be an e-mail address such as name@kommune.de");
        }
    }
    if (input.kommune) {
        if (!store.kommune_exists(input.kommune->text()))
            errors.add("kommune", field_code::k_unknown_kommune,
                       "there is no Kommune with the AGS " + input.kommune->text() +
                           " in the atlas; leave kommune out and type its name in kommune_name");
        record.kommune_ags = input.kommune->text();
    } else if (record.kommune_name.empty() && !names_field(errors, "kommune")) {
        errors.add("kommune", field_code::k_required,
                   "choose a Kommune (kommune) or type its name (kommune_name)");
    }
    errors.throw_if_any("invalid membership request");
    return input;
}

json optional_json(const std::optional<std::string>& value) {
    return value ? json(*value) : json(nullptr);
}

json request_json(const data::MembershipRequestRecord& request) {
    return {{"id", request.id},
            {"kommune_ags", optional_json(request.kommune_ags)},
            {"kommune_name", request.kommune_name},
            {"person", optional_json(request.person)},
            {"role", optional_json(request.role)},
            {"email", optional_json(request.email)},
            {"message", optional_json(request.message)},
            {"status", request.status},
            {"created_at", request.created_at},
            {"decided_at", optional_json(request.decided_at)},
            {"decided_by", optional_json(request.decided_by)},
            {"personal_data_deleted_at", optional_json(request.personal_data_deleted_at)}};
}

Conflict decided_otherwise(const data::MembershipRequestRecord& request) {
    return Conflict(
        ErrorCode{error_code::k_membership_request_decided},
        "membership request " + std::to_string(request.id) + " was " + request.status + " already",
        json{{"request_status", request.status}});
}

/// The AGS in an accept body (`{"kommune": AGS}`, or no member, or an empty body).
std::optional<Ags> kommune_of_accept_body(const json& body) {
    if (body.is_null()) return std::nullopt;
    FieldErrors errors;
    if (!body.is_object()) {
        errors.add("", field_code::k_wrong_type, "the body must be a JSON object");
        throw errors.error("invalid acceptance");
    }
    refuse_unknown_members(body, {"kommune"}, errors);
    auto ags = read_kommune(body, errors);
    errors.throw_if_any("invalid acceptance");
    return ags;
}

}  // namespace

bool honeypot_filled(const json& body) {
    if (!body.is_object() || !body.contains(k_honeypot_field)) return false;
    const json& value = body.at(k_honeypot_field);
    return !value.is_null() && !(value.is_string() && value.get_ref<const std::string&>().empty());
}

std::shared_ptr<LoginRateLimiter> make_membership_request_limiter(MembershipRequestLimits limits) {
    SignInLimits counts;
    counts.per_name_and_client = limits.per_client;
    counts.per_client = limits.per_client;
    counts.window = limits.window;
    return std::make_shared<LoginRateLimiter>(counts);
}

MembershipService::MembershipService(data::Store& store) : m_store(store) {}

void MembershipService::submit(const json& body, const std::string& client,
                               LoginRateLimiter& limiter) {
    try {
        limiter.check(k_limit_key, client);
    } catch (const TooManyRequests& locked) {
        // The limiter speaks of sign-ins; this client sent membership requests.
        throw TooManyRequests(ErrorCode{error_code::k_too_many_membership_requests},
                              "too many membership requests from this address; try again in " +
                                  std::to_string(locked.retry_after_seconds()) + " seconds",
                              locked.retry_after_seconds());
    }
    if (honeypot_filled(body)) {
        limiter.record_failure(k_limit_key, client);
        return;
    }
    const RequestInput input = read_request(body, m_store);
    data::MembershipStore(m_store).insert_request(input.record);
    limiter.record_failure(k_limit_key, client);
}

json MembershipService::list(const Caller& caller) {
    require_admin(caller);
    json requests = json::array();
    for (const auto& request : data::MembershipStore(m_store).list_requests())
        requests.push_back(request_json(request));
    return {{"requests", std::move(requests)}};
}

json MembershipService::accept(const Caller& caller, std::int64_t id, const json& body) {
    require_admin(caller);
    const auto named = kommune_of_accept_body(body);
    data::MembershipStore requests(m_store);
    const auto request = requests.request(id);
    if (!request) throw NotFound("there is no membership request " + std::to_string(id));
    if (request->status == "accepted") return request_json(*request);
    if (request->status != "pending") throw decided_otherwise(*request);
    const std::optional<std::string> ags = named ? named->text() : request->kommune_ags;
    if (!ags)
        throw field_error("kommune", field_code::k_required,
                          "the request names a Kommune that is not in the atlas (" +
                              request->kommune_name + "); name its AGS in kommune");
    const auto decision = requests.decide(id, true, *ags, caller.name, IsoDate::today_utc().text());
    // Another admin may have decided it in the meantime.
    if (!decision.changed && decision.request.status != "accepted")
        throw decided_otherwise(decision.request);
    return request_json(decision.request);
}

json MembershipService::decline(const Caller& caller, std::int64_t id) {
    require_admin(caller);
    data::MembershipStore requests(m_store);
    const auto decision = requests.decide(id, false, "", caller.name, IsoDate::today_utc().text());
    if (!decision.changed && decision.request.status != "declined")
        throw decided_otherwise(decision.request);
    return request_json(decision.request);
}

json MembershipService::network() {
    const data::NetworkMembers network = data::MembershipStore(m_store).network();
    json members = json::array();
    for (const auto& member : network.members)
        members.push_back({{"ags", member.ags},
                           {"name", member.name},
                           {"bez", optional_json(member.bez)},
                           {"member_since", optional_json(member.member_since)},
                           {"founding_member", member.founding_member}});
    return {{"members", std::move(members)},
            {"bbox", network.bbox ? json(*network.bbox) : json(nullptr)}};
}

std::int64_t MembershipService::delete_expired_personal_data(std::chrono::days retention) {
    const std::string cutoff = utc_iso8601(std::chrono::system_clock::now() - retention);
    return data::MembershipStore(m_store).delete_personal_data_decided_before(cutoff);
}

// ---- MembershipRetentionJob ------------------------------------------------------------------

MembershipRetentionJob::MembershipRetentionJob(std::filesystem::path db,
                                               std::chrono::days retention,
                                               std::chrono::seconds period)
    : m_db(std::move(db)), m_retention(retention), m_period(period) {
    {
        // The first run on the caller's thread: no request is answered with data past its time.
        data::Store store(m_db);
        run_once(store);
    }
    m_thread = std::thread([this] { loop(); });
}

MembershipRetentionJob::~MembershipRetentionJob() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void MembershipRetentionJob::run_once(data::Store& store) const {
    try {
        const std::int64_t deleted =
            MembershipService(store).delete_expired_personal_data(m_retention);
        if (deleted > 0)
            std::cerr << ("leerstand: deleted the personal data of " + std::to_string(deleted) +
                          " membership request(s) decided more than " +
                          std::to_string(m_retention.count()) + " days ago\n");
    } catch (const std::exception& e) {
        // Busy or broken now; the next period tries again.
        std::cerr << ("leerstand: membership retention job: " + std::string(e.what()) + "\n");
    }
}

void MembershipRetentionJob::loop() {
    std::optional<data::Store> store;
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, m_period, [this] { return m_stopping; })) {
        lock.unlock();
        try {
            if (!store) store.emplace(m_db);
            run_once(*store);
        } catch (const std::exception& e) {
            std::cerr << ("leerstand: membership retention job: " + std::string(e.what()) + "\n");
        }
        lock.lock();
    }
}

}  // namespace leerstand::services
