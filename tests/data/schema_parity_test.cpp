// The two dialects of the schema (data/migrations.cpp and data/migrations_postgres.cpp) must
// make the same tables, so the store's SQL reads both alike: this test migrates a fresh
// SpatiaLite file and a fresh PostgreSQL database and compares what each catalogue says.

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "data/connection.hpp"
#include "data/migrations.hpp"
#include "tests/support/test_database.hpp"

namespace {

using leerstand::data::Connection;
using leerstand::data::Statement;
using leerstand::test::Backend;
using leerstand::test::TestDatabase;

/// One line per thing a schema has ("column kommunen #2 name: text NOT NULL"), in words that
/// do not depend on the dialect, so a difference reads as what one side has and the other lacks.
using SchemaFacts = std::set<std::string>;

/// A geometry column as both catalogues can say it: "geometry(MULTIPOLYGON, 4326)".
std::string geometry_class(const std::string& type, std::int64_t srid) {
    return "geometry(" + type + ", " + std::to_string(srid) + ")";
}

std::string joined(const std::vector<std::string>& parts) {
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
    return text;
}

std::string column_fact(const std::string& table, int position, const std::string& name,
                        const std::string& type_class, bool not_null) {
    return "column " + table + " #" + std::to_string(position) + " " + name + ": " + type_class +
           (not_null ? " NOT NULL" : "");
}

std::string spatial_index_fact(const std::string& table, const std::string& column) {
    return "spatial index idx_" + table + "_" + column + " on " + table + " (" + column + ")";
}

std::string foreign_key_fact(const std::string& table, const std::string& column,
                             const std::string& target, const std::string& target_column,
                             const std::string& on_delete) {
    return "foreign key " + table + " (" + column + ") references " + target + " (" +
           target_column + ") on delete " + on_delete;
}

std::string index_fact(const std::string& name, const std::string& table, bool unique, bool partial,
                       const std::vector<std::string>& columns) {
    return std::string(unique ? "unique " : "") + "index " + name + " on " + table + " (" +
           joined(columns) + ")" + (partial ? " partial" : "");
}

// --- SpatiaLite -------------------------------------------------------------------------

/// SQLite's column affinity rules (declared type → storage class), which the store relies on.
std::string sqlite_type_class(std::string declared) {
    for (char& c : declared) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (declared.find("INT") != std::string::npos) return "integer";
    if (declared.find("CHAR") != std::string::npos || declared.find("TEXT") != std::string::npos)
        return "text";
    if (declared.find("BLOB") != std::string::npos) return "blob";
    if (declared.find("REAL") != std::string::npos || declared.find("DOUB") != std::string::npos)
        return "real";
    return "other(" + declared + ")";
}

std::set<std::string> sqlite_names(Connection& db, const std::string& sql) {
    std::set<std::string> names;
    Statement statement = db.prepare(sql);
    while (statement.step()) names.insert(statement.column_text(0));
    return names;
}

SchemaFacts spatialite_facts(Connection& db) {
    // SpatiaLite's own tables and triggers are those its metadata set-up makes in an empty
    // database; everything beyond them is the migrations'.
    Connection empty(":memory:");
    empty.exec("BEGIN; SELECT InitSpatialMetadata(0); COMMIT;");
    const std::string own_names =
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')";
    const std::set<std::string> spatialite_own = sqlite_names(empty, own_names);

    // SpatiaLite 5 geometry_type codes of the types the schema uses.
    const std::map<std::int64_t, std::string> type_names = {
        {1, "POINT"}, {2, "LINESTRING"}, {3, "POLYGON"}, {6, "MULTIPOLYGON"}};
    std::map<std::string, std::string> geometry_of;  // "table.column" → class
    std::set<std::string> rtree_parts;  // the R*Tree of a spatial index and its shadow tables
    std::set<std::string> geometry_triggers;
    SchemaFacts facts;
    Statement geometries = db.prepare(
        "SELECT f_table_name, f_geometry_column, geometry_type, srid, spatial_index_enabled "
        "FROM geometry_columns");
    while (geometries.step()) {
        const std::string table = geometries.column_text(0);
        const std::string column = geometries.column_text(1);
        const auto type = type_names.find(geometries.column_int64(2));
        geometry_of[table + "." + column] = geometry_class(
            type == type_names.end() ? "code " + geometries.column_text(2) : type->second,
            geometries.column_int64(3));
        const std::string suffix = table + "_" + column;
        for (const char* prefix : {"ggi_", "ggu_", "gii_", "giu_", "gid_", "tmi_", "tmu_", "tmd_"})
            geometry_triggers.insert(prefix + suffix);
        if (geometries.column_int64(4) == 1) {
            facts.insert(spatial_index_fact(table, column));
            for (const char* part : {"", "_node", "_parent", "_rowid"})
                rtree_parts.insert("idx_" + suffix + part);
        }
    }

    std::vector<std::string> tables;
    for (const std::string& table :
         sqlite_names(db,
                      "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                      "name NOT LIKE 'sqlite_%'")) {
        if (spatialite_own.contains(table) || rtree_parts.contains(table)) continue;
        tables.push_back(table);
        facts.insert("table " + table);
    }

    for (const std::string& table : tables) {
        Statement columns = db.prepare(
            "SELECT cid, name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid");
        columns.bind(1, table);
        std::map<std::int64_t, std::string> primary_key;
        while (columns.step()) {
            const std::string name = columns.column_text(1);
            const auto geometry = geometry_of.find(table + "." + name);
            const std::string type_class = geometry != geometry_of.end()
                                               ? geometry->second
                                               : sqlite_type_class(columns.column_text(2));
            const bool in_key = columns.column_int64(4) > 0;
            if (in_key) primary_key[columns.column_int64(4)] = name;
            // A key column is never NULL in PostgreSQL; in SQLite only the rowid alias and
            // the columns declared NOT NULL are (all of ours are).
            facts.insert(column_fact(table, static_cast<int>(columns.column_int64(0)) + 1, name,
                                     type_class, columns.column_int64(3) == 1 || in_key));
        }
        std::vector<std::string> key_columns;
        for (const auto& [rank, name] : primary_key) key_columns.push_back(name);
        if (!key_columns.empty())
            facts.insert("primary key " + table + " (" + joined(key_columns) + ")");

        Statement indexes = db.prepare(
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) ORDER BY name");
        indexes.bind(1, table);
        while (indexes.step()) {
            const std::string name = indexes.column_text(0);
            const std::string origin = indexes.column_text(2);
            if (origin == "pk") continue;  // the primary key fact says it
            std::vector<std::string> columns_of_index;
            Statement keys = db.prepare(
                "SELECT cid, name, \"desc\" FROM pragma_index_xinfo(?) WHERE key = 1 "
                "ORDER BY seqno");
            keys.bind(1, name);
            while (keys.step()) {
                std::string key = keys.column_int64(0) == -2 ? "<expression>" : keys.column_text(1);
                if (keys.column_int64(2) == 1) key += " DESC";
                columns_of_index.push_back(key);
            }
            if (origin == "u")
                facts.insert("unique constraint " + table + " (" + joined(columns_of_index) + ")");
            else
                facts.insert(index_fact(name, table, indexes.column_int64(1) == 1,
                                        indexes.column_int64(3) == 1, columns_of_index));
        }

        Statement keys = db.prepare(
            "SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?) "
            "ORDER BY id, seq");
        keys.bind(1, table);
        while (keys.step())
            facts.insert(foreign_key_fact(table, keys.column_text(1), keys.column_text(0),
                                          keys.column_text(2), keys.column_text(3)));
    }

    Statement triggers =
        db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'");
    while (triggers.step()) {
        const std::string name = triggers.column_text(0);
        if (spatialite_own.contains(name) || geometry_triggers.contains(name)) continue;
        facts.insert("trigger " + name + " on " + triggers.column_text(1));
    }
    return facts;
}

// --- PostgreSQL -------------------------------------------------------------------------

std::string postgres_type_class(const std::string& type) {
    if (type == "int2" || type == "int4" || type == "int8") return "integer";
    if (type == "float4" || type == "float8" || type == "numeric") return "real";
    if (type == "text" || type == "varchar" || type == "bpchar") return "text";
    if (type == "bytea") return "blob";
    return "other(" + type + ")";
}

std::string postgres_on_delete(const std::string& action) {
    if (action == "c") return "CASCADE";
    if (action == "n") return "SET NULL";
    if (action == "r") return "RESTRICT";
    if (action == "d") return "SET DEFAULT";
    return "NO ACTION";
}

SchemaFacts postgres_facts(Connection& db) {
    SchemaFacts facts;
    // The tables of the current schema that no extension owns (PostGIS's spatial_ref_sys).
    std::vector<std::string> tables;
    Statement table_list = db.prepare(
        "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' "
        "AND c.relnamespace = CAST(current_schema() AS regnamespace) "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = CAST('pg_class' AS regclass) "
        "AND d.objid = c.oid AND d.deptype = 'e') ORDER BY c.relname");
    while (table_list.step()) {
        tables.push_back(table_list.column_text(0));
        facts.insert("table " + tables.back());
    }

    for (const std::string& table : tables) {
        Statement columns = db.prepare(
            "SELECT a.attname, t.typname, CASE WHEN a.attnotnull THEN 1 ELSE 0 END, "
            "CASE WHEN t.typname = 'geometry' THEN upper(postgis_typmod_type(a.atttypmod)) END, "
            "CASE WHEN t.typname = 'geometry' THEN postgis_typmod_srid(a.atttypmod) END "
            "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE a.attrelid = CAST(CAST(? AS text) AS regclass) AND a.attnum > 0 "
            "AND NOT a.attisdropped ORDER BY a.attnum");
        columns.bind(1, table);
        int position = 0;
        while (columns.step()) {
            const std::string type = columns.column_text(1);
            const std::string type_class =
                type == "geometry" ? geometry_class(columns.column_text(3), columns.column_int64(4))
                                   : postgres_type_class(type);
            facts.insert(column_fact(table, ++position, columns.column_text(0), type_class,
                                     columns.column_int64(2) == 1));
        }

        // Every index with its key columns (an expression as "<expression>") and, where a
        // constraint made it, the constraint's kind.
        Statement indexes = db.prepare(
            "SELECT i.relname, CASE WHEN x.indisunique THEN 1 ELSE 0 END, "
            "CASE WHEN x.indpred IS NULL THEN 0 ELSE 1 END, am.amname, "
            "coalesce((SELECT con.contype FROM pg_constraint con "
            "WHERE con.conindid = x.indexrelid AND con.contype IN ('p', 'u')), ''), "
            "x.indexrelid "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_am am ON am.oid = i.relam "
            "WHERE x.indrelid = CAST(CAST(? AS text) AS regclass) ORDER BY i.relname");
        indexes.bind(1, table);
        while (indexes.step()) {
            const std::string name = indexes.column_text(0);
            const std::string constraint = indexes.column_text(4);
            std::vector<std::string> columns_of_index;
            Statement keys = db.prepare(
                "SELECT coalesce(a.attname, '<expression>'), "
                "CASE WHEN x.indoption[k.n - 1] & 1 = 1 THEN 1 ELSE 0 END "
                "FROM pg_index x CROSS JOIN generate_series(1, x.indnkeyatts) AS k(n) "
                "LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid "
                "AND a.attnum = x.indkey[k.n - 1] "
                "WHERE x.indexrelid = CAST(CAST(? AS text) AS oid) ORDER BY k.n");
            keys.bind(1, indexes.column_text(5));
            while (keys.step())
                columns_of_index.push_back(keys.column_text(0) +
                                           (keys.column_int64(1) == 1 ? " DESC" : ""));
            if (constraint == "p")
                facts.insert("primary key " + table + " (" + joined(columns_of_index) + ")");
            else if (constraint == "u")
                facts.insert("unique constraint " + table + " (" + joined(columns_of_index) + ")");
            else if (indexes.column_text(3) == "gist" && columns_of_index.size() == 1 &&
                     name == "idx_" + table + "_" + columns_of_index.front())
                facts.insert(spatial_index_fact(table, columns_of_index.front()));
            else
                facts.insert(index_fact(name, table, indexes.column_int64(1) == 1,
                                        indexes.column_int64(2) == 1, columns_of_index));
        }

        Statement keys = db.prepare(
            "SELECT target.relname, a.attname, b.attname, con.confdeltype "
            "FROM pg_constraint con JOIN pg_class target ON target.oid = con.confrelid "
            "JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1] "
            "JOIN pg_attribute b ON b.attrelid = con.confrelid AND b.attnum = con.confkey[1] "
            "WHERE con.contype = 'f' AND con.conrelid = CAST(CAST(? AS text) AS regclass)");
        keys.bind(1, table);
        while (keys.step())
            facts.insert(foreign_key_fact(table, keys.column_text(1), keys.column_text(0),
                                          keys.column_text(2),
                                          postgres_on_delete(keys.column_text(3))));

        Statement triggers = db.prepare(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid = CAST(CAST(? AS text) AS regclass)");
        triggers.bind(1, table);
        while (triggers.step()) facts.insert("trigger " + triggers.column_text(0) + " on " + table);
    }
    return facts;
}

void add_versions(Connection& db, SchemaFacts& facts) {
    Statement versions = db.prepare("SELECT version FROM schema_migrations ORDER BY version");
    while (versions.step()) facts.insert("migration " + versions.column_text(0));
}

/// What one side has and the other lacks, one line each; empty when both agree.
std::string differences(const SchemaFacts& spatialite, const SchemaFacts& postgres) {
    std::string text;
    for (const std::string& fact : spatialite)
        if (!postgres.contains(fact)) text += "  only in SpatiaLite: " + fact + "\n";
    for (const std::string& fact : postgres)
        if (!spatialite.contains(fact)) text += "  only in PostgreSQL: " + fact + "\n";
    return text;
}

class SchemaParityTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // It needs both backends; the run on PostgreSQL has the server, so it runs there.
        if (leerstand::test::test_backend() != Backend::postgres)
            GTEST_SKIP() << "compares SpatiaLite with PostgreSQL: runs in the PostgreSQL variant "
                            "(LEERSTAND_TEST_BACKEND=postgres)";
    }
};

TEST_F(SchemaParityTest, BothDialectsMakeTheSameSchema) {
    TestDatabase spatialite_database(Backend::spatialite);
    TestDatabase postgres_database(Backend::postgres);
    SchemaFacts spatialite;
    SchemaFacts postgres;
    {
        Connection db(spatialite_database.location());
        leerstand::data::apply_migrations(db);
        spatialite = spatialite_facts(db);
        add_versions(db, spatialite);
    }
    {
        Connection db(postgres_database.location());
        leerstand::data::apply_migrations(db);
        postgres = postgres_facts(db);
        add_versions(db, postgres);
    }
    // The description must see the schema at all: a catalogue query that found nothing on
    // both sides would agree too.
    EXPECT_TRUE(spatialite.contains("table kommunen"));
    EXPECT_TRUE(spatialite.contains(spatial_index_fact("buildings", "footprint")));
    EXPECT_TRUE(spatialite.contains("trigger vacancies_tile_update on vacancies"));
    EXPECT_TRUE(spatialite.contains("column uploads #2 user: text"));
    EXPECT_TRUE(spatialite.contains("migration " +
                                    std::to_string(leerstand::data::latest_schema_version())));
    EXPECT_GT(spatialite.size(), 300u);

    const std::string found = differences(spatialite, postgres);
    EXPECT_TRUE(found.empty())
        << "the SpatiaLite and PostgreSQL migrations make different schemas; change "
           "data/migrations_postgres.cpp (or data/migrations.cpp) until they agree:\n"
        << found;
}

}  // namespace
