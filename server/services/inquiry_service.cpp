#include "server/services/inquiry_service.hpp"

#include <algorithm>
#include <array>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "common/email_address.hpp"
#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "common/utc_time.hpp"
#include "data/inquiry_store.hpp"
#include "data/store.hpp"
#include "data/vacancy_records.hpp"
#include "server/services/auth_service.hpp"
#include "server/services/privacy.hpp"
#include "server/services/smtp_relay.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

/// Where all inquiries of a client count in their limiter.
constexpr PublicFormLimit k_inquiry_limit = {"inquiry", "inquiries"};

/// The text fields of an inquiry with their bounds in characters (openapi.json and the web
/// form say the same).
constexpr FormTextField k_name_field = {"name", 100, true, 2};
constexpr FormTextField k_email_field = {"email", EmailAddress::k_max_length, true};
constexpr FormTextField k_phone_field = {"phone", 40, false};
constexpr FormTextField k_message_field = {"message", 2000, true, 10};
/// An answer of the Kommune to the inquirer.
constexpr FormTextField k_answer_field = {"text", 5000, true, 1};

constexpr std::array<std::string_view, 3> k_inquiry_statuses = {"neu", "in_kontakt",
                                                                "abgeschlossen"};

/// The German names of the uses, for the mails (the web app has its own in web/labels.js).
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> k_use_names = {{
    {"wohnen", "Wohnen"},
    {"gewerbe", "Gewerbe"},
    {"laden", "Laden"},
    {"gemischt", "Gemischt"},
    {"oeffentlich", "Öffentlich"},
    {"landwirtschaft", "Landwirtschaft"},
    {"sonstiges", "Sonstiges"},
}};

std::string use_name(std::string_view use) {
    for (const auto& [id, name] : k_use_names)
        if (id == use) return std::string(name);
    return std::string(use);
}

bool is_phone_number(std::string_view text) {
    const bool allowed = std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == ' ' || c == '+' || c == '-' || c == '(' || c == ')' ||
               c == '/';
    });
    return allowed &&
           std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

data::InquiryRecord read_inquiry(const json& body) {
    FieldErrors errors;
    if (!body.is_object()) {
        errors.add("", field_code::k_wrong_type, "the body must be a JSON object");
        throw errors.error("invalid inquiry");
    }
    refuse_unknown_members(
        body,
        {"name", "email", "phone", "intended_use", "common_good", "message", k_honeypot_field},
        errors);
    data::InquiryRecord inquiry;
    inquiry.name = read_form_text(body, k_name_field, errors);
    if (auto text = read_form_text(body, k_email_field, errors)) {
        if (auto email = EmailAddress::parse(*text))
            inquiry.email = email->text();
        else
            errors.add("email", field_code::k_not_an_email,
                       "email must be an e-mail address such as name@example.org");
    }
    if (auto phone = read_form_text(body, k_phone_field, errors)) {
        if (is_phone_number(*phone))
            inquiry.phone = std::move(phone);
        else
            errors.add("phone", field_code::k_not_a_phone,
                       "phone may hold digits, spaces and + - ( ) / only");
    }
    const json use = body.value("intended_use", json());
    if (use.is_null() || (use.is_string() && use.get_ref<const std::string&>().empty()))
        errors.add("intended_use", field_code::k_required, "intended_use is required");
    else if (!use.is_string() || !one_of(data::k_vacancy_uses, use.get<std::string>()))
        errors.add("intended_use", field_code::k_not_one_of,
                   "intended_use must be one of wohnen, gewerbe, laden, gemischt, oeffentlich, "
                   "landwirtschaft, sonstiges");
    else
        inquiry.intended_use = use.get<std::string>();
    const json common_good = body.value("common_good", json(false));
    if (!common_good.is_boolean())
        errors.add("common_good", field_code::k_wrong_type, "common_good must be true or false");
    else
        inquiry.common_good = common_good.get<bool>();
    inquiry.message = read_form_text(body, k_message_field, errors);
    errors.throw_if_any("invalid inquiry");
    return inquiry;
}

/// The mail to the office of the offer's Kommune: everything the inquirer wrote, so the
/// office can answer by replying.
Mail office_mail(const data::InquiryOffer& offer, const data::InquiryRecord& inquiry) {
    Mail mail;
    mail.to = *offer.contact_email;
    mail.reply_to = *inquiry.email;
    mail.subject = "Neue Anfrage zum Angebot „" + offer.title + "“";
    mail.text = "Guten Tag,\n\nüber den Leerstandsatlas ist eine Anfrage zum Angebot „" +
                offer.title + "“ (Nr. " + std::to_string(offer.id) + ", " + offer.kommune_name +
                ") eingegangen.\n\n" + "Name: " + *inquiry.name + "\n" +
                "E-Mail: " + *inquiry.email + "\n" +
                "Telefon: " + inquiry.phone.value_or("nicht angegeben") + "\n" +
                "Geplante Nutzung: " + use_name(inquiry.intended_use) + "\n" +
                "Gemeinwohlorientiert: " + (inquiry.common_good ? "ja" : "nein") + "\n\n" +
                "Nachricht:\n" + *inquiry.message + "\n\n" +
                "Antworten Sie direkt auf diese E-Mail oder im Posteingang des "
                "Leerstandsatlas.\n";
    return mail;
}

/// The answer of the Kommune to the inquirer; replies go to the offer's contact.
Mail answer_mail(const data::InquiryRecord& inquiry, const std::string& text) {
    Mail mail;
    mail.to = *inquiry.email;
    mail.reply_to = inquiry.offer.contact_email.value_or("");
    mail.subject = "Ihre Anfrage zum Angebot „" + inquiry.offer.title + "“";
    mail.text = "Guten Tag " + inquiry.name.value_or("") + ",\n\n" + text +
                "\n\n-- \nDiese Nachricht schickt Ihnen " + inquiry.offer.kommune_name +
                " über den Leerstandsatlas zu Ihrer Anfrage zum Angebot „" + inquiry.offer.title +
                "“.\n";
    return mail;
}

json optional_json(const std::optional<std::string>& value) {
    return value ? json(*value) : json(nullptr);
}

json inquiry_json(const data::InquiryRecord& inquiry) {
    json messages = json::array();
    for (const auto& message : inquiry.messages)
        messages.push_back({{"id", message.id},
                            {"text", optional_json(message.text)},
                            {"author", optional_json(message.author)},
                            {"sent_at", message.sent_at},
                            {"mailed", message.mailed}});
    return {{"id", inquiry.id},
            {"offer",
             {{"id", inquiry.offer.id},
              {"title", inquiry.offer.title},
              {"kommune", inquiry.offer.kommune_ags},
              {"kommune_name", inquiry.offer.kommune_name},
              {"contact_email", optional_json(inquiry.offer.contact_email)}}},
            {"name", optional_json(inquiry.name)},
            {"email", optional_json(inquiry.email)},
            {"phone", optional_json(inquiry.phone)},
            {"intended_use", inquiry.intended_use},
            {"common_good", inquiry.common_good},
            {"message", optional_json(inquiry.message)},
            {"status", inquiry.status},
            {"created_at", inquiry.created_at},
            {"updated_at", inquiry.updated_at},
            {"closed_at", optional_json(inquiry.closed_at)},
            {"personal_data_deleted_at", optional_json(inquiry.personal_data_deleted_at)},
            {"version", inquiry.version},
            {"messages", std::move(messages)}};
}

bool in_prefixes(const std::optional<std::vector<std::string>>& prefixes, const std::string& ags) {
    if (!prefixes) return true;
    return std::any_of(prefixes->begin(), prefixes->end(),
                       [&](const std::string& prefix) { return ags.starts_with(prefix); });
}

/// Inquiry `id` if it belongs to an offer in the caller's write scope; an inquiry of another
/// Kommune is not there for the caller (404), so ids tell nothing about other inboxes.
data::InquiryRecord inquiry_in_scope(data::Store& store, const Caller& caller, std::int64_t id) {
    const auto scope = write_scope(caller);
    auto inquiry = data::InquiryStore(store).inquiry(id);
    if (!inquiry || !in_prefixes(scope, inquiry->offer.kommune_ags))
        throw NotFound("there is no inquiry " + std::to_string(id));
    return std::move(*inquiry);
}

std::string read_status(const json& body) {
    FieldErrors errors;
    if (!body.is_object()) {
        errors.add("", field_code::k_wrong_type, "the body must be a JSON object");
        throw errors.error("invalid status change");
    }
    refuse_unknown_members(body, {"status"}, errors);
    const json status = body.value("status", json());
    if (status.is_null())
        errors.add("status", field_code::k_required, "status is required");
    else if (!status.is_string() || !one_of(k_inquiry_statuses, status.get<std::string>()))
        errors.add("status", field_code::k_not_one_of,
                   "status must be one of neu, in_kontakt, abgeschlossen");
    errors.throw_if_any("invalid status change");
    return status.get<std::string>();
}

}  // namespace

InquiryService::InquiryService(data::Store& store) : m_store(store) {}

void InquiryService::submit(std::int64_t offer_id, const json& body, const std::string& client,
                            LoginRateLimiter& limiter, const SmtpRelay* relay) {
    check_public_form_limit(limiter, k_inquiry_limit, client,
                            ErrorCode{error_code::k_too_many_inquiries});
    if (honeypot_filled(body)) {
        count_public_form_submission(limiter, k_inquiry_limit, client);
        return;
    }
    data::InquiryRecord inquiry = read_inquiry(body);
    data::InquiryStore inquiries(m_store);
    const auto offer = inquiries.public_offer(offer_id, offer_visibility(Caller{}));
    if (!offer) throw NotFound("there is no offer " + std::to_string(offer_id));
    inquiry.offer_id = offer->id;
    const std::int64_t id = inquiries.insert(inquiry);
    count_public_form_submission(limiter, k_inquiry_limit, client);
    if (relay == nullptr || !offer->contact_email) return;
    try {
        relay->send(office_mail(*offer, inquiry));
    } catch (const std::exception& e) {
        // The inquiry is stored and in the inbox; the mail is a convenience on top.
        std::cerr << ("leerstand: inquiry " + std::to_string(id) +
                      " stored, but not mailed to the Kommune: " + e.what() + "\n");
    }
}

json InquiryService::list(const Caller& caller, const std::optional<std::string>& status,
                          bool mail_configured) {
    data::InquiryFilter filter;
    filter.kommune_prefixes = write_scope(caller);
    if (status && !one_of(k_inquiry_statuses, *status))
        throw field_error("status", field_code::k_not_one_of,
                          "status must be one of neu, in_kontakt, abgeschlossen");
    filter.status = status;
    data::InquiryStore inquiries(m_store);
    json list = json::array();
    for (const auto& inquiry : inquiries.list(filter)) list.push_back(inquiry_json(inquiry));
    return {{"inquiries", std::move(list)},
            {"counts", inquiries.count_by_status(filter)},
            {"mail_configured", mail_configured}};
}

json InquiryService::set_status(const Caller& caller, std::int64_t id, const json& body) {
    const std::string status = read_status(body);
    inquiry_in_scope(m_store, caller, id);
    return inquiry_json(data::InquiryStore(m_store).set_status(id, status));
}

json InquiryService::answer(const Caller& caller, std::int64_t id, const json& body,
                            const SmtpRelay* relay) {
    FieldErrors errors;
    if (!body.is_object()) {
        errors.add("", field_code::k_wrong_type, "the body must be a JSON object");
        throw errors.error("invalid answer");
    }
    refuse_unknown_members(body, {"text"}, errors);
    const auto text = read_form_text(body, k_answer_field, errors);
    errors.throw_if_any("invalid answer");
    const data::InquiryRecord inquiry = inquiry_in_scope(m_store, caller, id);
    if (relay == nullptr)
        throw Conflict(ErrorCode{error_code::k_mail_not_configured},
                       "this atlas sends no mail (no relay configured); write to the inquirer "
                       "with your own mail program");
    if (!inquiry.email)
        throw Conflict(ErrorCode{error_code::k_personal_data_deleted},
                       "the personal data of inquiry " + std::to_string(id) +
                           " were deleted; there is nobody to write to");
    // Sent first: a failed relay leaves nothing recorded as sent.
    relay->send(answer_mail(inquiry, *text));
    return inquiry_json(data::InquiryStore(m_store).add_message(id, *text, caller.name, true));
}

std::int64_t InquiryService::delete_expired_personal_data(std::chrono::days retention) {
    const std::string cutoff = utc_iso8601(std::chrono::system_clock::now() - retention);
    return data::InquiryStore(m_store).delete_personal_data_closed_before(cutoff);
}

}  // namespace leerstand::services
