#include "data/connection.hpp"

#include <atomic>

#include "common/error.hpp"
#include "data/connection_backend.hpp"

namespace leerstand::data {

// ---------------------------------------------------------------------------------------------
// What both backends share

namespace detail {

void throw_constraint_conflict(ConstraintKind kind) {
    const char* reason = "it conflicts with the stored data";
    switch (kind) {
        case ConstraintKind::unique:
            reason = "a record with the same key already exists";
            break;
        case ConstraintKind::foreign_key:
            reason = "it refers to a record that does not exist, or the record is still referenced";
            break;
        case ConstraintKind::check:
            reason = "a value is not one of the allowed values";
            break;
        case ConstraintKind::not_null:
            reason = "a required value is missing";
            break;
        case ConstraintKind::geometry:
            reason = "a geometry has the wrong type or coordinate system";
            break;
        case ConstraintKind::other:
            break;
    }
    throw Conflict(std::string("cannot save the change: ") + reason);
}

void throw_busy() {
    throw StorageBusy("the database is busy with another change; try again in a moment");
}

std::string sql_head(std::string_view sql) {
    constexpr std::size_t max_length = 60;
    std::string head(sql.substr(0, max_length));
    for (char& c : head)
        if (c == '\n' || c == '\t') c = ' ';
    return sql.size() > max_length ? head + "..." : head;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Statement

Statement::Statement(std::unique_ptr<detail::StatementBackend> backend)
    : m_backend(std::move(backend)) {}
Statement::Statement(Statement&&) noexcept = default;
Statement& Statement::operator=(Statement&&) noexcept = default;
Statement::~Statement() = default;

Statement& Statement::bind(int index, std::int64_t value) {
    m_backend->bind_int64(index, value);
    return *this;
}

Statement& Statement::bind(int index, double value) {
    m_backend->bind_double(index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    m_backend->bind_text(index, text);
    return *this;
}

Statement& Statement::bind_text_or_null(int index, std::string_view text) {
    return text.empty() ? bind_null(index) : bind(index, text);
}

Statement& Statement::bind_blob(int index, std::span<const unsigned char> bytes) {
    m_backend->bind_blob(index, bytes);
    return *this;
}

Statement& Statement::bind_null(int index) {
    m_backend->bind_null(index);
    return *this;
}

Statement& Statement::stream() {
    m_backend->stream();
    return *this;
}

bool Statement::step() {
    return m_backend->step();
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() noexcept {
    m_backend->reset();
}

bool Statement::column_is_null(int column) const {
    return m_backend->column_is_null(column);
}

std::int64_t Statement::column_int64(int column) const {
    return m_backend->column_int64(column);
}

double Statement::column_double(int column) const {
    return m_backend->column_double(column);
}

std::string Statement::column_text(int column) const {
    return std::string(m_backend->column_text(column));
}

std::vector<unsigned char> Statement::column_blob(int column) const {
    const auto bytes = m_backend->column_blob(column);
    return std::vector<unsigned char>(bytes.begin(), bytes.end());
}

std::span<const unsigned char> Statement::column_blob_view(int column) const {
    return m_backend->column_blob(column);
}

ColumnKind Statement::column_kind(int column) const {
    return m_backend->column_kind(column);
}

int Statement::column_count() const {
    return m_backend->column_count();
}

std::string Statement::column_name(int column) const {
    return m_backend->column_name(column);
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
    if (column_is_null(column)) return std::nullopt;
    return column_int64(column);
}

std::optional<std::string> Statement::column_optional_text(int column) const {
    if (column_is_null(column)) return std::nullopt;
    return column_text(column);
}

int Statement::parameter_count() const {
    return m_backend->parameter_count();
}

// ---------------------------------------------------------------------------------------------
// CopyWriter

CopyWriter::CopyWriter(std::unique_ptr<detail::CopyBackend> backend)
    : m_backend(std::move(backend)) {}
CopyWriter::CopyWriter(CopyWriter&&) noexcept = default;
CopyWriter& CopyWriter::operator=(CopyWriter&&) noexcept = default;
CopyWriter::~CopyWriter() = default;

CopyWriter& CopyWriter::add_int64(std::int64_t value) {
    m_backend->add_int64(value);
    return *this;
}

CopyWriter& CopyWriter::add_double(double value) {
    m_backend->add_double(value);
    return *this;
}

CopyWriter& CopyWriter::add_text(std::string_view text) {
    // Binary COPY sends text as its bytes, the same as a bytea.
    m_backend->add_bytes({reinterpret_cast<const unsigned char*>(text.data()), text.size()}, {});
    return *this;
}

CopyWriter& CopyWriter::add_text_or_null(std::string_view text) {
    return text.empty() ? add_null() : add_text(text);
}

CopyWriter& CopyWriter::add_bytes(std::span<const unsigned char> head,
                                  std::span<const unsigned char> tail) {
    m_backend->add_bytes(head, tail);
    return *this;
}

CopyWriter& CopyWriter::add_null() {
    m_backend->add_null();
    return *this;
}

void CopyWriter::end_row() {
    m_backend->end_row();
}

std::int64_t CopyWriter::finish() {
    return m_backend->finish();
}

// ---------------------------------------------------------------------------------------------
// Connection

Connection::Connection(const DatabaseLocation& location, ConnectionOptions options)
    : m_backend(location.is_postgres() ? detail::open_postgres(location, options)
                                       : detail::open_sqlite(location.file(), options)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Dialect Connection::dialect() const noexcept {
    return m_backend->dialect();
}

void Connection::exec(std::string_view sql) {
    m_backend->exec(sql);
}

Statement Connection::prepare(std::string_view sql) {
    return Statement(m_backend->prepare(sql));
}

std::int64_t Connection::query_int64(std::string_view sql) {
    Statement statement = prepare(sql);
    if (!statement.step()) throw InternalError("no result from \"" + detail::sql_head(sql) + "\"");
    return statement.column_int64(0);
}

std::string Connection::query_text(std::string_view sql) {
    Statement statement = prepare(sql);
    if (!statement.step()) throw InternalError("no result from \"" + detail::sql_head(sql) + "\"");
    return statement.column_text(0);
}

CopyWriter Connection::copy_in(std::string_view table, const std::vector<std::string>& columns) {
    return CopyWriter(m_backend->copy_in(table, columns));
}

sqlite3* Connection::sqlite_handle() const {
    return m_backend->sqlite_handle();
}

void Connection::listen(std::string_view channel) {
    m_backend->listen(channel);
}

bool Connection::wait_for_notification(std::chrono::milliseconds timeout) {
    return m_backend->wait_for_notification(timeout);
}

void detail::ConnectionBackend::listen(std::string_view) {
    throw InternalError("LISTEN asked of a SQLite database: only PostgreSQL notifies");
}

bool detail::ConnectionBackend::wait_for_notification(std::chrono::milliseconds) {
    throw InternalError("notifications asked of a SQLite database: only PostgreSQL notifies");
}

std::int64_t Connection::last_insert_rowid() const {
    return m_backend->last_insert_rowid();
}

std::int64_t Connection::changes() const {
    return m_backend->changes();
}

bool Connection::in_transaction() const {
    return m_backend->in_transaction();
}

std::string Connection::now() const {
    return m_pinned_time ? *m_pinned_time : utc_now_iso8601();
}

// ---------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Connection& connection) : m_connection(connection) {
    // Nesting would need savepoints; no caller needs them, so catch the mistake early.
    if (connection.in_transaction())
        throw InternalError("a transaction is already open on this connection");
    connection.m_backend->begin_write();
}

Transaction::~Transaction() {
    if (m_done || !m_connection.in_transaction()) return;
    // Errors are ignored: a failed rollback leaves nothing we could repair here, and the
    // database rolls back an open transaction when the connection closes anyway.
    m_connection.m_backend->rollback();
}

namespace {
std::atomic<std::uint64_t> g_committed_writes{0};
}  // namespace

void Transaction::commit() {
    m_connection.m_backend->commit();
    m_done = true;
    g_committed_writes.fetch_add(1, std::memory_order_release);
}

std::uint64_t committed_writes() noexcept {
    return g_committed_writes.load(std::memory_order_acquire);
}

}  // namespace leerstand::data
