// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/LineageGraph.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <functional>

/// Generated lineage graphs for the layout tests and the benchmark: humans delegating to
/// agents, executions with sub-executions (depth up to `maxDepth`), each with tool calls, some
/// denied, some flagged. Deterministic for a seed. Roughly `targetNodes` nodes.
inline mandate::audit::LineageGraph sampleLineage(int targetNodes, quint32 seed = 7, int maxDepth = 2)
{
    using mandate::audit::LineageGraph;
    QRandomGenerator random(seed);
    LineageGraph g;
    const QStringList humans{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol"), QStringLiteral("dave")};
    const QStringList agents{QStringLiteral("support-agent"), QStringLiteral("finance-agent"), QStringLiteral("triage-agent")};
    const QStringList subAgents{QStringLiteral("refund-subagent"), QStringLiteral("lookup-subagent")};
    const QStringList actions{QStringLiteral("ticket:read"), QStringLiteral("ticket:update"), QStringLiteral("refund:create"),
                              QStringLiteral("account:read"), QStringLiteral("account:delete")};
    const QDateTime start = QDateTime::fromString(QStringLiteral("2026-11-29T10:00:00Z"), Qt::ISODate);
    int execution = 0;
    int sequence = 0;
    const auto addCalls = [&](const QString &execNode, int count) {
        for (int c = 0; c < count; ++c) {
            const QString call = QStringLiteral("call:gw-1:%1").arg(++sequence);
            const QString action = actions.at(int(random.bounded(actions.size())));
            const bool allowed = action != QLatin1String("account:delete") && random.bounded(100) < 80;
            QJsonObject attrs{{QStringLiteral("action"), action},
                              {QStringLiteral("tool"), action.section(u':', 0, 0)},
                              {QStringLiteral("decision"), allowed ? QStringLiteral("allow") : QStringLiteral("deny")},
                              {QStringLiteral("time"), start.addMSecs(sequence * 250).toString(Qt::ISODateWithMs)},
                              {QStringLiteral("sequence"), sequence},
                              {QStringLiteral("execution"), execNode.section(u':', 1)}};
            if (allowed && random.bounded(100) < 5)
                attrs.insert(QStringLiteral("flagged"), true);
            g.node(call, QStringLiteral("call"), attrs);
            g.edge(execNode, call, QStringLiteral("called"), {{QStringLiteral("decision"), attrs.value(QStringLiteral("decision"))}});
        }
    };
    std::function<void(const QString &, int)> subDelegate = [&](const QString &parent, int depth) {
        if (depth >= maxDepth || random.bounded(100) >= 35)
            return;
        const QString agent = QStringLiteral("agent:") + subAgents.at(int(random.bounded(subAgents.size())));
        const QString exec = QStringLiteral("execution:exe_%1").arg(++execution);
        g.node(agent, QStringLiteral("agent"));
        g.node(exec, QStringLiteral("execution"), {{QStringLiteral("parent"), parent.section(u':', 1)},
                                                   {QStringLiteral("purpose"), QStringLiteral("delegated refund")}});
        g.edge(agent, exec, QStringLiteral("runs"));
        g.edge(parent, exec, QStringLiteral("delegated"));
        addCalls(exec, 1 + int(random.bounded(3)));
        subDelegate(exec, depth + 1);
    };
    while (int(g.nodes.size()) < targetNodes) {
        const QString human = QStringLiteral("human:") + humans.at(int(random.bounded(humans.size())));
        const QString agent = QStringLiteral("agent:") + agents.at(int(random.bounded(agents.size())));
        const QString exec = QStringLiteral("execution:exe_%1").arg(++execution);
        g.node(human, QStringLiteral("human"));
        g.node(agent, QStringLiteral("agent"));
        g.node(exec, QStringLiteral("execution"), {{QStringLiteral("purpose"), QStringLiteral("handle ticket T-%1").arg(execution)}});
        g.edge(human, agent, QStringLiteral("delegated"));
        g.edge(agent, exec, QStringLiteral("runs"));
        addCalls(exec, 2 + int(random.bounded(8)));
        subDelegate(exec, 1);
    }
    return g;
}
