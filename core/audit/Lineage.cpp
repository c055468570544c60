// SPDX-License-Identifier: Apache-2.0
#include "audit/Lineage.h"

#include "audit/AuditColumns.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlQuery>

namespace mandate::audit {

namespace {

Error readError(const QSqlQuery &query)
{
    return store::Database::sqlError(QStringLiteral("cannot read the audit log"), query);
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

/// Adds one record to the graph. Delegations make the human/agent/execution spine, decisions
/// make call nodes; forwards, flags and revocations annotate what they refer to.
void addRecord(LineageGraph &graph, const QJsonObject &r, const QString &gateway, qint64 seq,
               QHash<QString, QString> &callByDecision, bool contextOnly)
{
    const QString event = str(r, "mandate.event.type");
    const QString execution = str(r, "mandate.execution.id");
    const QString agent = str(r, "mandate.agent.id");
    const QString human = str(r, "mandate.delegation.root");
    const QString parent = str(r, "mandate.execution.parent_id");
    const QString execNode = QStringLiteral("execution:") + execution;
    if (execution.isEmpty())
        return;

    QJsonObject execAttrs{{QStringLiteral("agent"), agent}};
    if (event == QLatin1String("delegation")) {
        execAttrs.insert(QStringLiteral("delegated_at"), str(r, "time"));
        execAttrs.insert(QStringLiteral("status"), QStringLiteral("active"));
        if (r.contains(QLatin1String("mandate.delegation.chain")))
            execAttrs.insert(QStringLiteral("chain"), r.value(QLatin1String("mandate.delegation.chain")));
    } else if (event == QLatin1String("revocation") || event == QLatin1String("expiry")) {
        execAttrs.insert(QStringLiteral("status"), event == QLatin1String("revocation") ? QStringLiteral("revoked")
                                                                                        : QStringLiteral("expired"));
    }
    // Every record of an execution carries its purpose, so a graph without delegation
    // records still names what each execution was for.
    if (!str(r, "mandate.execution.purpose").isEmpty())
        execAttrs.insert(QStringLiteral("purpose"), str(r, "mandate.execution.purpose"));
    if (!parent.isEmpty())
        execAttrs.insert(QStringLiteral("parent"), parent);
    // An ancestor shown only for the path from its human: none of its calls are in the graph.
    if (contextOnly)
        execAttrs.insert(QStringLiteral("context"), true);
    graph.node(execNode, QStringLiteral("execution"), execAttrs);
    if (!human.isEmpty())
        graph.node(QStringLiteral("human:") + human, QStringLiteral("human"));
    if (!agent.isEmpty()) {
        const QString agentNode = QStringLiteral("agent:") + agent;
        graph.node(agentNode, QStringLiteral("agent"));
        graph.edge(agentNode, execNode, QStringLiteral("runs"));
        if (parent.isEmpty() && !human.isEmpty())
            graph.edge(QStringLiteral("human:") + human, agentNode, QStringLiteral("delegated"));
    }
    if (!parent.isEmpty()) {
        // The parent node exists even when its own records were not loaded (truncation).
        graph.node(QStringLiteral("execution:") + parent, QStringLiteral("execution"));
        graph.edge(QStringLiteral("execution:") + parent, execNode, QStringLiteral("delegated"));
    }
    // An ancestor contributes its place in the chain (from any of its records: the broker
    // does not audit every delegation), never its calls.
    if (contextOnly)
        return;

    const QString decisionId = str(r, "mandate.decision.id");
    if (event == QLatin1String("decision")) {
        const QString callNode = QStringLiteral("call:%1:%2").arg(gateway).arg(seq);
        QJsonObject attrs{{QStringLiteral("action"), str(r, "mandate.action")},
                          {QStringLiteral("tool"), str(r, "mandate.tool.id")},
                          {QStringLiteral("decision"), str(r, "mandate.decision")},
                          {QStringLiteral("time"), str(r, "time")},
                          {QStringLiteral("sequence"), seq},
                          {QStringLiteral("gateway"), gateway},
                          {QStringLiteral("execution"), execution},
                          {QStringLiteral("label"), str(r, "mandate.action")}};
        for (const char *key : {"mandate.decision.policies", "mandate.decision.errors"}) {
            if (r.contains(QLatin1String(key)))
                attrs.insert(QString::fromLatin1(key).section(u'.', -1), r.value(QLatin1String(key)));
        }
        if (!str(r, "mandate.reason").isEmpty())
            attrs.insert(QStringLiteral("reason"), str(r, "mandate.reason"));
        graph.node(callNode, QStringLiteral("call"), attrs);
        graph.edge(execNode, callNode, QStringLiteral("called"), {{QStringLiteral("decision"), str(r, "mandate.decision")}});
        if (!decisionId.isEmpty())
            callByDecision.insert(decisionId, callNode);
    } else if (event == QLatin1String("forward") || event == QLatin1String("flagged_response")) {
        const QString callNode = callByDecision.value(decisionId);
        if (callNode.isEmpty())
            return;
        QJsonObject attrs;
        if (event == QLatin1String("forward"))
            attrs.insert(QStringLiteral("upstream_status"), r.value(QLatin1String("mandate.upstream.status")));
        else
            attrs.insert(QStringLiteral("flagged"), true);
        // A forward that failed says why, and whether its charge was given back.
        const QJsonObject details = r.value(QLatin1String("mandate.details")).toObject();
        if (details.contains(QLatin1String("mandate.upstream.error")))
            attrs.insert(QStringLiteral("upstream_error"), details.value(QLatin1String("mandate.upstream.error")));
        if (details.contains(QLatin1String("mandate.budget.refunded")))
            attrs.insert(QStringLiteral("refunded"), details.value(QLatin1String("mandate.budget.refunded")));
        graph.node(callNode, QStringLiteral("call"), attrs);
    }
}

} // namespace

Result<QStringList> Lineage::withDescendants(const QStringList &roots) const
{
    QStringList all = roots;
    QSet<QString> seen(roots.begin(), roots.end());
    QSqlQuery query(m_db.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT DISTINCT execution FROM audit_records WHERE parent_execution = ?"));
    // Breadth-first over the parent index; `seen` guards against a (tampered) cycle.
    for (qsizetype i = 0; i < all.size() && all.size() <= kMaxRecords; ++i) {
        query.bindValue(0, all.at(i));
        if (!query.exec())
            return readError(query);
        while (query.next()) {
            const QString child = query.value(0).toString();
            if (!seen.contains(child)) {
                seen.insert(child);
                all.append(child);
            }
        }
    }
    return all;
}

Result<QStringList> Lineage::ancestors(const QString &execution) const
{
    QStringList chain;
    QSqlQuery query(m_db.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT parent_execution FROM audit_records WHERE execution = ? "
                                 "AND parent_execution IS NOT NULL LIMIT 1"));
    QString current = execution;
    while (chain.size() < 64) {
        query.bindValue(0, current);
        if (!query.exec())
            return readError(query);
        if (!query.next())
            break;
        current = query.value(0).toString();
        if (current == execution || chain.contains(current))
            break;
        chain.prepend(current);
    }
    return chain;
}

Result<QStringList> Lineage::executionsWhere(const char *column, const QString &value) const
{
    // `column` is a literal chosen by the caller, never input.
    return distinctExecutions(QStringLiteral("%1 = ?").arg(QLatin1String(column)), {value});
}

Result<QStringList> Lineage::distinctExecutions(const QString &condition, const QVariantList &values) const
{
    QSqlQuery query(m_db.connection());
    query.setForwardOnly(true);
    // Each execution has a record at least, so beyond kMaxRecords of them the graph is cut short
    // anyway (addRecords marks it truncated): reading on would only cost time.
    query.prepare(QStringLiteral("SELECT DISTINCT execution FROM audit_records WHERE %1 AND execution IS NOT NULL LIMIT %2")
                      .arg(condition).arg(kMaxRecords + 1));
    for (int i = 0; i < values.size(); ++i)
        query.bindValue(i, values.at(i));
    if (!query.exec())
        return readError(query);
    QStringList out;
    while (query.next())
        out << query.value(0).toString();
    return out;
}

Status Lineage::addRecords(LineageGraph &graph, const QStringList &executions, const QStringList &contextOnly) const
{
    QSqlQuery query(m_db.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT gateway, seq, CAST(body AS BLOB) FROM audit_records WHERE execution = ? ORDER BY id"));
    QHash<QString, QString> callByDecision;
    int records = 0;
    const auto load = [&](const QString &execution, bool context) -> Status {
        query.bindValue(0, execution);
        if (!query.exec())
            return readError(query);
        while (query.next()) {
            if (++records > kMaxRecords) {
                graph.truncated = true;
                return Status::success();
            }
            const QJsonObject r = QJsonDocument::fromJson(query.value(2).toByteArray()).object();
            addRecord(graph, r, query.value(0).toString(), query.value(1).toLongLong(), callByDecision, context);
            if (context)
                break;  // an ancestor's first record (its delegation, when there is one) places it
        }
        query.finish();
        return Status::success();
    };
    for (const QString &execution : contextOnly) {
        if (const Status s = load(execution, true); !s)
            return s;
    }
    for (const QString &execution : executions) {
        if (graph.truncated)
            break;
        if (const Status s = load(execution, false); !s)
            return s;
    }
    graph.sort();
    return Status::success();
}

Result<LineageGraph> Lineage::forExecution(const QString &execution) const
{
    Result<QStringList> up = ancestors(execution);
    if (!up)
        return up.error();
    Result<QStringList> down = withDescendants({execution});
    if (!down)
        return down.error();
    LineageGraph graph;
    if (const Status s = addRecords(graph, down.value(), up.value()); !s)
        return s.error();
    if (graph.nodes.empty())
        return Error{QStringLiteral("not_found"), QStringLiteral("no audit records for execution %1").arg(execution)};
    return graph;
}

Result<LineageGraph> Lineage::forHuman(const QString &human) const
{
    Result<QStringList> executions = distinctExecutions(AuditColumns::humanMatch(), {human, human});
    if (!executions)
        return executions.error();
    Result<QStringList> all = withDescendants(executions.value());
    if (!all)
        return all.error();
    LineageGraph graph;
    if (const Status s = addRecords(graph, all.value(), {}); !s)
        return s.error();
    if (graph.nodes.empty())
        return Error{QStringLiteral("not_found"), QStringLiteral("no audit records for human %1").arg(human)};
    return graph;
}

Result<LineageGraph> Lineage::forAgent(const QString &agent) const
{
    Result<QStringList> executions = executionsWhere("agent", agent);
    if (!executions)
        return executions.error();
    return around(executions.value(), QStringLiteral("no audit records for agent %1").arg(agent));
}

Result<LineageGraph> Lineage::forTrace(const QString &traceId) const
{
    Result<QStringList> executions = distinctExecutions(QLatin1String(AuditColumns::kTraceIdMatch), {traceId, traceId});
    if (!executions)
        return executions.error();
    return around(executions.value(), QStringLiteral("no audit records for trace %1").arg(traceId));
}

Result<LineageGraph> Lineage::forTimeRange(const QDateTime &from, const QDateTime &to) const
{
    Result<QStringList> executions = executionsBetween(from, to);
    if (!executions)
        return executions.error();
    return around(executions.value(), QStringLiteral("no audit records between %1 and %2")
                                           .arg(from.toString(Qt::ISODate), to.toString(Qt::ISODate)));
}

Result<QStringList> Lineage::executionsBetween(const QDateTime &from, const QDateTime &to) const
{
    // Stored times are UTC ISO 8601 with milliseconds, so text order is time order.
    return distinctExecutions(QStringLiteral("time >= ? AND time < ?"),
                              {from.toUTC().toString(Qt::ISODateWithMs), to.toUTC().toString(Qt::ISODateWithMs)});
}

Result<LineageGraph> Lineage::around(const QStringList &executions, const QString &notFound) const
{
    Result<QStringList> all = withDescendants(executions);
    if (!all)
        return all.error();
    // The ancestors of the executions give the path from their humans.
    const QSet<QString> inGraph(all->cbegin(), all->cend());
    QSet<QString> seen;
    QStringList context;
    for (const QString &execution : executions) {
        Result<QStringList> up = ancestors(execution);
        if (!up)
            return up.error();
        for (const QString &a : up.value()) {
            if (!inGraph.contains(a) && !seen.contains(a)) {
                seen.insert(a);
                context << a;
            }
        }
    }
    LineageGraph graph;
    if (const Status s = addRecords(graph, all.value(), context); !s)
        return s.error();
    if (graph.nodes.empty())
        return Error{QStringLiteral("not_found"), notFound};
    return graph;
}

} // namespace mandate::audit
