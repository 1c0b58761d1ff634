#include "data/profile_store.hpp"

#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/slug.hpp"
#include "data/connection.hpp"
#include "data/store.hpp"

namespace leerstand::data {

namespace {

constexpr const char* k_profile_columns =
    "ags, name, coalesce(bez, ''), slug, profile_text, website, contact, image_url, "
    "member_since, founding_member, profile_version";

KommuneProfileRecord read_profile(const Statement& statement) {
    KommuneProfileRecord profile;
    profile.ags = statement.column_text(0);
    profile.name = statement.column_text(1);
    profile.bez = statement.column_text(2);
    profile.slug = statement.column_text(3);
    profile.text = statement.column_optional_text(4);
    profile.website = statement.column_optional_text(5);
    profile.contact = statement.column_optional_text(6);
    profile.image_id = statement.column_optional_text(7);
    profile.member_since = statement.column_optional_text(8);
    profile.founding_member = statement.column_int64(9) != 0;
    profile.version = statement.column_int64(10);
    return profile;
}

std::optional<KommuneProfileRecord> profile_where(Connection& connection, const char* column,
                                                  const std::string& value) {
    // Appended piece by piece: GCC 12 warns falsely (-Warray-bounds) on a chain of operator+.
    std::string sql = "SELECT ";
    sql.append(k_profile_columns).append(" FROM kommunen WHERE ").append(column).append(" = ?");
    Statement statement = connection.prepare(sql);
    statement.bind(1, value);
    if (!statement.step()) return std::nullopt;
    return read_profile(statement);
}

bool slug_taken(Connection& connection, const std::string& slug) {
    Statement statement = connection.prepare("SELECT 1 FROM kommunen WHERE slug = ?");
    statement.bind(1, slug);
    return statement.step();
}

}  // namespace

ProfileStore::ProfileStore(Store& store) : m_store(store) {}

std::optional<KommuneProfileRecord> ProfileStore::by_ags(const std::string& ags) {
    return profile_where(m_store.connection(), "ags", ags);
}

std::optional<KommuneProfileRecord> ProfileStore::by_slug(const std::string& slug) {
    return profile_where(m_store.connection(), "slug", slug);
}

KommuneProfileRecord ProfileStore::update(const KommuneProfileRecord& profile,
                                          std::int64_t expected_version) {
    Connection& connection = m_store.connection();
    OwnTransaction transaction(connection);
    // Checked inside the write transaction, so no other writer can come between.
    const auto current = profile_where(connection, "ags", profile.ags);
    if (!current) throw NotFound("there is no Kommune with AGS " + profile.ags);
    if (current->version != expected_version)
        throw PreconditionFailed::stale("the profile of Kommune", profile.ags, current->version,
                                        expected_version);
    Statement statement = connection.prepare(
        "UPDATE kommunen SET profile_text = ?1, website = ?2, contact = ?3, image_url = ?4, "
        "member_since = ?5, founding_member = ?6, profile_version = profile_version + 1, "
        "updated_at = ?7 WHERE ags = ?8");
    statement.bind(1, profile.text)
        .bind(2, profile.website)
        .bind(3, profile.contact)
        .bind(4, profile.image_id)
        .bind(5, profile.member_since)
        .bind(6, profile.founding_member ? 1 : 0)
        .bind(7, connection.now())
        .bind(8, profile.ags);
    statement.run();
    auto stored = profile_where(connection, "ags", profile.ags);
    transaction.commit();
    return std::move(*stored);
}

void assign_kommune_slugs(Connection& connection) {
    Statement missing = connection.prepare(
        "SELECT ags, name FROM kommunen WHERE slug IS NULL ORDER BY length(ags) DESC, ags");
    std::vector<std::pair<std::string, std::string>> kommunen;
    while (missing.step()) kommunen.emplace_back(missing.column_text(0), missing.column_text(1));
    Statement assign = connection.prepare("UPDATE kommunen SET slug = ?1 WHERE ags = ?2");
    for (const auto& [ags, name] : kommunen) {
        std::string slug = name_slug(name);
        // A name of digits alone would read as an AGS in the address.
        if (slug.find_first_not_of("0123456789") == std::string::npos)
            slug = "kommune-" + ags;
        else if (slug_taken(connection, slug))
            slug += "-" + ags;
        assign.bind(1, slug).bind(2, ags).run();
        assign.reset();
    }
}

}  // namespace leerstand::data
