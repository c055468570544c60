// SPDX-License-Identifier: Apache-2.0
// A typical per-call Cedar request input, shared by the tests of the request's builders and
// caches: a sub-execution of refund-subagent, delegated by support-agent, creating a refund.
#pragma once

#include "firewall/CedarRequestBuilder.h"
#include "policy/Schema.h"

#include <QFile>

#include <memory>

namespace mandate::test {

/// The demo Cedar schema, or nullptr when it cannot be read.
inline std::shared_ptr<const policy::Schema> demoSchema()
{
    QFile file(QStringLiteral(":/mandate/schema/mandate.cedarschema"));
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    auto schema = policy::Schema::parse(file.readAll());
    return schema ? std::make_shared<const policy::Schema>(std::move(schema).value()) : nullptr;
}

inline identity::Execution execution(const QString &id, const QString &agent, const QString &parent)
{
    identity::Execution e;
    e.id = id;
    e.agent = agent;
    e.parent = parent;
    e.chain = parent.isEmpty() ? QStringList{QStringLiteral("alice")} : QStringList{QStringLiteral("alice"), QStringLiteral("support-agent")};
    e.purpose = QStringLiteral("refund for ticket T-1001");
    e.riskCeiling = 50;
    return e;
}

inline identity::Agent agent(const QString &id, const QString &owner, int trust)
{
    identity::Agent a;
    a.id = id;
    a.owner = owner;
    a.trustLevel = trust;
    return a;
}

/// The call's view and request input; copies point at their own view.
struct CedarCall
{
    firewall::ExecutionView view;
    firewall::CedarRequestBuilder::Input input;

    CedarCall()
    {
        view.execution = execution(QStringLiteral("e-2"), QStringLiteral("refund-subagent"), QStringLiteral("e-1"));
        view.ancestors.push_back(execution(QStringLiteral("e-1"), QStringLiteral("support-agent"), QString()));
        view.remaining = {5, 100, *identity::Amount::parse(QStringLiteral("200"))};
        view.riskScore = 7;
        view.sessionCalls = 3;
        view.sessionDenied = 1;
        view.sessionActions = {QStringLiteral("refund:create"), QStringLiteral("ticket:read")};
        input.addAgent(agent(QStringLiteral("support-agent"), QStringLiteral("carol"), 2));
        input.addAgent(agent(QStringLiteral("refund-subagent"), QStringLiteral("carol"), 1));
        input.tool = QStringLiteral("refund");
        input.action = QStringLiteral("refund:create");
        input.args = QJsonObject{{QStringLiteral("amount"), QStringLiteral("42.00")}};
        input.now = QDateTime::fromMSecsSinceEpoch(1'800'000'000'123, Qt::UTC);
        input.view = &view;
    }
    CedarCall(const CedarCall &other) : view(other.view), input(other.input) { input.view = &view; }
    CedarCall &operator=(const CedarCall &) = delete;
};

} // namespace mandate::test
