// SPDX-License-Identifier: Apache-2.0
#include "audit/NativeChainWalk.h"

#include "store/Database.h"
#include "store/NativeConnection.h"
#include "store/SequentialReadAhead.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace mandate::audit {

QByteArray chainColumnsSql()
{
    QByteArray columns = "seq, prev_hash, hash, body";
    for (int c = 0; c < AuditColumns::Count; ++c)
        columns += QByteArray(", ") + AuditColumns::sqlName(AuditColumns::Column(c));
    return columns;
}

namespace {

// Parts are claimed in turn by whichever thread is free, so a part should be small enough to
// share the work evenly and large enough that claiming one costs nothing: 16 parts per
// million records.
constexpr qint64 kDefaultPartIds = 65536;
constexpr int kMaxThreads = 8;

constexpr char kCheckFunction[] = "mandate_audit_check_row";
constexpr char kPointerType[] = "mandate_audit_part_reader";
// The unary + keeps SQLite from using the (gateway, seq) index: rowid order is the order the
// records were written in, and what an attacker must change to reorder them. SQLite tests the
// terms of the WHERE clause in order, so the check sees this gateway's rows alone, in id order.
const QByteArray kPartSql = "SELECT 1 FROM audit_records WHERE id >= ? AND id < ? AND +gateway = ? AND "
    + QByteArray(kCheckFunction) + "(?, gateway, " + chainColumnsSql() + ") ORDER BY id LIMIT 1";

Error readError(sqlite3 *db)
{
    return store::Database::nativeError(QStringLiteral("cannot read the audit log"), db);
}

/// Reads and checks parts of the id range on one connection, hashing each record where SQLite
/// holds it. The check runs as an SQL function in the statement's WHERE clause, called once per
/// row with the columns as arguments: a row is only returned at a fault, so a part costs one
/// sqlite3_step() and no column API calls per row, about a twentieth of the walk.
class PartReader
{
public:
    PartReader(sqlite3 *db, const QByteArray &gatewayUtf8) : m_db(db), m_gateway(gatewayUtf8)
    {
        // The function stays on the connection (which may be the caller's): it holds no state,
        // the reader reaches it through a pointer bound to the statement, and redefining it
        // would fail while another statement of the connection runs. DIRECTONLY: no trigger
        // or view in the file can call it.
        if (sqlite3_prepare_v2(m_db, kPartSql.constData(), int(kPartSql.size()), &m_stmt, nullptr) != SQLITE_OK) {
            sqlite3_create_function_v2(m_db, kCheckFunction, kCheckArguments, SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr,
                                       &PartReader::checkRow, nullptr, nullptr, nullptr);
            if (sqlite3_prepare_v2(m_db, kPartSql.constData(), int(kPartSql.size()), &m_stmt, nullptr) != SQLITE_OK)
                m_stmt = nullptr;
        }
    }
    ~PartReader() { sqlite3_finalize(m_stmt); }
    PartReader(const PartReader &) = delete;
    PartReader &operator=(const PartReader &) = delete;

    /// Feeds the rows of ids [from, to) to `cursor` until its first fault; false when SQLite fails.
    bool read(qint64 from, qint64 to, ChainCursor &cursor)
    {
        if (!m_stmt)
            return false;
        sqlite3_reset(m_stmt);
        sqlite3_bind_int64(m_stmt, 1, from);
        sqlite3_bind_int64(m_stmt, 2, to);
        sqlite3_bind_text(m_stmt, 3, m_gateway.constData(), int(m_gateway.size()), SQLITE_STATIC);
        sqlite3_bind_pointer(m_stmt, 4, this, kPointerType, nullptr);
        m_cursor = &cursor;
        const int rc = sqlite3_step(m_stmt);  // a row: the cursor found a fault
        m_cursor = nullptr;
        return rc == SQLITE_ROW || rc == SQLITE_DONE;
    }

private:
    static constexpr int kCheckArguments = 6 + AuditColumns::Count;

    static void checkRow(sqlite3_context *context, int, sqlite3_value **args)
    {
        auto *self = static_cast<PartReader *>(sqlite3_value_pointer(args[0], kPointerType));
        if (!self || !self->m_cursor) {
            sqlite3_result_error(context, "mandate_audit_check_row outside a verification", -1);
            return;
        }
        sqlite3_result_int(context, self->check(args + 1) ? 0 : 1);
    }

    /// The row in `args` (gateway, seq, prev_hash, hash, body, query columns) given to the
    /// cursor; false at a fault.
    bool check(sqlite3_value **args)
    {
        // The statement filters on the gateway first; this keeps a foreign row out regardless.
        if (bytes(args[0], true) != QByteArrayView(m_gateway))
            return true;
        ChainRow row;
        row.seq = sqlite3_value_int64(args[1]);
        row.prev = bytes(args[2], false);
        row.hash = bytes(args[3], false);
        const QByteArrayView body = bytes(args[4], true);
        std::array<unsigned char, ChainHash::kSize> computed;
        ChainHash::link(m_gateway, row.seq, row.prev, body, m_scratch, m_hasher, computed);
        row.hashOk = row.hash.size() == ChainHash::kSize && std::memcmp(computed.data(), row.hash.data(), computed.size()) == 0;
        // A record that does not match its hash is reported as such, whatever its columns.
        if (row.hashOk) {
            row.badColumn = disagreeingColumn(m_columns, body, [args](int c) {
                sqlite3_value *value = args[5 + c];
                StoredColumn column;
                const int type = sqlite3_value_type(value);
                column.null = type == SQLITE_NULL;
                column.text = type == SQLITE_TEXT;
                if (column.text)
                    column.bytes = bytes(value, true);
                return column;
            });
        }
        return m_cursor->add(row);
    }

    static QByteArrayView bytes(sqlite3_value *value, bool text)
    {
        const void *data = text ? static_cast<const void *>(sqlite3_value_text(value)) : sqlite3_value_blob(value);
        return QByteArrayView(static_cast<const char *>(data), sqlite3_value_bytes(value));
    }

    sqlite3 *m_db;
    const QByteArray &m_gateway;
    sqlite3_stmt *m_stmt = nullptr;
    ChainCursor *m_cursor = nullptr;
    QByteArray m_scratch;
    crypto::Sha256::Hasher m_hasher;
    BodyColumnReader m_columns;
};

using store::kMapWholeFile;
using store::NativeConnection;
using store::setMmapSize;

/// The file mapped on the caller's connection for the walk, and the caller's setting back after.
class MappedForWalk
{
public:
    explicit MappedForWalk(sqlite3 *db) : m_db(db)
    {
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA mmap_size", -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
            m_previous = sqlite3_column_int64(statement, 0);
        sqlite3_finalize(statement);
        setMmapSize(db, kMapWholeFile);
    }
    ~MappedForWalk()
    {
        if (m_previous >= 0)
            setMmapSize(m_db, m_previous);
    }
    MappedForWalk(const MappedForWalk &) = delete;
    MappedForWalk &operator=(const MappedForWalk &) = delete;

private:
    sqlite3 *m_db;
    qint64 m_previous = -1;
};

/// The read-only connections a walk reads on: one per thread, each
/// reading its file ahead in pieces (store::readSequentially()), so that the calling thread
/// reads on one of them too; or, where that cannot be had, `count` - 1 that map the file, and
/// the calling thread reads on `native` (mapped by MappedForWalk).
struct Helpers
{
    std::vector<NativeConnection> connections;
    bool callerReadsNative = true;
};

Helpers openHelpers(sqlite3 *native, int count)
{
    Helpers helpers;
    const char *file = sqlite3_db_filename(native, "main");
    if (!file || !*file || sqlite3_get_autocommit(native) == 0)
        return helpers;
    // The first connection settles the bound: `count` when it reads ahead, else `count` - 1.
    for (int i = 0; i < count - (helpers.callerReadsNative ? 1 : 0); ++i) {
        NativeConnection db = store::openNativeConnection(file, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
        if (!db)
            return {};
        const bool readAhead = store::readSequentially(db.get());
        if (i == 0)
            helpers.callerReadsNative = !readAhead;
        setMmapSize(db.get(), readAhead ? 0 : kMapWholeFile);
        helpers.connections.push_back(std::move(db));
    }
    return helpers;
}

/// One part of the id range as its thread found it.
struct Part
{
    ChainCursor cursor = ChainCursor::unanchored();
    std::optional<Error> error;
};

} // namespace

std::optional<Result<ChainCursor>> walkChainNative(const QSqlDatabase &db, const QByteArray &gatewayUtf8, qint64 partIds)
{
    sqlite3 *native = store::Database::nativeHandle(db);
    if (!native)
        return std::nullopt;
    ChainCursor chain = ChainCursor::atGenesis();
    qint64 firstId = 0;
    qint64 lastId = 0;
    {
        sqlite3_stmt *range = nullptr;
        if (sqlite3_prepare_v2(native, "SELECT min(id), max(id) FROM audit_records", -1, &range, nullptr) != SQLITE_OK)
            return readError(native);
        const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> guard(range, sqlite3_finalize);
        if (sqlite3_step(range) != SQLITE_ROW)
            return readError(native);
        if (sqlite3_column_type(range, 0) == SQLITE_NULL)
            return chain;  // no records at all
        firstId = sqlite3_column_int64(range, 0);
        lastId = sqlite3_column_int64(range, 1);
    }

    partIds = partIds > 0 ? partIds : kDefaultPartIds;
    const qint64 parts = (lastId - firstId) / partIds + 1;
    const int cores = std::clamp(int(std::thread::hardware_concurrency()), 2, kMaxThreads);
    const Helpers helpers = parts > 1 ? openHelpers(native, int(std::min<qint64>(parts, cores))) : Helpers();
    // The caller's connection is mapped only when it reads records.
    std::optional<MappedForWalk> mapped;
    if (helpers.callerReadsNative)
        mapped.emplace(native);
    if (helpers.connections.empty()) {
        PartReader reader(native, gatewayUtf8);
        if (!reader.read(firstId, lastId + 1, chain))
            return readError(native);
        return chain;
    }

    std::vector<Part> found(static_cast<size_t>(parts));
    std::atomic<qint64> next{0};
    std::atomic<qint64> firstBad{parts};  ///< parts after a faulty one need not be read
    const auto work = [&](sqlite3 *connection) {
        PartReader reader(connection, gatewayUtf8);
        for (qint64 k = next++; k < parts && k < firstBad.load(); k = next++) {
            Part &part = found[size_t(k)];
            const qint64 from = firstId + k * partIds;
            if (!reader.read(from, from + partIds, part.cursor))
                part.error = readError(connection);
            if (part.error || part.cursor.fault()) {
                qint64 bad = firstBad.load();
                while (k < bad && !firstBad.compare_exchange_weak(bad, k)) {
                }
            }
        }
    };
    std::vector<std::thread> threads;
    for (size_t i = helpers.callerReadsNative ? 0 : 1; i < helpers.connections.size(); ++i)
        threads.emplace_back(work, helpers.connections[i].get());
    work(helpers.callerReadsNative ? native : helpers.connections.front().get());
    for (std::thread &thread : threads)
        thread.join();

    for (const Part &part : found) {
        if (part.error)
            return *part.error;
        if (!chain.join(part.cursor))
            break;
    }
    return chain;
}

} // namespace mandate::audit
