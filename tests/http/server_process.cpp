#include "tests/http/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/test_support.hpp"

namespace leerstand::test {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_poll_interval = std::chrono::milliseconds(20);

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The port of the first "listening on http://HOST:PORT" (the server) or "listening on PORT"
/// (the SMTP sink) line, or 0 while there is none.
std::uint16_t listening_port(const std::string& output) {
    const std::string marker = "listening on ";
    const std::size_t start = output.find(marker);
    if (start == std::string::npos) return 0;
    const std::size_t line_end = output.find('\n', start);
    if (line_end == std::string::npos) return 0;  // the line is not complete yet
    const std::string line = output.substr(start, line_end - start);
    const std::size_t number = line.find_last_of(": ") + 1;
    return static_cast<std::uint16_t>(std::stoul(line.substr(number)));
}

}  // namespace

int exit_status(int wait_status) {
    return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

ServerProcess::ServerProcess(const std::vector<std::string>& serve_args,
                             const std::filesystem::path& log_dir,
                             std::chrono::milliseconds startup_timeout)
    : ServerProcess(serve_command(serve_args), log_dir, "server", startup_timeout) {}

std::vector<std::string> ServerProcess::serve_command(const std::vector<std::string>& serve_args) {
    std::vector<std::string> args{leerstand_binary().string(), "serve"};
    args.insert(args.end(), serve_args.begin(), serve_args.end());
    return args;
}

ServerProcess::ServerProcess(std::vector<std::string> args, const std::filesystem::path& log_dir,
                             const std::string& name, std::chrono::milliseconds startup_timeout)
    : m_stdout(log_dir / (name + ".out")), m_stderr(log_dir / (name + ".err")) {
    // Everything the child needs is built before fork: after it only exec-safe calls.
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string out_path = m_stdout.string();
    const std::string err_path = m_stderr.string();

    m_pid = fork();
    if (m_pid < 0) throw std::runtime_error("fork failed");
    if (m_pid == 0) {
        const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int null_in = open("/dev/null", O_RDONLY);
        if (out < 0 || err < 0 || null_in < 0) _exit(126);
        dup2(null_in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execv(argv[0], argv.data());
        _exit(127);
    }

    const auto deadline = Clock::now() + startup_timeout;
    while (Clock::now() < deadline) {
        m_port = listening_port(stdout_text());
        if (m_port != 0) return;
        int status = 0;
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            throw std::runtime_error(args[0] + " exited with status " +
                                     std::to_string(exit_status(status)) +
                                     " before listening; stderr: " + stderr_text());
        }
        std::this_thread::sleep_for(k_poll_interval);
    }
    stop(SIGKILL, std::chrono::seconds(5));
    throw std::runtime_error(
        args[0] +
        " printed no \"listening on\" line within the time limit; stderr: " + stderr_text());
}

ServerProcess::~ServerProcess() {
    if (m_pid > 0) stop(SIGKILL, std::chrono::seconds(5));
}

std::optional<int> ServerProcess::stop(int signal_number, std::chrono::milliseconds timeout) {
    if (m_pid <= 0) return std::nullopt;
    kill(m_pid, signal_number);
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    while (Clock::now() < deadline) {
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return exit_status(status);
        }
        std::this_thread::sleep_for(k_poll_interval);
    }
    kill(m_pid, SIGKILL);
    waitpid(m_pid, &status, 0);
    m_pid = -1;
    return std::nullopt;
}

std::string ServerProcess::stdout_text() const {
    return read_text(m_stdout);
}

std::string ServerProcess::stderr_text() const {
    return read_text(m_stderr);
}

SmtpSink::SmtpSink(const std::filesystem::path& dir)
    : m_dir(dir / "mails"),
      m_process(
          {"/usr/bin/python3",
           (std::filesystem::path(LEERSTAND_SOURCE_DIR) / "tests/support/smtp_sink.py").string(),
           m_dir.string()},
          dir, "smtp-sink", std::chrono::seconds(15)) {}

std::string SmtpSink::url() const {
    return "smtp://127.0.0.1:" + std::to_string(m_process.port());
}

std::vector<nlohmann::json> SmtpSink::mails() const {
    std::vector<std::filesystem::path> files;
    if (std::filesystem::exists(m_dir))
        for (const auto& entry : std::filesystem::directory_iterator(m_dir))
            if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::vector<nlohmann::json> mails;
    for (const auto& file : files) mails.push_back(nlohmann::json::parse(read_text(file)));
    return mails;
}

std::vector<nlohmann::json> SmtpSink::wait_for_mails(std::size_t count,
                                                     std::chrono::milliseconds timeout) const {
    const auto deadline = Clock::now() + timeout;
    std::vector<nlohmann::json> received = mails();
    while (received.size() < count && Clock::now() < deadline) {
        std::this_thread::sleep_for(k_poll_interval);
        received = mails();
    }
    return received;
}

}  // namespace leerstand::test
