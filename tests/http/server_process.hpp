#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace leerstand::test {

/// The real `leerstand serve` in a child process. Its stdout and stderr go to files in
/// `log_dir` (no pipe can fill up and block the server).
class ServerProcess {
  public:
    /// Starts `leerstand serve <serve_args...>` and waits until it prints "listening on
    /// http://HOST:PORT".
    /// @throws std::runtime_error (with the server's stderr) if it exits or stays silent.
    ServerProcess(const std::vector<std::string>& serve_args, const std::filesystem::path& log_dir,
                  std::chrono::milliseconds startup_timeout = std::chrono::seconds(15));
    /// Kills the server if it still runs.
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    std::uint16_t port() const { return m_port; }
    pid_t pid() const { return m_pid; }

    /// Sends `signal_number` and waits up to `timeout`. Returns the exit status (128 + signal
    /// for a signal death), or nullopt if it did not exit in time (it is then killed).
    std::optional<int> stop(int signal_number, std::chrono::milliseconds timeout);

    std::string stdout_text() const;
    std::string stderr_text() const;

  private:
    friend class SmtpSink;
    /// Starts `args` (a program that prints "listening on ... PORT"), its output to
    /// `log_dir`/`name`.out and .err.
    ServerProcess(std::vector<std::string> args, const std::filesystem::path& log_dir,
                  const std::string& name, std::chrono::milliseconds startup_timeout);
    static std::vector<std::string> serve_command(const std::vector<std::string>& serve_args);

    pid_t m_pid = -1;
    std::uint16_t m_port = 0;
    std::filesystem::path m_stdout;
    std::filesystem::path m_stderr;
};

/// A local SMTP relay that keeps every mail (tests/support/smtp_sink.py, Debian's aiosmtpd):
/// each as JSON {mail_from, rcpt_tos, to, from, reply_to, subject, text, headers}, decoded
/// by Python's email package as a mail program would show it. Stopped when destroyed.
class SmtpSink {
  public:
    /// Starts the sink; its mails and logs go under `dir`.
    explicit SmtpSink(const std::filesystem::path& dir);

    /// "smtp://127.0.0.1:PORT", for `serve --smtp-url`.
    std::string url() const;
    /// The mails received so far, oldest first.
    std::vector<nlohmann::json> mails() const;
    /// Waits until at least `count` mails arrived or `timeout` passed; returns them all.
    std::vector<nlohmann::json> wait_for_mails(
        std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  private:
    std::filesystem::path m_dir;
    ServerProcess m_process;
};

/// Exit status of a child that was waited for: the exit code, or 128 + signal.
int exit_status(int wait_status);

}  // namespace leerstand::test
