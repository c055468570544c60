// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"
#include "firewall/CedarRequestBuilder.h"
#include "policy/Authorizer.h"

#include <QFile>
#include <QRandomGenerator>

/// Decision records shaped like the gateway's: the Cedar request comes from the gateway's own
/// CedarRequestBuilder, the verdict from the authorizer under `recorded`, and the record from
/// the same rules as DecisionPipeline (policy denials at step "policy", a few rate-limited
/// allows, a few refusals before the policy step that carry no Cedar request). Deterministic
/// for a seed. For the simulator's tests and benchmark.
class TrafficGenerator
{
public:
    static constexpr int kCallsPerExecution = 8;

    TrafficGenerator(const mandate::policy::PolicySet &recorded, std::shared_ptr<const mandate::policy::Schema> schema,
                     quint32 seed = 42)
        : m_policies(recorded), m_schema(std::move(schema)), m_random(seed)
    {
        for (const mandate::identity::Agent &a : {agent("support-agent", "carol", 2), agent("finance-agent", "bob", 3),
                                                  agent("refund-subagent", "carol", 1)})
            m_agents.insert(a.id, a);
    }

    static QByteArray resource(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    /// The next record of the stream; executions make kCallsPerExecution calls each.
    mandate::audit::AuditRecord next()
    {
        using namespace mandate;
        if (m_call == 0)
            startExecution();
        m_call = (m_call + 1) % kCallsPerExecution;
        m_time = m_time.addMSecs(100);

        const QString action = m_actions.at(int(m_random.bounded(m_actions.size())));
        const QString tool = action.section(QLatin1Char(':'), 0, 0);
        QJsonObject args;
        if (tool == QLatin1String("refund"))
            args.insert(QStringLiteral("amount"), QStringLiteral("%1.%2").arg(m_random.bounded(1, 160)).arg(m_random.bounded(10, 100)));
        else
            args.insert(QStringLiteral("id"), QStringLiteral("T-%1").arg(m_random.bounded(1000, 9999)));

        audit::AuditRecord record;
        record.time = m_time;
        record.gatewayId = QStringLiteral("gw-sim");
        record.event = audit::EventType::Decision;
        record.rootHuman = m_view.execution.rootHuman();
        record.delegationChain = m_view.execution.chain;
        record.agent = m_view.execution.agent;
        record.execution = m_view.execution.id;
        record.parentExecution = m_view.execution.parent;
        record.purpose = m_view.execution.purpose;
        record.tool = tool;
        record.action = action;
        record.resource = QJsonObject{{QStringLiteral("type"), QStringLiteral("Tool")}, {QStringLiteral("id"), tool}};
        record.decisionId = QStringLiteral("d-%1").arg(++m_decisions);
        record.riskBefore = m_view.riskScore;
        record.budgetBefore = m_view.remaining.toJson();
        record.latencyUs = 90;

        // About one call in thirty is refused before the policy step (the token lacks the action).
        if (m_random.bounded(30) == 0) {
            deny(record, QStringLiteral("capability"));
            return record;
        }
        firewall::CedarRequestBuilder::Input input;
        input.view = &m_view;
        for (const QString &member : m_view.execution.chain.mid(1) + QStringList{m_view.execution.agent})
            input.addAgent(m_agents.value(member));
        input.tool = tool;
        input.action = action;
        input.args = args;
        input.now = m_time;
        record.cedarRequest = firewall::CedarRequestBuilder::toJson(input);

        Result<firewall::CedarCall> call = firewall::CedarRequestBuilder::parse(record.cedarRequest, m_schema.get());
        if (!call)
            qFatal("generated request does not fit the schema: %s", qPrintable(call.error().toString()));
        const policy::Decision verdict = policy::Authorizer::isAuthorized(m_policies, call->entities, call->request);
        for (const policy::Policy *reason : verdict.reasons)
            record.policies << label(reason);
        for (const policy::PolicyError &error : verdict.errors)
            record.errors << label(error.policy) + QStringLiteral(": ") + QString::fromStdString(error.message);
        ++m_view.sessionCalls;
        if (!verdict.allowed) {
            deny(record, QStringLiteral("policy"));
            ++m_view.sessionDenied;
            m_view.riskScore += 4;
        } else if (m_random.bounded(50) == 0) {
            deny(record, QStringLiteral("rate_limit")); // allowed by the policies, stopped after them
        } else {
            record.decision = QStringLiteral("allow");
            if (!m_view.sessionActions.contains(action)) {
                m_view.sessionActions << action;
                m_view.riskScore += 3;
            }
            m_view.remaining.calls -= 1;
        }
        record.riskAfter = m_view.riskScore;
        record.budgetAfter = m_view.remaining.toJson();
        return record;
    }

    static QString label(const mandate::policy::Policy *policy)
    {
        const QString id = policy->annotation(QStringLiteral("id"));
        return id.isEmpty() ? policy->id : id;
    }

private:
    static mandate::identity::Agent agent(const char *id, const char *owner, int trust)
    {
        mandate::identity::Agent a;
        a.id = QLatin1String(id);
        a.owner = QLatin1String(owner);
        a.trustLevel = trust;
        return a;
    }

    void deny(mandate::audit::AuditRecord &record, const QString &step)
    {
        record.decision = QStringLiteral("deny");
        record.details = QJsonObject{{QStringLiteral("mandate.decision.step"), step},
                                     {QStringLiteral("mandate.decision.message"), QString(QStringLiteral("denied at ") + step)}};
    }

    void startExecution()
    {
        using mandate::identity::Execution;
        static const QStringList humans{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")};
        const quint32 kind = m_random.bounded(10);
        Execution e;
        e.id = QStringLiteral("exec-%1").arg(++m_executions);
        e.purpose = QStringLiteral("task %1").arg(m_executions);
        e.riskCeiling = 50;
        m_view = {};
        if (kind < 7) {
            e.agent = QStringLiteral("support-agent");
            e.chain = QStringList{humans.at(int(m_random.bounded(3)))};
            m_actions = {QStringLiteral("ticket:read"), QStringLiteral("ticket:update"), QStringLiteral("refund:create"),
                         QStringLiteral("account:delete")};
            m_lastSupport = e;
        } else if (kind < 9 || m_lastSupport.id.isEmpty()) {
            e.agent = QStringLiteral("finance-agent");
            e.chain = QStringList{QStringLiteral("bob")};
            m_actions = {QStringLiteral("refund:create"), QStringLiteral("account:read")};
        } else {
            // A sub-execution of the last support execution.
            e.agent = QStringLiteral("refund-subagent");
            e.chain = QStringList{m_lastSupport.rootHuman(), QStringLiteral("support-agent")};
            e.parent = m_lastSupport.id;
            m_view.ancestors.push_back(m_lastSupport);
            m_actions = {QStringLiteral("refund:create")};
        }
        m_view.execution = e;
        m_view.remaining.calls = 100;
        m_view.remaining.tokens = 1'000'000;
        m_view.remaining.amount = mandate::identity::Amount::fromUnits(1000 * mandate::identity::Amount::Scale);
        m_view.riskScore = int(m_random.bounded(0, 45));
    }

    const mandate::policy::PolicySet &m_policies;
    std::shared_ptr<const mandate::policy::Schema> m_schema;
    QRandomGenerator m_random;
    QHash<QString, mandate::identity::Agent> m_agents;
    mandate::firewall::ExecutionView m_view;
    mandate::identity::Execution m_lastSupport;
    QStringList m_actions;
    QDateTime m_time = QDateTime(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC);
    int m_call = 0;
    qint64 m_executions = 0;
    qint64 m_decisions = 0;
};
