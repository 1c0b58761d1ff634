#pragma once

/// The schema migrations in the PostgreSQL 15 + PostGIS 3.3 dialect, one per SpatiaLite
/// migration of data/migrations.cpp (same version, same tables, columns in the same order,
/// CHECKs, defaults, foreign keys and index names). The list that pairs them with their
/// versions and descriptions, and apply_migrations, live in migrations.cpp. Internal to data/.
namespace leerstand::data {

class Connection;

namespace postgres_migrations {

void schema(Connection& db);                       // 1
void read_indexes(Connection& db);                 // 2
void tile_changes(Connection& db);                 // 3
void tile_changes_only_on_change(Connection& db);  // 4
void shown_vacancy_order(Connection& db);          // 5
void public_version(Connection& db);               // 6
void tile_changes_seen_by_public(Connection& db);  // 7
void history_by_time(Connection& db);              // 8
void images(Connection& db);                       // 9
void zukunftsort_stories(Connection& db);          // 10
void membership_requests(Connection& db);          // 11
void zensus_grid(Connection& db);                  // 12
void kommune_pages(Connection& db);                // 13
void activation(Connection& db);                   // 14
void tile_change_notifications(Connection& db);    // 15

}  // namespace postgres_migrations
}  // namespace leerstand::data
