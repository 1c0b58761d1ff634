#include "data/migrations_postgres.hpp"

#include <string>

#include "data/connection.hpp"
#include "data/profile_store.hpp"
#include "data/tile_store.hpp"

// The PostgreSQL twin of each SpatiaLite migration. Mapping: INTEGER PRIMARY KEY → bigint
// identity, INTEGER → bigint, REAL → double precision, BLOB → bytea, TEXT stays text (so ISO 8601
// times and the store's reads stay as they are), booleans stay INTEGER 0/1 with their CHECKs,
// GLOB → `~`, geometry columns → geometry(<Type>, 4326) with a GiST index named like
// SpatiaLite's R*Tree (idx_<table>_<column>), triggers → PL/pgSQL. The SQL avoids `?` (the
// connection turns it into a parameter outside quotes and comments only).
namespace leerstand::data::postgres_migrations {

namespace {

// ISO 8601 UTC, second precision; the same format as utc_now_iso8601() and SpatiaLite's default.
#define LEERSTAND_PG_NOW "(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"

/// Functions with SpatiaLite's and SQLite's names and meaning, so that the store's SQL stays
/// one text for both dialects. Each is checked against SpatiaLite on a few values in
/// tests/data/sql_compatibility_test.cpp. IMMUTABLE where the answer depends on the arguments
/// alone (lets the planner fold them and an index use them), STRICT where SQLite gives NULL for
/// any NULL argument.
constexpr const char* k_compatibility_functions = R"sql(
-- SQLite's JSON1: json_valid gives 1 or 0 (and NULL for NULL), never an error.
CREATE FUNCTION json_valid(document text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    PERFORM document::json;
    RETURN 1;
EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN
    RETURN 0;
END
$$;

-- A JSON path of SQLite's form ('$', '$.key', '$.a[2].b') as the text[] path of #>.
CREATE FUNCTION leerstand_json_path(path text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(coalesce(part[1], part[2]) ORDER BY position), '{}')
    FROM regexp_matches(substr(path, 2), '\.([^.\[]+)|\[([0-9]+)\]', 'g')
         WITH ORDINALITY AS parts(part, position)
$$;

-- SQLite's type names: null, true, false, integer, real, text, array, object; NULL where the
-- path leads nowhere (so a member given as null is told from one not given). The one-argument
-- form, which the tables' CHECKs call, uses nothing but PostgreSQL's own functions: pg_restore
-- runs the CHECKs with an empty search_path, where a call of ours would not be found.
CREATE FUNCTION json_type(document text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE json_typeof(document::json)
               WHEN 'string' THEN 'text'
               WHEN 'boolean' THEN document::json::text
               WHEN 'number' THEN
                   CASE WHEN document::json::text ~ '^-{0,1}[0-9]+$' THEN 'integer' ELSE 'real' END
               ELSE json_typeof(document::json)
           END
$$;
CREATE FUNCTION json_type(document text, path text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT json_type((document::json #> leerstand_json_path(path))::text)
$$;

-- The SQL value at the path, as text: strings unquoted, true/false as 1/0, JSON null as NULL,
-- arrays and objects as JSON text.
CREATE FUNCTION json_extract(document text, path text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE json_typeof(member)
               WHEN 'null' THEN NULL
               WHEN 'boolean' THEN CASE WHEN member::text = 'true' THEN '1' ELSE '0' END
               ELSE member #>> '{}'
           END
    FROM (SELECT document::json #> leerstand_json_path(path) AS member) AS found
$$;

-- 0 for anything but an array, as SQLite.
CREATE FUNCTION json_array_length(document text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN json_typeof(document::json) = 'array'
                THEN pg_catalog.json_array_length(document::json) ELSE 0 END
$$;

-- The members of an array (of an object: its values; of a scalar: itself) as column `value`,
-- scalars as their text, nested arrays and objects as JSON text, null as NULL.
CREATE FUNCTION json_each(document text) RETURNS TABLE (value text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    parsed json := document::json;
BEGIN
    CASE json_typeof(parsed)
        WHEN 'array' THEN
            RETURN QUERY SELECT member FROM json_array_elements_text(parsed) AS member;
        WHEN 'object' THEN
            RETURN QUERY SELECT member.value FROM json_each_text(parsed) AS member;
        ELSE
            RETURN QUERY SELECT parsed #>> '{}';
    END CASE;
END
$$;

-- The aggregate: a JSON array of the values in their order, NULL as null.
CREATE FUNCTION leerstand_json_array_text(members anycompatiblearray) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_json(members)::text
$$;
CREATE AGGREGATE json_group_array(anycompatible) (
    SFUNC = array_append,
    STYPE = anycompatiblearray,
    FINALFUNC = leerstand_json_array_text,
    INITCOND = '{}'
);

-- SpatiaLite's geometry functions under their names.
CREATE FUNCTION MakePoint(x double precision, y double precision, srid integer) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ST_SetSRID(ST_MakePoint(x, y), srid)
$$;
CREATE FUNCTION MakePoint(x double precision, y double precision) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ST_MakePoint(x, y)
$$;
CREATE FUNCTION MakeLine(first geometry, second geometry) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ST_MakeLine(first, second)
$$;
CREATE FUNCTION MbrMinX(shape geometry) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ST_XMin(shape) $$;
CREATE FUNCTION MbrMinY(shape geometry) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ST_YMin(shape) $$;
CREATE FUNCTION MbrMaxX(shape geometry) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ST_XMax(shape) $$;
CREATE FUNCTION MbrMaxY(shape geometry) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ST_YMax(shape) $$;

-- The rectangle of two opposite corners, in SpatiaLite's vertex order (counter-clockwise
-- from the lower left).
CREATE FUNCTION BuildMbr(x1 double precision, y1 double precision, x2 double precision,
                         y2 double precision, srid integer) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ST_SetSRID(ST_MakePolygon(ST_MakeLine(ARRAY[
               ST_MakePoint(least(x1, x2), least(y1, y2)),
               ST_MakePoint(greatest(x1, x2), least(y1, y2)),
               ST_MakePoint(greatest(x1, x2), greatest(y1, y2)),
               ST_MakePoint(least(x1, x2), greatest(y1, y2)),
               ST_MakePoint(least(x1, x2), least(y1, y2))])), srid)
$$;

-- NULL for bytes that are no WKB, as SpatiaLite (PostGIS raises an error).
CREATE FUNCTION GeomFromWKB(wkb bytea, srid integer) RETURNS geometry
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN ST_GeomFromWKB(wkb, srid);
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END
$$;
-- Little-endian WKB, as SpatiaLite writes it on every machine.
CREATE FUNCTION AsBinary(shape geometry) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ST_AsBinary(shape, 'NDR') $$;

-- A MultiPolygon of a Polygon, a MultiPolygon or a collection of polygons only; else NULL.
CREATE FUNCTION CastToMultiPolygon(shape geometry) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
               WHEN ST_GeometryType(shape) IN ('ST_Polygon', 'ST_MultiPolygon') THEN ST_Multi(shape)
               WHEN ST_GeometryType(shape) = 'ST_GeometryCollection'
                    AND NOT ST_IsEmpty(shape)
                    AND ST_NumGeometries(ST_CollectionExtract(shape, 3)) = ST_NumGeometries(shape)
                   THEN ST_Multi(ST_CollectionExtract(shape, 3))
           END
$$;

-- GeoJSON without bbox or crs member, as SpatiaLite's default options.
CREATE FUNCTION AsGeoJSON(shape geometry, decimals integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ST_AsGeoJSON(shape, decimals, 0) $$;
CREATE FUNCTION AsGeoJSON(shape geometry) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ST_AsGeoJSON(shape, 15, 0) $$;
CREATE FUNCTION AsWKT(shape geometry, decimals integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ST_AsText(shape, decimals) $$;

-- SpatiaLite's third argument: 1 measures on the WGS84 ellipsoid in metres, 0 in the plane.
CREATE FUNCTION ST_Distance(first geometry, second geometry, use_ellipsoid integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN use_ellipsoid <> 0
                THEN ST_Distance(first::geography, second::geography, true)
                ELSE ST_Distance(first, second) END
$$;

-- common/slug.hpp name_slug(): lower-case ASCII letters and digits, words joined by '-',
-- umlauts written out, accents dropped, everything after the first comma ignored. The two
-- strings of translate() pair letter by letter (sql_compatibility_test.cpp checks each).
CREATE FUNCTION leerstand_name_slug(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT trim(BOTH '-' FROM regexp_replace(translate(
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        replace(replace(split_part(name, ',', 1),
            'ä', 'ae'), 'Ä', 'ae'), 'ö', 'oe'), 'Ö', 'oe'), 'ü', 'ue'), 'Ü', 'ue'), 'ß', 'ss'),
            'æ', 'ae'), 'Æ', 'ae'), 'ø', 'oe'), 'Ø', 'oe'), 'œ', 'oe'), 'Œ', 'oe'),
        'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
        'áàâãåāăąÁÀÂÃÅĀĂĄçćčÇĆČďĎéèêëěęēÉÈÊËĚĘĒíìîïÍÌÎÏłľĺŁĽĹńňñŃŇÑóòôõōÓÒÔÕŌřŕŘŔśšşŚŠŞťŤ'
        'úùûůūÚÙÛŮŪýÿÝźžżŹŽŻ',
        'abcdefghijklmnopqrstuvwxyz'
        'aaaaaaaaaaaaaaaaccccccddeeeeeeeeeeeeeeiiiiiiiillllllnnnnnnoooooooooorrrrssssssttuuuuu'
        'uuuuuyyyzzzzzz'),
        '[^a-z0-9]+', '-', 'g'))
$$;

-- common/address_key.hpp address_matches(): 1 when the building at `street` `housenumber` is
-- one the search (its street key part and house number key start) asks for, else 0. NULL
-- arguments count as empty text, as in the SQLite function (data/connection.cpp).
CREATE FUNCTION address_matches(street text, housenumber text, searched_street text,
                                searched_number text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
               WHEN coalesce(searched_street, '') <> ''
                    AND strpos(street_key, searched_street) = 0 THEN 0
               WHEN coalesce(searched_number, '') = '' THEN 1
               WHEN NOT starts_with(number_key, searched_number) THEN 0
               WHEN substr(number_key, length(searched_number) + 1, 1) ~ '^[0-9]' THEN 0
               ELSE 1
           END
    FROM (SELECT replace(regexp_replace(leerstand_name_slug(coalesce(street, '')),
                                        'str(-|$)', 'strasse\1', 'g'), '-', '') AS street_key,
                 replace(leerstand_name_slug(coalesce(housenumber, '')), '-', '') AS number_key)
         AS keys
$$;
)sql";

}  // namespace

void schema(Connection& db) {
    // PostGIS is no trusted extension: only a superuser may create it. A DBA who does not want
    // the atlas' role to be one runs CREATE EXTENSION postgis in the database first; then IF
    // NOT EXISTS asks for no right at all.
    db.exec("CREATE EXTENSION IF NOT EXISTS postgis");
    db.exec(k_compatibility_functions);
    db.exec(R"sql(
CREATE TABLE kommunen (
    ags             text PRIMARY KEY NOT NULL
                    CHECK (length(ags) IN (5, 8) AND ags !~ '[^0-9]'),
    name            text NOT NULL,
    bez             text,
    parent_ags      text,
    area_m2         double precision,
    member_since    text,
    founding_member bigint NOT NULL DEFAULT 0 CHECK (founding_member IN (0, 1)),
    profile_text    text,
    website         text,
    contact         text,
    image_url       text,
    created_at      text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    updated_at      text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    boundary        geometry(MultiPolygon, 4326)
);
CREATE INDEX kommunen_parent_ags ON kommunen (parent_ags);

CREATE TABLE uploads (
    id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    "user"        text,
    created_at    text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    finished_at   text,
    file_name     text,
    format        text,
    layer         text,
    kommune_ags   text,
    mode          text,
    crs           text,
    encoding      text,
    features_read bigint NOT NULL DEFAULT 0,
    stored        bigint NOT NULL DEFAULT 0,
    rejected      bigint NOT NULL DEFAULT 0,
    errors        text NOT NULL DEFAULT '[]' CHECK (json_valid(errors) = 1),
    report        text NOT NULL DEFAULT '{}' CHECK (json_valid(report) = 1),
    state         text NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'done', 'failed')),
    progress      double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1)
);
CREATE INDEX uploads_kommune_ags ON uploads (kommune_ags, created_at);

CREATE TABLE buildings (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kommune_ags text NOT NULL REFERENCES kommunen (ags),
    upload_id   bigint REFERENCES uploads (id),
    source_ref  text,
    function    text,
    floors      bigint,
    name        text,
    street      text,
    housenumber text,
    postcode    text,
    city        text,
    attributes  text NOT NULL DEFAULT '{}',
    area_m2     double precision,
    created_at  text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    footprint   geometry(MultiPolygon, 4326) NOT NULL
);
CREATE INDEX buildings_kommune_ags ON buildings (kommune_ags);
CREATE INDEX buildings_upload_id ON buildings (upload_id);

CREATE TABLE vacancies (
    id                 bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    building_id        bigint REFERENCES buildings (id) ON DELETE SET NULL,
    kommune_ags        text NOT NULL REFERENCES kommunen (ags),
    status             text NOT NULL DEFAULT 'gemeldet' CHECK (status IN
                       ('gemeldet', 'bestaetigt', 'in_aktivierung', 'aktiviert', 'abgerissen',
                        'kein_leerstand')),
    use                text NOT NULL DEFAULT 'sonstiges' CHECK (use IN
                       ('wohnen', 'gewerbe', 'laden', 'gemischt', 'oeffentlich', 'landwirtschaft',
                        'sonstiges')),
    degree             text NOT NULL DEFAULT 'vollstaendig'
                       CHECK (degree IN ('vollstaendig', 'teilweise')),
    vacant_since       text,
    floor_area_m2      double precision CHECK (floor_area_m2 IS NULL OR floor_area_m2 >= 0),
    owner_type         text NOT NULL DEFAULT 'unbekannt'
                       CHECK (owner_type IN ('privat', 'gewerblich', 'oeffentlich', 'unbekannt')),
    owner_contact      text,
    internal_notes     text,
    consent_publish    bigint NOT NULL DEFAULT 0 CHECK (consent_publish IN (0, 1)),
    consent_date       text,
    public_description text,
    created_at         text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    updated_at         text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    author             text,
    version            bigint NOT NULL DEFAULT 1,
    geom               geometry(Point, 4326) NOT NULL
);
CREATE INDEX vacancies_kommune_ags ON vacancies (kommune_ags, status);
CREATE INDEX vacancies_building_id ON vacancies (building_id);

CREATE TABLE vacancy_history (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    vacancy_id  bigint NOT NULL,
    kommune_ags text,
    changed_at  text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    changed_by  text,
    action      text NOT NULL,
    old_values  text CHECK (old_values IS NULL OR json_valid(old_values) = 1),
    new_values  text CHECK (new_values IS NULL OR json_valid(new_values) = 1)
);
CREATE INDEX vacancy_history_vacancy ON vacancy_history (vacancy_id, changed_at);
CREATE INDEX vacancy_history_kommune ON vacancy_history (kommune_ags, changed_at);

CREATE TABLE zukunftsorte (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    kind        text,
    kommune_ags text REFERENCES kommunen (ags),
    building_id bigint REFERENCES buildings (id) ON DELETE SET NULL,
    vacancy_id  bigint REFERENCES vacancies (id) ON DELETE SET NULL,
    description text,
    website     text,
    opened      text,
    created_at  text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    updated_at  text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    version     bigint NOT NULL DEFAULT 1,
    geom        geometry(Point, 4326) NOT NULL
);
CREATE INDEX zukunftsorte_kommune_ags ON zukunftsorte (kommune_ags);
CREATE INDEX zukunftsorte_building_id ON zukunftsorte (building_id);
CREATE INDEX zukunftsorte_vacancy_id ON zukunftsorte (vacancy_id);

CREATE TABLE users (
    id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('admin', 'planner', 'editor')),
    password_hash text NOT NULL,
    created_at    text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    disabled      bigint NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

CREATE TABLE user_kommunen (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ags     text NOT NULL,
    PRIMARY KEY (user_id, ags)
);

CREATE TABLE tokens (
    id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    label      text,
    created_at text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    expires_at text,
    revoked_at text
);
CREATE INDEX tokens_user_id ON tokens (user_id);

CREATE TABLE sessions (
    id_hash    text PRIMARY KEY NOT NULL,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at text NOT NULL DEFAULT )sql" LEERSTAND_PG_NOW R"sql(,
    expires_at text NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE INDEX idx_kommunen_boundary ON kommunen USING gist (boundary);
CREATE INDEX idx_buildings_footprint ON buildings USING gist (footprint);
CREATE INDEX idx_vacancies_geom ON vacancies USING gist (geom);
CREATE INDEX idx_zukunftsorte_geom ON zukunftsorte USING gist (geom);
)sql");
}

#undef LEERSTAND_PG_NOW

void read_indexes(Connection& db) {
    db.exec(R"sql(
CREATE INDEX buildings_id ON buildings (id);
CREATE INDEX buildings_kommune_area ON buildings (kommune_ags, area_m2);
DROP INDEX buildings_kommune_ags;
)sql");
}

// The trigger functions of migration 3, as migration 4 keeps them; the WHEN clauses that
// migration 4 adds live on the triggers. AFTER triggers: the return value is ignored.
void tile_changes(Connection& db) {
    db.exec(R"sql(
CREATE TABLE tile_changes (
    seq     bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    layers  bigint NOT NULL,
    min_lon double precision NOT NULL,
    min_lat double precision NOT NULL,
    max_lon double precision NOT NULL,
    max_lat double precision NOT NULL
);

CREATE FUNCTION tile_changes_keep_newest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tile_changes WHERE seq <= NEW.seq - 10000;
    RETURN NULL;
END
$$;
CREATE TRIGGER tile_changes_keep_newest AFTER INSERT ON tile_changes
FOR EACH ROW EXECUTE FUNCTION tile_changes_keep_newest();

CREATE FUNCTION vacancies_tile_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 4, MbrMinX(NEW.geom), MbrMinY(NEW.geom), MbrMaxX(NEW.geom), MbrMaxY(NEW.geom)
    WHERE NEW.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint)
    FROM buildings WHERE id = NEW.building_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER vacancies_tile_insert AFTER INSERT ON vacancies
FOR EACH ROW EXECUTE FUNCTION vacancies_tile_insert();

CREATE FUNCTION vacancies_tile_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 4, least(MbrMinX(OLD.geom), MbrMinX(NEW.geom)),
           least(MbrMinY(OLD.geom), MbrMinY(NEW.geom)),
           greatest(MbrMaxX(OLD.geom), MbrMaxX(NEW.geom)),
           greatest(MbrMaxY(OLD.geom), MbrMaxY(NEW.geom))
    WHERE OLD.geom IS NOT NULL AND NEW.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint)
    FROM buildings WHERE id IN (OLD.building_id, NEW.building_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER vacancies_tile_update
AFTER UPDATE OF geom, status, use, vacant_since, consent_publish, kommune_ags, building_id
ON vacancies FOR EACH ROW EXECUTE FUNCTION vacancies_tile_update();

CREATE FUNCTION vacancies_tile_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 4, MbrMinX(OLD.geom), MbrMinY(OLD.geom), MbrMaxX(OLD.geom), MbrMaxY(OLD.geom)
    WHERE OLD.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint)
    FROM buildings WHERE id = OLD.building_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER vacancies_tile_delete AFTER DELETE ON vacancies
FOR EACH ROW EXECUTE FUNCTION vacancies_tile_delete();

CREATE FUNCTION zukunftsorte_tile_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 8, MbrMinX(NEW.geom), MbrMinY(NEW.geom), MbrMaxX(NEW.geom), MbrMaxY(NEW.geom)
    WHERE NEW.geom IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER zukunftsorte_tile_insert AFTER INSERT ON zukunftsorte
FOR EACH ROW EXECUTE FUNCTION zukunftsorte_tile_insert();

CREATE FUNCTION zukunftsorte_tile_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 8, least(MbrMinX(OLD.geom), MbrMinX(NEW.geom)),
           least(MbrMinY(OLD.geom), MbrMinY(NEW.geom)),
           greatest(MbrMaxX(OLD.geom), MbrMaxX(NEW.geom)),
           greatest(MbrMaxY(OLD.geom), MbrMaxY(NEW.geom))
    WHERE OLD.geom IS NOT NULL AND NEW.geom IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER zukunftsorte_tile_update AFTER UPDATE OF geom, name, kind, kommune_ags
ON zukunftsorte FOR EACH ROW EXECUTE FUNCTION zukunftsorte_tile_update();

CREATE FUNCTION zukunftsorte_tile_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 8, MbrMinX(OLD.geom), MbrMinY(OLD.geom), MbrMaxX(OLD.geom), MbrMaxY(OLD.geom)
    WHERE OLD.geom IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER zukunftsorte_tile_delete AFTER DELETE ON zukunftsorte
FOR EACH ROW EXECUTE FUNCTION zukunftsorte_tile_delete();

CREATE FUNCTION kommunen_tile_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 1, MbrMinX(NEW.boundary), MbrMinY(NEW.boundary), MbrMaxX(NEW.boundary),
           MbrMaxY(NEW.boundary)
    WHERE NEW.boundary IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER kommunen_tile_insert AFTER INSERT ON kommunen
FOR EACH ROW EXECUTE FUNCTION kommunen_tile_insert();

CREATE FUNCTION kommunen_tile_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 1, MbrMinX(OLD.boundary), MbrMinY(OLD.boundary), MbrMaxX(OLD.boundary),
           MbrMaxY(OLD.boundary)
    WHERE OLD.boundary IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 1, MbrMinX(NEW.boundary), MbrMinY(NEW.boundary), MbrMaxX(NEW.boundary),
           MbrMaxY(NEW.boundary)
    WHERE NEW.boundary IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER kommunen_tile_update AFTER UPDATE OF boundary, name, bez ON kommunen
FOR EACH ROW EXECUTE FUNCTION kommunen_tile_update();

CREATE FUNCTION kommunen_tile_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat)
    SELECT 1, MbrMinX(OLD.boundary), MbrMinY(OLD.boundary), MbrMaxX(OLD.boundary),
           MbrMaxY(OLD.boundary)
    WHERE OLD.boundary IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER kommunen_tile_delete AFTER DELETE ON kommunen
FOR EACH ROW EXECUTE FUNCTION kommunen_tile_delete();
)sql");
}

// SQLite's `IS NOT` is PostgreSQL's IS DISTINCT FROM (NULLs compared as values). Geometries are
// compared as their EWKB bytes (the same coordinates in the same order): the geometry `=`
// operator lives in PostGIS's schema, which pg_restore's empty search_path cannot see, so a
// trigger comparing geometries directly would not restore.
void tile_changes_only_on_change(Connection& db) {
    db.exec(R"sql(
DROP TRIGGER vacancies_tile_update ON vacancies;
CREATE TRIGGER vacancies_tile_update
AFTER UPDATE OF geom, status, use, vacant_since, consent_publish, kommune_ags, building_id
ON vacancies FOR EACH ROW
WHEN (OLD.geom::bytea IS DISTINCT FROM NEW.geom::bytea OR OLD.status IS DISTINCT FROM NEW.status
      OR OLD.use IS DISTINCT FROM NEW.use OR OLD.vacant_since IS DISTINCT FROM NEW.vacant_since
      OR OLD.consent_publish IS DISTINCT FROM NEW.consent_publish
      OR OLD.kommune_ags IS DISTINCT FROM NEW.kommune_ags
      OR OLD.building_id IS DISTINCT FROM NEW.building_id)
EXECUTE FUNCTION vacancies_tile_update();

DROP TRIGGER zukunftsorte_tile_update ON zukunftsorte;
CREATE TRIGGER zukunftsorte_tile_update AFTER UPDATE OF geom, name, kind, kommune_ags
ON zukunftsorte FOR EACH ROW
WHEN (OLD.geom::bytea IS DISTINCT FROM NEW.geom::bytea OR OLD.name IS DISTINCT FROM NEW.name
      OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.kommune_ags IS DISTINCT FROM NEW.kommune_ags)
EXECUTE FUNCTION zukunftsorte_tile_update();

DROP TRIGGER kommunen_tile_update ON kommunen;
CREATE TRIGGER kommunen_tile_update AFTER UPDATE OF boundary, name, bez ON kommunen
FOR EACH ROW
WHEN (OLD.boundary::bytea IS DISTINCT FROM NEW.boundary::bytea OR OLD.name IS DISTINCT FROM NEW.name
      OR OLD.bez IS DISTINCT FROM NEW.bez)
EXECUTE FUNCTION kommunen_tile_update();
)sql");
}

// The expressions must stay identical to the tile query's (tile_store.cpp).
void shown_vacancy_order(Connection& db) {
    db.exec(R"sql(
CREATE INDEX vacancies_building_shown ON vacancies (
    building_id, (status IN ('aktiviert', 'abgerissen', 'kein_leerstand')), updated_at DESC,
    id DESC);
)sql");
}

void public_version(Connection& db) {
    db.exec(R"sql(
ALTER TABLE vacancies ADD COLUMN public_version bigint NOT NULL DEFAULT 0;
ALTER TABLE vacancies ADD COLUMN public_created_at text;
ALTER TABLE vacancies ADD COLUMN public_updated_at text;
UPDATE vacancies SET public_version = 1, public_created_at = created_at,
                     public_updated_at = updated_at WHERE consent_publish = 1;
)sql");
}

// The triggers keep their names and WHEN clauses; only what they write changes.
void tile_changes_seen_by_public(Connection& db) {
    db.exec(R"sql(
ALTER TABLE tile_changes ADD COLUMN public bigint NOT NULL DEFAULT 1 CHECK (public IN (0, 1));

CREATE OR REPLACE FUNCTION vacancies_tile_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 4, MbrMinX(NEW.geom), MbrMinY(NEW.geom), MbrMaxX(NEW.geom), MbrMaxY(NEW.geom),
           NEW.consent_publish
    WHERE NEW.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint),
           NEW.consent_publish
    FROM buildings WHERE id = NEW.building_id;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION vacancies_tile_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 4, least(MbrMinX(OLD.geom), MbrMinX(NEW.geom)),
           least(MbrMinY(OLD.geom), MbrMinY(NEW.geom)),
           greatest(MbrMaxX(OLD.geom), MbrMaxX(NEW.geom)),
           greatest(MbrMaxY(OLD.geom), MbrMaxY(NEW.geom)),
           greatest(OLD.consent_publish, NEW.consent_publish)
    WHERE OLD.geom IS NOT NULL AND NEW.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint),
           greatest(OLD.consent_publish, NEW.consent_publish)
    FROM buildings WHERE id IN (OLD.building_id, NEW.building_id);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION vacancies_tile_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 4, MbrMinX(OLD.geom), MbrMinY(OLD.geom), MbrMaxX(OLD.geom), MbrMaxY(OLD.geom),
           OLD.consent_publish
    WHERE OLD.geom IS NOT NULL;
    INSERT INTO tile_changes (layers, min_lon, min_lat, max_lon, max_lat, public)
    SELECT 2, MbrMinX(footprint), MbrMinY(footprint), MbrMaxX(footprint), MbrMaxY(footprint),
           OLD.consent_publish
    FROM buildings WHERE id = OLD.building_id;
    RETURN NULL;
END
$$;
)sql");
}

void history_by_time(Connection& db) {
    db.exec("CREATE INDEX vacancy_history_changed_at ON vacancy_history (changed_at, id);");
}

void images(Connection& db) {
    db.exec(R"sql(
CREATE TABLE images (
    id          text PRIMARY KEY NOT NULL
                CHECK (length(id) = 32 AND id !~ '[^0-9a-f]'),
    kommune_ags text REFERENCES kommunen (ags),
    created_by  text NOT NULL,
    created_at  text NOT NULL,
    width       bigint NOT NULL CHECK (width > 0),
    height      bigint NOT NULL CHECK (height > 0)
);
CREATE INDEX images_kommune_ags ON images (kommune_ags);
CREATE TABLE image_variants (
    image_id text NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    size     bigint NOT NULL CHECK (size IN (320, 800, 1600)),
    bytes    bytea NOT NULL,
    PRIMARY KEY (image_id, size)
);
)sql");
}

// CASE: PostgreSQL does not promise to test json_valid before json_type, which raises an
// error (not a CHECK violation) for text that is no JSON.
void zukunftsort_stories(Connection& db) {
    db.exec(R"sql(
ALTER TABLE zukunftsorte ADD COLUMN story text;
ALTER TABLE zukunftsorte ADD COLUMN images text NOT NULL DEFAULT '[]'
    CHECK (CASE WHEN json_valid(images) = 1 THEN json_type(images) = 'array' ELSE false END);
)sql");
}

void membership_requests(Connection& db) {
    db.exec(R"sql(
CREATE TABLE membership_requests (
    id                       bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kommune_ags              text CHECK (kommune_ags IS NULL OR length(kommune_ags) IN (5, 8)),
    kommune_name             text NOT NULL,
    person                   text,
    role                     text,
    email                    text,
    message                  text,
    status                   text NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at               text NOT NULL,
    decided_at               text,
    decided_by               text,
    personal_data_deleted_at text,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX membership_requests_decided_at ON membership_requests (decided_at)
    WHERE personal_data_deleted_at IS NULL;
)sql");
}

void zensus_grid(Connection& db) {
    db.exec(R"sql(
CREATE TABLE zensus2011_grid (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    leerstandsquote double precision NOT NULL CHECK (leerstandsquote BETWEEN 0 AND 100),
    cell            geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX idx_zensus2011_grid_cell ON zensus2011_grid USING gist (cell);
)sql");
}

void kommune_pages(Connection& db) {
    db.exec(R"sql(
ALTER TABLE kommunen ADD COLUMN slug text;
ALTER TABLE kommunen ADD COLUMN profile_version bigint NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX kommunen_slug ON kommunen (slug);
)sql");
    assign_kommune_slugs(db);
}

void activation(Connection& db) {
    db.exec(R"sql(
CREATE TABLE angebote (
    id             bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    vacancy_id     bigint NOT NULL UNIQUE REFERENCES vacancies (id) ON DELETE CASCADE,
    title          text NOT NULL,
    kinds          text NOT NULL CHECK (CASE WHEN json_valid(kinds) = 1
                                             THEN json_type(kinds) = 'array'
                                                  AND json_array_length(kinds) > 0
                                             ELSE false END),
    floor_area_m2  double precision CHECK (floor_area_m2 IS NULL OR floor_area_m2 > 0),
    conditions     text,
    available_from text,
    images         text NOT NULL DEFAULT '[]'
                   CHECK (CASE WHEN json_valid(images) = 1 THEN json_type(images) = 'array'
                               ELSE false END),
    contact_role   text NOT NULL,
    contact_email  text,
    contact_phone  text,
    status         text NOT NULL DEFAULT 'offen'
                   CHECK (status IN ('offen', 'reserviert', 'vermittelt', 'zurueckgezogen')),
    created_at     text NOT NULL,
    updated_at     text NOT NULL,
    closed_at      text,
    author         text,
    version        bigint NOT NULL DEFAULT 1
);
CREATE INDEX angebote_status ON angebote (status);

CREATE TABLE anfragen (
    id                       bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    angebot_id               bigint NOT NULL REFERENCES angebote (id) ON DELETE CASCADE,
    name                     text,
    email                    text,
    phone                    text,
    message                  text,
    intended_use             text NOT NULL,
    common_good              bigint NOT NULL DEFAULT 0 CHECK (common_good IN (0, 1)),
    status                   text NOT NULL DEFAULT 'neu'
                             CHECK (status IN ('neu', 'in_kontakt', 'abgeschlossen')),
    created_at               text NOT NULL,
    updated_at               text NOT NULL,
    closed_at                text,
    personal_data_deleted_at text,
    version                  bigint NOT NULL DEFAULT 1,
    CHECK ((status = 'abgeschlossen') = (closed_at IS NOT NULL))
);
CREATE INDEX anfragen_angebot ON anfragen (angebot_id);
CREATE INDEX anfragen_closed_at ON anfragen (closed_at) WHERE personal_data_deleted_at IS NULL;

CREATE TABLE gesuche (
    id                       bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    title                    text NOT NULL,
    description              text,
    uses                     text NOT NULL DEFAULT '[]'
                             CHECK (CASE WHEN json_valid(uses) = 1
                                         THEN json_type(uses) = 'array' ELSE false END),
    kinds                    text NOT NULL DEFAULT '[]'
                             CHECK (CASE WHEN json_valid(kinds) = 1
                                         THEN json_type(kinds) = 'array' ELSE false END),
    min_area_m2              double precision,
    max_area_m2              double precision,
    kommunen                 text CHECK (kommunen IS NULL OR CASE WHEN json_valid(kommunen) = 1
                                 THEN json_type(kommunen) = 'array'
                                      AND json_array_length(kommunen) > 0
                                 ELSE false END),
    centre_lon               double precision,
    centre_lat               double precision,
    radius_km                double precision CHECK (radius_km IS NULL OR radius_km > 0),
    place_name               text,
    needed_from              text,
    common_good              bigint NOT NULL DEFAULT 0 CHECK (common_good IN (0, 1)),
    contact_name             text,
    contact_email            text,
    contact_phone            text,
    status                   text NOT NULL DEFAULT 'unbestaetigt'
                             CHECK (status IN ('unbestaetigt', 'offen', 'vermittelt',
                                               'geschlossen')),
    source                   text NOT NULL CHECK (source IN ('formular', 'redaktion')),
    confirm_token_hash       text UNIQUE,
    confirmed_at             text,
    author                   text,
    created_at               text NOT NULL,
    updated_at               text NOT NULL,
    closed_at                text,
    personal_data_deleted_at text,
    version                  bigint NOT NULL DEFAULT 1,
    CHECK ((kommunen IS NULL) <> (radius_km IS NULL)),
    CHECK ((radius_km IS NULL) = (centre_lon IS NULL) AND (radius_km IS NULL) = (centre_lat IS NULL)),
    CHECK (min_area_m2 IS NULL OR max_area_m2 IS NULL OR min_area_m2 <= max_area_m2)
);
CREATE INDEX gesuche_status ON gesuche (status);

CREATE TABLE vermittlungen (
    id             bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    angebot_id     bigint NOT NULL REFERENCES angebote (id) ON DELETE CASCADE,
    gesuch_id      bigint NOT NULL REFERENCES gesuche (id) ON DELETE CASCADE,
    status         text NOT NULL
                   CHECK (status IN ('kontaktiert', 'angenommen', 'abgeschlossen', 'abgelehnt')),
    score          bigint NOT NULL CHECK (score BETWEEN 0 AND 100),
    match          text NOT NULL CHECK (json_valid(match) = 1),
    zukunftsort_id bigint REFERENCES zukunftsorte (id) ON DELETE SET NULL,
    accepted_at    text,
    finished_at    text,
    created_at     text NOT NULL,
    updated_at     text NOT NULL,
    author         text,
    version        bigint NOT NULL DEFAULT 1,
    UNIQUE (angebot_id, gesuch_id)
);
CREATE INDEX vermittlungen_gesuch ON vermittlungen (gesuch_id);

CREATE TABLE nachrichten (
    id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    anfrage_id bigint REFERENCES anfragen (id) ON DELETE CASCADE,
    gesuch_id  bigint REFERENCES gesuche (id) ON DELETE CASCADE,
    angebot_id bigint REFERENCES angebote (id) ON DELETE SET NULL,
    text       text,
    author     text,
    sent_at    text NOT NULL,
    mailed     bigint NOT NULL DEFAULT 0 CHECK (mailed IN (0, 1)),
    CHECK ((anfrage_id IS NULL) <> (gesuch_id IS NULL))
);
CREATE INDEX nachrichten_anfrage ON nachrichten (anfrage_id);
CREATE INDEX nachrichten_gesuch ON nachrichten (gesuch_id);
)sql");
}

// Every transaction that logs a tile change notifies the server nodes, which then read the log
// from where they stopped (docs/scaling.md). NOTIFY is sent at commit and folded into one per
// transaction for the same channel and payload, so a large upload wakes each node once; a
// rolled-back transaction sends nothing. The channel is data::k_tile_change_channel. The
// function of migration 3 is replaced in place, so the trigger (and the schema both dialects
// share) stays as it is.
void tile_change_notifications(Connection& db) {
    db.exec(R"sql(
CREATE OR REPLACE FUNCTION tile_changes_keep_newest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tile_changes WHERE seq <= NEW.seq - 10000;
    PERFORM pg_notify(')sql" +
            std::string(k_tile_change_channel) + R"sql(', '');
    RETURN NULL;
END
$$;
)sql");
}

}  // namespace leerstand::data::postgres_migrations
