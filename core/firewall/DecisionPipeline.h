// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "firewall/CallDecision.h"
#include "firewall/CallRequest.h"
#include "firewall/CedarEntityCache.h"
#include "firewall/ExecutionAuthority.h"
#include "firewall/RateLimiter.h"
#include "registry/PolicyStore.h"
#include "registry/Registry.h"

#include <QHash>

#include <mutex>

namespace mandate::firewall {

/// The decision half of the per-call pipeline, shared by /v1/authorize and the tool firewall:
/// verify the token and load the execution; the token's actions are a hard ceiling; the
/// execution's risk and budget; the Cedar policy set against the live delegation context;
/// rate limits; the budget charge (tool path); and the audit record, written durably before the
/// answer (fail closed). Thread-safe: calls run on a worker pool.
class DecisionPipeline
{
public:
    struct Services
    {
        ExecutionAuthority &authority;
        registry::Registry &registry;
        registry::PolicyStore &policies;
        audit::AuditLog &audit;
        EventSink &events;
        RateLimiter &limiter;
        const Clock &clock;
        QString gatewayId;
        int executionCallsPerMinute = 600;  ///< across all tools, per execution
    };

    explicit DecisionPipeline(Services services);

    CallDecision decide(const CallRequest &call);

    /// Records what happened after an allowed call was forwarded (upstream status, findings).
    Status recordForward(const CallRequest &call, const CallDecision &decision, int upstreamStatus,
                         const QJsonObject &findings, int riskDelta);

    /// Drops cached registry records; connected to Registry::changed.
    void invalidateRegistryCache();

    /// The tool (from a short-lived cache of the registry).
    Result<identity::Tool> tool(const QString &id);

private:
    Result<identity::Agent> agent(const QString &id);
    void deny(CallDecision &decision, const QString &step, int status, const QString &message) const;
    /// Records the decision (durable before effect) and counts it in the session. `charged`: the
    /// charge held for an allowed call, made durable in the record's transaction; when the
    /// database refuses it, the call is denied instead, with `denialRisk`.
    void finish(const CallRequest &call, CallDecision &decision, const identity::Budget &budgetBefore, int riskDelta,
                const identity::Budget *charged = nullptr, int denialRisk = 0);
    audit::AuditRecord baseRecord(const CallRequest &call, const CallDecision &decision) const;

    Services m_services;
    template<typename Record, typename Load>
    Result<Record> cached(QHash<QString, Record> &cache, const QString &id, Load load);

    std::mutex m_cacheMutex;
    QHash<QString, identity::Agent> m_agents;
    QHash<QString, identity::Tool> m_tools;
    quint64 m_cacheGeneration = 0;  ///< bumped by every invalidation
    CedarEntityCache m_entityCache;
};

} // namespace mandate::firewall
