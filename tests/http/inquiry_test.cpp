// Inquiries about offers over real HTTP (part "inquiries"): the public form with its bounds,
// limit per client and honeypot; the mail to the Kommune's office and the answer from the
// inbox, both through a real local SMTP relay (aiosmtpd); the inbox's scope; and the deletion
// of the personal data a while after closing (a real server restarted on a database whose
// closing times the test moved into the past).

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/http/atlas_fixture.hpp"
#include "tests/http/server_process.hpp"

namespace leerstand::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* k_office = "buero@angermuende.example";
constexpr const char* k_other_office = "buero@herzberg.example";
constexpr const char* k_owner_secret = "Otto Eigentuemer, Tel. 0171 999999";

json an_inquiry(const std::string& name = "Anna Müller") {
    return {{"name", name},
            {"email", "anna.mueller@example.org"},
            {"phone", "+49 (0)3331 12-34/5"},
            {"intended_use", "laden"},
            {"common_good", true},
            {"message", "Wir möchten hier ein Café mit Repair-Werkstatt eröffnen."}};
}

class Inquiries : public AtlasServerTest {
  protected:
    void SetUp() override {
        if (m_with_sink) {
            fs::create_directories(m_dir / "smtp");
            m_sink = std::make_unique<SmtpSink>(m_dir / "smtp");
        }
        AtlasServerTest::SetUp();
    }

    std::vector<std::string> extra_serve_args() const override {
        std::vector<std::string> args = {"--trusted-proxy", "127.0.0.1"};
        const std::string url = m_sink ? m_sink->url() : m_relay_url;
        if (!url.empty())
            args.insert(args.end(), {"--smtp-url", url, "--mail-from", "atlas@leerstand.example"});
        args.insert(args.end(), m_more_args.begin(), m_more_args.end());
        return args;
    }

    /// An offer (SQL into `angebote`, as part "offers" would store it) on a vacancy created
    /// through the API in `ags`, published (consent_publish) or not.
    std::int64_t make_offer(const std::string& ags, int building, const std::string& contact,
                            bool published = true, const std::string& status = "offen",
                            const std::string& title = "Ladenlokal am Markt") {
        const std::int64_t vacancy = create_vacancy({{"status", "bestaetigt"},
                                                     {"use", "laden"},
                                                     {"consent_publish", published},
                                                     {"owner_contact", k_owner_secret}},
                                                    ags, building);
        EXPECT_GT(vacancy, 0);
        const std::string contact_sql = contact.empty() ? "NULL" : "'" + contact + "'";
        const std::string id = spatial_sql(
            db(),
            "INSERT INTO angebote (vacancy_id, title, kinds, contact_role, contact_email, status, "
            "created_at, updated_at) VALUES (" +
                std::to_string(vacancy) + ", '" + title + "', '[\"miete\"]', " +
                "'Wirtschaftsförderung', " + contact_sql + ", '" + status +
                "', '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z'); "
                "SELECT max(id) FROM angebote;");
        return std::stoll(id);
    }

    HttpResponse submit(std::int64_t offer, const json& body,
                        const std::string& address = "198.51.100.1") {
        return call(Who::Anonymous, "POST", "/api/angebote/" + std::to_string(offer) + "/anfragen",
                    body, {{"X-Real-IP", address}}, "application/json");
    }

    json inbox(Who who, const std::string& query = "") {
        const HttpResponse list = call(who, "GET", "/api/anfragen" + query);
        EXPECT_EQ(list.status, 200) << list.body;
        return parse_json(list);
    }

    HttpResponse set_status(Who who, std::int64_t id, const std::string& status) {
        return call(who, "PATCH", "/api/anfragen/" + std::to_string(id), json{{"status", status}},
                    {}, "application/json");
    }

    HttpResponse answer(Who who, std::int64_t id, const std::string& text) {
        return call(who, "POST", "/api/anfragen/" + std::to_string(id) + "/antworten",
                    json{{"text", text}}, {}, "application/json");
    }

    std::string stored_count() { return spatial_sql(db(), "SELECT count(*) FROM anfragen"); }

    void restart_with(std::vector<std::string> args) {
        m_more_args = std::move(args);
        restart_server();
    }

    bool m_with_sink = true;
    std::string m_relay_url;  ///< without a sink: a relay URL (or none)
    std::unique_ptr<SmtpSink> m_sink;
    std::vector<std::string> m_more_args;
};

TEST_F(Inquiries, AnInquiryArrivesAsMailAtTheOfficeWithItsFieldsAndReplyToTheInquirer) {
    const std::int64_t offer = make_offer(k_home_ags, 0, k_office);
    const HttpResponse sent = submit(offer, an_inquiry());
    ASSERT_EQ(sent.status, 201) << sent.body;
    // The confirmation says nothing of the Kommune's staff or the owner, and no id.
    EXPECT_EQ(parse_json(sent), json({{"status", "received"}, {"retention_days", 180}}));
    EXPECT_EQ(sent.header("Cache-Control"), "no-store");

    const auto mails = m_sink->wait_for_mails(1);
    ASSERT_EQ(mails.size(), 1u);
    const json& mail = mails.front();
    EXPECT_EQ(mail["rcpt_tos"], json::array({k_office}));
    EXPECT_EQ(mail["reply_to"], "anna.mueller@example.org");
    EXPECT_EQ(mail["mail_from"], "atlas@leerstand.example");
    EXPECT_NE(mail["subject"].get<std::string>().find("Ladenlokal am Markt"), std::string::npos);
    const std::string text = mail["text"];
    for (const char* part : {"Leerstandsatlas", "Ladenlokal am Markt", "Name: Anna Müller",
                             "E-Mail: anna.mueller@example.org", "Telefon: +49 (0)3331 12-34/5",
                             "Geplante Nutzung: Laden", "Gemeinwohlorientiert: ja",
                             "Wir möchten hier ein Café mit Repair-Werkstatt eröffnen."})
        EXPECT_NE(text.find(part), std::string::npos) << part << " in\n" << text;
    EXPECT_EQ(text.find("Otto"), std::string::npos) << text;

    // And it is in the inbox of the Kommune's editor.
    const json list = inbox(Who::Editor);
    ASSERT_EQ(list["inquiries"].size(), 1u);
    const json& inquiry = list["inquiries"][0];
    EXPECT_EQ(inquiry["name"], "Anna Müller");
    EXPECT_EQ(inquiry["phone"], "+49 (0)3331 12-34/5");
    EXPECT_EQ(inquiry["common_good"], true);
    EXPECT_EQ(inquiry["status"], "neu");
    EXPECT_EQ(inquiry["offer"]["id"], offer);
    EXPECT_EQ(inquiry["offer"]["kommune"], k_home_ags);
    EXPECT_EQ(list["counts"], json({{"neu", 1}, {"in_kontakt", 0}, {"abgeschlossen", 0}}));
    EXPECT_EQ(list["mail_configured"], true);
}

TEST_F(Inquiries, AnOfferWithoutContactAddressStoresTheInquiryWithoutMail) {
    const std::int64_t offer = make_offer(k_home_ags, 0, "");
    ASSERT_EQ(submit(offer, an_inquiry()).status, 201);
    EXPECT_EQ(inbox(Who::Editor)["inquiries"].size(), 1u);
    EXPECT_TRUE(m_sink->wait_for_mails(1, std::chrono::milliseconds(1500)).empty());
}

TEST_F(Inquiries, AnAnswerFromTheInboxArrivesAtTheInquirerAndPutsItInContact) {
    const std::int64_t offer = make_offer(k_home_ags, 0, k_office);
    ASSERT_EQ(submit(offer, an_inquiry()).status, 201);
    ASSERT_EQ(m_sink->wait_for_mails(1).size(), 1u);
    const std::int64_t id = inbox(Who::Editor)["inquiries"][0]["id"];

    const HttpResponse answered =
        answer(Who::Editor, id, "Guten Tag Frau Müller,\nrufen Sie uns gern an.");
    ASSERT_EQ(answered.status, 201) << answered.body;
    const json inquiry = parse_json(answered);
    EXPECT_EQ(inquiry["status"], "in_kontakt");
    ASSERT_EQ(inquiry["messages"].size(), 1u);
    EXPECT_EQ(inquiry["messages"][0]["text"], "Guten Tag Frau Müller,\nrufen Sie uns gern an.");
    EXPECT_EQ(inquiry["messages"][0]["author"], user_name(Who::Editor));
    EXPECT_EQ(inquiry["messages"][0]["mailed"], true);

    const auto mails = m_sink->wait_for_mails(2);
    ASSERT_EQ(mails.size(), 2u);
    const json& mail = mails.back();
    EXPECT_EQ(mail["rcpt_tos"], json::array({"anna.mueller@example.org"}));
    EXPECT_EQ(mail["reply_to"], k_office);
    const std::string text = mail["text"];
    EXPECT_NE(text.find("rufen Sie uns gern an."), std::string::npos) << text;
    EXPECT_NE(text.find("Leerstandsatlas"), std::string::npos) << text;
    EXPECT_EQ(text.find("Otto"), std::string::npos) << text;
    EXPECT_EQ(inbox(Who::Editor, "?status=in_kontakt")["inquiries"].size(), 1u);
    EXPECT_EQ(inbox(Who::Editor, "?status=neu")["inquiries"].size(), 0u);

    // Bounds of an answer: nothing mailed, nothing stored.
    EXPECT_EQ(answer(Who::Editor, id, " ").status, 400);
    EXPECT_EQ(answer(Who::Editor, id, std::string(5001, 'x')).status, 400);
    EXPECT_EQ(answer(Who::Editor, id, std::string(5000, 'x')).status, 201);
    EXPECT_EQ(spatial_sql(db(), "SELECT count(*) FROM nachrichten"), "2");
}

TEST_F(Inquiries, BadInquiriesNameEveryFieldWithItsCodeAndStoreNothing) {
    const std::int64_t offer = make_offer(k_home_ags, 0, k_office);
    const json bad = {{"name", "A"},
                      {"email", "keine-adresse"},
                      {"phone", "0331 CALL ME"},
                      {"intended_use", "schloss"},
                      {"common_good", "ja"},
                      {"message", "Zu kurz."},
                      {"budget", 100}};
    const HttpResponse refused = submit(offer, bad);
    ASSERT_EQ(refused.status, 400) << refused.body;
    const json problem = parse_json(refused);
    EXPECT_EQ(problem["code"], "invalid_fields");
    std::map<std::string, std::string> codes;
    for (const json& error : problem["errors"]) codes[error["field"]] = error["code"];
    EXPECT_EQ(codes, (std::map<std::string, std::string>{{"name", "too_short"},
                                                         {"email", "not_an_email"},
                                                         {"phone", "not_a_phone"},
                                                         {"intended_use", "not_one_of"},
                                                         {"common_good", "wrong_type"},
                                                         {"message", "too_short"},
                                                         {"budget", "unknown_field"}}));
    const HttpResponse missing = submit(offer, json::object(), "198.51.100.2");
    ASSERT_EQ(missing.status, 400);
    codes.clear();
    const json missing_errors = parse_json(missing)["errors"];
    for (const json& error : missing_errors) codes[error["field"]] = error["code"];
    EXPECT_EQ(codes, (std::map<std::string, std::string>{{"name", "required"},
                                                         {"email", "required"},
                                                         {"intended_use", "required"},
                                                         {"message", "required"}}));
    json too_long = an_inquiry(std::string(101, 'n'));
    too_long["message"] = std::string(2001, 'm');
    too_long["phone"] = std::string(41, '1');
    const HttpResponse long_refused = submit(offer, too_long, "198.51.100.3");
    ASSERT_EQ(long_refused.status, 400);
    codes.clear();
    const json long_errors = parse_json(long_refused)["errors"];
    for (const json& error : long_errors) codes[error["field"]] = error["code"];
    EXPECT_EQ(codes, (std::map<std::string, std::string>{
                         {"name", "too_long"}, {"message", "too_long"}, {"phone", "too_long"}}));
    EXPECT_EQ(stored_count(), "0");

    // At the limits (counted in characters, umlauts as one): taken.
    json at_limits = an_inquiry(std::string("Äö") + std::string(98, 'n'));
    at_limits["message"] = std::string(1999, 'm') + "ü";
    at_limits["phone"] = std::string(40, '1');
    at_limits.erase("common_good");  // optional: false
    EXPECT_EQ(submit(offer, at_limits, "198.51.100.4").status, 201);
    json shortest = an_inquiry("Al");
    shortest["message"] = "Zehn Zeich";
    shortest.erase("phone");
    EXPECT_EQ(submit(offer, shortest, "198.51.100.4").status, 201);
    EXPECT_EQ(stored_count(), "2");
    EXPECT_EQ(spatial_sql(db(), "SELECT common_good FROM anfragen ORDER BY id LIMIT 1"), "0");
}

TEST_F(Inquiries, AnOfferThePublicDoesNotSeeIsNotFoundAndGetsNoInquiry) {
    const std::int64_t unpublished = make_offer(k_home_ags, 0, k_office, false);
    const std::int64_t placed = make_offer(k_home_ags, 1, k_office, true, "vermittelt");
    const std::int64_t withdrawn = make_offer(k_home_ags, 2, k_office, true, "zurueckgezogen");
    const std::int64_t reserved = make_offer(k_home_ags, 3, k_office, true, "reserviert");
    const std::int64_t activated = make_offer(k_home_ags, 4, k_office);
    spatial_sql(db(),
                "UPDATE vacancies SET status = 'aktiviert' WHERE id = (SELECT vacancy_id "
                "FROM angebote WHERE id = " +
                    std::to_string(activated) + ")");
    for (const std::int64_t offer : {unpublished, placed, withdrawn, activated, 999999L}) {
        const HttpResponse refused = submit(offer, an_inquiry());
        EXPECT_EQ(refused.status, 404) << offer << ": " << refused.body;
        EXPECT_EQ(parse_json(refused)["code"], "not_found");
    }
    EXPECT_EQ(stored_count(), "0");
    EXPECT_EQ(submit(reserved, an_inquiry()).status, 201);
    EXPECT_EQ(stored_count(), "1");
}

TEST_F(Inquiries, TooManyInquiriesFromOneClientGet429WithRetryAfterOthersNot) {
    const std::int64_t offer = make_offer(k_home_ags, 0, "");
    for (int i = 0; i < 5; ++i)
        ASSERT_EQ(submit(offer, an_inquiry(), "203.0.113.5").status, 201) << i;
    const HttpResponse limited = submit(offer, an_inquiry(), "203.0.113.5");
    ASSERT_EQ(limited.status, 429) << limited.body;
    EXPECT_EQ(parse_json(limited)["code"], "too_many_inquiries");
    EXPECT_GT(std::stoi(limited.header("Retry-After")), 3000);  // the hour-long window
    json robot = an_inquiry();
    robot["homepage"] = "x";
    EXPECT_EQ(submit(offer, robot, "203.0.113.5").status, 429);
    EXPECT_EQ(submit(offer, an_inquiry(), "203.0.113.6").status, 201);
    EXPECT_EQ(stored_count(), "6");
}

TEST_F(Inquiries, AFilledHoneypotIsAnsweredLikeASuccessButNothingIsStoredOrMailed) {
    const std::int64_t offer = make_offer(k_home_ags, 0, k_office);
    json robot = an_inquiry("Spam Bot");
    robot["homepage"] = "https://spam.example";
    const HttpResponse trapped = submit(offer, robot, "198.51.100.8");
    const HttpResponse real = submit(offer, an_inquiry(), "198.51.100.7");
    EXPECT_EQ(trapped.status, real.status);
    EXPECT_EQ(trapped.body, real.body);
    EXPECT_EQ(submit(offer, json{{"homepage", "x"}, {"email", "no"}}, "198.51.100.8").status, 201);
    EXPECT_EQ(stored_count(), "1");
    EXPECT_EQ(m_sink->wait_for_mails(1).size(), 1u);
    EXPECT_TRUE(m_sink->wait_for_mails(2, std::chrono::milliseconds(1500)).size() == 1u);
    EXPECT_EQ(inbox(Who::Admin)["inquiries"][0]["name"], "Anna Müller");
}

TEST_F(Inquiries, TheInboxShowsOnlyTheCallersKommunenAndOnlyToEditorsAndAdmins) {
    const std::int64_t home = make_offer(k_home_ags, 0, k_office);
    const std::int64_t other = make_offer(k_other_ags, 0, k_other_office);
    ASSERT_EQ(submit(home, an_inquiry("Anna Heim")).status, 201);
    ASSERT_EQ(submit(other, an_inquiry("Otto Fern"), "198.51.100.9").status, 201);
    const json mine = inbox(Who::Editor);
    ASSERT_EQ(mine["inquiries"].size(), 1u);
    EXPECT_EQ(mine["inquiries"][0]["name"], "Anna Heim");
    const std::int64_t home_id = mine["inquiries"][0]["id"];
    const json theirs = inbox(Who::EditorOther);
    ASSERT_EQ(theirs["inquiries"].size(), 1u);
    EXPECT_EQ(theirs["inquiries"][0]["name"], "Otto Fern");
    EXPECT_EQ(theirs["counts"]["neu"], 1);
    EXPECT_EQ(inbox(Who::Admin)["inquiries"].size(), 2u);

    // Another Kommune's inquiry is not there for the editor: 404, and unchanged.
    const HttpResponse foreign = set_status(Who::EditorOther, home_id, "abgeschlossen");
    EXPECT_EQ(foreign.status, 404) << foreign.body;
    EXPECT_EQ(answer(Who::EditorOther, home_id, "Hallo").status, 404);
    EXPECT_EQ(inbox(Who::Editor)["inquiries"][0]["status"], "neu");

    const HttpResponse planner = call(Who::Planner, "GET", "/api/anfragen");
    EXPECT_EQ(planner.status, 403);
    EXPECT_EQ(planner.body.find("Anna"), std::string::npos);
    EXPECT_EQ(set_status(Who::Planner, home_id, "in_kontakt").status, 403);
    EXPECT_EQ(call(Who::Anonymous, "GET", "/api/anfragen").status, 401);
    EXPECT_EQ(set_status(Who::Anonymous, home_id, "in_kontakt").status, 401);
    EXPECT_EQ(answer(Who::Anonymous, home_id, "Hallo").status, 401);
    EXPECT_EQ(inbox(Who::Editor)["inquiries"][0]["status"], "neu");
}

TEST_F(Inquiries, StatusMovesForwardAndBackAndClosingIsDated) {
    const std::int64_t offer = make_offer(k_home_ags, 0, "");
    ASSERT_EQ(submit(offer, an_inquiry()).status, 201);
    const json first = inbox(Who::Editor)["inquiries"][0];
    const std::int64_t id = first["id"];
    EXPECT_TRUE(first["closed_at"].is_null());

    const HttpResponse contact = set_status(Who::Editor, id, "in_kontakt");
    ASSERT_EQ(contact.status, 200) << contact.body;
    EXPECT_EQ(parse_json(contact)["version"], 2);
    const json closed = parse_json(set_status(Who::Editor, id, "abgeschlossen"));
    EXPECT_EQ(closed["status"], "abgeschlossen");
    EXPECT_FALSE(closed["closed_at"].is_null());
    EXPECT_EQ(inbox(Who::Editor)["counts"],
              json({{"neu", 0}, {"in_kontakt", 0}, {"abgeschlossen", 1}}));
    // The same status again changes nothing.
    EXPECT_EQ(parse_json(set_status(Who::Editor, id, "abgeschlossen"))["version"], 3);
    const json reopened = parse_json(set_status(Who::Admin, id, "neu"));
    EXPECT_EQ(reopened["status"], "neu");
    EXPECT_TRUE(reopened["closed_at"].is_null());

    const HttpResponse bad = set_status(Who::Editor, id, "erledigt");
    ASSERT_EQ(bad.status, 400);
    EXPECT_EQ(parse_json(bad)["errors"][0]["code"], "not_one_of");
    EXPECT_EQ(call(Who::Editor, "PATCH", "/api/anfragen/" + std::to_string(id),
                   json{{"status", "neu"}, {"name", "X"}}, {}, "application/json")
                  .status,
              400);
    EXPECT_EQ(set_status(Who::Editor, 999999, "neu").status, 404);
    EXPECT_EQ(call(Who::Editor, "GET", "/api/anfragen?status=offen").status, 400);
}

TEST_F(Inquiries, PersonalDataIsDeletedTheRetentionTimeAfterClosingButStatusAndDatesStay) {
    const std::int64_t offer = make_offer(k_home_ags, 0, k_office);
    for (const char* name : {"Anna Alt", "Berta Mittel", "Clara Offen"})
        ASSERT_EQ(submit(offer, an_inquiry(name)).status, 201);
    std::map<std::string, std::int64_t> ids;
    const json listed = inbox(Who::Editor)["inquiries"];
    for (const json& inquiry : listed) ids[inquiry["name"]] = inquiry["id"];
    ASSERT_EQ(answer(Who::Editor, ids["Anna Alt"], "Geheime Antwort an Anna").status, 201);
    ASSERT_EQ(set_status(Who::Editor, ids["Anna Alt"], "abgeschlossen").status, 200);
    ASSERT_EQ(set_status(Who::Editor, ids["Berta Mittel"], "abgeschlossen").status, 200);
    // Closed 181 and 179 days ago; the open one was sent 400 days ago.
    const auto move = [&](const std::string& column, std::int64_t id, int days) {
        spatial_sql(db(), "UPDATE anfragen SET " + column +
                              " = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-" + std::to_string(days) +
                              " days') WHERE id = " + std::to_string(id));
    };
    move("closed_at", ids["Anna Alt"], 181);
    move("closed_at", ids["Berta Mittel"], 179);
    move("created_at", ids["Clara Offen"], 400);

    // The job runs when the server starts (and then every hour): the default is 180 days.
    restart_with({});
    const auto by_id = [&](std::int64_t id) {
        const json all = inbox(Who::Admin)["inquiries"];
        for (const json& inquiry : all)
            if (inquiry["id"] == id) return inquiry;
        return json();
    };
    const json anna = by_id(ids["Anna Alt"]);
    for (const char* field : {"name", "email", "phone", "message"})
        EXPECT_TRUE(anna[field].is_null()) << field << ": " << anna[field];
    ASSERT_EQ(anna["messages"].size(), 1u);
    EXPECT_TRUE(anna["messages"][0]["text"].is_null());
    EXPECT_FALSE(anna["messages"][0]["sent_at"].is_null());
    EXPECT_FALSE(anna["personal_data_deleted_at"].is_null());
    EXPECT_EQ(anna["status"], "abgeschlossen");
    EXPECT_FALSE(anna["closed_at"].is_null());
    EXPECT_FALSE(anna["created_at"].is_null());
    EXPECT_EQ(anna["intended_use"], "laden");
    EXPECT_EQ(by_id(ids["Berta Mittel"])["name"], "Berta Mittel");
    EXPECT_EQ(by_id(ids["Clara Offen"])["name"], "Clara Offen");
    // Nothing of Anna left anywhere in the file's tables.
    EXPECT_EQ(spatial_sql(db(), "SELECT count(*) FROM anfragen WHERE name = 'Anna Alt'"), "0");
    EXPECT_EQ(spatial_sql(db(), "SELECT count(*) FROM nachrichten WHERE text LIKE '%Anna%'"), "0");
    // Answering an inquiry whose data are gone: nobody to write to.
    const HttpResponse gone = answer(Who::Editor, ids["Anna Alt"], "Hallo?");
    EXPECT_EQ(gone.status, 409);
    EXPECT_EQ(parse_json(gone)["code"], "personal_data_deleted");

    // A shorter time, as `serve --activation-retention-days` sets it.
    restart_with({"--activation-retention-days", "30"});
    EXPECT_TRUE(by_id(ids["Berta Mittel"])["name"].is_null());
    EXPECT_EQ(by_id(ids["Berta Mittel"])["status"], "abgeschlossen");
    EXPECT_EQ(by_id(ids["Clara Offen"])["email"], "anna.mueller@example.org");
}

/// A server without a mail relay.
class InquiriesWithoutRelay : public Inquiries {
  protected:
    void SetUp() override {
        m_with_sink = false;
        Inquiries::SetUp();
    }
};

TEST_F(InquiriesWithoutRelay, InquiriesAreStoredButAnsweringIs409AndChangesNothing) {
    const std::int64_t offer = make_offer(k_home_ags, 0, k_office);
    ASSERT_EQ(submit(offer, an_inquiry()).status, 201);
    const json list = inbox(Who::Editor);
    EXPECT_EQ(list["mail_configured"], false);
    const std::int64_t id = list["inquiries"][0]["id"];
    const HttpResponse refused = answer(Who::Editor, id, "Hallo");
    ASSERT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(parse_json(refused)["code"], "mail_not_configured");
    EXPECT_EQ(inbox(Who::Editor)["inquiries"][0]["status"], "neu");
    EXPECT_EQ(spatial_sql(db(), "SELECT count(*) FROM nachrichten"), "0");
}

/// A server whose relay is not there (it was stopped before the server started).
class InquiriesWithAFailingRelay : public Inquiries {
  protected:
    void SetUp() override {
        m_with_sink = false;
        fs::create_directories(m_dir / "gone");
        {
            const SmtpSink gone(m_dir / "gone");
            m_relay_url = gone.url();
        }
        Inquiries::SetUp();
    }
};

TEST_F(InquiriesWithAFailingRelay, TheInquiryIsKeptButAnAnswerIs502AndNotRecorded) {
    const std::int64_t offer = make_offer(k_home_ags, 0, k_office);
    ASSERT_EQ(submit(offer, an_inquiry()).status, 201);
    EXPECT_NE(m_server->stderr_text().find("not mailed"), std::string::npos)
        << m_server->stderr_text();
    const json list = inbox(Who::Editor);
    ASSERT_EQ(list["inquiries"].size(), 1u);
    const std::int64_t id = list["inquiries"][0]["id"];
    const HttpResponse failed = answer(Who::Editor, id, "Hallo");
    ASSERT_EQ(failed.status, 502) << failed.body;
    EXPECT_EQ(parse_json(failed)["code"], "mail_not_sent");
    EXPECT_EQ(inbox(Who::Editor)["inquiries"][0]["status"], "neu");
    EXPECT_EQ(spatial_sql(db(), "SELECT count(*) FROM nachrichten"), "0");
}

}  // namespace
}  // namespace leerstand::test
