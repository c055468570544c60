// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Agent.h"
#include "identity/Human.h"
#include "identity/Tool.h"

#include <vector>

/// A small registry shaped like the demo one, for tests that need no gateway.
namespace sample {

inline std::vector<mandate::identity::Human> humans()
{
    std::vector<mandate::identity::Human> list;
    for (const char *id : {"alice", "bob", "carol"}) {
        mandate::identity::Human human;
        human.id = QLatin1String(id);
        human.displayName = QLatin1String(id);
        human.issuer = QStringLiteral("https://idp.example");
        human.subject = QLatin1String(id);
        human.version = 1;
        list.push_back(human);
    }
    return list;
}

inline mandate::identity::Tool tool(const QString &id, const QStringList &verbs)
{
    mandate::identity::Tool tool;
    tool.id = id;
    tool.displayName = id;
    tool.upstream = QStringLiteral("http://127.0.0.1:9/") + id;
    for (const QString &verb : verbs)
        tool.actions.append({id + u':' + verb, QStringLiteral("POST"), u'/' + verb});
    tool.version = 1;
    return tool;
}

inline std::vector<mandate::identity::Tool> tools()
{
    return {tool(QStringLiteral("ticket"), {QStringLiteral("read"), QStringLiteral("update")}),
            tool(QStringLiteral("refund"), {QStringLiteral("create")}),
            tool(QStringLiteral("account"), {QStringLiteral("read"), QStringLiteral("delete")})};
}

inline mandate::identity::Agent agent(const QString &id, const QString &owner, const QStringList &actions, int trust = 1)
{
    mandate::identity::Agent agent;
    agent.id = id;
    agent.displayName = id;
    agent.owner = owner;
    agent.allowedActions = actions;
    agent.trustLevel = trust;
    agent.maxBudget.calls = 100;
    agent.version = 1;
    return agent;
}

inline std::vector<mandate::identity::Agent> agents()
{
    return {agent(QStringLiteral("support-agent"), QStringLiteral("carol"),
                  {QStringLiteral("ticket:read"), QStringLiteral("ticket:update"), QStringLiteral("refund:create")}, 2),
            agent(QStringLiteral("finance-agent"), QStringLiteral("bob"), {QStringLiteral("refund:create"), QStringLiteral("account:read")}, 3),
            agent(QStringLiteral("refund-subagent"), QStringLiteral("carol"), {QStringLiteral("refund:create")}, 1)};
}

/// `count` agents named agent-00000 … for the benchmark.
inline std::vector<mandate::identity::Agent> manyAgents(int count)
{
    std::vector<mandate::identity::Agent> list;
    list.reserve(static_cast<size_t>(count));
    const QStringList owners{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")};
    for (int i = 0; i < count; ++i) {
        list.push_back(agent(QStringLiteral("agent-%1").arg(i, 5, 10, QLatin1Char('0')), owners[i % 3],
                             {QStringLiteral("ticket:read"), QStringLiteral("refund:create")}, i % 5));
        list.back().description = QStringLiteral("Synthetic agent number %1").arg(i);
    }
    return list;
}

} // namespace sample
