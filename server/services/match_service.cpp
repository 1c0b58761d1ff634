#include "server/services/match_service.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ags.hpp"
#include "common/error.hpp"
#include "common/field_errors.hpp"
#include "common/iso_date.hpp"
#include "common/utc_time.hpp"
#include "data/activation_figures.hpp"
#include "data/match_store.hpp"
#include "data/need_store.hpp"
#include "data/offer_store.hpp"
#include "data/summary_store.hpp"
#include "data/vacancy_store.hpp"
#include "matching/matching.hpp"
#include "server/services/feature_input.hpp"
#include "server/services/item_writes.hpp"
#include "server/services/place_resolver.hpp"
#include "server/services/privacy.hpp"
#include "server/services/smtp_relay.hpp"
#include "server/services/vacancy_service.hpp"
#include "server/services/zukunftsort_service.hpp"

namespace leerstand::services {

namespace {

using nlohmann::json;

/// How many suggestions a panel shows.
constexpr std::size_t k_top_n = 10;
/// The longest message to a need's author, in characters (openapi.json: maxLength).
constexpr std::size_t k_max_message = 5000;

constexpr std::array<std::string_view, 4> k_outcomes = {"kontaktiert", "angenommen",
                                                        "abgeschlossen", "abgelehnt"};

/// Where an outcome may go from `from` ("" for a pair without one). A pair may be accepted
/// without a contact through the atlas (the author called), but finishing needs an acceptance:
/// the Zukunftsort grows from an accepted match.
std::vector<std::string> next_outcomes(const std::string& from) {
    if (from.empty()) return {"kontaktiert", "angenommen", "abgelehnt"};
    if (from == "kontaktiert") return {"angenommen", "abgelehnt"};
    if (from == "angenommen") return {"abgeschlossen", "abgelehnt"};
    return {};  // abgeschlossen and abgelehnt are final
}

void require_outcome_transition(const std::string& from, const std::string& to) {
    const auto allowed = next_outcomes(from);
    if (std::find(allowed.begin(), allowed.end(), to) != allowed.end()) return;
    const std::string shown = from.empty() ? "a new match" : "status " + from;
    throw Unprocessable(
        ErrorCode{error_code::k_match_transition},
        "a match cannot go from " + shown + " to " + to +
            (allowed.empty() ? "; it is final" : "; allowed: " + joined(allowed)),
        json{
            {"from", from.empty() ? json(nullptr) : json(from)}, {"to", to}, {"allowed", allowed}});
}

/// How many records one page of a store's list reads while the suggestions read them all.
constexpr std::int64_t k_list_page = 500;

/// Every record `store.list` gives for `filter`, page by page (the lists cap a page).
template <typename ListStore, typename Filter>
auto every_record(ListStore& store, Filter filter) {
    filter.limit = k_list_page;
    filter.offset = 0;
    decltype(store.list(filter).items) records;
    for (;;) {
        auto page = store.list(filter);
        const auto read = static_cast<std::int64_t>(page.items.size());
        std::move(page.items.begin(), page.items.end(), std::back_inserter(records));
        if (read < filter.limit) return records;
        filter.offset += read;
    }
}

/// A need's Kommunen as AGS and name, in the need's order.
using NamedKommunen = std::vector<std::pair<std::string, std::string>>;

std::optional<IsoDate> date_of(const std::optional<std::string>& text) {
    return text ? IsoDate::parse(*text) : std::nullopt;
}

/// The offer as the score takes it; `kommune_centre` is where distances are measured from (the
/// centre of its Kommune, so an offer's address never enters a score).
std::optional<matching::Offer> scored_offer(const data::OfferRecord& row,
                                            const LonLat& kommune_centre) {
    const auto kommune = Ags::parse(row.kommune_ags);
    if (!kommune) return std::nullopt;
    // Ags has no empty state: the offer is made whole at once.
    return matching::Offer{.id = row.id,
                           .kommune = *kommune,
                           .kommune_centre = kommune_centre,
                           .use = row.use,
                           .kinds = {row.kinds.begin(), row.kinds.end()},
                           .area_m2 = row.floor_area_m2,
                           .available_from = date_of(row.available_from)};
}

std::optional<matching::Need> scored_need(const data::NeedRecord& row) {
    matching::Need need;
    need.id = row.id;
    need.uses = {row.uses.begin(), row.uses.end()};
    need.kinds = {row.kinds.begin(), row.kinds.end()};
    need.min_area_m2 = row.min_area_m2;
    need.max_area_m2 = row.max_area_m2;
    need.needed_from = date_of(row.needed_from);
    need.common_good = row.common_good;
    if (!row.kommunen.empty()) {
        matching::KommuneArea area;
        for (const auto& key : row.kommunen)
            if (auto ags = Ags::parse(key)) area.kommunen.push_back(*ags);
        if (area.kommunen.empty()) return std::nullopt;
        need.area = std::move(area);
    } else {
        if (!row.radius_km || !row.centre_lon || !row.centre_lat) return std::nullopt;
        need.area = matching::RadiusArea{LonLat{*row.centre_lon, *row.centre_lat}, *row.radius_km};
    }
    return need;
}

json optional_json(const auto& value) {
    return value ? json(*value) : json(nullptr);
}

/// The public properties of a need: never its contact data.
json need_json(const data::NeedRecord& need, const NamedKommunen& named) {
    json kommunen = json::array();
    for (const auto& [ags, name] : named) kommunen.push_back({{"ags", ags}, {"name", name}});
    return {{"id", need.id},
            {"title", need.title},
            {"description", optional_json(need.description)},
            {"uses", need.uses},
            {"kinds", need.kinds},
            {"min_area_m2", optional_json(need.min_area_m2)},
            {"max_area_m2", optional_json(need.max_area_m2)},
            {"kommunen", kommunen},
            {"place_name", optional_json(need.place_name)},
            {"radius_km", optional_json(need.radius_km)},
            {"needed_from", optional_json(need.needed_from)},
            {"common_good", need.common_good},
            {"status", need.status}};
}

/// An offer as its staff see it in a panel (never the owner's data: the rows hold none).
json offer_json(const data::OfferRecord& offer) {
    return {{"id", offer.id},
            {"title", offer.title},
            {"kommune", offer.kommune_ags},
            {"kommune_name", offer.kommune_name},
            {"use", offer.use},
            {"kinds", offer.kinds},
            {"floor_area_m2", optional_json(offer.floor_area_m2)},
            {"available_from", optional_json(offer.available_from)},
            {"contact_role", offer.contact_role},
            {"status", offer.status},
            {"vacancy_id", offer.vacancy_id}};
}

/// The names of the Kommunen a match's reasons name by AGS, so a sentence can say
/// "12 km von Angermünde".
json kommune_names(const data::OfferRecord& offer, const NamedKommunen& need_kommunen) {
    json names = json::object();
    names[offer.kommune_ags] = offer.kommune_name;
    for (const auto& [ags, name] : need_kommunen) names[ags] = name;
    return names;
}

json vermittlung_json(const data::VermittlungRecord& record) {
    return {{"id", record.id},
            {"angebot_id", record.angebot_id},
            {"gesuch_id", record.gesuch_id},
            {"status", record.status},
            {"score", record.score},
            {"match", json::parse(record.match)},
            {"zukunftsort_id", optional_json(record.zukunftsort_id)},
            {"accepted_at", optional_json(record.accepted_at)},
            {"finished_at", optional_json(record.finished_at)},
            {"created_at", record.created_at},
            {"updated_at", record.updated_at},
            {"author", optional_json(record.author)},
            {"messages", record.messages},
            {"allowed", next_outcomes(record.status)},
            {"version", record.version}};
}

json vermittlung_or_null(const std::vector<data::VermittlungRecord>& records,
                         std::int64_t angebot_id, std::int64_t gesuch_id) {
    for (const auto& record : records)
        if (record.angebot_id == angebot_id && record.gesuch_id == gesuch_id)
            return vermittlung_json(record);
    return nullptr;
}

/// The rows `make` can turn into what the score takes (it gives nothing for one it cannot),
/// and each row by id, for what the answer shows of it.
template <typename Row, typename Make>
auto scorable(const std::vector<Row>& rows, Make make) {
    using Scored = typename decltype(make(std::declval<const Row&>()))::value_type;
    std::pair<std::vector<Scored>, std::map<std::int64_t, const Row*>> result;
    for (const Row& row : rows) {
        if (auto scored = make(row)) {
            result.first.push_back(std::move(*scored));
            result.second[row.id] = &row;
        }
    }
    return result;
}

/// One entry of a panel: the match, the other side (`side`: "need" or "offer") and the
/// outcome recorded for the pair, if any.
json suggestion(const matching::Match& match, const char* side, json other,
                const data::OfferRecord& offer, const data::NeedRecord& need,
                const NamedKommunen& need_kommunen,
                const std::vector<data::VermittlungRecord>& recorded) {
    return {{"match", matching::to_json(match)},
            {side, std::move(other)},
            {"kommune_names", kommune_names(offer, need_kommunen)},
            {"vermittlung", vermittlung_or_null(recorded, offer.id, need.id)}};
}

/// Members of `body` not among `known` are reported.
void refuse_unknown(const json& body, std::initializer_list<std::string_view> known,
                    FieldErrors& errors) {
    for (const auto& [name, value] : body.items())
        if (std::find(known.begin(), known.end(), name) == known.end())
            errors.add(name, field_code::k_unknown_field, "unknown member '" + name + "'");
}

std::optional<std::int64_t> read_id(const json& body, const std::string& field,
                                    FieldErrors& errors) {
    if (!body.contains(field) || body.at(field).is_null()) {
        errors.add(field, field_code::k_required, field + " is required");
        return std::nullopt;
    }
    const json& value = body.at(field);
    if (!value.is_number_integer()) {
        errors.add(field, field_code::k_wrong_type, field + " must be an integer id");
        return std::nullopt;
    }
    return value.get<std::int64_t>();
}

std::optional<std::string> read_status(const json& body, bool required, FieldErrors& errors) {
    if (!body.contains("status") || body.at("status").is_null()) {
        if (required) errors.add("status", field_code::k_required, "status is required");
        return std::nullopt;
    }
    const json& value = body.at("status");
    if (!value.is_string()) {
        errors.add("status", field_code::k_wrong_type, "status must be a string");
        return std::nullopt;
    }
    const std::string status = value.get<std::string>();
    if (!check_one_of("status", k_outcomes, status, errors)) return std::nullopt;
    return status;
}

/// The message to the need's author: 1..5000 characters once trimmed; nothing when absent.
std::optional<std::string> read_message(const json& body, FieldErrors& errors) {
    if (!body.contains("message") || body.at("message").is_null()) return std::nullopt;
    const auto text = read_optional_text(body.at("message"), "message", k_max_message, errors);
    if (!text || !*text) return std::nullopt;
    std::string message = (*text)->text();
    const auto first = message.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        errors.add("message", field_code::k_required, "message must not be empty");
        return std::nullopt;
    }
    return message.substr(first, message.find_last_not_of(" \t\r\n") - first + 1);
}

/// Messages go to the author while the match is open, not with its final word.
bool takes_message(const std::string& status) {
    return status == "kontaktiert" || status == "angenommen";
}

/// A line for a mail header: breaks become spaces.
std::string one_line(std::string text) {
    std::replace_if(
        text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    return text;
}

}  // namespace

struct MatchService::Impl {
    explicit Impl(data::Store& s)
        : store(s), places(s), vacancies(s, places), places_made(s, places) {}

    data::Store& store;
    PlaceResolver places;
    VacancyService vacancies;
    ZukunftsortService places_made;

    data::MatchStore matches() { return data::MatchStore(store); }

    /// The offer `id` for a caller who may change it: 401, 404 (also for one it may not see),
    /// 403 in this order, as for the writes of vacancies.
    data::OfferRecord offer_to_change(std::int64_t id, const Caller& caller) {
        require_signed_in(caller);
        const auto offer = data::OfferStore(store).offer(id);
        if (!offer || !may_see_offer(*offer, caller))
            throw NotFound("offer " + std::to_string(id) + " does not exist");
        require_write(caller, offer->kommune_ags);
        return *offer;
    }

    /// A need staff may see: any but an unconfirmed one (which does not exist yet for anyone).
    data::NeedRecord need_for_staff(std::int64_t id) {
        const auto need = data::NeedStore(store).need(id);
        if (!need || need->status == "unbestaetigt")
            throw NotFound("need " + std::to_string(id) + " does not exist");
        return *need;
    }

    /// The centre of `offer`'s Kommune: the centroid of its boundary, or the offer's own point
    /// for a Kommune stored without one.
    LonLat kommune_centre(const data::OfferRecord& offer) {
        const auto centres = data::ActivationFiguresStore(store).kommune_centres(offer.kommune_ags);
        const auto found = centres.find(offer.kommune_ags);
        if (found == centres.end()) return LonLat{offer.lon, offer.lat};
        return LonLat{found->second.lon, found->second.lat};
    }

    /// The offer as the score takes it (nothing for one it cannot score).
    std::optional<matching::Offer> scored(const data::OfferRecord& offer) {
        return scored_offer(offer, kommune_centre(offer));
    }

    /// The need's Kommunen with their names (the AGS for one the atlas does not know).
    NamedKommunen named_kommunen(const data::NeedRecord& need) {
        data::SummaryStore summaries(store);
        NamedKommunen named;
        for (const auto& ags : need.kommunen)
            named.emplace_back(ags, summaries.kommune_name(ags).value_or(ags));
        return named;
    }

    matching::Match scored_pair(const data::OfferRecord& offer, const data::NeedRecord& need) {
        const auto scored_o = scored(offer);
        const auto scored_n = scored_need(need);
        std::optional<matching::Match> match;
        if (scored_o && scored_n) match = matching::score(*scored_o, *scored_n);
        if (!match)
            throw Unprocessable(ErrorCode{error_code::k_match_excluded},
                                "offer " + std::to_string(offer.id) +
                                    " does not come into "
                                    "question for need " +
                                    std::to_string(need.id) +
                                    ": it lies outside the need's place or offers no kind wanted");
        return *match;
    }

    /// Mails `message` to the need's author; staff never see the address.
    void mail_author(const data::OfferRecord& offer, const data::NeedRecord& need,
                     const std::string& message, const MatchMailing& mailing) {
        if (mailing.relay == nullptr)
            throw Conflict(ErrorCode{error_code::k_mail_not_configured},
                           "this atlas sends no mail: its operator configured no SMTP relay");
        if (!need.contact_email)
            throw Unprocessable(ErrorCode{error_code::k_need_without_email},
                                "need " + std::to_string(need.id) +
                                    " has no e-mail address; contact its author by phone");
        Mail mail;
        mail.to = *need.contact_email;
        mail.subject =
            one_line("Leerstandsatlas: ein Angebot zu Ihrem Gesuch „" + need.title + "“");
        mail.text =
            "Guten Tag,\n\n"
            "über den Leerstandsatlas schreibt Ihnen " +
            offer.contact_role + " der Kommune " + offer.kommune_name + " zu Ihrem Gesuch „" +
            one_line(need.title) +
            "“.\n\n"
            "Es geht um das Angebot „" +
            one_line(offer.title) + "“ in " + offer.kommune_name + ":\n" + mailing.base_url +
            "/angebote/" + std::to_string(offer.id) + "\n\n" + "Nachricht:\n\n" + message +
            "\n\n"
            "Antworten Sie einfach auf diese E-Mail: Ihre Antwort geht an die Kommune.\n"
            "Ihre Adresse hat der Leerstandsatlas nicht weitergegeben.\n\n"
            "-- \nLeerstandsatlas\n";
        mail.reply_to = offer.contact_email.value_or("");
        mailing.relay->send(mail);
    }

    /// Moves the offer's vacancy to in_aktivierung through VacancyService (history, tiles and
    /// figures follow), via bestaetigt from gemeldet, as the lifecycle requires.
    void start_activation(std::int64_t vacancy_id, const Caller& caller) {
        for (int step = 0; step < 2; ++step) {
            const auto vacancy = data::VacancyStore(store).vacancy(vacancy_id);
            if (!vacancy || vacancy->status == "in_aktivierung") return;
            const std::string next =
                vacancy->status == "gemeldet" ? "bestaetigt" : "in_aktivierung";
            vacancies.patch(vacancy_id, json{{"properties", {{"status", next}}}}, vacancy->version,
                            caller);
        }
    }

    /// Takes a declined acceptance back: the vacancy returns to bestaetigt.
    void stop_activation(std::int64_t vacancy_id, const Caller& caller) {
        const auto vacancy = data::VacancyStore(store).vacancy(vacancy_id);
        if (!vacancy || vacancy->status != "in_aktivierung") return;
        vacancies.patch(vacancy_id, json{{"properties", {{"status", "bestaetigt"}}}},
                        vacancy->version, caller);
    }

    /// The Zukunftsort the finished match creates, at the vacancy's point.
    std::int64_t create_place(const data::OfferRecord& offer, const json& zukunftsort,
                              const Caller& caller) {
        json properties = zukunftsort;
        properties["vacancy_id"] = offer.vacancy_id;
        const json feature = {
            {"type", "Feature"},
            {"geometry", {{"type", "Point"}, {"coordinates", {offer.lon, offer.lat}}}},
            {"properties", properties}};
        return places_made.create(feature, caller).id;
    }

    /// Checks that offer and need are still open for `to` (422 match_closed otherwise).
    static void require_open(const data::OfferRecord& offer, const data::NeedRecord& need,
                             const std::string& to) {
        bool open = need.status == "offen";
        if (to == "angenommen")
            open = open && offer.status == "offen";
        else if (to == "abgeschlossen")
            open = open && offer.status == "reserviert";
        else if (to != "abgelehnt")
            open = open && (offer.status == "offen" || offer.status == "reserviert");
        if (open) return;
        throw Unprocessable(ErrorCode{error_code::k_match_closed},
                            "offer " + std::to_string(offer.id) + " is " + offer.status +
                                " and need " + std::to_string(need.id) + " is " + need.status +
                                ": the match cannot become " + to,
                            json{{"offer_status", offer.status}, {"need_status", need.status}});
    }

    /// What status `to` changes around the match, inside the caller's transaction.
    void apply_consequences(data::VermittlungRecord& record, const std::string& from,
                            const data::OfferRecord& offer, const json& zukunftsort,
                            const Caller& caller) {
        data::MatchStore store_of_matches = matches();
        if (record.status == "angenommen") {
            start_activation(offer.vacancy_id, caller);
            store_of_matches.set_offer_status(offer.id, "reserviert", false);
            record.accepted_at = utc_now_iso8601();
        } else if (record.status == "abgeschlossen") {
            record.zukunftsort_id = create_place(offer, zukunftsort, caller);
            store_of_matches.set_offer_status(offer.id, "vermittelt", true);
            store_of_matches.set_need_status(record.gesuch_id, "vermittelt", true);
            record.finished_at = utc_now_iso8601();
        } else if (record.status == "abgelehnt" && from == "angenommen") {
            stop_activation(offer.vacancy_id, caller);
            store_of_matches.set_offer_status(offer.id, "offen", false);
        }
    }
};

MatchService::MatchService(data::Store& store) : m_impl(std::make_unique<Impl>(store)) {}
MatchService::~MatchService() = default;
MatchService::MatchService(MatchService&&) noexcept = default;
MatchService& MatchService::operator=(MatchService&&) noexcept = default;

json MatchService::offer_suggestions(std::int64_t offer_id, const Caller& caller) {
    const data::OfferRecord offer = m_impl->offer_to_change(offer_id, caller);
    data::MatchStore store = m_impl->matches();
    data::NeedStore need_store(m_impl->store);
    data::NeedFilter open_needs;
    open_needs.status = "offen";
    const auto rows = every_record(need_store, open_needs);
    const auto [needs, need_rows] = scorable(rows, scored_need);
    json suggestions = json::array();
    if (const auto scored = m_impl->scored(offer)) {
        const auto recorded = store.vermittlungen_of_offer(offer.id);
        for (const auto& match : matching::rank_needs(*scored, needs, k_top_n)) {
            const data::NeedRecord& need = *need_rows.at(match.need_id);
            const NamedKommunen named = m_impl->named_kommunen(need);
            suggestions.push_back(
                suggestion(match, "need", need_json(need, named), offer, need, named, recorded));
        }
    }
    return {{"angebot_id", offer.id}, {"suggestions", suggestions}};
}

json MatchService::need_suggestions(std::int64_t need_id, const Caller& caller) {
    require_some_write(caller);
    const data::NeedRecord need = m_impl->need_for_staff(need_id);
    data::MatchStore store = m_impl->matches();
    // The offers open to a match in the caller's Kommunen (everywhere for an admin), by id.
    data::OfferStore offer_store(m_impl->store);
    data::OfferFilter in_scope;
    if (const auto scope = write_scope(caller))
        in_scope.visibility.internal_prefixes = *scope;
    else
        in_scope.visibility.all = true;
    std::vector<data::OfferRecord> rows;
    for (const char* status : {"offen", "reserviert"}) {
        in_scope.status = status;
        auto of_status = every_record(offer_store, in_scope);
        std::move(of_status.begin(), of_status.end(), std::back_inserter(rows));
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    const auto [offers, offer_rows] =
        scorable(rows, [this](const data::OfferRecord& row) { return m_impl->scored(row); });
    json suggestions = json::array();
    if (const auto scored = scored_need(need)) {
        const auto recorded = store.vermittlungen_of_need(need.id);
        const NamedKommunen named = m_impl->named_kommunen(need);
        for (const auto& match : matching::rank_offers(*scored, offers, k_top_n)) {
            const data::OfferRecord& offer = *offer_rows.at(match.offer_id);
            suggestions.push_back(
                suggestion(match, "offer", offer_json(offer), offer, need, named, recorded));
        }
    }
    return {{"gesuch_id", need.id}, {"suggestions", suggestions}};
}

json MatchService::record(const json& body, const Caller& caller, const MatchMailing& mailing) {
    require_some_write(caller);
    FieldErrors errors;
    if (!body.is_object()) {
        errors.add("", field_code::k_wrong_type, "the body must be a JSON object");
        throw errors.error("invalid match outcome");
    }
    refuse_unknown(body, {"angebot_id", "gesuch_id", "status", "message"}, errors);
    const auto angebot_id = read_id(body, "angebot_id", errors);
    const auto gesuch_id = read_id(body, "gesuch_id", errors);
    const auto status = read_status(body, true, errors);
    const auto message = read_message(body, errors);
    if (message && status && !takes_message(*status))
        errors.add("message", field_code::k_not_applicable,
                   "a message goes with a match that is still open (kontaktiert, angenommen)");
    errors.throw_if_any("invalid match outcome");

    const data::OfferRecord offer = m_impl->offer_to_change(*angebot_id, caller);
    const data::NeedRecord need = m_impl->need_for_staff(*gesuch_id);
    data::MatchStore store = m_impl->matches();
    if (const auto existing = store.vermittlung_of(offer.id, need.id))
        throw Conflict(ErrorCode{error_code::k_match_recorded},
                       "the outcome of this match is recorded already as " +
                           std::to_string(existing->id) + "; change it there",
                       json{{"vermittlung_id", existing->id}});
    require_outcome_transition("", *status);
    Impl::require_open(offer, need, *status);
    const matching::Match match = m_impl->scored_pair(offer, need);

    data::VermittlungRecord record;
    record.angebot_id = offer.id;
    record.gesuch_id = need.id;
    record.status = *status;
    record.score = match.total;
    record.match = matching::to_json(match).dump();
    record.author = caller.name;
    // One transaction for the outcome and what it changes; the mail goes last, so a relay
    // that fails leaves nothing recorded (and a store that fails sends no mail).
    auto transaction = data::VacancyStore(m_impl->store).begin_write();
    m_impl->apply_consequences(record, "", offer, json::object(), caller);
    data::VermittlungRecord stored = store.insert_vermittlung(record);
    if (message) {
        store.insert_need_message(need.id, offer.id, *message, caller.name);
        m_impl->mail_author(offer, need, *message, mailing);
    }
    transaction.commit();
    return vermittlung_json(*store.vermittlung(stored.id));
}

json MatchService::change(std::int64_t id, const json& body, std::optional<std::int64_t> if_match,
                          const Caller& caller, const MatchMailing& mailing) {
    require_signed_in(caller);
    data::MatchStore store = m_impl->matches();
    const auto current = store.vermittlung(id);
    if (!current) throw NotFound("match outcome " + std::to_string(id) + " does not exist");
    const data::OfferRecord offer = m_impl->offer_to_change(current->angebot_id, caller);
    if (!if_match)
        throw PreconditionRequired(
            "send the version you changed as If-Match (the ETag of your last answer)");
    if (*if_match != current->version)
        throw PreconditionFailed::stale("match outcome", id, current->version, *if_match);

    FieldErrors errors;
    if (!body.is_object()) {
        errors.add("", field_code::k_wrong_type, "the body must be a JSON object");
        throw errors.error("invalid match outcome");
    }
    refuse_unknown(body, {"status", "message", "zukunftsort"}, errors);
    const std::string status = read_status(body, false, errors).value_or(current->status);
    const auto message = read_message(body, errors);
    json zukunftsort = json::object();
    if (body.contains("zukunftsort") && !body.at("zukunftsort").is_null()) {
        zukunftsort = body.at("zukunftsort");
        if (!zukunftsort.is_object())
            errors.add("zukunftsort", field_code::k_wrong_type,
                       "zukunftsort must be an object with name, kind and description");
        else if (status != "abgeschlossen")
            errors.add("zukunftsort", field_code::k_not_applicable,
                       "a Zukunftsort goes with the status abgeschlossen only");
    }
    if (status == "abgeschlossen" && status != current->status && !body.contains("zukunftsort"))
        errors.add("zukunftsort", field_code::k_required,
                   "finishing a match creates its Zukunftsort: give its name");
    if (message && !takes_message(status))
        errors.add("message", field_code::k_not_applicable,
                   "a message goes with a match that is still open (kontaktiert, angenommen)");
    if (!message && status == current->status && errors.empty())
        errors.add("status", field_code::k_required, "give a new status or a message");
    errors.throw_if_any("invalid match outcome");

    const data::NeedRecord need = m_impl->need_for_staff(current->gesuch_id);
    data::VermittlungRecord record = *current;
    if (status != current->status) {
        require_outcome_transition(current->status, status);
        Impl::require_open(offer, need, status);
        record.status = status;
    }
    auto transaction = data::VacancyStore(m_impl->store).begin_write();
    if (status != current->status)
        m_impl->apply_consequences(record, current->status, offer, zukunftsort, caller);
    store.update_vermittlung(record, current->version);
    if (message) {
        store.insert_need_message(need.id, offer.id, *message, caller.name);
        m_impl->mail_author(offer, need, *message, mailing);
    }
    transaction.commit();
    return vermittlung_json(*store.vermittlung(id));
}

}  // namespace leerstand::services
