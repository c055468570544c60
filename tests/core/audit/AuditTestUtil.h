// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"
#include "audit/ChainHash.h"
#include "store/Database.h"

#include <QDateTime>
#include <QFile>
#include <QJsonObject>
#include <QSqlQuery>
#include <QVariantList>

#include <memory>

namespace mandate::audit::testing {

inline const QString kGateway = QStringLiteral("gw-test");

/// Runs one statement on the calling thread's connection, as an attacker with file access would.
inline bool execSql(const store::Database &db, const QString &sql, const QVariantList &values = {})
{
    QSqlQuery q(db.connection());
    if (!q.prepare(sql))
        return false;
    for (int i = 0; i < values.size(); ++i)
        q.bindValue(i, values.at(i));
    return q.exec();
}

inline QDateTime baseTime()
{
    return QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
}

/// A delegation record: `human` (through `parent`, when given) delegated `execution` to `agent`.
inline AuditRecord delegation(const QString &human, const QString &agent, const QString &execution,
                              const QString &parent = {}, qint64 secs = 0)
{
    AuditRecord r;
    r.time = baseTime().addSecs(secs);
    r.gatewayId = kGateway;
    r.event = EventType::Delegation;
    r.rootHuman = human;
    r.delegationChain = parent.isEmpty() ? QStringList{human} : QStringList{human, QStringLiteral("support-agent")};
    r.agent = agent;
    r.execution = execution;
    r.parentExecution = parent;
    r.purpose = QStringLiteral("refund ticket 42");
    return r;
}

/// A decision on `action` in `execution`, with a Cedar request the simulator could replay.
inline AuditRecord decision(const QString &human, const QString &agent, const QString &execution,
                            const QString &action, bool allow, const QString &parent = {}, qint64 secs = 0)
{
    AuditRecord r = delegation(human, agent, execution, parent, secs);
    r.event = EventType::Decision;
    r.purpose.clear();
    r.traceId = QStringLiteral("4bf92f3577b34da6a3ce929d0e0e%1").arg(secs % 10000, 4, 10, QChar(u'0'));
    r.spanId = QStringLiteral("00f067aa0ba902b7");
    r.tool = action.section(u':', 0, 0);
    r.action = action;
    r.resource = {{QStringLiteral("type"), QStringLiteral("Tool")}, {QStringLiteral("id"), r.tool}};
    r.decision = allow ? QStringLiteral("allow") : QStringLiteral("deny");
    r.decisionId = QStringLiteral("d-%1-%2").arg(execution).arg(secs);
    r.policies = {allow ? QStringLiteral("support-refunds") : QStringLiteral("no-account-delete")};
    r.riskBefore = 0.25;
    r.riskAfter = 0.5;
    r.budgetBefore = {{QStringLiteral("calls"), 10}};
    r.budgetAfter = {{QStringLiteral("calls"), 9}};
    r.latencyUs = 180;
    r.statedReason = QStringLiteral("customer asked for a refund");
    r.cedarRequest = {
        {QStringLiteral("principal"), QJsonObject{{QStringLiteral("type"), QStringLiteral("Execution")}, {QStringLiteral("id"), execution}}},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("type"), QStringLiteral("Action")}, {QStringLiteral("id"), action}}},
        {QStringLiteral("resource"), r.resource},
        {QStringLiteral("context"), QJsonObject{{QStringLiteral("args"), QJsonObject{{QStringLiteral("amount"), QStringLiteral("42.00")}}}}},
        {QStringLiteral("entities"), QJsonArray{}}};
    return r;
}

/// A copy of the database file `pristine` at `path`, opened: each tamper case works on its own.
/// Null when it cannot be copied or opened.
inline std::unique_ptr<store::Database> openCopy(const QString &pristine, const QString &path)
{
    if (!QFile::copy(pristine, path))
        return nullptr;
    auto db = store::Database::open(path);
    return db ? std::move(db).value() : nullptr;
}

/// prev_hash, hash and body of kGateway's record `seq`; empty when there is none.
inline QVariantList storedRecord(const store::Database &db, qint64 seq)
{
    QSqlQuery q(db.connection());
    q.prepare(QStringLiteral("SELECT prev_hash, hash, body FROM audit_records WHERE gateway = ? AND seq = ?"));
    q.bindValue(0, kGateway);
    q.bindValue(1, seq);
    if (!q.exec() || !q.next())
        return {};
    return {q.value(0), q.value(1), q.value(2)};
}

// Tamperings, as an attacker with write access to the file would make them.

/// The body edited, its hash left: the record no longer matches itself.
inline bool editBody(const store::Database &db, qint64 seq)
{
    return execSql(db, QStringLiteral("UPDATE audit_records SET body = replace(body, 'alice', 'mallory') WHERE gateway = ? AND seq = ?"),
                   {kGateway, seq});
}

/// The record of `seq` altered and re-hashed: consistent with itself, not with its successor.
/// The stated reason is no query column, so only the successor's link gives the record away.
inline bool rehash(const store::Database &db, qint64 seq)
{
    const QVariantList current = storedRecord(db, seq);
    if (current.size() != 3)
        return false;
    const QByteArray body = current[2].toString().toUtf8().replace("customer asked", "nobody asked");
    const QByteArray hash = ChainHash::link(kGateway, seq, current[0].toByteArray(), body);
    return execSql(db, QStringLiteral("UPDATE audit_records SET body = ?, hash = ? WHERE gateway = ? AND seq = ?"),
                   {QString::fromUtf8(body), hash, kGateway, seq});
}

/// Records a and b change rows (ids): the first read out of place is b, where a belongs.
inline bool swapRecords(const store::Database &db, qint64 a, qint64 b)
{
    const QVariantList ra = storedRecord(db, a);
    const QVariantList rb = storedRecord(db, b);
    const QString set = QStringLiteral("UPDATE audit_records SET seq = ?, prev_hash = ?, hash = ?, body = ? WHERE gateway = ? AND seq = ?");
    return ra.size() == 3 && rb.size() == 3
        && execSql(db, QStringLiteral("UPDATE audit_records SET seq = -seq WHERE gateway = ? AND seq IN (?, ?)"), {kGateway, a, b})
        && execSql(db, set, {b, rb[0], rb[1], rb[2], kGateway, -a}) && execSql(db, set, {a, ra[0], ra[1], ra[2], kGateway, -b});
}

/// One tampering of record `seq`, by kind: "edit" (its body), "rehash" (its body, and its own
/// hash recomputed to match: the next record's link then breaks), "remove", "swap" (with record seq + 5), "column" (a
/// query column only, body and chain untouched), "none". False when the kind is unknown or the
/// change failed.
inline bool tamper(const store::Database &db, const QString &kind, qint64 seq)
{
    if (kind == QLatin1String("none"))
        return true;
    if (kind == QLatin1String("edit"))
        return editBody(db, seq);
    if (kind == QLatin1String("rehash"))
        return rehash(db, seq);
    if (kind == QLatin1String("remove"))
        return execSql(db, QStringLiteral("DELETE FROM audit_records WHERE seq = ?"), {seq});
    if (kind == QLatin1String("swap"))
        return swapRecords(db, seq, seq + 5);
    if (kind == QLatin1String("column"))
        return execSql(db, QStringLiteral("UPDATE audit_records SET human = 'mallory' WHERE seq = ?"), {seq});
    return false;
}

} // namespace mandate::audit::testing
