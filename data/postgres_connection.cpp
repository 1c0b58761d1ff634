// The PostgreSQL backend of data::Connection, over libpq: the only file that includes
// libpq-fe.h. What it keeps equal to SQLite is in data/connection.hpp; why it works as it does
// is said where it does it.

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/connection_backend.hpp"

namespace leerstand::data {

namespace {

struct ConnFinish {
    void operator()(PGconn* connection) const noexcept { PQfinish(connection); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnFinish>;

struct ResultClear {
    void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClear>;

struct CancelFree {
    void operator()(PGcancel* cancel) const noexcept { PQfreeCancel(cancel); }
};

// Type OIDs of pg_type that never change (src/include/catalog/pg_type.dat).
constexpr Oid k_bool_oid = 16;
constexpr Oid k_bytea_oid = 17;
constexpr Oid k_int8_oid = 20;
constexpr Oid k_int2_oid = 21;
constexpr Oid k_int4_oid = 23;
constexpr Oid k_oid_oid = 26;
constexpr Oid k_float4_oid = 700;
constexpr Oid k_float8_oid = 701;
constexpr Oid k_numeric_oid = 1700;

// The key of the advisory lock every write transaction takes, so writers run one at a time as
// under SQLite's BEGIN IMMEDIATE ("LEERSTND" in ASCII; any constant no other code uses).
constexpr std::int64_t k_write_lock_key = 0x4c45455253544e44;

// Every so many released statements, one round trip deallocates them on the server.
constexpr std::size_t k_deallocate_batch = 32;

// How long connecting may take when the conninfo does not say (libpq waits forever).
constexpr const char* k_default_connect_timeout_seconds = "10";

int to_int_length(std::size_t size) {
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw InvalidInput("value too large to store (over 2 GiB)");
    return static_cast<int>(size);
}

std::string trimmed(const char* text) {
    std::string message = text ? text : "";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    for (char& c : message)
        if (c == '\n') c = ' ';
    return message;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// bytea in its text form ("\x" and two hex digits a byte, PostgreSQL's default output) and
// PostGIS geometry (hex EWKB without the prefix) both arrive as hex.
void decode_hex(std::string_view text, std::vector<unsigned char>& out) {
    if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') text.remove_prefix(2);
    out.clear();
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
        const int high = hex_value(text[i]);
        const int low = hex_value(text[i + 1]);
        if (high < 0 || low < 0)
            throw InternalError("PostgreSQL: a binary value is not in hex form (bytea_output)");
        out.push_back(static_cast<unsigned char>(high * 16 + low));
    }
}

bool is_identifier_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

bool is_tag_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// The end (one past) of the quoted run starting at `start` with the quote char `quote`; a
// doubled quote continues it, and in an E'...' string a backslash escapes the next char.
std::size_t quoted_end(std::string_view sql, std::size_t start, char quote, bool backslash) {
    std::size_t i = start + 1;
    while (i < sql.size()) {
        if (backslash && sql[i] == '\\') {
            i += 2;
        } else if (sql[i] == quote) {
            if (i + 1 < sql.size() && sql[i + 1] == quote)
                i += 2;
            else
                return i + 1;
        } else {
            ++i;
        }
    }
    return sql.size();
}

// The end of a /* */ comment starting at `start`; PostgreSQL nests them.
std::size_t block_comment_end(std::string_view sql, std::size_t start) {
    int depth = 0;
    std::size_t i = start;
    while (i + 1 < sql.size()) {
        if (sql[i] == '/' && sql[i + 1] == '*') {
            ++depth;
            i += 2;
        } else if (sql[i] == '*' && sql[i + 1] == '/') {
            i += 2;
            if (--depth == 0) return i;
        } else {
            ++i;
        }
    }
    return sql.size();
}

// The length of a dollar-quote opening tag ("$$", "$body$") at `start`, or 0 when the '$'
// starts none ($1 is a parameter, a$b part of an identifier).
std::size_t dollar_tag_length(std::string_view sql, std::size_t start) {
    if (start > 0 && is_identifier_char(sql[start - 1])) return 0;
    std::size_t i = start + 1;
    if (i < sql.size() && sql[i] == '$') return 2;
    if (i >= sql.size() || !is_tag_start(sql[i])) return 0;
    while (i < sql.size() && is_identifier_char(sql[i])) ++i;
    return i < sql.size() && sql[i] == '$' ? i + 1 - start : 0;
}

}  // namespace

detail::NumberedSql detail::number_placeholders(std::string_view sql) {
    NumberedSql numbered;
    numbered.text.reserve(sql.size() + 16);
    std::size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
        std::size_t end = i + 1;
        if (c == '\'') {
            const bool escape_string = i > 0 && (sql[i - 1] == 'e' || sql[i - 1] == 'E') &&
                                       (i < 2 || !is_identifier_char(sql[i - 2]));
            end = quoted_end(sql, i, '\'', escape_string);
        } else if (c == '"') {
            end = quoted_end(sql, i, '"', false);
        } else if (c == '-' && next == '-') {
            end = sql.find('\n', i);
            end = end == std::string_view::npos ? sql.size() : end;
        } else if (c == '/' && next == '*') {
            end = block_comment_end(sql, i);
        } else if (c == '$') {
            if (const std::size_t tag_length = dollar_tag_length(sql, i); tag_length > 0) {
                const std::string_view tag = sql.substr(i, tag_length);
                const std::size_t close = sql.find(tag, i + tag_length);
                end = close == std::string_view::npos ? sql.size() : close + tag_length;
            }
        } else if (c == '?') {
            // SQLite's rules: `?NNN` is parameter NNN, a bare `?` the largest number so far + 1.
            std::size_t digits_end = i + 1;
            while (digits_end < sql.size() && sql[digits_end] >= '0' && sql[digits_end] <= '9')
                ++digits_end;
            int number = numbered.parameter_count + 1;
            if (digits_end > i + 1)
                std::from_chars(sql.data() + i + 1, sql.data() + digits_end, number);
            numbered.parameter_count = std::max(numbered.parameter_count, number);
            numbered.text += '$';
            numbered.text += std::to_string(number);
            i = digits_end;
            continue;
        }
        numbered.text.append(sql.substr(i, end - i));
        i = end;
    }
    return numbered;
}

namespace {

class PostgresStatement;
class PostgresCopy;

class PostgresConnection final : public detail::ConnectionBackend {
  public:
    PostgresConnection(const DatabaseLocation& location, const ConnectionOptions& options)
        : m_display(location.display()), m_busy_timeout(options.busy_timeout) {
        const std::string& conninfo = location.conninfo();
        char* parse_error = nullptr;
        PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
        if (parsed == nullptr) {
            // libpq's message may quote the malformed part, which may be the password: only
            // the location with its password hidden is named.
            PQfreemem(parse_error);
            throw InvalidInput("the PostgreSQL conninfo " + m_display +
                               " is malformed; see the libpq manual on connection URIs");
        }
        PQconninfoFree(parsed);
        // connect_timeout before dbname: the conninfo expanded from dbname overrides it, so it
        // is only the default.
        const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname",
                                  nullptr};
        const char* values[] = {k_default_connect_timeout_seconds, "leerstand", conninfo.c_str(),
                                nullptr};
        m_conn.reset(PQconnectdbParams(keywords, values, 1));
        if (!m_conn) throw InternalError("PostgreSQL: out of memory while connecting");
        if (PQstatus(m_conn.get()) != CONNECTION_OK) throw_unreachable("cannot connect");
        set_up_session();
    }

    ~PostgresConnection() override = default;

    Dialect dialect() const noexcept override { return Dialect::postgres; }

    void exec(std::string_view sql) override {
        before_command();
        const std::string text(sql);
        ResultPtr result(PQexec(m_conn.get(), text.c_str()));
        check_result(result.get(), "running \"" + detail::sql_head(sql) + "\"");
        note_changes(result.get());
    }

    std::unique_ptr<detail::StatementBackend> prepare(std::string_view sql) override;
    std::unique_ptr<detail::CopyBackend> copy_in(std::string_view table,
                                                 const std::vector<std::string>& columns) override;

    std::int64_t last_insert_rowid() const override {
        throw InternalError(
            "last_insert_rowid() does not exist on PostgreSQL: use INSERT ... RETURNING id");
    }
    std::int64_t changes() const override { return m_changes; }
    bool in_transaction() const override {
        if (m_transaction_open) return true;
        const PGTransactionStatusType status = PQtransactionStatus(m_conn.get());
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
    }

    void begin_write() override {
        exec("BEGIN");
        m_transaction_open = true;
        try {
            // Waits up to lock_timeout for the writer before, then fails with 55P03 (busy).
            exec("SELECT pg_advisory_xact_lock(" + std::to_string(k_write_lock_key) + ")");
        } catch (...) {
            rollback();
            throw;
        }
    }

    void commit() override {
        if (PQtransactionStatus(m_conn.get()) == PQTRANS_INERROR) {
            // COMMIT would answer ROLLBACK without an error: say it instead.
            rollback();
            throw InternalError("PostgreSQL: cannot commit, a statement of the transaction failed");
        }
        exec("COMMIT");
        m_transaction_open = false;
    }

    void rollback() noexcept override {
        m_transaction_open = false;
        if (m_streaming != nullptr) drain_stream(true);
        if (m_copy != nullptr) abort_copy(m_copy);
        if (PQstatus(m_conn.get()) != CONNECTION_OK) return;
        PQclear(PQexec(m_conn.get(), "ROLLBACK"));
    }

    sqlite3* sqlite_handle() const override {
        throw InternalError("a SQLite handle was asked of the PostgreSQL database " + m_display);
    }

    void listen(std::string_view channel) override {
        // Quoted as an identifier: the channel is ours, but a quote costs nothing.
        exec("LISTEN \"" + std::string(channel) + "\"");
    }

    bool wait_for_notification(std::chrono::milliseconds timeout) override {
        // Notifications that came with an earlier result are queued already; else the socket
        // is watched. A lost session (pg_terminate_backend, a restart) makes the socket readable
        // and PQconsumeInput fail: then the caller must assume it missed notifications, so
        // there is no reconnect here (unlike before_command()).
        if (take_notifications()) return true;
        if (PQstatus(m_conn.get()) != CONNECTION_OK) throw_unreachable("lost the connection");
        pollfd watched{PQsocket(m_conn.get()), POLLIN, 0};
        if (watched.fd < 0) throw_unreachable("lost the connection");
        const int ready = ::poll(&watched, 1, static_cast<int>(timeout.count()));
        if (ready < 0 && errno != EINTR)
            throw InternalError("PostgreSQL: poll() on the notification socket failed");
        if (ready <= 0) return false;
        if (PQconsumeInput(m_conn.get()) == 0 || PQstatus(m_conn.get()) != CONNECTION_OK)
            throw_unreachable("lost the connection");
        return take_notifications();
    }

    // -- for PostgresStatement ------------------------------------------------------------

    PGconn* conn() const noexcept { return m_conn.get(); }
    /// Changes whenever the session was replaced (a reconnect), which drops its prepared
    /// statements: statements prepare themselves again when it moved.
    std::uint64_t session() const noexcept { return m_session; }
    Oid geometry_oid() const noexcept { return m_geometry_oid; }

    std::string next_statement_name() { return "leerstand_" + std::to_string(++m_statement_count); }

    /// Checks that a command may be sent now: no stream is being read, the connection is up
    /// (reconnecting once when it was lost outside a transaction).
    void before_command() {
        if (m_streaming != nullptr)
            throw InternalError(
                "PostgreSQL: another statement was run while a streamed result was being read; "
                "read the stream to its end (or reset it) first");
        // A COPY holds the connection: its rows so far are stored first, and the writer
        // starts another COPY with its next row.
        if (m_copy != nullptr) suspend_copy();
        if (PQstatus(m_conn.get()) != CONNECTION_OK) reconnect();
        if (m_to_deallocate.size() >= k_deallocate_batch && m_streaming == nullptr &&
            PQtransactionStatus(m_conn.get()) != PQTRANS_INERROR)
            deallocate_released();
    }

    /// Throws the leerstand error for a failed result (or returns for a good one).
    void check_result(const PGresult* result, const std::string& context) {
        const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ||
            status == PGRES_SINGLE_TUPLE || status == PGRES_EMPTY_QUERY)
            return;
        throw_error(result, context);
    }

    [[noreturn]] void throw_error(const PGresult* result, const std::string& context) {
        if (PQstatus(m_conn.get()) != CONNECTION_OK) throw_unreachable("lost the connection");
        const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
        const std::string sqlstate = state ? state : "";
        using detail::ConstraintKind;
        if (sqlstate.rfind("23", 0) == 0) {
            detail::throw_constraint_conflict(sqlstate == "23505"   ? ConstraintKind::unique
                                              : sqlstate == "23503" ? ConstraintKind::foreign_key
                                              : sqlstate == "23514" ? ConstraintKind::check
                                              : sqlstate == "23502" ? ConstraintKind::not_null
                                                                    : ConstraintKind::other);
        }
        // lock_not_available (lock_timeout), serialization_failure, deadlock_detected,
        // query_canceled: another writer had the lock; the same as SQLite's SQLITE_BUSY.
        if (sqlstate == "55P03" || sqlstate == "40001" || sqlstate == "40P01" ||
            sqlstate == "57014")
            detail::throw_busy();
        // Connection exceptions (class 08) and a server shutting down (57P01..57P03).
        if (sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P0", 0) == 0)
            throw_unreachable("lost the connection");
        const std::string message =
            trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(m_conn.get()));
        throw InternalError("PostgreSQL error while " + context + ": " + message +
                            (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")"));
    }

    void note_changes(const PGresult* result) {
        const std::string_view command = PQcmdStatus(const_cast<PGresult*>(result));
        for (const std::string_view write : {"INSERT", "UPDATE", "DELETE", "MERGE"}) {
            if (command.rfind(write, 0) == 0) {
                const std::string_view rows = PQcmdTuples(const_cast<PGresult*>(result));
                std::int64_t count = 0;
                std::from_chars(rows.data(), rows.data() + rows.size(), count);
                m_changes = count;
                return;
            }
        }
    }

    void start_stream(const PostgresStatement* statement) { m_streaming = statement; }
    void end_stream() noexcept { m_streaming = nullptr; }

    /// Reads and drops what is left of a streamed result, cancelling the query first when
    /// `cancel` (a reset in the middle of a million rows should not read them all).
    void drain_stream(bool cancel) noexcept {
        if (cancel) {
            std::unique_ptr<PGcancel, CancelFree> handle(PQgetCancel(m_conn.get()));
            char error[256];
            if (handle) PQcancel(handle.get(), error, sizeof error);
        }
        while (PGresult* rest = PQgetResult(m_conn.get())) PQclear(rest);
        m_streaming = nullptr;
    }

    /// Starts `COPY ... FROM STDIN` (`sql`) for `copy`, which the connection then tells when
    /// it ends the COPY (suspend_copy, a failure, a rollback).
    void begin_copy(const std::string& sql, PostgresCopy* copy) {
        before_command();
        ResultPtr result(PQexec(m_conn.get(), sql.c_str()));
        if (!result || PQresultStatus(result.get()) != PGRES_COPY_IN) {
            check_result(result.get(), "starting \"" + detail::sql_head(sql) + "\"");
            throw InternalError("PostgreSQL: \"" + detail::sql_head(sql) + "\" started no COPY");
        }
        m_copy = copy;
    }

    /// Sends COPY data. A row the server refused ends the COPY on its side, and libpq then
    /// refuses more data: the server's error is read and thrown.
    void put_copy(std::string_view data) {
        if (PQputCopyData(m_conn.get(), data.data(), to_int_length(data.size())) == 1) return;
        lose_copy();
        ResultPtr result(PQgetResult(m_conn.get()));
        while (PGresult* rest = PQgetResult(m_conn.get())) PQclear(rest);
        throw_error(result.get(), "sending COPY data");
    }

    /// Ends the COPY's data and returns the rows the server stored, or throws its error.
    std::int64_t end_copy() {
        m_copy = nullptr;
        const int sent = PQputCopyEnd(m_conn.get(), nullptr);
        ResultPtr result(PQgetResult(m_conn.get()));
        while (PGresult* rest = PQgetResult(m_conn.get())) PQclear(rest);
        if (sent != 1) throw_error(nullptr, "ending a COPY");
        check_result(result.get(), "ending a COPY");
        const std::string_view rows = PQcmdTuples(result.get());
        std::int64_t count = 0;
        std::from_chars(rows.data(), rows.data() + rows.size(), count);
        m_changes = count;
        return count;
    }

    /// Ends `copy`'s COPY, if it is the running one, with an error: the server drops its rows
    /// and the transaction fails, as after a failed statement.
    void abort_copy(const PostgresCopy* copy) noexcept {
        if (m_copy == nullptr || m_copy != copy) return;
        lose_copy();
        if (PQstatus(m_conn.get()) != CONNECTION_OK) return;
        PQputCopyEnd(m_conn.get(), "the COPY was cancelled by leerstand");
        while (PGresult* rest = PQgetResult(m_conn.get())) PQclear(rest);
    }

    void release_statement(std::string name, std::uint64_t session) {
        if (session == m_session) m_to_deallocate.push_back(std::move(name));
    }

    [[noreturn]] void throw_unreachable(const char* what) {
        // The details name the server, so they go to the log; users read "busy, try again".
        std::cerr << "leerstand: PostgreSQL " << what << " (" << m_display
                  << "): " << trimmed(PQerrorMessage(m_conn.get())) << '\n';
        throw StorageBusy("the database cannot be reached at the moment; try again in a moment");
    }

  private:
    /// Takes every queued notification; true when there was one.
    bool take_notifications() {
        bool any = false;
        while (PGnotify* notification = PQnotifies(m_conn.get())) {
            PQfreemem(notification);
            any = true;
        }
        return any;
    }

    // Defined after PostgresCopy.
    void suspend_copy();
    void lose_copy() noexcept;

    void set_up_session() {
        const std::string setup =
            "SET client_encoding TO 'UTF8'; SET timezone TO 'UTC'; "
            // NOTICEs ("extension postgis already exists, skipping") are not ours to print on
            // a command's stderr, whose one line is the answer; warnings and errors still come.
            "SET client_min_messages TO warning; "
            "SET lock_timeout TO " +
            std::to_string(m_busy_timeout.count());
        ResultPtr result(PQexec(m_conn.get(), setup.c_str()));
        check_result(result.get(), "setting up the session");
        // PostGIS's geometry type has no fixed OID; 0 when PostGIS is not installed.
        ResultPtr type(PQexec(m_conn.get(), "SELECT coalesce(to_regtype('geometry')::oid, 0)"));
        check_result(type.get(), "looking up the geometry type");
        m_geometry_oid = static_cast<Oid>(std::strtoul(PQgetvalue(type.get(), 0, 0), nullptr, 10));
    }

    void reconnect() {
        // Inside a transaction its writes are gone with the session: the caller must learn of
        // it (StorageBusy) and roll back, never continue in a fresh session as if atomic.
        if (m_transaction_open) throw_unreachable("lost the connection during a transaction");
        PQreset(m_conn.get());
        if (PQstatus(m_conn.get()) != CONNECTION_OK) throw_unreachable("cannot reconnect");
        ++m_session;
        m_to_deallocate.clear();
        m_streaming = nullptr;
        std::cerr << "leerstand: PostgreSQL connection restored (" << m_display << ")\n";
        set_up_session();
    }

    void deallocate_released() {
        std::string sql;
        for (const std::string& name : m_to_deallocate) sql += "DEALLOCATE " + name + ";";
        m_to_deallocate.clear();
        ResultPtr result(PQexec(m_conn.get(), sql.c_str()));
        check_result(result.get(), "deallocating statements");
    }

    ConnPtr m_conn;
    std::string m_display;
    std::chrono::milliseconds m_busy_timeout;
    Oid m_geometry_oid = 0;
    std::uint64_t m_session = 0;
    std::uint64_t m_statement_count = 0;
    std::vector<std::string> m_to_deallocate;
    std::int64_t m_changes = 0;
    bool m_transaction_open = false;
    const PostgresStatement* m_streaming = nullptr;
    PostgresCopy* m_copy = nullptr;  // the writer whose COPY is running
};

class PostgresStatement final : public detail::StatementBackend {
  public:
    PostgresStatement(PostgresConnection& connection, std::string_view sql)
        : m_connection(connection), m_sql_head(detail::sql_head(sql)) {
        detail::NumberedSql numbered = detail::number_placeholders(sql);
        m_sql = std::move(numbered.text);
        const auto count = static_cast<std::size_t>(numbered.parameter_count);
        m_values.resize(count);
        m_is_null.assign(count, true);
        m_formats.assign(count, 0);
        prepare_on_server();
    }

    ~PostgresStatement() override {
        if (m_state == State::streaming) m_connection.drain_stream(true);
        m_connection.release_statement(std::move(m_name), m_session);
    }

    void bind_int64(int index, std::int64_t value) override {
        set(index, std::to_string(value), 0);
    }
    void bind_double(int index, double value) override {
        if (std::isnan(value)) return set(index, "NaN", 0);
        if (std::isinf(value)) return set(index, value > 0 ? "Infinity" : "-Infinity", 0);
        char buffer[32];
        // The shortest text that reads back as the same double.
        const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
        set(index, std::string(buffer, end), 0);
    }
    void bind_text(int index, std::string_view text) override {
        to_int_length(text.size());
        set(index, std::string(text), 0);
    }
    void bind_blob(int index, std::span<const unsigned char> bytes) override {
        // Binary format: the bytes go as they are, no escaping.
        to_int_length(bytes.size());
        set(index, std::string(bytes.begin(), bytes.end()), 1);
    }
    void bind_null(int index) override {
        const std::size_t slot = checked_slot(index);
        m_is_null[slot] = true;
        m_values[slot].clear();
    }
    void stream() override { m_stream = true; }

    bool step() override {
        if (m_state == State::rows) return next_buffered_row();
        if (m_state == State::streaming) return next_streamed_row();
        // A step after the end runs the statement again, as sqlite3_step does.
        execute();
        return m_state == State::rows ? next_buffered_row() : next_streamed_row();
    }

    void reset() noexcept override {
        if (m_state == State::streaming) m_connection.drain_stream(true);
        m_state = State::idle;
        m_result.reset();
        for (std::size_t i = 0; i < m_values.size(); ++i) {
            m_is_null[i] = true;
            m_values[i].clear();
        }
    }

    bool column_is_null(int column) const override {
        return PQgetisnull(m_result.get(), m_row, column) != 0;
    }
    std::int64_t column_int64(int column) const override {
        const std::string_view text = raw_text(column);
        if (type(column) == k_bool_oid) return text == "t" ? 1 : 0;
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc() && end == text.data() + text.size()) return value;
        // A floating or numeric value: truncated, as SQLite converts a REAL.
        return static_cast<std::int64_t>(column_double(column));
    }
    double column_double(int column) const override {
        const std::string_view text = raw_text(column);
        if (type(column) == k_bool_oid) return text == "t" ? 1.0 : 0.0;
        double value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc()) return value;
        if (text == "Infinity") return std::numeric_limits<double>::infinity();
        if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
        if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
        return 0;
    }
    std::string_view column_text(int column) const override {
        const Oid oid = type(column);
        // Booleans read as SQLite's 0/1, binary values as their bytes.
        if (oid == k_bool_oid) {
            if (column_is_null(column)) return {};
            return raw_text(column) == "t" ? "1" : "0";
        }
        if (is_binary(oid)) {
            const auto bytes = column_blob(column);
            return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
        }
        return raw_text(column);
    }
    std::span<const unsigned char> column_blob(int column) const override {
        const std::string_view text = raw_text(column);
        if (!is_binary(type(column)))
            return {reinterpret_cast<const unsigned char*>(text.data()), text.size()};
        const auto slot = static_cast<std::size_t>(column);
        if (m_decoded.size() <= slot) m_decoded.resize(slot + 1);
        Decoded& decoded = m_decoded[slot];
        if (decoded.row_serial != m_row_serial) {
            decode_hex(text, decoded.bytes);
            decoded.row_serial = m_row_serial;
        }
        return decoded.bytes;
    }
    ColumnKind column_kind(int column) const override {
        if (column_is_null(column)) return ColumnKind::Null;
        const Oid oid = type(column);
        switch (oid) {
            case k_bool_oid:
            case k_int2_oid:
            case k_int4_oid:
            case k_int8_oid:
            case k_oid_oid:
                return ColumnKind::Integer;
            case k_float4_oid:
            case k_float8_oid:
            case k_numeric_oid:
                return ColumnKind::Real;
            default:
                return is_binary(oid) ? ColumnKind::Blob : ColumnKind::Text;
        }
    }
    int column_count() const override { return PQnfields(description()); }
    std::string column_name(int column) const override {
        const char* name = PQfname(description(), column);
        return name ? name : "";
    }
    int parameter_count() const override { return static_cast<int>(m_values.size()); }

  private:
    enum class State { idle, rows, streaming };
    struct Decoded {
        std::uint64_t row_serial = 0;
        std::vector<unsigned char> bytes;
    };

    void prepare_on_server() {
        m_connection.before_command();
        m_name = m_connection.next_statement_name();
        m_session = m_connection.session();
        // No parameter types: the server infers each from its context.
        ResultPtr result(PQprepare(m_connection.conn(), m_name.c_str(), m_sql.c_str(),
                                   static_cast<int>(m_values.size()), nullptr));
        m_connection.check_result(result.get(), "preparing \"" + m_sql_head + "\"");
        m_description.reset();
    }

    std::size_t checked_slot(int index) const {
        if (index < 1 || static_cast<std::size_t>(index) > m_values.size())
            throw InternalError("binding parameter " + std::to_string(index) + " of \"" +
                                m_sql_head + "\", which has " + std::to_string(m_values.size()));
        return static_cast<std::size_t>(index - 1);
    }

    void set(int index, std::string value, int format) {
        const std::size_t slot = checked_slot(index);
        m_values[slot] = std::move(value);
        m_is_null[slot] = false;
        m_formats[slot] = format;
    }

    void execute() {
        m_connection.before_command();
        // A reconnect dropped the session's prepared statements.
        if (m_session != m_connection.session()) prepare_on_server();
        m_result.reset();
        const std::size_t count = m_values.size();
        std::vector<const char*> values(count);
        std::vector<int> lengths(count);
        for (std::size_t i = 0; i < count; ++i) {
            values[i] = m_is_null[i] ? nullptr : m_values[i].data();
            lengths[i] = static_cast<int>(m_values[i].size());
        }
        const int n = static_cast<int>(count);
        const std::string context = "running \"" + m_sql_head + "\"";
        if (!m_stream) {
            // Text results; the whole result now, so other statements may run meanwhile.
            ResultPtr result(PQexecPrepared(m_connection.conn(), m_name.c_str(), n, values.data(),
                                            lengths.data(), m_formats.data(), 0));
            m_connection.check_result(result.get(), context);
            m_connection.note_changes(result.get());
            m_result = std::move(result);
            m_row = -1;
            m_state = State::rows;
            return;
        }
        if (PQsendQueryPrepared(m_connection.conn(), m_name.c_str(), n, values.data(),
                                lengths.data(), m_formats.data(), 0) != 1)
            m_connection.throw_error(nullptr, context);
        if (PQsetSingleRowMode(m_connection.conn()) != 1) {
            m_connection.drain_stream(true);
            throw InternalError("PostgreSQL: single-row mode refused for \"" + m_sql_head + "\"");
        }
        m_connection.start_stream(this);
        m_state = State::streaming;
    }

    bool next_buffered_row() {
        ++m_row;
        ++m_row_serial;
        if (m_row < PQntuples(m_result.get())) return true;
        m_state = State::idle;
        return false;
    }

    bool next_streamed_row() {
        ResultPtr result(PQgetResult(m_connection.conn()));
        ++m_row_serial;
        if (result && PQresultStatus(result.get()) == PGRES_SINGLE_TUPLE) {
            m_result = std::move(result);
            m_row = 0;
            return true;
        }
        // The end (a zero-row PGRES_TUPLES_OK) or an error; then a null result ends the query.
        m_connection.drain_stream(false);
        m_state = State::idle;
        m_result.reset();
        if (result) m_connection.check_result(result.get(), "streaming \"" + m_sql_head + "\"");
        return false;
    }

    std::string_view raw_text(int column) const {
        if (!m_result || m_row < 0 || m_row >= PQntuples(m_result.get()))
            throw InternalError("PostgreSQL: column read without a row in \"" + m_sql_head + "\"");
        const char* value = PQgetvalue(m_result.get(), m_row, column);
        return {value, static_cast<std::size_t>(PQgetlength(m_result.get(), m_row, column))};
    }
    // The column types and names come with every result; before the first one (column_count
    // before step(), as SQLite allows) the server describes the statement, once.
    const PGresult* description() const {
        if (m_result) return m_result.get();
        if (!m_description) {
            m_connection.before_command();
            ResultPtr described(PQdescribePrepared(m_connection.conn(), m_name.c_str()));
            m_connection.check_result(described.get(), "describing \"" + m_sql_head + "\"");
            m_description = std::move(described);
        }
        return m_description.get();
    }
    Oid type(int column) const { return PQftype(description(), column); }
    bool is_binary(Oid oid) const {
        return oid == k_bytea_oid || (oid != 0 && oid == m_connection.geometry_oid());
    }

    PostgresConnection& m_connection;  // outlives its statements
    std::string m_sql;                 // with $n placeholders
    std::string m_sql_head;            // first words of the SQL, for error messages
    std::string m_name;                // the prepared statement's name in the session
    std::uint64_t m_session = 0;       // the session it was prepared in
    mutable ResultPtr m_description;
    std::vector<std::string> m_values;
    std::vector<bool> m_is_null;
    std::vector<int> m_formats;  // 0 text, 1 binary (bytea)
    bool m_stream = false;
    State m_state = State::idle;
    ResultPtr m_result;
    int m_row = -1;
    std::uint64_t m_row_serial = 0;  // invalidates the decoded blobs of the previous row
    mutable std::vector<Decoded> m_decoded;
};

// Binary COPY (the "Binary Format" section of PostgreSQL's COPY page): a header, then per row a
// 16-bit field count and per field a 32-bit length (-1 for NULL) and the value in the type's
// binary form, everything in network byte order; a count of -1 ends the data. A statement run
// on the connection meanwhile suspends the COPY (suspend()); the next row starts another.
class PostgresCopy final : public detail::CopyBackend {
  public:
    PostgresCopy(PostgresConnection& connection, std::string_view table,
                 const std::vector<std::string>& columns)
        : m_connection(connection), m_columns(columns.size()) {
        if (columns.empty() || columns.size() > static_cast<std::size_t>(k_max_fields))
            throw InternalError("a COPY needs 1 to 1600 columns, not " +
                                std::to_string(columns.size()));
        m_sql = "COPY " + identifier(table) + " (";
        for (std::size_t i = 0; i < columns.size(); ++i)
            m_sql += (i == 0 ? "" : ", ") + identifier(columns[i]);
        m_sql += ") FROM STDIN (FORMAT binary)";
        m_buffer.reserve(k_send_size + 4096);
        // Started now, so that a wrong table or column is reported here, not at the first row.
        start();
    }

    ~PostgresCopy() override {
        if (m_started) m_connection.abort_copy(this);
    }

    void add_int64(std::int64_t value) override {
        field(8);
        append_big_endian(static_cast<std::uint64_t>(value), 8);
    }
    void add_double(double value) override {
        field(8);
        append_big_endian(std::bit_cast<std::uint64_t>(value), 8);
    }
    void add_bytes(std::span<const unsigned char> head,
                   std::span<const unsigned char> tail) override {
        field(to_int_length(head.size() + tail.size()));
        m_buffer.append(reinterpret_cast<const char*>(head.data()), head.size());
        m_buffer.append(reinterpret_cast<const char*>(tail.data()), tail.size());
    }
    void add_null() override {
        begin_field();
        append_big_endian(0xffffffffu, 4);
    }

    void end_row() override {
        if (m_fields != m_columns) {
            // Dropped, so that the rows before it stay well formed.
            m_buffer.resize(m_row_start);
            const std::size_t fields = m_fields;
            m_fields = 0;
            m_row_open = false;
            throw InternalError("a COPY row has " + std::to_string(fields) + " fields for " +
                                std::to_string(m_columns) + " columns");
        }
        const auto count = static_cast<std::uint16_t>(m_fields);
        m_buffer[m_row_start] = static_cast<char>(count >> 8);
        m_buffer[m_row_start + 1] = static_cast<char>(count & 0xff);
        m_fields = 0;
        m_row_open = false;
        if (m_buffer.size() >= k_send_size) send();
    }

    std::int64_t finish() override {
        if (m_finished) throw InternalError("a COPY was finished twice");
        if (m_row_open) throw InternalError("a COPY was finished in the middle of a row");
        m_finished = true;
        if (m_started) end();
        return m_stored;
    }

    /// Sends the rows so far and ends the COPY, for a statement to run (the connection calls
    /// this); the next row starts another COPY.
    void suspend() {
        if (m_row_open)
            throw InternalError("PostgreSQL: a statement was run in the middle of a COPY row");
        end();
    }

    /// The connection ended the COPY with an error (a rollback, a failure): nothing more can
    /// be added.
    void lost() noexcept {
        m_started = false;
        m_lost = true;
        m_buffer.clear();
    }

  private:
    // PostgreSQL's limit of columns in a table, far below the 16-bit field count.
    static constexpr int k_max_fields = 1600;
    // libpq sends what it is given once its buffer holds 8 KiB; bigger pieces save calls.
    static constexpr std::size_t k_send_size = 256 * 1024;
    static constexpr char k_signature[11] = {'P',  'G',    'C',  'O',  'P', 'Y',
                                             '\n', '\xff', '\r', '\n', '\0'};

    std::string identifier(std::string_view name) const {
        char* escaped = PQescapeIdentifier(m_connection.conn(), name.data(), name.size());
        if (escaped == nullptr)
            throw InternalError("PostgreSQL: cannot quote the name " + std::string(name));
        std::string result(escaped);
        PQfreemem(escaped);
        return result;
    }

    void start() {
        m_connection.begin_copy(m_sql, this);
        m_started = true;
        m_buffer.append(k_signature, sizeof k_signature);
        append_big_endian(0, 4);  // flags: no OIDs
        append_big_endian(0, 4);  // header extension length
    }

    void end() {
        append_big_endian(0xffff, 2);  // the trailer: a field count of -1
        send();
        m_started = false;
        m_stored += m_connection.end_copy();
    }

    void append_big_endian(std::uint64_t value, int bytes) {
        for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
            m_buffer.push_back(static_cast<char>((value >> shift) & 0xff));
    }

    void begin_field() {
        if (!m_row_open) {
            if (m_lost || m_finished)
                throw InternalError("PostgreSQL: a row was added to a COPY that has ended");
            if (!m_started) start();
            m_row_start = m_buffer.size();
            append_big_endian(0, 2);  // the field count, written by end_row()
            m_row_open = true;
        }
        ++m_fields;
    }

    void field(int length) {
        begin_field();
        append_big_endian(static_cast<std::uint32_t>(length), 4);
    }

    void send() {
        m_connection.put_copy(m_buffer);
        m_buffer.clear();
    }

    PostgresConnection& m_connection;  // outlives the writer
    std::size_t m_columns;
    std::string m_sql;     // the COPY statement, for each start
    std::string m_buffer;  // rows not yet handed to libpq
    std::size_t m_row_start = 0;
    std::size_t m_fields = 0;
    std::int64_t m_stored = 0;  // rows the server stored in the COPYs ended so far
    bool m_row_open = false;
    bool m_started = false;  // a COPY of this writer is running on the server
    bool m_finished = false;
    bool m_lost = false;
};

void PostgresConnection::suspend_copy() {
    PostgresCopy* copy = m_copy;
    copy->suspend();
}

void PostgresConnection::lose_copy() noexcept {
    if (m_copy != nullptr) m_copy->lost();
    m_copy = nullptr;
}

std::unique_ptr<detail::StatementBackend> PostgresConnection::prepare(std::string_view sql) {
    return std::make_unique<PostgresStatement>(*this, sql);
}

std::unique_ptr<detail::CopyBackend> PostgresConnection::copy_in(
    std::string_view table, const std::vector<std::string>& columns) {
    return std::make_unique<PostgresCopy>(*this, table, columns);
}

}  // namespace

std::unique_ptr<detail::ConnectionBackend> detail::open_postgres(const DatabaseLocation& location,
                                                                 const ConnectionOptions& options) {
    return std::make_unique<PostgresConnection>(location, options);
}

}  // namespace leerstand::data
