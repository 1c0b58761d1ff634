#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/http/http_client.hpp"
#include "tests/http/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace leerstand::test {

/// A multipart/form-data body (see multipart() below).
struct MultipartBody {
    std::string content_type;
    std::string body;
};

/// Who sends a request in the API tests.
enum class Who { Anonymous, EditorOther, Editor, Planner, Admin };

const char* who_name(Who who);

/// AGS of the Kommune the editor works for (Angermünde) and of the other editor's Kommune
/// (Herzberg (Elster)), both from the demo data.
inline const std::string k_home_ags = "12073008";
inline const std::string k_other_ags = "12062224";

/// A real `leerstand serve` on a fresh demo database with one user per role, created with the
/// real CLI (`leerstand user add`, `leerstand token create`); requests carry the user's API
/// token as `Authorization: Bearer`.
class AtlasServerTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    /// Fills db() before users are added; the demo data by default (with the users, copied
    /// from a template the first test of the build made). An override that adds users itself
    /// fills m_tokens; otherwise the users are added after it.
    virtual void make_database();
    /// Options added to `leerstand serve`.
    virtual std::vector<std::string> extra_serve_args() const { return {}; }

    std::filesystem::path db() const { return m_dir / "atlas.sqlite"; }
    std::uint16_t port() const { return m_server->port(); }

    /// Sends a request as `who`; `body` is sent as JSON with `content_type`.
    HttpResponse call(Who who, const std::string& method, const std::string& target,
                      const std::optional<nlohmann::json>& body = std::nullopt,
                      HeaderList headers = {},
                      const std::string& content_type = "application/geo+json");

    /// A point inside a building of the Kommune `ags` (the centroid of its n-th footprint).
    std::pair<double, double> building_point(const std::string& ags, int n = 0) const;

    /// A vacancy Feature at (lon, lat) with `properties`.
    static nlohmann::json vacancy_feature(std::pair<double, double> point,
                                          nlohmann::json properties);

    /// Creates a vacancy as admin and returns its id (fails the test on a non-201).
    std::int64_t create_vacancy(const nlohmann::json& properties, const std::string& ags,
                                int building = 0);

    /// Posts `form` to /api/uploads as `who` (retrying while the store is busy).
    HttpResponse post_upload(Who who, const MultipartBody& form);
    /// Polls the upload job at `location` as `who` until it is done or failed; its status.
    nlohmann::json wait_for_upload(Who who, const std::string& location);

    /// Moves every vacancy_history row 40 days into the past (SQL on db()), so that the
    /// public figures, the state at the start of this month, include what the test wrote.
    void move_history_before_this_month();

    /// The current ETag of an item, read as admin.
    std::string etag_of(const std::string& item_path);

    /// Adds a user with the real CLI (`leerstand user add NAME ROLE_ARGS...`, the password on
    /// stdin) and returns a new API token of it; fails the test when the CLI refuses.
    std::string add_user(const std::string& name, const std::vector<std::string>& role_args,
                         const std::string& password = "ein-langes-passwort-123");

    std::string password(Who who) const;
    std::string user_name(Who who) const;

    /// Starts the server on db() with the fixture's options; its logs go to `logs` (the
    /// test's folder when empty; a restarted server needs its own: the log names the port).
    void start_server(const std::filesystem::path& logs = {});
    /// Stops the server, if it runs, and starts a new one on the same database with the
    /// fixture's options (extra_serve_args as they are now); its logs go to a folder of its own.
    void restart_server();

    TempDir m_dir;
    std::unique_ptr<ServerProcess> m_server;
    std::map<Who, std::string> m_tokens;

  private:
    /// One user per role with an API token, made with the real CLI.
    void add_users();
    /// Keeps db() (the demo data with the users) for the other tests of this build.
    void save_template();
    bool m_from_demo = false;  ///< db() came from `leerstand demo`, not from the template
    int m_restarts = 0;
};

/// A multipart/form-data body of text `fields` and one file field `file`.
MultipartBody multipart(const std::vector<std::pair<std::string, std::string>>& fields,
                        const std::string& file_name, const std::string& file_content);

/// Sends `request` again, up to a few times, while it answers 503 with Retry-After (the
/// documented answer while another write, such as a long import, holds the store), waiting as
/// the header says. Any other answer is returned at once.
HttpResponse with_retry(const std::function<HttpResponse()>& request);

/// A web-mercator tile, and the one holding `point` (lon, lat) at zoom z, by the slippy-map
/// formula (written out here, not taken from the code under test).
struct TileXyz {
    int z = 0;
    std::int64_t x = 0, y = 0;
};
TileXyz tile_of(std::pair<double, double> point, int z);

/// The body of `response` as JSON (discarded, and the test failing, when it is not JSON).
nlohmann::json parse_json(const HttpResponse& response);

/// The field errors of a problem answer (its `errors`) as "field:code", in their order; none
/// when the body is no problem with errors.
std::vector<std::string> field_errors(const HttpResponse& response);

/// Runs SQL with the sqlite3 shell with SpatiaLite loaded (an oracle sharing no code with us).
std::string spatial_sql(const std::filesystem::path& db, const std::string& query);

}  // namespace leerstand::test
