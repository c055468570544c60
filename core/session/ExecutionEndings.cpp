// SPDX-License-Identifier: Apache-2.0
// ExecutionStore's endings: revoking an execution with its descendants, completion and expiry.
#include "session/ExecutionStore.h"

#include "common/Logging.h"
#include "session/ExecutionErrors.h"

#include <QSqlQuery>
#include <QVariant>

namespace mandate::session {

using identity::Execution;

Result<QStringList> ExecutionStore::endTree(const QString &id, Execution::Status status, const QString &reason,
                                            std::vector<ExecutionChange> &changes)
{
    QSqlDatabase db = m_db.connection();
    QSqlQuery exists(db);
    exists.prepare(QStringLiteral("SELECT status FROM executions WHERE id = :id"));
    exists.bindValue(QStringLiteral(":id"), id);
    if (!exists.exec())
        return store::Database::sqlError(QStringLiteral("cannot read execution %1").arg(id), exists);
    if (!exists.next())
        return notFound(id);
    QSqlQuery tree(db);
    // UNION (not UNION ALL) stops at rows already seen: a corrupt cycle cannot loop.
    tree.prepare(QStringLiteral(
        "WITH RECURSIVE tree(id) AS (SELECT id FROM executions WHERE id = :id "
        "UNION SELECT e.id FROM executions e JOIN tree ON e.parent = tree.id) "
        "SELECT e.id, e.agent, e.root_human, e.parent FROM executions e "
        "WHERE e.id IN (SELECT id FROM tree) AND e.status = 'active' ORDER BY e.issued_at, e.id"));
    tree.bindValue(QStringLiteral(":id"), id);
    if (!tree.exec())
        return store::Database::sqlError(QStringLiteral("cannot find the descendants of %1").arg(id), tree);
    struct Row { QString id, agent, root, parent; };
    std::vector<Row> rows;
    while (tree.next())
        rows.push_back({tree.value(0).toString(), tree.value(1).toString(), tree.value(2).toString(), tree.value(3).toString()});
    const qint64 now = m_clock.nowSecs();
    const auto kind = status == Execution::Status::Revoked ? ExecutionChange::Kind::Revoked : ExecutionChange::Kind::Completed;
    QStringList ended;
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE executions SET status = :status, ended_at = :now, end_reason = :reason "
                                  "WHERE id = :id AND status = 'active'"));
    for (const Row &row : rows) {
        update.bindValue(QStringLiteral(":status"), Execution::statusName(status));
        update.bindValue(QStringLiteral(":now"), now);
        const QString why = row.id == id ? reason
                                         : (status == Execution::Status::Revoked ? QStringLiteral("ancestor %1 revoked: %2").arg(id, reason)
                                                                                 : QStringLiteral("ancestor %1 completed").arg(id));
        update.bindValue(QStringLiteral(":reason"), why);
        update.bindValue(QStringLiteral(":id"), row.id);
        if (!update.exec())
            return store::Database::sqlError(QStringLiteral("cannot end execution %1").arg(row.id), update);
        m_recent.invalidate(row.id);  // and again after the commit
        if (update.numRowsAffected() == 1) {
            ended.append(row.id);
            changes.push_back({kind, row.id, row.agent, row.root, row.parent, why, m_clock.now()});
        }
    }
    return ended;
}

Result<QStringList> ExecutionStore::revoke(const QString &id, const QString &reason)
{
    QStringList revoked;
    std::vector<ExecutionChange> changes;
    const Status done = m_db.transaction([&]() -> Status {
        auto ended = endTree(id, Execution::Status::Revoked, reason.isEmpty() ? QStringLiteral("revoked") : reason, changes);
        if (!ended)
            return ended.error();
        revoked = std::move(ended).value();
        return Status::success();
    });
    if (!done)
        return done.error();
    for (const ExecutionChange &change : changes)
        m_recent.invalidate(change.id);
    if (!revoked.isEmpty())
        qCInfo(lcBroker) << "revoked" << revoked.size() << "execution(s) from" << id;
    emitAll(changes);
    return revoked;
}

Status ExecutionStore::complete(const QString &id)
{
    std::vector<ExecutionChange> changes;
    const Status done = m_db.transaction([&]() -> Status {
        auto current = state(id);
        if (!current)
            return current.error();
        if (!current->isActive())
            return inactive(id, current->status);
        auto ended = endTree(id, Execution::Status::Completed, QStringLiteral("completed"), changes);
        return ended ? Status::success() : Status(ended.error());
    });
    for (const ExecutionChange &change : changes)
        m_recent.invalidate(change.id);
    if (!done)
        return done;
    emitAll(changes);
    return Status::success();
}

Result<int> ExecutionStore::expireDue()
{
    std::vector<ExecutionChange> changes;
    const qint64 now = m_clock.nowSecs();
    const Status done = m_db.transaction([&]() -> Status {
        QSqlDatabase db = m_db.connection();
        QSqlQuery due(db);
        due.prepare(QStringLiteral("SELECT id, agent, root_human, parent FROM executions "
                                   "WHERE status = 'active' AND expires_at <= :now"));
        due.bindValue(QStringLiteral(":now"), now);
        if (!due.exec())
            return store::Database::sqlError(QStringLiteral("cannot find expired executions"), due);
        while (due.next())
            changes.push_back({ExecutionChange::Kind::Expired, due.value(0).toString(), due.value(1).toString(),
                               due.value(2).toString(), due.value(3).toString(), QStringLiteral("expired"), m_clock.now()});
        QSqlQuery update(db);
        update.prepare(QStringLiteral("UPDATE executions SET status = 'expired', ended_at = expires_at, "
                                      "end_reason = 'expired' WHERE status = 'active' AND expires_at <= :now"));
        update.bindValue(QStringLiteral(":now"), now);
        if (!update.exec())
            return store::Database::sqlError(QStringLiteral("cannot expire executions"), update);
        return Status::success();
    });
    for (const ExecutionChange &change : changes)
        m_recent.invalidate(change.id);
    if (!done)
        return done.error();
    emitAll(changes);
    return static_cast<int>(changes.size());
}

Result<std::vector<Execution>> ExecutionStore::dueForExpiry(int limit) const
{
    QSqlQuery due(m_db.connection());
    due.setForwardOnly(true);
    due.prepare(QStringLiteral("SELECT id FROM executions WHERE status = 'active' AND expires_at <= :now "
                               "ORDER BY expires_at, id LIMIT :limit"));
    due.bindValue(QStringLiteral(":now"), m_clock.nowSecs());
    due.bindValue(QStringLiteral(":limit"), std::max(limit, 1));
    if (!due.exec())
        return store::Database::sqlError(QStringLiteral("cannot find expired executions"), due);
    QStringList ids;
    while (due.next())
        ids.append(due.value(0).toString());
    due.finish();
    std::vector<Execution> executions;
    for (const QString &id : ids) {
        auto execution = get(id);
        if (!execution)
            return execution.error();
        executions.push_back(std::move(execution).value());
    }
    return executions;
}

Result<bool> ExecutionStore::expireInTransaction(const QString &id)
{
    QSqlQuery update(m_db.connection());
    update.prepare(QStringLiteral("UPDATE executions SET status = 'expired', ended_at = expires_at, end_reason = 'expired' "
                                  "WHERE id = :id AND status = 'active' AND expires_at <= :now"));
    update.bindValue(QStringLiteral(":id"), id);
    update.bindValue(QStringLiteral(":now"), m_clock.nowSecs());
    if (!update.exec())
        return store::Database::sqlError(QStringLiteral("cannot expire execution %1").arg(id), update);
    m_recent.invalidate(id);  // a cached active state reads as expired by then anyway
    return update.numRowsAffected() == 1;
}

} // namespace mandate::session
