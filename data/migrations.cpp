#include "data/migrations.hpp"

#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"
#include "data/migrations_postgres.hpp"
#include "data/profile_store.hpp"

namespace leerstand::data {

namespace {

/// One version of the schema, written once per dialect (PostgreSQL's in
/// migrations_postgres.cpp); both make the same tables, columns, constraints and indexes, which
/// tests/data/schema_parity_test.cpp checks.
struct Migration {
    int version;
    const char* description;
    void (*apply_spatialite)(Connection&);
    void (*apply_postgres)(Connection&);

    void apply(Connection& connection) const {
        (connection.dialect() == Dialect::postgres ? apply_postgres : apply_spatialite)(connection);
    }
};

// SpatiaLite's SQL functions report failure by returning 0 (and printing to stderr) instead of
// raising an SQL error, so every call is checked here.
void expect_one(Connection& connection, const std::string& sql) {
    if (connection.query_int64(sql) != 1)
        throw InternalError("schema migration step failed: " + sql);
}

void add_geometry(Connection& connection, const std::string& table, const std::string& column,
                  const std::string& type, bool not_null) {
    expect_one(connection, "SELECT AddGeometryColumn('" + table + "', '" + column + "', 4326, '" +
                               type + "', 'XY', " + (not_null ? "1" : "0") + ")");
    expect_one(connection, "SELECT CreateSpatialIndex('" + table + "', '" + column + "')");
}

// ISO 8601 UTC, second precision; the same format as utc_now_iso8601().
#define LEERSTAND_NOW "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"

// Migration 1: SpatiaLite metadata and the whole data model of DESIGN.md, so later work adds
// behaviour, not tables.
void migration_1_schema(Connection& db) {
    // The full spatial_ref_sys (about 6200 rows, so ST_Transform works for any EPSG code).
    // InitSpatialMetadata(1) opens its own transaction and fails inside ours; with 0 it runs
    // in ours, which gives the same single-transaction speed (about 0.2 s) and keeps the
    // migration atomic. Never call it without an argument: one transaction per row, minutes.
    expect_one(db, "SELECT InitSpatialMetadata(0)");

    db.exec(R"sql(
CREATE TABLE kommunen (
    ags             TEXT PRIMARY KEY NOT NULL
                    CHECK (length(ags) IN (5, 8) AND ags NOT GLOB '*[^0-9]*'),
    name            TEXT NOT NULL,
    bez             TEXT,
    parent_ags      TEXT,
    area_m2         REAL,
    member_since    TEXT,
    founding_member INTEGER NOT NULL DEFAULT 0 CHECK (founding_member IN (0, 1)),
    profile_text    TEXT,
    website         TEXT,
    contact         TEXT,
    image_url       TEXT,
    created_at      TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(,
    updated_at      TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(
);
CREATE INDEX kommunen_parent_ags ON kommunen (parent_ags);

CREATE TABLE uploads (
    id            INTEGER PRIMARY KEY,
    user          TEXT,
    created_at    TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(,
    finished_at   TEXT,
    file_name     TEXT,
    format        TEXT,
    layer         TEXT,
    kommune_ags   TEXT,
    mode          TEXT,
    crs           TEXT,
    encoding      TEXT,
    features_read INTEGER NOT NULL DEFAULT 0,
    stored        INTEGER NOT NULL DEFAULT 0,
    rejected      INTEGER NOT NULL DEFAULT 0,
    errors        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(errors)),
    report        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(report)),
    state         TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'done', 'failed')),
    progress      REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1)
);
CREATE INDEX uploads_kommune_ags ON uploads (kommune_ags, created_at);

CREATE TABLE buildings (
    id          INTEGER PRIMARY KEY,
    kommune_ags TEXT NOT NULL REFERENCES kommunen (ags),
    upload_id   INTEGER REFERENCES uploads (id),
    source_ref  TEXT,
    function    TEXT,
    floors      INTEGER,
    name        TEXT,
    street      TEXT,
    housenumber TEXT,
    postcode    TEXT,
    city        TEXT,
    attributes  TEXT NOT NULL DEFAULT '{}',
    area_m2     REAL,
    created_at  TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(
);
CREATE INDEX buildings_kommune_ags ON buildings (kommune_ags);
CREATE INDEX buildings_upload_id ON buildings (upload_id);

CREATE TABLE vacancies (
    id                 INTEGER PRIMARY KEY,
    building_id        INTEGER REFERENCES buildings (id) ON DELETE SET NULL,
    kommune_ags        TEXT NOT NULL REFERENCES kommunen (ags),
    status             TEXT NOT NULL DEFAULT 'gemeldet' CHECK (status IN
                       ('gemeldet', 'bestaetigt', 'in_aktivierung', 'aktiviert', 'abgerissen',
                        'kein_leerstand')),
    use                TEXT NOT NULL DEFAULT 'sonstiges' CHECK (use IN
                       ('wohnen', 'gewerbe', 'laden', 'gemischt', 'oeffentlich', 'landwirtschaft',
                        'sonstiges')),
    degree             TEXT NOT NULL DEFAULT 'vollstaendig'
                       CHECK (degree IN ('vollstaendig', 'teilweise')),
    vacant_since       TEXT,
    floor_area_m2      REAL CHECK (floor_area_m2 IS NULL OR floor_area_m2 >= 0),
    owner_type         TEXT NOT NULL DEFAULT 'unbekannt'
                       CHECK (owner_type IN ('privat', 'gewerblich', 'oeffentlich', 'unbekannt')),
    owner_contact      TEXT,
    internal_notes     TEXT,
    consent_publish    INTEGER NOT NULL DEFAULT 0 CHECK (consent_publish IN (0, 1)),
    consent_date       TEXT,
    public_description TEXT,
    created_at         TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(,
    updated_at         TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(,
    author             TEXT,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX vacancies_kommune_ags ON vacancies (kommune_ags, status);
-- ON DELETE SET NULL on buildings needs this to find the referencing rows fast.
CREATE INDEX vacancies_building_id ON vacancies (building_id);

-- Every change of a vacancy; never deleted with it, so trends work for any date.
-- action: 'create', 'update', 'delete'. kommune_ags is copied in for trend queries.
CREATE TABLE vacancy_history (
    id          INTEGER PRIMARY KEY,
    vacancy_id  INTEGER NOT NULL,
    kommune_ags TEXT,
    changed_at  TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(,
    changed_by  TEXT,
    action      TEXT NOT NULL,
    old_values  TEXT CHECK (old_values IS NULL OR json_valid(old_values)),
    new_values  TEXT CHECK (new_values IS NULL OR json_valid(new_values))
);
CREATE INDEX vacancy_history_vacancy ON vacancy_history (vacancy_id, changed_at);
CREATE INDEX vacancy_history_kommune ON vacancy_history (kommune_ags, changed_at);

CREATE TABLE zukunftsorte (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT,
    kommune_ags TEXT REFERENCES kommunen (ags),
    building_id INTEGER REFERENCES buildings (id) ON DELETE SET NULL,
    vacancy_id  INTEGER REFERENCES vacancies (id) ON DELETE SET NULL,
    description TEXT,
    website     TEXT,
    opened      TEXT,
    created_at  TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(,
    updated_at  TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX zukunftsorte_kommune_ags ON zukunftsorte (kommune_ags);
CREATE INDEX zukunftsorte_building_id ON zukunftsorte (building_id);
CREATE INDEX zukunftsorte_vacancy_id ON zukunftsorte (vacancy_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'planner', 'editor')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

-- The Kommunen (AGS, Gemeinde or Kreis key) a user may edit or see.
CREATE TABLE user_kommunen (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ags     TEXT NOT NULL,
    PRIMARY KEY (user_id, ags)
);

-- Only hashes of secrets are stored.
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label      TEXT,
    created_at TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(,
    expires_at TEXT,
    revoked_at TEXT
);
CREATE INDEX tokens_user_id ON tokens (user_id);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL DEFAULT )sql" LEERSTAND_NOW R"sql(,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
)sql");

    add_geometry(db, "kommunen", "boundary", "MULTIPOLYGON", false);
    add_geometry(db, "buildings", "footprint", "MULTIPOLYGON", true);
    add_geometry(db, "vacancies", "geom", "POINT", true);
    add_geometry(db, "zukunftsorte", "geom", "POINT", true);
}

#undef LEERSTAND_NOW

/// Indexes that the read side needs at a million buildings: a narrow one on id alone, so a deep
/// page finds its first id by skipping index entries instead of table rows (25 ms instead of
/// 180 ms at offset 900,000), and one that covers summaries (count and total area of an AGS
/// range without reading a table row). The second supersedes the index on kommune_ags alone.
void migration_2_read_indexes(Connection& db) {
    db.exec(R"sql(
CREATE INDEX buildings_id ON buildings (id);
CREATE INDEX buildings_kommune_area ON buildings (kommune_ags, area_m2);
DROP INDEX buildings_kommune_ags;
)sql");
}

/// Migration 3: the change log that keeps cached tiles current (see TileStore). Every write
/// that changes what a tile shows adds the box it touched, in the same transaction, so the
/// server drops exactly the cached tiles under it, whichever process wrote: triggers for
/// vacancies, Zukunftsorte and Kommunen (few rows, any writer), explicit rows from the
/// building import (a million rows must not each add one). Layer bits: 1 kommunen,
/// 2 buildings, 4 vacancies, 8 zukunftsorte. Only the newest rows are kept; a reader that
/// finds its last-seen row gone starts over.
void migration_3_tile_changes(Connection& db) {
    db.exec(R"sql(
CREATE TABLE tile_changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    layers  INTEGER NOT NULL,
    min_lon REAL NOT NULL,
    min_lat REAL NOT NULL,
    max_lon REAL NOT NULL,
    max_lat REAL NOT NULL
);
CREATE TRIGGER tile_changes_keep_newest AFTER INSERT ON tile_changes BEGIN
    DELETE FROM tile_changes WHERE seq <= NEW.seq - 10000;
END;

CREATE TRIGGER vacancies_tile_insert AFTER INSERT ON vacancies BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 4, MbrMinX(NEW.geom), MbrMinY(NEW.geom), MbrMaxX(NEW.geom), MbrMaxY(NEW.geom)
    WHERE NEW.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint)
    FROM buildings WHERE id = NEW.building_id;
END;
CREATE TRIGGER vacancies_tile_update
AFTER UPDATE OF geom, status, use, vacant_since, consent_publish, kommune_ags, building_id
ON vacancies BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 4, min(MbrMinX(OLD.geom), MbrMinX(NEW.geom)), min(MbrMinY(OLD.geom), MbrMinY(NEW.geom)),
           max(MbrMaxX(OLD.geom), MbrMaxX(NEW.geom)), max(MbrMaxY(OLD.geom), MbrMaxY(NEW.geom))
    WHERE OLD.geom IS NOT NULL AND NEW.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint)
    FROM buildings WHERE id IN (OLD.building_id, NEW.building_id);
END;
CREATE TRIGGER vacancies_tile_delete AFTER DELETE ON vacancies BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 4, MbrMinX(OLD.geom), MbrMinY(OLD.geom), MbrMaxX(OLD.geom), MbrMaxY(OLD.geom)
    WHERE OLD.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint)
    FROM buildings WHERE id = OLD.building_id;
END;

CREATE TRIGGER zukunftsorte_tile_insert AFTER INSERT ON zukunftsorte BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 8, MbrMinX(NEW.geom), MbrMinY(NEW.geom), MbrMaxX(NEW.geom), MbrMaxY(NEW.geom)
    WHERE NEW.geom IS NOT NULL;
END;
CREATE TRIGGER zukunftsorte_tile_update AFTER UPDATE OF geom, name, kind, kommune_ags
ON zukunftsorte BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 8, min(MbrMinX(OLD.geom), MbrMinX(NEW.geom)), min(MbrMinY(OLD.geom), MbrMinY(NEW.geom)),
           max(MbrMaxX(OLD.geom), MbrMaxX(NEW.geom)), max(MbrMaxY(OLD.geom), MbrMaxY(NEW.geom))
    WHERE OLD.geom IS NOT NULL AND NEW.geom IS NOT NULL;
END;
CREATE TRIGGER zukunftsorte_tile_delete AFTER DELETE ON zukunftsorte BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 8, MbrMinX(OLD.geom), MbrMinY(OLD.geom), MbrMaxX(OLD.geom), MbrMaxY(OLD.geom)
    WHERE OLD.geom IS NOT NULL;
END;

CREATE TRIGGER kommunen_tile_insert AFTER INSERT ON kommunen BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 1, MbrMinX(NEW.boundary), MbrMinY(NEW.boundary), MbrMaxX(NEW.boundary),
           MbrMaxY(NEW.boundary)
    WHERE NEW.boundary IS NOT NULL;
END;
CREATE TRIGGER kommunen_tile_update AFTER UPDATE OF boundary, name, bez ON kommunen BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 1, MbrMinX(OLD.boundary), MbrMinY(OLD.boundary), MbrMaxX(OLD.boundary),
           MbrMaxY(OLD.boundary)
    WHERE OLD.boundary IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 1, MbrMinX(NEW.boundary), MbrMinY(NEW.boundary), MbrMaxX(NEW.boundary),
           MbrMaxY(NEW.boundary)
    WHERE NEW.boundary IS NOT NULL;
END;
CREATE TRIGGER kommunen_tile_delete AFTER DELETE ON kommunen BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 1, MbrMinX(OLD.boundary), MbrMinY(OLD.boundary), MbrMaxX(OLD.boundary),
           MbrMaxY(OLD.boundary)
    WHERE OLD.boundary IS NOT NULL;
END;
)sql");
}

/// Migration 4: the update triggers of migration 3 fire for every column a statement sets,
/// and the stores set every column on each update; a change of an internal note then dropped
/// the cached tiles around it. They now fire only when something a tile shows has changed
/// (`IS NOT` compares values and blobs, NULLs included).
void migration_4_tile_changes_only_on_change(Connection& db) {
    db.exec(R"sql(
DROP TRIGGER vacancies_tile_update;
CREATE TRIGGER vacancies_tile_update
AFTER UPDATE OF geom, status, use, vacant_since, consent_publish, kommune_ags, building_id
ON vacancies
WHEN OLD.geom IS NOT NEW.geom OR OLD.status IS NOT NEW.status OR OLD.use IS NOT NEW.use
  OR OLD.vacant_since IS NOT NEW.vacant_since OR OLD.consent_publish IS NOT NEW.consent_publish
  OR OLD.kommune_ags IS NOT NEW.kommune_ags OR OLD.building_id IS NOT NEW.building_id
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 4, min(MbrMinX(OLD.geom), MbrMinX(NEW.geom)), min(MbrMinY(OLD.geom), MbrMinY(NEW.geom)),
           max(MbrMaxX(OLD.geom), MbrMaxX(NEW.geom)), max(MbrMaxY(OLD.geom), MbrMaxY(NEW.geom))
    WHERE OLD.geom IS NOT NULL AND NEW.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint)
    FROM buildings WHERE id IN (OLD.building_id, NEW.building_id);
END;

DROP TRIGGER zukunftsorte_tile_update;
CREATE TRIGGER zukunftsorte_tile_update AFTER UPDATE OF geom, name, kind, kommune_ags
ON zukunftsorte
WHEN OLD.geom IS NOT NEW.geom OR OLD.name IS NOT NEW.name OR OLD.kind IS NOT NEW.kind
  OR OLD.kommune_ags IS NOT NEW.kommune_ags
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 8, min(MbrMinX(OLD.geom), MbrMinX(NEW.geom)), min(MbrMinY(OLD.geom), MbrMinY(NEW.geom)),
           max(MbrMaxX(OLD.geom), MbrMaxX(NEW.geom)), max(MbrMaxY(OLD.geom), MbrMaxY(NEW.geom))
    WHERE OLD.geom IS NOT NULL AND NEW.geom IS NOT NULL;
END;

DROP TRIGGER kommunen_tile_update;
CREATE TRIGGER kommunen_tile_update AFTER UPDATE OF boundary, name, bez ON kommunen
WHEN OLD.boundary IS NOT NEW.boundary OR OLD.name IS NOT NEW.name OR OLD.bez IS NOT NEW.bez
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 1, MbrMinX(OLD.boundary), MbrMinY(OLD.boundary), MbrMaxX(OLD.boundary),
           MbrMaxY(OLD.boundary)
    WHERE OLD.boundary IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 1, MbrMinX(NEW.boundary), MbrMinY(NEW.boundary), MbrMaxX(NEW.boundary),
           MbrMaxY(NEW.boundary)
    WHERE NEW.boundary IS NOT NULL;
END;
)sql");
}

/// Migration 5: a building tile shows, per building, the vacancy that comes first in this order
/// (tile_store.cpp). With the order in an index SQLite reads it straight from there; without
/// it, it sorted in a temporary B-tree for every building of the tile (a quarter of a dense
/// tile's query time at 1M buildings). The expressions must stay identical to the query's.
void migration_5_shown_vacancy_order(Connection& db) {
    db.exec(R"sql(
CREATE INDEX vacancies_building_shown ON vacancies (
    building_id, status IN ('aktiviert', 'abgerissen', 'kein_leerstand'), updated_at DESC, id DESC);
)sql");
}

/// Migration 6: the version and time of what the public sees of a vacancy (issue 19). An edit
/// of an internal note bumped the one version and updated_at everybody saw, so the public
/// could watch staff working on a published record; created_at told how long a record had
/// been kept before its owner agreed to publish it. Rows published before get version 1 of
/// their public view, as of their creation and last change.
void migration_6_public_version(Connection& db) {
    db.exec(R"sql(
ALTER TABLE vacancies ADD COLUMN public_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE vacancies ADD COLUMN public_created_at TEXT;
ALTER TABLE vacancies ADD COLUMN public_updated_at TEXT;
UPDATE vacancies SET public_version = 1, public_created_at = created_at,
                     public_updated_at = updated_at WHERE consent_publish = 1;
)sql");
}

/// Migration 7: whether the public can see a tile change (issue 19). An edit of an unpublished
/// vacancy dropped the public's cached tiles under it too, so polling a public tile for its
/// cache state showed activity on hidden records. A vacancy's change is seen by the public
/// when it was published before or after it; every other layer is public. The public's
/// cached tiles are dropped only by changes it can see.
void migration_7_tile_changes_seen_by_public(Connection& db) {
    db.exec(R"sql(
ALTER TABLE tile_changes ADD COLUMN public INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1));

DROP TRIGGER vacancies_tile_insert;
CREATE TRIGGER vacancies_tile_insert AFTER INSERT ON vacancies BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 4, MbrMinX(NEW.geom), MbrMinY(NEW.geom), MbrMaxX(NEW.geom), MbrMaxY(NEW.geom),
           NEW.consent_publish
    WHERE NEW.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint),
           NEW.consent_publish
    FROM buildings WHERE id = NEW.building_id;
END;

DROP TRIGGER vacancies_tile_update;
CREATE TRIGGER vacancies_tile_update
AFTER UPDATE OF geom, status, use, vacant_since, consent_publish, kommune_ags, building_id
ON vacancies
WHEN OLD.geom IS NOT NEW.geom OR OLD.status IS NOT NEW.status OR OLD.use IS NOT NEW.use
  OR OLD.vacant_since IS NOT NEW.vacant_since OR OLD.consent_publish IS NOT NEW.consent_publish
  OR OLD.kommune_ags IS NOT NEW.kommune_ags OR OLD.building_id IS NOT NEW.building_id
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 4, min(MbrMinX(OLD.geom), MbrMinX(NEW.geom)), min(MbrMinY(OLD.geom), MbrMinY(NEW.geom)),
           max(MbrMaxX(OLD.geom), MbrMaxX(NEW.geom)), max(MbrMaxY(OLD.geom), MbrMaxY(NEW.geom)),
           max(OLD.consent_publish, NEW.consent_publish)
    WHERE OLD.geom IS NOT NULL AND NEW.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint),
           max(OLD.consent_publish, NEW.consent_publish)
    FROM buildings WHERE id IN (OLD.building_id, NEW.building_id);
END;

DROP TRIGGER vacancies_tile_delete;
CREATE TRIGGER vacancies_tile_delete AFTER DELETE ON vacancies BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 4, MbrMinX(OLD.geom), MbrMinY(OLD.geom), MbrMaxX(OLD.geom), MbrMaxY(OLD.geom),
           OLD.consent_publish
    WHERE OLD.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint),
           OLD.consent_publish
    FROM buildings WHERE id = OLD.building_id;
END;
)sql");
}

/// Migration 8: the public figures are a snapshot of vacancy_history at the start of each
/// month (issue 19); this index lets the server see whether the rows before that instant are
/// still those it summed, reading only them, whatever happened since.
void migration_8_history_by_time(Connection& db) {
    db.exec("CREATE INDEX vacancy_history_changed_at ON vacancy_history (changed_at, id);");
}

/// Migration 9: pictures of Kommune profiles and Zukunftsorte. The variants are kept as BLOBs in
/// the store, so a backup of the one file holds them too; ids are random (not guessable, and
/// they tell nobody how many images there are).
void migration_9_images(Connection& db) {
    db.exec(R"sql(
CREATE TABLE images (
    id          TEXT PRIMARY KEY NOT NULL
                CHECK (length(id) = 32 AND id NOT GLOB '*[^0-9a-f]*'),
    kommune_ags TEXT REFERENCES kommunen (ags),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    width       INTEGER NOT NULL CHECK (width > 0),
    height      INTEGER NOT NULL CHECK (height > 0)
);
CREATE INDEX images_kommune_ags ON images (kommune_ags);
CREATE TABLE image_variants (
    image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    size     INTEGER NOT NULL CHECK (size IN (320, 800, 1600)),
    bytes    BLOB NOT NULL,
    PRIMARY KEY (image_id, size)
) WITHOUT ROWID;
)sql");
}

/// Migration 12: the Zensus 2011 1 km grid of the share of vacant dwellings, an official
/// baseline an operator imports (`leerstand import-zensus-grid`) and the map shows as a tile
/// layer. The cells are kept as lon/lat polygons with a spatial index like every other layer;
/// the id is the INSPIRE cell's key, so a re-import keeps it.
void migration_12_zensus_grid(Connection& db) {
    db.exec(R"sql(
CREATE TABLE zensus2011_grid (
    id              INTEGER PRIMARY KEY,
    leerstandsquote REAL NOT NULL CHECK (leerstandsquote BETWEEN 0 AND 100)
);
)sql");
    add_geometry(db, "zensus2011_grid", "cell", "POLYGON", true);
}

/// Migration 13: the Kommune pages (issue 21). A readable address for each Kommune
/// (/kommunen/angermuende; profile_store.hpp says how namesakes are told apart), and a version
/// of the profile alone for its ETag: it moves only when the profile or the name changes, never
/// with the Kommune's other rows (boundary, area) or with anything hidden.
void migration_13_kommune_pages(Connection& db) {
    db.exec(R"sql(
ALTER TABLE kommunen ADD COLUMN slug TEXT;
ALTER TABLE kommunen ADD COLUMN profile_version INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX kommunen_slug ON kommunen (slug);
)sql");
    assign_kommune_slugs(db);
}

/// Migration 11: requests of Kommunen to join the network, from the public form. The personal
/// data (person, role, e-mail, message) is kept only until a retention time after the decision
/// (server/services/membership_service.hpp); the decision itself stays. A request names a
/// Kommune of the atlas by AGS or, when it is not in the atlas yet, by the name typed.
void migration_11_membership_requests(Connection& db) {
    db.exec(R"sql(
CREATE TABLE membership_requests (
    id                       INTEGER PRIMARY KEY,
    kommune_ags              TEXT CHECK (kommune_ags IS NULL OR length(kommune_ags) IN (5, 8)),
    kommune_name             TEXT NOT NULL,
    person                   TEXT,
    role                     TEXT,
    email                    TEXT,
    message                  TEXT,
    status                   TEXT NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at               TEXT NOT NULL,
    decided_at               TEXT,
    decided_by               TEXT,
    personal_data_deleted_at TEXT,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX membership_requests_decided_at ON membership_requests (decided_at)
    WHERE personal_data_deleted_at IS NULL;
)sql");
}

/// Migration 10: a Zukunftsort told as a story (issue 21): a long text beside the short
/// description, and its pictures as a JSON array of image ids (the images table's), first
/// one first. The array is checked here too, so no writer can store something the readers
/// would have to guess at.
void migration_10_zukunftsort_stories(Connection& db) {
    db.exec(R"sql(
ALTER TABLE zukunftsorte ADD COLUMN story TEXT;
ALTER TABLE zukunftsorte ADD COLUMN images TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(images) AND json_type(images) = 'array');
)sql");
}

/// Migration 14: the activation loop (issue 23, DESIGN.md "Activation"). `angebote`: a vacancy
/// whose owner consented, offered for reuse, with a public contact role of the Kommune (never
/// the owner's). `anfragen`: inquiries of anyone on an offer, for the Kommune's staff.
/// `gesuche`: needs of initiatives, placed by Kommunen or by a circle. `vermittlungen`: the
/// outcome staff recorded for an offer and a need. `nachrichten`: what the atlas mailed on
/// staff's behalf. Personal fields are NULL once the retention job deleted them; the rest
/// stays for the figures. Lists of identifiers are JSON arrays, checked here like images.
void migration_14_activation(Connection& db) {
    db.exec(R"sql(
CREATE TABLE angebote (
    id             INTEGER PRIMARY KEY,
    vacancy_id     INTEGER NOT NULL UNIQUE REFERENCES vacancies (id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    kinds          TEXT NOT NULL CHECK (json_valid(kinds) AND json_type(kinds) = 'array'
                                        AND json_array_length(kinds) > 0),
    floor_area_m2  REAL CHECK (floor_area_m2 IS NULL OR floor_area_m2 > 0),
    conditions     TEXT,
    available_from TEXT,
    images         TEXT NOT NULL DEFAULT '[]'
                   CHECK (json_valid(images) AND json_type(images) = 'array'),
    contact_role   TEXT NOT NULL,
    contact_email  TEXT,
    contact_phone  TEXT,
    status         TEXT NOT NULL DEFAULT 'offen'
                   CHECK (status IN ('offen', 'reserviert', 'vermittelt', 'zurueckgezogen')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    closed_at      TEXT,
    author         TEXT,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX angebote_status ON angebote (status);

CREATE TABLE anfragen (
    id                       INTEGER PRIMARY KEY,
    angebot_id               INTEGER NOT NULL REFERENCES angebote (id) ON DELETE CASCADE,
    name                     TEXT,
    email                    TEXT,
    phone                    TEXT,
    message                  TEXT,
    intended_use             TEXT NOT NULL,
    common_good              INTEGER NOT NULL DEFAULT 0 CHECK (common_good IN (0, 1)),
    status                   TEXT NOT NULL DEFAULT 'neu'
                             CHECK (status IN ('neu', 'in_kontakt', 'abgeschlossen')),
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL,
    closed_at                TEXT,
    personal_data_deleted_at TEXT,
    version                  INTEGER NOT NULL DEFAULT 1,
    CHECK ((status = 'abgeschlossen') = (closed_at IS NOT NULL))
);
CREATE INDEX anfragen_angebot ON anfragen (angebot_id);
CREATE INDEX anfragen_closed_at ON anfragen (closed_at) WHERE personal_data_deleted_at IS NULL;

CREATE TABLE gesuche (
    id                       INTEGER PRIMARY KEY,
    title                    TEXT NOT NULL,
    description              TEXT,
    uses                     TEXT NOT NULL DEFAULT '[]'
                             CHECK (json_valid(uses) AND json_type(uses) = 'array'),
    kinds                    TEXT NOT NULL DEFAULT '[]'
                             CHECK (json_valid(kinds) AND json_type(kinds) = 'array'),
    min_area_m2              REAL,
    max_area_m2              REAL,
    kommunen                 TEXT CHECK (kommunen IS NULL OR (json_valid(kommunen)
                                 AND json_type(kommunen) = 'array'
                                 AND json_array_length(kommunen) > 0)),
    centre_lon               REAL,
    centre_lat               REAL,
    radius_km                REAL CHECK (radius_km IS NULL OR radius_km > 0),
    place_name               TEXT,
    needed_from              TEXT,
    common_good              INTEGER NOT NULL DEFAULT 0 CHECK (common_good IN (0, 1)),
    contact_name             TEXT,
    contact_email            TEXT,
    contact_phone            TEXT,
    status                   TEXT NOT NULL DEFAULT 'unbestaetigt'
                             CHECK (status IN ('unbestaetigt', 'offen', 'vermittelt',
                                               'geschlossen')),
    source                   TEXT NOT NULL CHECK (source IN ('formular', 'redaktion')),
    confirm_token_hash       TEXT UNIQUE,
    confirmed_at             TEXT,
    author                   TEXT,
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL,
    closed_at                TEXT,
    personal_data_deleted_at TEXT,
    version                  INTEGER NOT NULL DEFAULT 1,
    CHECK ((kommunen IS NULL) <> (radius_km IS NULL)),
    CHECK ((radius_km IS NULL) = (centre_lon IS NULL) AND (radius_km IS NULL) = (centre_lat IS NULL)),
    CHECK (min_area_m2 IS NULL OR max_area_m2 IS NULL OR min_area_m2 <= max_area_m2)
);
CREATE INDEX gesuche_status ON gesuche (status);

CREATE TABLE vermittlungen (
    id             INTEGER PRIMARY KEY,
    angebot_id     INTEGER NOT NULL REFERENCES angebote (id) ON DELETE CASCADE,
    gesuch_id      INTEGER NOT NULL REFERENCES gesuche (id) ON DELETE CASCADE,
    status         TEXT NOT NULL
                   CHECK (status IN ('kontaktiert', 'angenommen', 'abgeschlossen', 'abgelehnt')),
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    match          TEXT NOT NULL CHECK (json_valid(match)),
    zukunftsort_id INTEGER REFERENCES zukunftsorte (id) ON DELETE SET NULL,
    accepted_at    TEXT,
    finished_at    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    author         TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (angebot_id, gesuch_id)
);
CREATE INDEX vermittlungen_gesuch ON vermittlungen (gesuch_id);

CREATE TABLE nachrichten (
    id         INTEGER PRIMARY KEY,
    anfrage_id INTEGER REFERENCES anfragen (id) ON DELETE CASCADE,
    gesuch_id  INTEGER REFERENCES gesuche (id) ON DELETE CASCADE,
    angebot_id INTEGER REFERENCES angebote (id) ON DELETE SET NULL,
    text       TEXT,
    author     TEXT,
    sent_at    TEXT NOT NULL,
    mailed     INTEGER NOT NULL DEFAULT 0 CHECK (mailed IN (0, 1)),
    CHECK ((anfrage_id IS NULL) <> (gesuch_id IS NULL))
);
CREATE INDEX nachrichten_anfrage ON nachrichten (anfrage_id);
CREATE INDEX nachrichten_gesuch ON nachrichten (gesuch_id);
)sql");
}

/// Nothing on SQLite: one file has one server process, which learns of its own writes. The
/// PostgreSQL twin makes the change log notify the other server nodes (docs/scaling.md).
void migration_15_tile_change_notifications(Connection&) {}

// Append new migrations at the end; never change one that has shipped.
const std::vector<Migration>& migrations() {
    static const std::vector<Migration> list = {
        {1, "SpatiaLite metadata and the data model", &migration_1_schema,
         &postgres_migrations::schema},
        {2, "indexes for deep pages and summaries", &migration_2_read_indexes,
         &postgres_migrations::read_indexes},
        {3, "change log for cached tiles", &migration_3_tile_changes,
         &postgres_migrations::tile_changes},
        {4, "tile change triggers only on a change", &migration_4_tile_changes_only_on_change,
         &postgres_migrations::tile_changes_only_on_change},
        {5, "index for the vacancy a building tile shows", &migration_5_shown_vacancy_order,
         &postgres_migrations::shown_vacancy_order},
        {6, "version and time of a vacancy's public view", &migration_6_public_version,
         &postgres_migrations::public_version},
        {7, "tile changes the public can see", &migration_7_tile_changes_seen_by_public,
         &postgres_migrations::tile_changes_seen_by_public},
        {8, "index of the history by time", &migration_8_history_by_time,
         &postgres_migrations::history_by_time},
        {9, "images and their variants", &migration_9_images, &postgres_migrations::images},
        {10, "story and images of a Zukunftsort", &migration_10_zukunftsort_stories,
         &postgres_migrations::zukunftsort_stories},
        {11, "membership requests", &migration_11_membership_requests,
         &postgres_migrations::membership_requests},
        {12, "the Zensus 2011 1 km grid", &migration_12_zensus_grid,
         &postgres_migrations::zensus_grid},
        {13, "Kommune page addresses and profile versions", &migration_13_kommune_pages,
         &postgres_migrations::kommune_pages},
        {14, "offers, inquiries, needs, matches and messages", &migration_14_activation,
         &postgres_migrations::activation},
        {15, "tile changes notify the other server nodes", &migration_15_tile_change_notifications,
         &postgres_migrations::tile_change_notifications},
    };
    return list;
}

bool is_applied(Connection& connection, int version) {
    Statement statement = connection.prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
    statement.bind(1, version);
    return statement.step();
}

bool has_migrations_table(Connection& connection) {
    // to_regclass looks the name up in the search path, as the unqualified names of the store's
    // SQL are.
    return connection.query_int64(
               connection.dialect() == Dialect::postgres
                   ? "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END"
                   : "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                     "AND name = 'schema_migrations'") != 0;
}

}  // namespace

int latest_schema_version() {
    return migrations().back().version;
}

int current_schema_version(Connection& connection) {
    if (!has_migrations_table(connection)) return 0;
    return static_cast<int>(
        connection.query_int64("SELECT coalesce(max(version), 0) FROM schema_migrations"));
}

int apply_migrations(Connection& connection) {
    constexpr const char* create_table =
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";
    if (connection.dialect() == Dialect::postgres) {
        // Two servers starting on a new database would both create it: PostgreSQL's IF NOT
        // EXISTS is no guard against a concurrent CREATE, the Transaction's lock is. Only a new
        // database takes it, so opening a store never waits for a running import or write.
        if (!has_migrations_table(connection)) {
            Transaction transaction(connection);
            connection.exec(create_table);
            transaction.commit();
        }
    } else {
        connection.exec(create_table);
    }
    // Refuse a file written by a newer build rather than misread its schema.
    if (current_schema_version(connection) > latest_schema_version())
        throw Unsupported("the database was created by a newer Leerstandsatlas (schema version " +
                          std::to_string(current_schema_version(connection)) +
                          "); update this program");
    for (const Migration& migration : migrations()) {
        if (is_applied(connection, migration.version)) continue;
        Transaction transaction(connection);
        // Another process may have applied it while we waited for the write lock.
        if (is_applied(connection, migration.version)) continue;
        try {
            migration.apply(connection);
        } catch (const InternalError& error) {
            throw InternalError("schema migration " + std::to_string(migration.version) + " (" +
                                migration.description + ") failed: " + error.what());
        }
        Statement record =
            connection.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
        record.bind(1, migration.version).bind(2, utc_now_iso8601()).run();
        transaction.commit();
    }
    return current_schema_version(connection);
}

}  // namespace leerstand::data
