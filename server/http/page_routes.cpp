#include <pistache/http.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.hpp"
#include "common/text.hpp"
#include "server/http/app_pages.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/http/routes.hpp"
#include "server/http/static_files.hpp"
#include "server/services/need_service.hpp"
#include "server/services/offer_service.hpp"
#include "server/services/place_resolver.hpp"
#include "server/services/profile_service.hpp"
#include "server/services/summary_service.hpp"
#include "server/services/thread_store.hpp"
#include "server/services/zukunftsort_service.hpp"

namespace leerstand::http {

namespace {

using namespace Pistache;

/// The web app's page with the head of `meta`; the app reads the path and opens the page.
void send_app_page(const ApiContext& context, Http::ResponseWriter& writer, PageMeta meta,
                   std::string_view path, Http::Code code = Http::Code::Ok) {
    const StaticFile index = context.files->load("/");
    if (meta.url.empty()) meta.url = base_url() + std::string(path);
    set_header(writer, "Content-Security-Policy", context.page_policy);
    set_header(writer, "Cache-Control", "no-cache");
    send_answer(writer, code, with_page_meta(index.body, meta), index.content_type);
}

/// A page whose head does not depend on stored data.
template <const char* Title, const char* Description>
void get_fixed_page(const ApiContext& context, const Rest::Request& request,
                    Http::ResponseWriter& writer) {
    send_app_page(context, writer, {Title, Description, "", ""}, request.resource());
}

/// `/embed/kommunen/{ags}`: a small map of one Kommune for other sites' iframes (embed.html).
/// The only page any site may frame; it shows what the public sees, and embed.js fetches
/// without credentials, so a visitor signed in to the atlas sees the same. 404 for an AGS of no
/// Kommune.
void get_kommune_embed(const ApiContext& context, const Rest::Request& request,
                       Http::ResponseWriter& writer) {
    const std::string ags = path_param(request, ":ags");
    const nlohmann::json summary = services::thread_service<services::SummaryService>(context.db)
                                       .kommune_summary(ags, services::Caller::anonymous());
    const std::string name = summary.value("name", ags);
    const StaticFile page = context.files->load("/embed.html");
    const PageMeta meta{name, "Leerstände und Zukunftsorte in " + name + ".", "",
                        base_url() + "/kommunen/" + ags};
    set_header(writer, "Content-Security-Policy", context.embed_policy);
    // Framing is what this page is for: the DENY every other answer carries must go.
    writer.headers().remove("X-Frame-Options");
    set_header(writer, "Cache-Control", "no-cache");
    send_answer(writer, Http::Code::Ok, with_page_meta(page.body, meta), page.content_type);
}

/// A Kommune's page, by AGS or slug: its name, the start of its profile text, its image and
/// its canonical address (the slug's) in the head; 404 with the app saying so when unknown.
void get_kommune_page(const ApiContext& context, const Rest::Request& request,
                      Http::ResponseWriter& writer) {
    const auto preview = services::thread_service<services::ProfileService>(context.db)
                             .page_preview(path_param(request, ":ref"));
    if (!preview) {
        send_app_page(context, writer,
                      {"Kommune nicht gefunden",
                       "Unter dieser Adresse gibt es keine Kommune im Leerstandsatlas.", "", ""},
                      request.resource(), Http::Code::Not_Found);
        return;
    }
    send_app_page(context, writer,
                  {preview->title, preview->description,
                   preview->image_path.empty() ? "" : base_url() + preview->image_path,
                   base_url() + preview->path},
                  request.resource());
}

constexpr char k_zukunftsorte_title[] = "Zukunftsorte";
constexpr char k_zukunftsorte_text[] =
    "Orte, die wieder leben: ehemals leere Gebäude in den Kommunen des Netzwerks, heute "
    "Werkstatt, Café, Coworking oder Treffpunkt.";
constexpr char k_network_title[] = "Das Netzwerk";
constexpr char k_network_text[] =
    "Die Kommunen, die Leerstand sichtbar machen und Gebäude wieder mit Leben füllen.";
constexpr char k_join_title[] = "Mitglied werden";
constexpr char k_join_text[] = "Wie eine Kommune dem Netzwerk beitritt.";
constexpr char k_about_title[] = "Über den Leerstandsatlas";
constexpr char k_about_text[] = "Was der Leerstandsatlas ist und wer ihn betreibt.";
constexpr char k_imprint_title[] = "Impressum";
constexpr char k_privacy_title[] = "Datenschutz";
constexpr char k_privacy_text[] = "Wie der Leerstandsatlas mit personenbezogenen Daten umgeht.";
constexpr char k_requests_title[] = "Mitgliedsanträge";
constexpr char k_none[] = "";
/// The staff inbox of inquiries (part "inquiries", web/inbox.js): no text, it is private.
constexpr char k_inbox_title[] = "Posteingang";

/// The Zukunftsorte of one worker thread, for the heads of their pages.
struct PageServices {
    explicit PageServices(data::Store& store)
        : places(store), zukunftsorte(store, places), angebote(store) {}
    services::PlaceResolver places;
    services::ZukunftsortService zukunftsorte;
    services::OfferService angebote;  // part "offers"
};

/// A link preview names a place in a sentence or two, not its whole text.
constexpr std::size_t k_preview_characters = 300;

/// The head of a Zukunftsort's page, from what the public sees of it.
PageMeta zukunftsort_meta(const nlohmann::json& properties) {
    PageMeta meta;
    meta.title = properties.value("name", std::string());
    std::string text;
    for (const char* field : {"description", "story"}) {
        if (properties.contains(field) && properties.at(field).is_string() &&
            !properties.at(field).get_ref<const std::string&>().empty()) {
            text = properties.at(field).get<std::string>();
            break;
        }
    }
    meta.description = text.empty() ? std::string(k_zukunftsorte_text)
                                    : utf8_shortened(text, k_preview_characters);
    const nlohmann::json& images = properties.at("images");
    if (!images.empty())
        meta.image_url = base_url() + images.at(0).at("urls").at("medium").get<std::string>();
    return meta;
}

/// `/zukunftsorte/{id}`: the page of one Zukunftsort, with its name, text and first picture in
/// the head; an unknown id is the app's page too (it says so), with 404.
void get_zukunftsort_page(const ApiContext& context, const Rest::Request& request,
                          Http::ResponseWriter& writer) {
    const std::string path = request.resource();
    try {
        const std::int64_t id = id_param(request, ":id", "Zukunftsort");
        // The page is the public's: its head shows what everybody may see, whoever asks.
        const services::FeatureResult place = services::thread_service<PageServices>(context.db)
                                                  .zukunftsorte.get(id, services::Caller{});
        PageMeta meta = zukunftsort_meta(place.feature.at("properties"));
        meta.url = base_url() + "/zukunftsorte/" + std::to_string(id);
        send_app_page(context, writer, std::move(meta), path);
    } catch (const NotFound&) {
        send_app_page(context, writer, {"Zukunftsort nicht gefunden", "", "", ""}, path,
                      Http::Code::Not_Found);
    }
}

// -- offers (part "offers") -----------------------------------------------------------------

constexpr char k_angebote_title[] = "Angebote";
constexpr char k_angebote_text[] =
    "Leerstehende Gebäude, die die Kommunen des Netzwerks zur Nachnutzung anbieten: zur Miete, "
    "zum Kauf, in Erbpacht, zur Zwischennutzung oder in Konzeptvergabe.";

/// The head of an offer's exposé, from what the public sees of it.
PageMeta offer_meta(const nlohmann::json& properties) {
    PageMeta meta;
    meta.title = properties.value("title", std::string());
    std::string text = properties.value("kommune_name", std::string());
    if (properties.at("floor_area_m2").is_number())
        text += ", " + std::to_string(std::lround(properties.at("floor_area_m2").get<double>())) +
                " m²";
    if (properties.at("conditions").is_string())
        text += ". " + properties.at("conditions").get<std::string>();
    meta.description = utf8_shortened(text, k_preview_characters);
    const nlohmann::json& images = properties.at("images");
    if (!images.empty())
        meta.image_url = base_url() + images.at(0).at("urls").at("medium").get<std::string>();
    return meta;
}

/// `/angebote/{id}`: the exposé of an offer, with its title, facts and first picture in the
/// head, but only for an offer the public sees. A hidden or unknown one gets the list's
/// generic head with 404, the same for both, so the head tells nothing the API would not.
void get_offer_page(const ApiContext& context, const Rest::Request& request,
                    Http::ResponseWriter& writer) {
    const std::string path = request.resource();
    try {
        const std::int64_t id = id_param(request, ":id", "offer");
        const services::FeatureResult offer =
            services::thread_service<PageServices>(context.db).angebote.get(id, services::Caller{});
        PageMeta meta = offer_meta(offer.feature.at("properties"));
        meta.url = base_url() + "/angebote/" + std::to_string(id);
        send_app_page(context, writer, std::move(meta), path);
    } catch (const NotFound&) {
        send_app_page(context, writer, {k_angebote_title, k_angebote_text, "", ""}, path,
                      Http::Code::Not_Found);
    }
}

// -- needs (part "needs" of issue 23) ------------------------------------------------------

constexpr char k_needs_title[] = "Gesuche";
constexpr char k_needs_text[] =
    "Was Initiativen, Gründerinnen und Vereine in den Kommunen des Netzwerks suchen: Räume für "
    "Café, Werkstatt, Wohnprojekt oder Kultur.";
constexpr char k_need_form_title[] = "Gesuch aufgeben";
constexpr char k_need_form_text[] = "Beschreiben Sie, welche Räume Sie für Ihr Vorhaben suchen.";
constexpr char k_need_confirm_title[] = "Gesuch bestätigen";

/// `/gesuche/{id}` (the need's title and the start of its description in the head; an unknown
/// or non-public need is the app's page with 404), `/gesuche/neu` and `/gesuche/bestaetigen`.
void get_need_page(const ApiContext& context, const Rest::Request& request,
                   Http::ResponseWriter& writer) {
    const std::string path = request.resource();
    const std::string ref = path_param(request, ":id");
    if (ref == "neu")
        return send_app_page(context, writer, {k_need_form_title, k_need_form_text, "", ""}, path);
    // The query (the token) stays out of the head's canonical address.
    if (ref == "bestaetigen")
        return send_app_page(context, writer, {k_need_confirm_title, k_none, "", ""}, path);
    try {
        const std::int64_t id = id_param(request, ":id", "need");
        // The public's view, whoever asks: the head is what everybody may see.
        const services::FeatureResult need =
            services::thread_service<services::NeedService>(context.db).get(id, services::Caller{});
        const nlohmann::json& properties = need.feature.at("properties");
        PageMeta meta;
        meta.title = properties.value("title", std::string(k_needs_title));
        const nlohmann::json& description = properties.at("description");
        meta.description = description.is_string() ? utf8_shortened(description.get<std::string>(),
                                                                    k_preview_characters)
                                                   : std::string(k_needs_text);
        meta.url = base_url() + "/gesuche/" + std::to_string(id);
        send_app_page(context, writer, std::move(meta), path);
    } catch (const InvalidInput&) {
        send_app_page(context, writer, {"Gesuch nicht gefunden", "", "", ""}, path,
                      Http::Code::Not_Found);
    } catch (const NotFound&) {
        send_app_page(context, writer, {"Gesuch nicht gefunden", "", "", ""}, path,
                      Http::Code::Not_Found);
    }
}

}  // namespace

void add_page_routes(Rest::Router& router, const ApiContext& context) {
    using Http::Method;
    add_route_table(
        router, context,
        {
            {"/zukunftsorte", Method::Get,
             get_fixed_page<k_zukunftsorte_title, k_zukunftsorte_text>},
            {"/zukunftsorte/:id", Method::Get, get_zukunftsort_page},
            {"/netzwerk", Method::Get, get_fixed_page<k_network_title, k_network_text>},
            {"/mitglied-werden", Method::Get, get_fixed_page<k_join_title, k_join_text>},
            {"/ueber", Method::Get, get_fixed_page<k_about_title, k_about_text>},
            {"/impressum", Method::Get, get_fixed_page<k_imprint_title, k_none>},
            {"/datenschutz", Method::Get, get_fixed_page<k_privacy_title, k_privacy_text>},
            {"/embed/kommunen/:ags", Method::Get, get_kommune_embed},
            {"/kommunen/:ref", Method::Get, get_kommune_page},
            {"/mitgliedsantraege", Method::Get, get_fixed_page<k_requests_title, k_none>},
            // part "offers"
            {"/angebote", Method::Get, get_fixed_page<k_angebote_title, k_angebote_text>},
            {"/angebote/:id", Method::Get, get_offer_page},
            {"/posteingang", Method::Get, get_fixed_page<k_inbox_title, k_none>},  // inquiries
            // part "needs" of issue 23
            {"/gesuche", Method::Get, get_fixed_page<k_needs_title, k_needs_text>},
            {"/gesuche/:id", Method::Get, get_need_page},
        });
}

}  // namespace leerstand::http
