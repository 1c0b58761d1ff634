// Mail through the operator's SMTP relay (services/smtp_relay.hpp), against a real local relay:
// Debian's aiosmtpd (tests/support/smtp_sink.py), never a real server.
#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"
#include "server/services/smtp_relay.hpp"
#include "tests/http/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace {

using leerstand::InvalidInput;
using leerstand::MailNotSent;
using leerstand::services::Mail;
using leerstand::services::message_text;
using leerstand::services::RelaySettings;
using leerstand::services::SmtpRelay;
using leerstand::test::SmtpSink;
using leerstand::test::TempDir;

RelaySettings relay_to(const std::string& url, const std::string& from, long timeout_seconds = 20) {
    RelaySettings settings;
    settings.url = url;
    settings.from = from;
    settings.timeout_seconds = timeout_seconds;
    return settings;
}

Mail inquiry_mail() {
    Mail mail;
    mail.to = "buero@angermuende.example";
    mail.subject = "Neue Anfrage: Ladenlokal am Marktplatz (Größe 120 m²)";
    mail.text = "Grüß Gott,\nFrau Müller möchte ein Café eröffnen.\n";
    mail.reply_to = "anna.mueller@example.org";
    return mail;
}

TEST(MailText, CarriesHeadersAnEncodedSubjectAndABase64Body) {
    const std::string text =
        message_text(inquiry_mail(), "atlas@leerstand.example", "Mon, 07 Dec 2026 19:30:00 +0000",
                     "abc@leerstand.example");
    EXPECT_NE(text.find("From: atlas@leerstand.example\r\n"), std::string::npos) << text;
    EXPECT_NE(text.find("To: buero@angermuende.example\r\n"), std::string::npos);
    EXPECT_NE(text.find("Reply-To: anna.mueller@example.org\r\n"), std::string::npos);
    EXPECT_NE(text.find("Subject: =?UTF-8?B?"), std::string::npos);
    EXPECT_NE(text.find("Message-ID: <abc@leerstand.example>\r\n"), std::string::npos);
    EXPECT_NE(text.find("Content-Transfer-Encoding: base64\r\n\r\n"), std::string::npos);
    // Nothing but ASCII leaves the atlas: any relay passes it unchanged.
    for (const char c : text) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
}

TEST(MailText, RefusesHeaderInjectionAndAddressesThatAreNone) {
    Mail injected = inquiry_mail();
    injected.subject = "Hallo\r\nBcc: alle@example.org";
    EXPECT_THROW(message_text(injected, "atlas@leerstand.example", "d", "id@x"), InvalidInput);
    Mail no_address = inquiry_mail();
    no_address.to = "buero@angermuende.example\r\nBcc: alle@example.org";
    EXPECT_THROW(message_text(no_address, "atlas@leerstand.example", "d", "id@x"), InvalidInput);
    Mail bad_reply = inquiry_mail();
    bad_reply.reply_to = "keine adresse";
    EXPECT_THROW(message_text(bad_reply, "atlas@leerstand.example", "d", "id@x"), InvalidInput);
}

TEST(SmtpRelaySettings, TakeOnlySmtpUrlsAndASenderAddress) {
    EXPECT_THROW(SmtpRelay(relay_to("http://127.0.0.1:25", "atlas@leerstand.example")),
                 InvalidInput);
    EXPECT_THROW(SmtpRelay(relay_to("smtp://127.0.0.1:25", "atlas")), InvalidInput);
    EXPECT_NO_THROW(SmtpRelay(relay_to("smtps://mail.example.org", "atlas@example.org")));
}

TEST(SmtpRelaySend, TheRelayReceivesTheMailAsAMailProgramShowsIt) {
    TempDir dir;
    const SmtpSink sink(dir.path());
    const SmtpRelay relay(relay_to(sink.url(), "atlas@leerstand.example"));
    relay.send(inquiry_mail());
    const auto mails = sink.wait_for_mails(1);
    ASSERT_EQ(mails.size(), 1u);
    const auto& mail = mails.front();
    EXPECT_EQ(mail["mail_from"], "atlas@leerstand.example");
    EXPECT_EQ(mail["rcpt_tos"], nlohmann::json::array({"buero@angermuende.example"}));
    EXPECT_EQ(mail["subject"], "Neue Anfrage: Ladenlokal am Marktplatz (Größe 120 m²)");
    EXPECT_EQ(mail["text"], "Grüß Gott,\nFrau Müller möchte ein Café eröffnen.\n");
    EXPECT_EQ(mail["reply_to"], "anna.mueller@example.org");
}

TEST(SmtpRelaySend, ARelayThatIsNotThereIsMailNotSentWithoutItsInternals) {
    TempDir dir;
    std::string url;
    {
        const SmtpSink gone(dir.path());  // a port that was just free and is closed again
        url = gone.url();
    }
    const SmtpRelay relay(relay_to(url, "atlas@leerstand.example", 5));
    try {
        relay.send(inquiry_mail());
        FAIL() << "a relay that is not there took the mail";
    } catch (const MailNotSent& e) {
        EXPECT_EQ(e.stable_code(), "mail_not_sent");
        EXPECT_EQ(std::string(e.what()).find("127.0.0.1"), std::string::npos) << e.what();
    }
}

TEST(ServeMailOptions, TheRelayNeedsItsSenderAndAnSmtpUrl) {
    const auto no_sender =
        leerstand::test::run_leerstand({"serve", "--smtp-url", "smtp://127.0.0.1:1"});
    EXPECT_EQ(no_sender.exit_code, 2);
    EXPECT_NE(no_sender.err.find("--mail-from"), std::string::npos) << no_sender.err;
    const auto bad_url = leerstand::test::run_leerstand(
        {"serve", "--smtp-url", "http://127.0.0.1:1", "--mail-from", "atlas@leerstand.example"});
    EXPECT_EQ(bad_url.exit_code, 2);
    EXPECT_NE(bad_url.err.find("smtp://"), std::string::npos) << bad_url.err;
}

}  // namespace
