#include "tests/support/test_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>
#include <stdexcept>

namespace leerstand::test {

namespace fs = std::filesystem;

fs::path fixture(const std::string& relative) {
    return fs::path(LEERSTAND_TEST_DATA_DIR) / relative;
}

fs::path shared_data(const std::string& relative) {
    return fs::path(LEERSTAND_SHARED_DATA_DIR) / relative;
}

std::string file_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

fs::path leerstand_binary() {
    return fs::path(LEERSTAND_BINARY);
}

TempDir::TempDir() {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate = fs::temp_directory_path() / ("leerstand-test-" + std::to_string(rd()));
        if (fs::create_directory(candidate)) {
            m_path = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
}

namespace {

// Reads both pipes until the child closes them, so neither can fill up and block the child.
void drain(int out_fd, int err_fd, std::string& out, std::string& err) {
    std::array<pollfd, 2> fds{{{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}}};
    int open_count = 2;
    std::array<char, 65536> buffer{};
    while (open_count > 0) {
        if (poll(fds.data(), fds.size(), -1) < 0) break;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            ssize_t n = read(fds[i].fd, buffer.data(), buffer.size());
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_count;
                continue;
            }
            (i == 0 ? out : err).append(buffer.data(), static_cast<std::size_t>(n));
        }
    }
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& args, const std::string& stdin_text) {
    int out_pipe[2], err_pipe[2], in_pipe[2];
    if (pipe(out_pipe) || pipe(err_pipe) || pipe(in_pipe)) throw std::runtime_error("pipe failed");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
            close(fd);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (!stdin_text.empty()) {
        ssize_t ignored = write(in_pipe[1], stdin_text.data(), stdin_text.size());
        (void)ignored;
    }
    close(in_pipe[1]);
    CommandResult result;
    drain(out_pipe[0], err_pipe[0], result.out, result.err);
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

CommandResult run_leerstand(const std::vector<std::string>& args) {
    std::vector<std::string> full{leerstand_binary().string()};
    full.insert(full.end(), args.begin(), args.end());
    return run_command(full);
}

std::string ellipse_ring_geojson(double lon, double lat, double rx, double ry,
                                 std::size_t vertices) {
    std::string ring = "[";
    ring.reserve(vertices * 28 + 2);
    char point[64];
    for (std::size_t i = 0; i <= vertices; ++i) {
        // i % vertices: the last point is the first, bit for bit.
        const double angle = 2 * std::numbers::pi * static_cast<double>(i % vertices) /
                             static_cast<double>(vertices);
        std::snprintf(point, sizeof point, "%s[%.9f,%.9f]", i == 0 ? "" : ",",
                      lon + rx * std::cos(angle), lat + ry * std::sin(angle));
        ring += point;
    }
    return ring + "]";
}

std::string open_vacancies_oracle_sql(const std::string& area, const std::string& instant) {
    const std::string t = "'" + instant + "'";
    // The newest row of the report before the instant (ties in id order), and a column of it.
    const auto last_before = [&](const std::string& column, const std::string& condition) {
        return "(SELECT " + column +
               " FROM vacancy_history h WHERE h.vacancy_id = r.vacancy_id AND h.changed_at < " + t +
               condition + " ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)";
    };
    return "SELECT count(*) FROM (SELECT " + last_before("action", "") + " AS last_action, " +
           "coalesce(" + last_before("kommune_ags", "") + ", r.kommune_ags) AS kommune, " +
           "coalesce(" +
           last_before("json_extract(h.new_values, '$.status')",
                       " AND json_extract(h.new_values, '$.status') IS NOT NULL") +
           ", json_extract(r.new_values, '$.status')) AS status, " + "r.changed_at AS first_at, " +
           "(SELECT json_extract(h.new_values, '$.vacant_since') FROM vacancy_history h "
           "WHERE h.vacancy_id = r.vacancy_id AND json_type(h.new_values, '$.vacant_since') "
           "IS NOT NULL ORDER BY h.changed_at DESC, h.id DESC LIMIT 1) AS since "
           "FROM vacancy_history r WHERE r.action = 'create') AS reports "
           "WHERE kommune LIKE '" +
           area +
           "%' AND status IN ('gemeldet', 'bestaetigt', 'in_aktivierung') "
           "AND (last_action IS NULL OR last_action <> 'delete') "
           "AND (first_at < " +
           t + " OR coalesce(substr(since, 1, 7) || '-01T00:00:00Z', first_at) < " + t + ")";
}

}  // namespace leerstand::test
