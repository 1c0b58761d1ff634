#include "server/services/membership_service.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
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
#include "server/services/public_form.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

/// Where all membership requests of a client count in their limiter.
constexpr PublicFormLimit k_request_limit = {"membership-request", "membership requests"};

/// The text fields of a request with their longest length in characters (openapi.json says
/// the same as maxLength, the web form as maxlength) and whether they must be given.
constexpr std::array<FormTextField, 5> k_text_fields = {{
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
    for (const FormTextField& field : k_text_fields) {
        auto text = read_form_text(body, field, errors);
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

MembershipService::MembershipService(data::Store& store) : m_store(store) {}

void MembershipService::submit(const json& body, const std::string& client,
                               LoginRateLimiter& limiter) {
    check_public_form_limit(limiter, k_request_limit, client,
                            ErrorCode{error_code::k_too_many_membership_requests});
    if (honeypot_filled(body)) {
        count_public_form_submission(limiter, k_request_limit, client);
        return;
    }
    const RequestInput input = read_request(body, m_store);
    data::MembershipStore(m_store).insert_request(input.record);
    count_public_form_submission(limiter, k_request_limit, client);
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

}  // namespace leerstand::services
