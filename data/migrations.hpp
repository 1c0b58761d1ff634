#pragma once

namespace leerstand::data {

class Connection;

/// Applies every migration the database has not seen yet, in version order, each in its own
/// transaction, and records it in `schema_migrations`. Safe when several processes open the
/// same new file at once: each migration is re-checked under the write lock.
/// Returns the schema version afterwards.
int apply_migrations(Connection& connection);

/// Highest applied migration, 0 for a database without any.
int current_schema_version(Connection& connection);

/// Version of the newest migration this build knows.
int latest_schema_version();

}  // namespace leerstand::data
