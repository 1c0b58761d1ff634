#include "server/cli/account_commands.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "common/error.hpp"
#include "data/store.hpp"
#include "server/cli/cli_errors.hpp"
#include "server/cli/named_options.hpp"
#include "server/services/auth_service.hpp"

namespace leerstand::cli {

namespace {

/// Options (`--name value`, `--name=value`, repeatable) and positional words of one command.
class Options {
  public:
    Options(const std::vector<std::string>& args, const std::set<std::string>& valued,
            const std::set<std::string>& flags, const std::set<std::string>& repeatable = {}) {
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& arg = args[i];
            if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
                m_positional.push_back(arg);
                continue;
            }
            const auto eq = arg.find('=');
            const std::string name =
                arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            if (flags.count(name) && eq == std::string::npos) {
                m_flags.insert(name);
                continue;
            }
            if (!valued.count(name)) throw UsageError("unknown option " + arg.substr(0, eq));
            std::string value;
            if (eq != std::string::npos)
                value = arg.substr(eq + 1);
            else if (i + 1 < args.size())
                value = args[++i];
            else
                throw UsageError("option --" + name + " needs a value");
            auto& values = m_values[name];
            if (!values.empty() && !repeatable.count(name))
                throw UsageError("option --" + name + " given more than once");
            values.push_back(value);
        }
    }

    std::optional<std::string> value(const std::string& name) const {
        auto it = m_values.find(name);
        return it == m_values.end() ? std::nullopt : std::optional(it->second.front());
    }
    std::vector<std::string> values(const std::string& name) const {
        auto it = m_values.find(name);
        return it == m_values.end() ? std::vector<std::string>{} : it->second;
    }
    bool flag(const std::string& name) const { return m_flags.count(name) > 0; }
    const std::vector<std::string>& positional() const { return m_positional; }

  private:
    std::map<std::string, std::vector<std::string>> m_values;
    std::set<std::string> m_flags;
    std::vector<std::string> m_positional;
};

/// Same rule as the other commands: --db, else $LEERSTAND_DB, else var/leerstand.sqlite.
data::DatabaseLocation database_path(const Options& options) {
    return database_location(options.value("db"));
}

/// Turns terminal echo off for its lifetime.
class EchoOff {
  public:
    EchoOff() {
        if (tcgetattr(STDIN_FILENO, &m_saved) != 0) return;
        termios quiet = m_saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        m_active = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    ~EchoOff() {
        if (m_active) tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

  private:
    termios m_saved{};
    bool m_active = false;
};

std::optional<std::string> read_line(std::istream& in) {
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

std::optional<std::string> prompt_hidden(const std::string& prompt, std::istream& in,
                                         std::ostream& err) {
    err << prompt << std::flush;
    std::optional<std::string> line;
    {
        EchoOff quiet;
        line = read_line(in);
    }
    err << "\n";
    return line;
}

/// The password: typed twice on a terminal, else the first line of `in`.
std::string read_password(const std::string& user, std::istream& in, std::ostream& err) {
    if (&in == &std::cin && isatty(STDIN_FILENO)) {
        auto first = prompt_hidden("Password for " + user + ": ", in, err);
        auto second = prompt_hidden("Repeat the password: ", in, err);
        if (!first || !second) throw InvalidInput("no password given");
        if (*first != *second) throw InvalidInput("the passwords differ; nothing was changed");
        return *first;
    }
    auto line = read_line(in);
    if (!line || line->empty())
        throw InvalidInput("no password on stdin; pipe it in as the first line");
    return *line;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
    return text;
}

std::string kommunen_text(const services::UserSummary& user) {
    if (!user.kommunen.empty()) return join(user.kommunen, ",");
    return user.role == services::Role::Editor ? "-" : "all";
}

void print_users(const std::vector<services::UserSummary>& users, std::ostream& out) {
    if (users.empty()) {
        out << "No users yet; add one with `leerstand user add NAME --role ROLE`.\n";
        return;
    }
    std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "ROLE", "KOMMUNEN", "CREATED"}};
    for (const auto& user : users)
        rows.push_back({std::to_string(user.id), user.name, services::role_name(user.role),
                        kommunen_text(user),
                        user.created_at + (user.disabled ? "  (disabled)" : "")});
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        out << line << "\n";
    }
}

nlohmann::json users_json(const std::vector<services::UserSummary>& users) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& user : users)
        list.push_back({{"id", user.id},
                        {"name", user.name},
                        {"role", services::role_name(user.role)},
                        {"kommunen", user.kommunen},
                        {"created_at", user.created_at},
                        {"disabled", user.disabled}});
    return list;
}

int user_add(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
             std::ostream& err) {
    Options options(args, {"db", "role", "kommune"}, {}, {"kommune"});
    if (options.positional().size() != 1) throw UsageError("user add needs exactly one NAME");
    const std::string& name = options.positional().front();
    auto role_text = options.value("role");
    if (!role_text) throw UsageError("user add needs --role admin|planner|editor");
    services::Role role;
    try {
        role = services::parse_role(*role_text);
    } catch (const InvalidInput& e) {
        throw UsageError(e.what());
    }
    const std::string password = read_password(name, in, err);
    data::Store store(database_path(options));
    services::AuthService auth(store);
    auto user = auth.add_user(name, role, options.values("kommune"), password);
    out << "Added user " << user.name << " (id " << user.id << ", "
        << services::role_name(user.role) << ", Kommunen " << kommunen_text(user) << ")\n";
    return k_exit_ok;
}

int user_list(const std::vector<std::string>& args, std::ostream& out) {
    Options options(args, {"db"}, {"json"});
    if (!options.positional().empty())
        throw UsageError("user list takes no argument '" + options.positional().front() + "'");
    data::Store store(database_path(options));
    services::AuthService auth(store);
    auto users = auth.list_users();
    if (options.flag("json"))
        out << users_json(users).dump(2) << "\n";
    else
        print_users(users, out);
    return k_exit_ok;
}

int token_create(const std::vector<std::string>& args, std::ostream& out) {
    Options options(args, {"db", "user", "label"}, {});
    if (!options.positional().empty())
        throw UsageError("token create takes no argument '" + options.positional().front() +
                         "'; name the user with --user NAME");
    auto user = options.value("user");
    if (!user) throw UsageError("token create needs --user NAME");
    data::Store store(database_path(options));
    services::AuthService auth(store);
    auto token = auth.create_token(*user, options.value("label").value_or(""));
    out << "Token " << token.id << " for " << *user
        << ". It is shown only this once and stored only as a hash:\n"
        << token.secret << "\n";
    return k_exit_ok;
}

std::int64_t parse_token_id(const std::string& text) {
    try {
        std::size_t used = 0;
        const long long id = std::stoll(text, &used);
        if (used == text.size() && id > 0) return id;
    } catch (const std::exception&) {
    }
    throw UsageError("token revoke needs a token ID (a positive number) or --token SECRET, not '" +
                     text.substr(0, 40) + "'");
}

int token_revoke(const std::vector<std::string>& args, std::istream& in, std::ostream& out) {
    Options options(args, {"db", "token"}, {});
    const auto secret = options.value("token");
    const auto& words = options.positional();
    if (secret ? !words.empty() : words.size() != 1)
        throw UsageError("token revoke needs either a token ID or --token SECRET");
    if (secret) {
        std::string text = *secret;
        if (text == "-") {
            auto line = read_line(in);
            if (!line || line->empty()) throw InvalidInput("no token on stdin");
            text = *line;
        }
        data::Store store(database_path(options));
        services::AuthService auth(store);
        auth.revoke_token_secret(text);
        out << "Revoked the token.\n";
        return k_exit_ok;
    }
    const std::int64_t id = parse_token_id(words.front());
    data::Store store(database_path(options));
    services::AuthService auth(store);
    auth.revoke_token(id);
    out << "Revoked token " << id << ".\n";
    return k_exit_ok;
}

}  // namespace

int run_user_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                     std::ostream& err) {
    return guarded(err, [&] {
        if (args.empty()) throw UsageError("user needs a subcommand: add or list");
        const std::vector<std::string> rest(args.begin() + 1, args.end());
        if (args.front() == "add") return user_add(rest, in, out, err);
        if (args.front() == "list") return user_list(rest, out);
        throw UsageError("unknown user subcommand '" + args.front() + "'; use add or list");
    });
}

int run_token_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                      std::ostream& err) {
    return guarded(err, [&] {
        if (args.empty()) throw UsageError("token needs a subcommand: create or revoke");
        const std::vector<std::string> rest(args.begin() + 1, args.end());
        if (args.front() == "create") return token_create(rest, out);
        if (args.front() == "revoke") return token_revoke(rest, in, out);
        throw UsageError("unknown token subcommand '" + args.front() + "'; use create or revoke");
    });
}

}  // namespace leerstand::cli
