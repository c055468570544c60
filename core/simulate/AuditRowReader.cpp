// SPDX-License-Identifier: Apache-2.0
#include "simulate/AuditRowReader.h"

#include "store/Database.h"
#include "store/NativeConnection.h"

#include <QVariant>

#include <sqlite3.h>

namespace mandate::simulate {

namespace {

/// sqlite3_prepare_v2 / finalize as a guard.
class Statement
{
public:
    Statement(::sqlite3 *db, const QByteArray &sql)
    {
        if (sqlite3_prepare_v2(db, sql.constData(), int(sql.size()), &m_stmt, nullptr) != SQLITE_OK)
            m_stmt = nullptr;
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    sqlite3_stmt *get() const { return m_stmt; }

private:
    sqlite3_stmt *m_stmt = nullptr;
};

Error nativeError(::sqlite3 *db)
{
    return store::Database::nativeError(QStringLiteral("cannot query the audit log"), db);
}

} // namespace

AuditRowReader::~AuditRowReader()
{
    if (m_owned)
        sqlite3_close(m_db);
}

std::unique_ptr<AuditRowReader> AuditRowReader::open(const QSqlDatabase &connection, const audit::AuditFilter &filter, bool ownConnection)
{
    sqlite3 *native = store::Database::nativeHandle(connection);
    if (!native)
        return nullptr;

    std::unique_ptr<AuditRowReader> reader(new AuditRowReader);
    reader->m_db = native;
    if (ownConnection) {
        // Records are append-only: this connection sees what the caller's would, except inside
        // a transaction of the caller's, which is left to the caller's connection.
        const char *file = sqlite3_db_filename(native, "main");
        if (!file || !*file || sqlite3_get_autocommit(native) == 0)
            return nullptr;
        store::NativeConnection own = store::openNativeConnection(file, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
        if (!own)
            return nullptr;
        store::setMmapSize(own.get(), store::kMapWholeFile);  // as the verifier does
        reader->m_db = own.release();
        reader->m_owned = true;
    }

    // AuditQuery::find's statement; only the columns differ.
    const audit::AuditFilterSql parts = filter.toSql();
    QByteArray sql = parts.with + "SELECT gateway, seq, CAST(body AS BLOB), id FROM audit_records WHERE id > ?" + parts.conditions;
    for (const QString &value : parts.withValues)
        reader->m_before.push_back(value.toUtf8());
    for (const QString &value : parts.conditionValues)
        reader->m_after.push_back(value.toUtf8());
    sql += " ORDER BY id LIMIT ?";
    reader->m_sql = sql;
    // Prepared once here so that a statement the schema does not support is seen before any
    // record is handed on, and the caller can still read another way.
    if (!Statement(reader->m_db, reader->m_sql).get())
        return nullptr;
    return reader;
}

Status AuditRowReader::next(int limit, Batch &batch)
{
    batch.bodies.clear();
    batch.gateways.clear();
    batch.rows.clear();
    if (m_done || limit <= 0)
        return {};
    const Statement statement(m_db, m_sql);
    sqlite3_stmt *stmt = statement.get();
    if (!stmt)
        return nativeError(m_db);
    int index = 1;
    int rc = SQLITE_OK;
    for (const QByteArray &value : m_before)
        rc = rc == SQLITE_OK ? sqlite3_bind_text(stmt, index++, value.constData(), int(value.size()), SQLITE_STATIC) : rc;
    rc = rc == SQLITE_OK ? sqlite3_bind_int64(stmt, index++, m_afterId) : rc;
    for (const QByteArray &value : m_after)
        rc = rc == SQLITE_OK ? sqlite3_bind_text(stmt, index++, value.constData(), int(value.size()), SQLITE_STATIC) : rc;
    rc = rc == SQLITE_OK ? sqlite3_bind_int64(stmt, index++, limit) : rc;
    if (rc != SQLITE_OK)
        return nativeError(m_db);

    QByteArray lastGateway;
    int lastGatewayIndex = -1;
    // One buffer for the batch, sized from the bodies read so far: no copy as it grows.
    batch.bodies.reserve(qsizetype(limit) * (m_bodyBytes > 0 ? m_bodyBytes / std::max<qint64>(1, m_rows) + 64 : 2048));
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const QByteArrayView gateway(static_cast<const char *>(sqlite3_column_blob(stmt, 0)), sqlite3_column_bytes(stmt, 0));
        if (lastGatewayIndex < 0 || gateway != QByteArrayView(lastGateway)) {
            lastGateway = gateway.toByteArray();
            const QString id = QString::fromUtf8(lastGateway);
            lastGatewayIndex = int(batch.gateways.indexOf(id));
            if (lastGatewayIndex < 0) {
                lastGatewayIndex = int(batch.gateways.size());
                batch.gateways << id;
            }
        }
        Row row;
        row.sequence = sqlite3_column_int64(stmt, 1);
        row.gateway = lastGatewayIndex;
        const char *body = static_cast<const char *>(sqlite3_column_blob(stmt, 2));
        row.size = sqlite3_column_bytes(stmt, 2);
        row.offset = batch.bodies.size();
        batch.bodies.append(body, row.size);
        batch.rows.push_back(row);
        m_afterId = sqlite3_column_int64(stmt, 3);
        m_bodyBytes += row.size;
        ++m_rows;
    }
    if (rc != SQLITE_DONE)
        return nativeError(m_db);
    if (qsizetype(batch.rows.size()) < limit)
        m_done = true;
    return {};
}

} // namespace mandate::simulate
