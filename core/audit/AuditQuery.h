// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"
#include "common/Result.h"
#include "store/Database.h"

#include <QDateTime>
#include <QUrlQuery>

#include <vector>

namespace mandate::audit {

/// An AuditFilter as SQL over audit_records, made of fixed fragments only: every value is a
/// bound parameter. A statement reads `with` + "SELECT … FROM audit_records WHERE id > ?" +
/// `conditions` + its own ORDER BY / LIMIT, binding `withValues`, the id, then `conditionValues`.
struct AuditFilterSql
{
    QByteArray with;               ///< the execution tree, when descendants are included
    QStringList withValues;
    QByteArray conditions;         ///< " AND …" clauses
    QStringList conditionValues;
};

/// Which records to return; empty members do not filter. All members are ANDed.
struct AuditFilter
{
    QDateTime from;                 ///< inclusive
    QDateTime to;                   ///< exclusive
    QString gatewayId;
    QString event;
    QString human;                  ///< the root human
    QString agent;
    QString execution;
    bool withDescendants = true;    ///< execution: also its sub-executions, transitively
    QString tool;
    QString action;
    QString decision;
    QString traceId;

    /// From query items (from, to, gateway, event, human, agent, execution, descendants=false,
    /// tool, action, decision, trace_id); an unknown item or a bad time is an "invalid" error.
    static Result<AuditFilter> fromQuery(const QUrlQuery &query);
    /// The statement parts both readers of the log (AuditQuery, the simulator's row reader) use.
    AuditFilterSql toSql() const;
};

/// One page of records in chain order and the cursor of the next page (empty at the end).
struct AuditPage
{
    std::vector<StoredRecord> records;
    QString nextCursor;
};

/// Read side of the audit log: filtered, paged record lists for the admin API and the CLI.
class AuditQuery
{
public:
    static constexpr int kDefaultLimit = 100;
    static constexpr int kMaxLimit = 1000;

    explicit AuditQuery(const store::Database &database) : m_db(database) {}

    /// `cursor` is the nextCursor of the previous page (empty for the first); "invalid" when it
    /// is not one of ours. `limit` is clamped to [1, kMaxLimit].
    Result<AuditPage> find(const AuditFilter &filter, const QString &cursor = {}, int limit = kDefaultLimit) const;

    /// The cursor format is opaque to clients; these are public for tests only.
    static QString encodeCursor(qint64 rowId);
    static std::optional<qint64> decodeCursor(const QString &cursor);

private:
    const store::Database &m_db;
};

} // namespace mandate::audit
