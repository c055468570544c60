// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "firewall/CallDecision.h"
#include "firewall/CallRequest.h"
#include "firewall/CedarEntityCache.h"
#include "firewall/CommitWaiter.h"
#include "firewall/ExecutionAuthority.h"
#include "firewall/ExecutionLocks.h"
#include "firewall/RateLimiter.h"
#include "registry/PolicyStore.h"
#include "registry/Registry.h"

#include <QHash>

#include <array>
#include <functional>
#include <memory>
#include <mutex>

namespace mandate::firewall {

/// The decision half of the per-call pipeline, shared by /v1/authorize and the tool firewall:
/// verify the token and load the execution; the token's actions are a hard ceiling; the
/// execution's risk and budget; the Cedar policy set against the live delegation context;
/// rate limits; the budget charge (tool path); and the audit record, written durably before the
/// answer (fail closed). Thread-safe: calls run on a worker pool.
class DecisionPipeline final
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

    /// Receives a decision once its audit record is committed (or could not be).
    using Decided = std::function<void(CallDecision)>;

    explicit DecisionPipeline(Services services);
    Q_DISABLE_COPY_MOVE(DecisionPipeline)
    ~DecisionPipeline();

    /// Decides and returns once the decision's record is committed.
    CallDecision decide(const CallRequest &call);
    /// The same decision without waiting for the commit: returns once the record is queued, and
    /// `done` runs on the pipeline's commit thread when it is committed (or failed: then it is a
    /// denial, as with decide()). `done` must be quick: it holds up the calls behind it.
    void decideAsync(CallRequest call, Decided done);
    /// Returns once every decideAsync() begun so far has called its `done`.
    void waitForPendingDecisions();

    /// Records what happened after an allowed call was forwarded (upstream status, findings).
    /// `giveChargeBack`: the call provably never reached the upstream, and its charge is given
    /// back in the same transaction as the record.
    Status recordForward(const CallRequest &call, const CallDecision &decision, int upstreamStatus,
                         const QJsonObject &findings, int riskDelta, bool giveChargeBack = false);

    /// Drops cached registry records; connected to Registry::changed. Records changed by another
    /// gateway on the same database are read again within kRegistryCacheSecs.
    void invalidateRegistryCache();
    static constexpr qint64 kRegistryCacheSecs = 5;

    /// The tool (from a short-lived cache of the registry).
    Result<identity::Tool> tool(const QString &id);

private:
    struct Pending;
    /// The decision steps up to the record, which finish() writes.
    void runSteps(const std::shared_ptr<Pending> &pending);
    Result<identity::Agent> agent(const QString &id);
    void deny(CallDecision &decision, const QString &step, int status, const QString &message) const;
    /// Records the decision (durable before effect); settle() continues once it is committed,
    /// inline for decide(), on the commit thread for decideAsync().
    void finish(const std::shared_ptr<Pending> &pending);
    /// Counts the committed decision in the session, or turns it into a denial when it could not
    /// be recorded, and hands it to the caller.
    void settle(const std::shared_ptr<Pending> &pending, const CommitWaiter::Appended &appended);
    audit::AuditRecord baseRecord(const CallRequest &call, const CallDecision &decision) const;

    Services m_services;
    template<typename Record>
    struct Cached
    {
        Record record;
        qint64 loadedAt = 0;  ///< Clock::nowSecs()
    };
    template<typename Record, typename Load>
    Result<Record> cached(QHash<QString, Cached<Record>> &cache, const QString &id, Load load);

    std::mutex m_cacheMutex;
    QHash<QString, Cached<identity::Agent>> m_agents;
    QHash<QString, Cached<identity::Tool>> m_tools;
    quint64 m_cacheGeneration = 0;  ///< bumped by every invalidation
    CedarEntityCache m_entityCache;
    /// Held by a decision from reading its execution's session to showing its own effect there
    /// (ExecutionAuthority::reserveCall()): one execution's decisions each see the ones before.
    ExecutionLocks m_executionLocks;
    CommitWaiter m_commits;  ///< last: it runs pending continuations, which use the rest, as it goes
};

} // namespace mandate::firewall
