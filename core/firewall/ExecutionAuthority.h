// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "firewall/ExecutionView.h"

#include <functional>
#include <optional>

namespace mandate::firewall {

/// A decided call's effect on its execution's session: one call, allowed or not, and its risk
/// step; or (not `countsAsCall`) a risk step alone, such as a flagged response's.
struct SessionEffect
{
    QString executionId;
    QString action;
    bool allowed = false;
    int riskDelta = 0;
    bool countsAsCall = true;
};

/// The pipeline's view of the broker and the execution store: who is calling, and the
/// execution's live counters. Implementations must be thread-safe (calls arrive on a pool).
class ExecutionAuthority
{
public:
    virtual ~ExecutionAuthority() = default;
    /// Verifies an execution token and loads its execution: active, not revoked, not expired.
    /// Errors carry a code the caller reports (expired, revoked, bad_signature, ...).
    virtual Result<ExecutionView> authenticate(QByteArrayView bearer) const = 0;
    /// The execution a token names, when the token itself is valid: with the same errors as
    /// authenticate() for an invalid one. An implementation that can tell without reading the
    /// execution's state should: the pipeline reads that state only under the execution's lock.
    virtual Result<QString> executionOf(QByteArrayView bearer) const
    {
        Result<ExecutionView> view = authenticate(bearer);
        if (!view)
            return view.error();
        return view->execution.id;
    }
    /// Charges `cost` atomically; "budget_exhausted" when any dimension would go negative.
    virtual Result<identity::Budget> charge(const QString &executionId, const identity::Budget &cost) = 0;
    /// When charge() only holds the charge: the write that makes it durable, which the pipeline
    /// runs in the transaction of the call's decision record (false: the charge no longer fits,
    /// and the record is refused). Empty (the default) when charge() was durable already.
    virtual std::function<Result<bool>()> durableCharge(const QString &executionId, const identity::Budget &cost)
    {
        Q_UNUSED(executionId);
        Q_UNUSED(cost);
        return {};
    }
    /// Once that transaction is over; a charge that did not commit is given back.
    virtual void settleCharge(const QString &executionId, const identity::Budget &cost, bool committed)
    {
        Q_UNUSED(executionId);
        Q_UNUSED(cost);
        Q_UNUSED(committed);
    }
    /// The write that gives a committed charge back (a call that never reached its upstream),
    /// run in the transaction of the forward's record; empty when charges cannot be given back.
    virtual std::function<Result<bool>()> durableRefund(const QString &executionId, const identity::Budget &cost)
    {
        Q_UNUSED(executionId);
        Q_UNUSED(cost);
        return {};
    }
    /// Once that transaction is over.
    virtual void settleRefund(const QString &executionId, const identity::Budget &cost, bool committed)
    {
        Q_UNUSED(executionId);
        Q_UNUSED(cost);
        Q_UNUSED(committed);
    }
    /// Whether this call is the execution's first exercise of `action`, decided atomically: of
    /// concurrent first calls exactly one is told so, and only it adds the action's risk weight.
    /// The default trusts the view, which suits a caller that serializes calls itself.
    virtual bool claimFirstUse(const ExecutionView &view, const QString &action, const QDateTime &now)
    {
        Q_UNUSED(now);
        return !view.sessionActions.contains(action);
    }
    /// Gives a claim back: the call that made it was denied in the end, so the action is still new.
    virtual void releaseFirstUse(const QString &executionId, const QString &action)
    {
        Q_UNUSED(executionId);
        Q_UNUSED(action);
    }
    /// Counts the call in the execution's session and moves its risk score.
    virtual Status recordCall(const QString &executionId, const QString &action, bool allowed, int riskDelta) = 0;
    /// Shows a decided call's effect to every later authenticate() of its execution at once,
    /// while the call's record commits: concurrent calls would otherwise each be decided on a
    /// score without the others' steps. settleCall() replaces it with what the call came to.
    /// The default shows nothing, which suits a caller that serializes calls itself.
    virtual void reserveCall(const SessionEffect &effect) { Q_UNUSED(effect); }
    /// Replaces a reservation with `final` (recordCall(), or adjustRisk() for a risk step alone)
    /// in one step, or gives it up without.
    virtual Status settleCall(const SessionEffect &reserved, const std::optional<SessionEffect> &final)
    {
        Q_UNUSED(reserved);
        if (!final)
            return Status::success();
        return final->countsAsCall ? recordCall(final->executionId, final->action, final->allowed, final->riskDelta)
                                   : adjustRisk(final->executionId, final->riskDelta);
    }
    /// What writes a reserved effect together with its call's record, for the audit writer to
    /// run once the record is accepted into a batch (audit::AuditLog::Companion::accepted): the
    /// batch's transaction then commits both, and settles the reservation, so settleCall() must
    /// not follow for it when the record committed (it must when the record did not). Null, the
    /// default, when effects are counted after their records instead (settleCall()).
    virtual std::function<void()> writeWithRecord(const SessionEffect &reserved)
    {
        Q_UNUSED(reserved);
        return {};
    }
    /// Moves the risk score alone (a flagged upstream response).
    virtual Status adjustRisk(const QString &executionId, int riskDelta) = 0;
};

/// Live events for the console's monitor (decisions, executions started/ended, ...).
class EventSink
{
public:
    virtual ~EventSink() = default;
    virtual void publish(const QJsonObject &event) = 0;
    /// False when no one would receive an event: a hot path may then skip building it.
    virtual bool listened() const { return true; }
};

} // namespace mandate::firewall
