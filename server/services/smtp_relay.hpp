#pragma once

#include <string>

/// Sending mail through the SMTP relay an operator configured (`serve --smtp-url`). The atlas
/// never talks to recipients' servers itself: the relay (the Kommune's mail server, a local
/// Postfix) does. libcurl speaks SMTP; smtp_relay.cpp is the only file that includes it.
namespace leerstand::services {

/// Where and as whom mail is sent.
struct RelaySettings {
    /// `smtp://host[:port]` (STARTTLS when the relay offers it) or `smtps://host[:port]`.
    std::string url;
    /// The sender of every mail, e.g. `leerstandsatlas@angermuende.de`.
    std::string from;
    /// Credentials of the relay; empty: none.
    std::string user;
    std::string password;
    /// Seconds a mail may take before it counts as not sent.
    long timeout_seconds = 20;
};

/// One plain-text mail in UTF-8.
struct Mail {
    std::string to;        ///< one address (EmailAddress)
    std::string subject;   ///< one line
    std::string text;      ///< the body; lines end in "\n"
    std::string reply_to;  ///< an address replies go to; empty: the sender
};

/// The text of `mail` as sent (RFC 5322 headers with an RFC 2047 subject, base64 body), with
/// `from`, `date` (RFC 5322 date-time) and `message_id` (without angle brackets).
/// @throws InvalidInput when an address is not one or a header would span lines.
std::string message_text(const Mail& mail, const std::string& from, const std::string& date,
                         const std::string& message_id);

/// Sends mails through one relay. Thread-safe: each send uses its own connection.
class SmtpRelay {
  public:
    /// @throws InvalidInput when the URL is not smtp:// or smtps:// or `from` is no address.
    explicit SmtpRelay(RelaySettings settings);

    /// Hands `mail` to the relay; returns once the relay accepted it.
    /// @throws MailNotSent (code mail_not_sent) when the relay cannot be reached or refuses
    ///         (the log gets libcurl's reason, the caller a message without it);
    ///         InvalidInput for a malformed mail (message_text).
    void send(const Mail& mail) const;

    const RelaySettings& settings() const { return m_settings; }

  private:
    RelaySettings m_settings;
};

}  // namespace leerstand::services
