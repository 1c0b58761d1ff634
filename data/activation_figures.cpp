#include "data/activation_figures.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "data/connection.hpp"
#include "data/offer_store.hpp"
#include "data/sql_conditions.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

/// The Kommune key and the instant of every event of a kind, from the offer's vacancy. A match
/// recorded as abgeschlossen at once has no accepted_at: it was accepted when it was finished.
std::string event_rows_sql(ActivationEvent event) {
    switch (event) {
        case ActivationEvent::offer_published:
            return "SELECT v.kommune_ags, a.created_at AS at FROM angebote a "
                   "JOIN vacancies v ON v.id = a.vacancy_id";
        case ActivationEvent::inquiry_received:
            return "SELECT v.kommune_ags, q.created_at AS at FROM anfragen q "
                   "JOIN angebote a ON a.id = q.angebot_id JOIN vacancies v ON v.id = a.vacancy_id";
        case ActivationEvent::match_accepted:
            return "SELECT v.kommune_ags, coalesce(m.accepted_at, m.finished_at, m.updated_at) "
                   "AS at FROM vermittlungen m JOIN angebote a ON a.id = m.angebot_id "
                   "JOIN vacancies v ON v.id = a.vacancy_id "
                   "WHERE m.status IN ('angenommen', 'abgeschlossen')";
        case ActivationEvent::activation_finished:
            return "SELECT v.kommune_ags, coalesce(m.finished_at, m.updated_at) AS at "
                   "FROM vermittlungen m JOIN angebote a ON a.id = m.angebot_id "
                   "JOIN vacancies v ON v.id = a.vacancy_id WHERE m.status = 'abgeschlossen'";
    }
    return {};
}

}  // namespace

ActivationFiguresStore::ActivationFiguresStore(Store& store) : m_db(store.connection()) {}

std::map<std::string, std::vector<std::int64_t>> ActivationFiguresStore::events_by_period(
    ActivationEvent event, const std::string& prefix, const std::vector<std::string>& boundaries) {
    detail::Conditions where;
    where.add(detail::prefix_condition(where, "kommune_ags", prefix));
    where.add("at < ?");
    where.binds.emplace_back(boundaries.back());
    Statement rows = m_db.prepare("SELECT kommune_ags, at FROM (" + event_rows_sql(event) +
                                  ") AS events " + where.sql);
    where.bind_all(rows);
    std::map<std::string, std::vector<std::int64_t>> counts;
    while (rows.step()) {
        const std::string at = rows.column_text(1);
        // The first boundary after the instant is the end of its period.
        const auto period = static_cast<std::size_t>(
            std::upper_bound(boundaries.begin(), boundaries.end(), at) - boundaries.begin());
        auto& of_key = counts[rows.column_text(0)];
        of_key.resize(boundaries.size(), 0);
        ++of_key[period];
    }
    return counts;
}

std::map<std::string, std::int64_t> ActivationFiguresStore::public_offers(
    const OfferVisibility& visible, const std::string& prefix,
    const std::optional<std::string>& created_before) {
    detail::Conditions where;
    add_offer_visibility(where, visible);
    where.add(detail::prefix_condition(where, "v.kommune_ags", prefix));
    if (created_before) {
        where.add("a.created_at < ?");
        where.binds.emplace_back(*created_before);
    }
    Statement rows = m_db.prepare(
        "SELECT v.kommune_ags, count(*) FROM angebote a JOIN vacancies v ON v.id = a.vacancy_id " +
        where.sql + " GROUP BY v.kommune_ags");
    where.bind_all(rows);
    std::map<std::string, std::int64_t> counts;
    while (rows.step()) counts[rows.column_text(0)] = rows.column_int64(1);
    return counts;
}

std::vector<ConfirmedNeed> ActivationFiguresStore::confirmed_needs() {
    // A need entered by staff is public from its creation and may carry no confirmed_at.
    Statement rows = m_db.prepare(
        "SELECT id, status, coalesce(confirmed_at, created_at) AS at, kommunen, centre_lon, "
        "centre_lat, radius_km FROM gesuche WHERE status <> 'unbestaetigt' ORDER BY id");
    std::vector<ConfirmedNeed> needs;
    while (rows.step()) {
        ConfirmedNeed need;
        need.id = rows.column_int64(0);
        need.status = rows.column_text(1);
        need.confirmed_at = rows.column_text(2);
        if (const auto kommunen = rows.column_optional_text(3))
            for (const auto& ags : nlohmann::json::parse(*kommunen))
                if (ags.is_string()) need.place.kommunen.push_back(ags.get<std::string>());
        if (!rows.column_is_null(6)) {
            need.place.centre_lon = rows.column_double(4);
            need.place.centre_lat = rows.column_double(5);
            need.place.radius_km = rows.column_double(6);
        }
        needs.push_back(std::move(need));
    }
    return needs;
}

std::map<std::string, KommuneCentre> ActivationFiguresStore::kommune_centres(
    const std::string& prefix) {
    detail::Conditions where;
    where.add(detail::prefix_condition(where, "ags", prefix));
    where.add("boundary IS NOT NULL");
    Statement rows = m_db.prepare(
        "SELECT ags, ST_X(ST_Centroid(boundary)), ST_Y(ST_Centroid(boundary)) FROM kommunen " +
        where.sql);
    where.bind_all(rows);
    std::map<std::string, KommuneCentre> centres;
    while (rows.step())
        if (!rows.column_is_null(1))
            centres[rows.column_text(0)] = {rows.column_double(1), rows.column_double(2)};
    return centres;
}

}  // namespace leerstand::data
