#include "server/services/smtp_relay.hpp"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <string_view>

#include "common/email_address.hpp"
#include "common/error.hpp"

namespace leerstand::services {

namespace {

struct EasyDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct ListDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using StringList = std::unique_ptr<curl_slist, ListDeleter>;

/// curl_global_init is not thread-safe: run it once, before the first handle.
void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw InternalError("libcurl could not be initialised");
    });
}

std::string base64(std::string_view bytes) {
    std::string text(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(text.data(), text.size(),
                      reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    text.resize(std::strlen(text.c_str()));
    return text;
}

/// The body as base64 in lines of 76 characters (RFC 2045): any UTF-8 and any line length
/// passes every relay unchanged.
std::string body_base64(std::string_view text) {
    const std::string encoded = base64(text);
    std::string lines;
    for (std::size_t at = 0; at < encoded.size(); at += 76)
        lines += encoded.substr(at, 76) + "\r\n";
    return lines;
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

/// The subject as an RFC 2047 encoded word when it is not plain ASCII.
std::string subject_header(std::string_view subject) {
    if (is_ascii(subject)) return std::string(subject);
    return "=?UTF-8?B?" + base64(subject) + "?=";
}

std::string checked_address(const std::string& text, const char* what) {
    if (!EmailAddress::parse(text))
        throw InvalidInput(std::string(what) + " is not an e-mail address");
    return text;
}

void check_one_line(std::string_view text, const char* what) {
    if (text.find_first_of("\r\n") != std::string_view::npos)
        throw InvalidInput(std::string(what) + " must be one line");
}

/// "Mon, 07 Dec 2026 19:30:00 +0000"
std::string rfc5322_now() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[40];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
    return text;
}

std::string new_message_id(const std::string& from) {
    unsigned char bytes[12];
    randombytes_buf(bytes, sizeof bytes);
    std::string hex(sizeof bytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bytes, sizeof bytes);
    hex.pop_back();
    return hex + from.substr(from.find('@'));
}

/// Feeds the message to libcurl's upload callback.
struct Upload {
    std::string_view rest;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * count, upload->rest.size());
    std::memcpy(buffer, upload->rest.data(), n);
    upload->rest.remove_prefix(n);
    return n;
}

}  // namespace

std::string message_text(const Mail& mail, const std::string& from, const std::string& date,
                         const std::string& message_id) {
    checked_address(mail.to, "the recipient");
    checked_address(from, "the sender");
    if (!mail.reply_to.empty()) checked_address(mail.reply_to, "the reply address");
    check_one_line(mail.subject, "the subject");
    check_one_line(message_id, "the message id");
    std::string text;
    text += "From: " + from + "\r\n";
    text += "To: " + mail.to + "\r\n";
    if (!mail.reply_to.empty()) text += "Reply-To: " + mail.reply_to + "\r\n";
    text += "Subject: " + subject_header(mail.subject) + "\r\n";
    text += "Date: " + date + "\r\n";
    text += "Message-ID: <" + message_id + ">\r\n";
    text += "MIME-Version: 1.0\r\n";
    text += "Content-Type: text/plain; charset=utf-8\r\n";
    text += "Content-Transfer-Encoding: base64\r\n";
    text += "\r\n";
    text += body_base64(mail.text);
    return text;
}

SmtpRelay::SmtpRelay(RelaySettings settings) : m_settings(std::move(settings)) {
    const std::string_view url = m_settings.url;
    if (!url.starts_with("smtp://") && !url.starts_with("smtps://"))
        throw InvalidInput("the SMTP relay must be an smtp:// or smtps:// URL");
    checked_address(m_settings.from, "the sender");
}

void SmtpRelay::send(const Mail& mail) const {
    const std::string text =
        message_text(mail, m_settings.from, rfc5322_now(), new_message_id(m_settings.from));
    init_curl_once();
    EasyHandle curl(curl_easy_init());
    if (!curl) throw InternalError("libcurl could not make a handle");
    StringList recipients(curl_slist_append(nullptr, mail.to.c_str()));
    const std::string from_path = "<" + m_settings.from + ">";
    Upload upload{text};
    char error[CURL_ERROR_SIZE] = {};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, m_settings.url.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from_path.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &read_upload);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, m_settings.timeout_seconds);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for timeouts
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    if (!m_settings.user.empty()) {
        curl_easy_setopt(h, CURLOPT_USERNAME, m_settings.user.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, m_settings.password.c_str());
    }
    const CURLcode result = curl_easy_perform(h);
    if (result != CURLE_OK) {
        std::cerr << ("leerstand: mail to the relay " + m_settings.url + " failed: " +
                      (error[0] ? std::string(error) : curl_easy_strerror(result)) + "\n")
                  << std::flush;
        throw MailNotSent(ErrorCode{"mail_not_sent"},
                          "the mail could not be handed to the mail relay; the server log has "
                          "the reason");
    }
}

}  // namespace leerstand::services
