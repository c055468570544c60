// SPDX-License-Identifier: Apache-2.0
#include "audit/RecordInserter.h"

#include "store/Database.h"


#include <sqlite3.h>

namespace mandate::audit {

namespace {

/// The statement, from fixed fragments; `bodyPlaceholder` lets Qt Sql keep the body TEXT.
QByteArray insertSql(const char *bodyPlaceholder)
{
    QByteArray names = "gateway, seq, prev_hash, hash, body, seal";
    QByteArray values = QByteArray("?, ?, ?, ?, ") + bodyPlaceholder + ", ?";
    for (int c = 0; c < AuditColumns::Count; ++c) {
        names += QByteArray(", ") + AuditColumns::sqlName(AuditColumns::Column(c));
        values += ", ?";
    }
    return "INSERT INTO audit_records (" + names + ") VALUES (" + values + ")";
}

Error nativeError(sqlite3 *db)
{
    return store::Database::nativeError(QStringLiteral("cannot write the audit record"), db);
}

int bindBytes(sqlite3_stmt *statement, int index, QByteArrayView bytes, bool text)
{
    if (bytes.isNull())
        return sqlite3_bind_null(statement, index);
    // SQLITE_STATIC: the bytes outlive the step, which comes before insert() returns.
    return text ? sqlite3_bind_text(statement, index, bytes.constData(), int(bytes.size()), SQLITE_STATIC)
                : sqlite3_bind_blob(statement, index, bytes.constData(), int(bytes.size()), SQLITE_STATIC);
}

} // namespace

RecordInserter::RecordInserter(const QSqlDatabase &db)
{
    m_native = store::Database::nativeHandle(db);
    if (m_native) {
        // A failed prepare (no table yet, say) is reported by the first insert.
        const QByteArray sql = insertSql("?");
        sqlite3_prepare_v3(m_native, sql.constData(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr);
        return;
    }
    m_query.emplace(db);
    // CAST stores the body as TEXT, as the native path does, without a UTF-16 round trip.
    m_query->prepare(QString::fromLatin1(insertSql("CAST(? AS TEXT)")));
}

RecordInserter::~RecordInserter()
{
    sqlite3_finalize(m_statement);
}

Status RecordInserter::insert(const QByteArray &gatewayUtf8, const StoredRecord &record, const AuditColumns::Values &columns)
{
    return m_native ? insertNative(gatewayUtf8, record, columns) : insertQt(record, columns);
}

Status RecordInserter::insertNative(const QByteArray &gatewayUtf8, const StoredRecord &record, const AuditColumns::Values &columns)
{
    if (!m_statement) {
        const QByteArray sql = insertSql("?");
        if (sqlite3_prepare_v3(m_native, sql.constData(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr) != SQLITE_OK)
            return nativeError(m_native);
    }
    int rc = bindBytes(m_statement, 1, gatewayUtf8, true);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(m_statement, 2, record.sequence);
    if (rc == SQLITE_OK)
        rc = bindBytes(m_statement, 3, record.prevHash, false);
    if (rc == SQLITE_OK)
        rc = bindBytes(m_statement, 4, record.hash, false);
    if (rc == SQLITE_OK)
        rc = bindBytes(m_statement, 5, record.body, true);
    if (rc == SQLITE_OK)
        rc = record.seal.isEmpty() ? sqlite3_bind_null(m_statement, 6) : bindBytes(m_statement, 6, record.seal, false);
    for (int c = 0; c < AuditColumns::Count && rc == SQLITE_OK; ++c)
        rc = bindBytes(m_statement, 7 + c, columns.value(AuditColumns::Column(c)), true);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(m_statement);
    const Status status = rc == SQLITE_DONE ? Status::success() : Status(nativeError(m_native));
    sqlite3_reset(m_statement);
    return status;
}

Status RecordInserter::insertQt(const StoredRecord &record, const AuditColumns::Values &columns)
{
    QSqlQuery &insert = *m_query;
    insert.bindValue(0, record.gatewayId);
    insert.bindValue(1, record.sequence);
    insert.bindValue(2, record.prevHash);
    insert.bindValue(3, record.hash);
    insert.bindValue(4, record.body);
    insert.bindValue(5, record.seal.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(record.seal));
    for (int c = 0; c < AuditColumns::Count; ++c) {
        const QByteArrayView value = columns.value(AuditColumns::Column(c));
        insert.bindValue(6 + c, value.isNull() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(QString::fromUtf8(value)));
    }
    if (!insert.exec())
        return store::Database::sqlError(QStringLiteral("cannot write the audit record"), insert);
    return Status::success();
}

} // namespace mandate::audit
