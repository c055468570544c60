// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditColumns.h"
#include "audit/AuditRecord.h"
#include "common/Result.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <optional>

struct sqlite3;
struct sqlite3_stmt;

namespace mandate::audit {

/// Inserts chained records, with their query columns, into `audit_records` on one connection.
/// It runs for every appended record, so on SQLite it binds the values through the driver's
/// native handle (as AuditVerifier reads): no QVariant and no UTF-16 round trip per value.
/// Any other driver takes Qt Sql.
class RecordInserter
{
public:
    explicit RecordInserter(const QSqlDatabase &db);
    ~RecordInserter();
    RecordInserter(const RecordInserter &) = delete;
    RecordInserter &operator=(const RecordInserter &) = delete;

    Status insert(const QByteArray &gatewayUtf8, const StoredRecord &record, const AuditColumns::Values &columns);

private:
    Status insertNative(const QByteArray &gatewayUtf8, const StoredRecord &record, const AuditColumns::Values &columns);
    Status insertQt(const StoredRecord &record, const AuditColumns::Values &columns);

    sqlite3 *m_native = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    std::optional<QSqlQuery> m_query;
};

} // namespace mandate::audit
