#include "tests/http/atlas_fixture.hpp"

#include <signal.h>

#include <unistd.h>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

namespace leerstand::test {

namespace {

using nlohmann::json;

std::string last_line(const std::string& text) {
    std::istringstream lines(text);
    std::string line, last;
    while (std::getline(lines, line))
        if (!line.empty()) last = line;
    return last;
}

/// Where the demo database with the users and their tokens is kept between the test processes
/// of one build (ctest starts one process per test): named after the binary and its build time,
/// so a rebuilt binary makes a fresh one.
std::filesystem::path template_path() {
    namespace fs = std::filesystem;
    const fs::path binary = leerstand_binary();
    std::error_code error;
    const auto stamp = fs::last_write_time(binary, error).time_since_epoch().count();
    const std::size_t key = std::hash<std::string>{}(binary.string() + "#" + std::to_string(stamp));
    return fs::temp_directory_path() / ("leerstand-atlas-template-" + std::to_string(key));
}

}  // namespace

const char* who_name(Who who) {
    switch (who) {
        case Who::Anonymous:
            return "anonymous";
        case Who::EditorOther:
            return "editor of another Kommune";
        case Who::Editor:
            return "editor";
        case Who::Planner:
            return "planner";
        case Who::Admin:
            return "admin";
    }
    return "?";
}

std::string AtlasServerTest::user_name(Who who) const {
    switch (who) {
        case Who::EditorOther:
            return "editor.herzberg";
        case Who::Editor:
            return "editor.angermuende";
        case Who::Planner:
            return "planner";
        case Who::Admin:
            return "admin";
        case Who::Anonymous:
            break;
    }
    return "";
}

std::string AtlasServerTest::password(Who who) const {
    return "secret-of-" + user_name(who) + "-42";
}

void AtlasServerTest::make_database() {
    // The demo data and four users with argon2id hashes take seconds to make; every test of
    // this fixture starts from the same state, so the first process makes it and the others
    // copy it (a copy per test: no test sees another's writes).
    namespace fs = std::filesystem;
    const fs::path cached = template_path();
    std::ifstream tokens(cached.string() + ".tokens.json");
    if (fs::exists(cached) && tokens) {
        const json saved = json::parse(tokens, nullptr, false);
        if (saved.is_object()) {
            fs::copy_file(cached, db());
            for (const auto& [who, token] : saved.items())
                m_tokens[static_cast<Who>(std::stoi(who))] = token.get<std::string>();
            return;
        }
    }
    m_from_demo = true;
    // Kommunen and buildings only: the tests file their own reports and count on no others.
    const CommandResult demo = run_leerstand({"demo", "--buildings-only", "--db", db().string()});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
}

void AtlasServerTest::save_template() {
    namespace fs = std::filesystem;
    // Only a fully checkpointed file can be copied alone.
    if (fs::exists(db().string() + "-wal")) return;
    const fs::path cached = template_path();
    const std::string unique = "." + std::to_string(::getpid()) + ".partial";
    json saved = json::object();
    for (const auto& [who, token] : m_tokens) saved[std::to_string(static_cast<int>(who))] = token;
    std::ofstream(cached.string() + ".tokens.json" + unique) << saved.dump();
    fs::copy_file(db(), cached.string() + unique, fs::copy_options::overwrite_existing);
    // Renames are atomic: a concurrent test sees the whole template or none. Tokens first, so
    // the database file is the commit point.
    fs::rename(cached.string() + ".tokens.json" + unique, cached.string() + ".tokens.json");
    fs::rename(cached.string() + unique, cached);
}

void AtlasServerTest::SetUp() {
    make_database();
    if (HasFatalFailure() || IsSkipped()) return;
    if (m_tokens.empty()) add_users();
    if (HasFatalFailure()) return;
    start_server();
}

void AtlasServerTest::add_users() {
    const std::map<Who, std::vector<std::string>> roles = {
        {Who::EditorOther, {"--role", "editor", "--kommune", k_other_ags}},
        {Who::Editor, {"--role", "editor", "--kommune", k_home_ags}},
        {Who::Planner, {"--role", "planner"}},
        {Who::Admin, {"--role", "admin"}},
    };
    for (const auto& [who, options] : roles) {
        m_tokens[who] = add_user(user_name(who), options, password(who));
        ASSERT_FALSE(m_tokens[who].empty());
    }
    if (m_from_demo) save_template();
}

std::string AtlasServerTest::add_user(const std::string& name,
                                      const std::vector<std::string>& role_args,
                                      const std::string& password) {
    std::vector<std::string> args = {
        leerstand_binary().string(), "user", "add", name, "--db", db().string()};
    args.insert(args.end(), role_args.begin(), role_args.end());
    const CommandResult added = run_command(args, password + "\n");
    EXPECT_EQ(added.exit_code, 0) << added.err;
    const CommandResult token =
        run_leerstand({"token", "create", "--user", name, "--db", db().string()});
    EXPECT_EQ(token.exit_code, 0) << token.err;
    return last_line(token.out);
}

void AtlasServerTest::start_server(const std::filesystem::path& logs) {
    std::vector<std::string> serve_args = {"--db",
                                           db().string(),
                                           "--port",
                                           "0",
                                           "--web",
                                           std::string(LEERSTAND_SOURCE_DIR) + "/web",
                                           "--max-upload-mb",
                                           "8"};
    for (const std::string& arg : extra_serve_args()) serve_args.push_back(arg);
    m_server = std::make_unique<ServerProcess>(serve_args, logs.empty() ? m_dir.path() : logs);
}

void AtlasServerTest::restart_server() {
    if (m_server) {
        ASSERT_TRUE(m_server->stop(SIGTERM, std::chrono::seconds(10)).has_value());
        m_server.reset();
    }
    // The old server's log names the old port: the new one writes beside it.
    const std::filesystem::path logs = m_dir / ("restart-" + std::to_string(++m_restarts));
    std::filesystem::create_directories(logs);
    start_server(logs);
}

void AtlasServerTest::TearDown() {
    if (m_server) m_server->stop(SIGTERM, std::chrono::seconds(5));
}

HttpResponse AtlasServerTest::call(Who who, const std::string& method, const std::string& target,
                                   const std::optional<json>& body, HeaderList headers,
                                   const std::string& content_type) {
    if (who != Who::Anonymous) headers.emplace_back("Authorization", "Bearer " + m_tokens[who]);
    std::optional<std::string> text;
    if (body) {
        headers.emplace_back("Content-Type", content_type);
        text = body->dump();
    }
    return with_retry([&] { return http_request(port(), method, target, headers, text); });
}

HttpResponse with_retry(const std::function<HttpResponse()>& request) {
    constexpr int k_attempts = 10;
    for (int attempt = 1;; ++attempt) {
        HttpResponse response = request();
        const std::string retry_after = response.header("Retry-After");
        if (response.status != 503 || retry_after.empty() || attempt == k_attempts) return response;
        std::this_thread::sleep_for(std::chrono::seconds(std::stoi(retry_after)));
    }
}

std::pair<double, double> AtlasServerTest::building_point(const std::string& ags, int n) const {
    const std::string row =
        spatial_sql(db(),
                    "SELECT X(PointOnSurface(footprint)) || ' ' || Y(PointOnSurface(footprint)) "
                    "FROM buildings WHERE kommune_ags = '" +
                        ags + "' ORDER BY id LIMIT 1 OFFSET " + std::to_string(n));
    std::istringstream in(row);
    double lon = 0, lat = 0;
    in >> lon >> lat;
    EXPECT_TRUE(in) << "no building " << n << " in " << ags << ": " << row;
    return {lon, lat};
}

json AtlasServerTest::vacancy_feature(std::pair<double, double> point, json properties) {
    return {{"type", "Feature"},
            {"geometry", {{"type", "Point"}, {"coordinates", {point.first, point.second}}}},
            {"properties", std::move(properties)}};
}

std::int64_t AtlasServerTest::create_vacancy(const json& properties, const std::string& ags,
                                             int building) {
    const HttpResponse created = call(Who::Admin, "POST", "/collections/vacancies/items",
                                      vacancy_feature(building_point(ags, building), properties));
    EXPECT_EQ(created.status, 201) << created.body;
    const json feature = json::parse(created.body, nullptr, false);
    if (!feature.is_object() || !feature.contains("id")) return 0;
    return feature["id"].get<std::int64_t>();
}

HttpResponse AtlasServerTest::post_upload(Who who, const MultipartBody& form) {
    HeaderList headers = {{"Content-Type", form.content_type}};
    if (who != Who::Anonymous) headers.emplace_back("Authorization", "Bearer " + m_tokens[who]);
    return with_retry(
        [&] { return http_request(port(), "POST", "/api/uploads", headers, form.body); });
}

json AtlasServerTest::wait_for_upload(Who who, const std::string& location) {
    json status;
    for (int i = 0; i < 300; ++i) {
        status = parse_json(call(who, "GET", location));
        if (status.value("state", "") == "done" || status.value("state", "") == "failed") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return status;
}

json parse_json(const HttpResponse& response) {
    json body = json::parse(response.body, nullptr, false);
    EXPECT_FALSE(body.is_discarded()) << response.body;
    return body;
}

std::vector<std::string> field_errors(const HttpResponse& response) {
    std::vector<std::string> found;
    const json body = json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("errors")) return found;
    for (const json& error : body.at("errors"))
        found.push_back(error.at("field").get<std::string>() + ":" +
                        error.at("code").get<std::string>());
    return found;
}

void AtlasServerTest::move_history_before_this_month() {
    // 40 days from any day of a month reach back before its first.
    spatial_sql(db(),
                "UPDATE vacancy_history SET changed_at = "
                "strftime('%Y-%m-%dT%H:%M:%SZ', changed_at, '-40 days')");
}

std::string AtlasServerTest::etag_of(const std::string& item_path) {
    const HttpResponse response = call(Who::Admin, "GET", item_path);
    EXPECT_EQ(response.status, 200) << item_path << ": " << response.body;
    return response.header("ETag");
}

MultipartBody multipart(const std::vector<std::pair<std::string, std::string>>& fields,
                        const std::string& file_name, const std::string& file_content) {
    const std::string boundary = "----leerstand-test-7MA4YWxkTrZu0gW";
    std::string body;
    for (const auto& [name, value] : fields)
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
                "\"\r\n\r\n" + value + "\r\n";
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
            file_name + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + file_content +
            "\r\n--" + boundary + "--\r\n";
    return {"multipart/form-data; boundary=" + boundary, body};
}

TileXyz tile_of(std::pair<double, double> point, int z) {
    const double n = std::ldexp(1.0, z);
    const double lat = point.second * M_PI / 180;
    const double x = (point.first + 180) / 360 * n;
    const double y = (1 - std::log(std::tan(lat) + 1 / std::cos(lat)) / M_PI) / 2 * n;
    return {z, static_cast<std::int64_t>(std::floor(x)), static_cast<std::int64_t>(std::floor(y))};
}

std::string spatial_sql(const std::filesystem::path& db, const std::string& query) {
    const CommandResult result = run_command(
        {"/usr/bin/sqlite3", "-batch", "-cmd", ".load mod_spatialite", db.string(), query});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::string out = result.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

}  // namespace leerstand::test
