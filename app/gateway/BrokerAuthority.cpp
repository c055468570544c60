// SPDX-License-Identifier: Apache-2.0
#include "BrokerAuthority.h"

#include <algorithm>

namespace mandate::gateway {

namespace {

constexpr int kStateReads = 8;  ///< reads of state and pending() before giving up (a batch commits between each)

Error missingToken()
{
    return Error{QStringLiteral("missing_token"), QStringLiteral("no execution token (Authorization: Bearer …)")};
}

session::ExecutionStore::SessionUpdate updateOf(const firewall::SessionEffect &effect)
{
    return {effect.executionId, effect.action, effect.countsAsCall, effect.allowed, effect.riskDelta};
}

} // namespace

Result<firewall::ExecutionView> BrokerAuthority::authenticate(QByteArrayView bearer) const
{
    if (bearer.isEmpty())
        return missingToken();
    // The state and what this gateway has not written yet, as of one moment: a batch committed
    // between the two reads would be in neither, and is read again.
    Result<broker::VerifiedExecution> verified = Error{};
    session::SessionRecorder::Pending pending;
    for (int read = 1;; ++read) {
        const quint64 writtenBefore = m_recorder.written();
        verified = m_broker.verifyExecutionToken(bearer);
        if (!verified)
            return verified.error();
        quint64 lastWrite = 0;
        pending = m_recorder.pending(verified->state.execution.id, &lastWrite);
        if (lastWrite <= writtenBefore)
            break;
        if (read == kStateReads)
            return Error{QStringLiteral("busy"), QStringLiteral("the execution's session state kept changing while it was read; try again")};
    }
    const session::ExecutionState &state = verified->state;
    firewall::ExecutionView view;
    view.execution = state.execution;
    view.remaining = state.remaining;
    view.riskScore = state.riskScore;
    view.sessionCalls = static_cast<int>(state.sessionCalls);
    view.sessionDenied = static_cast<int>(state.sessionDenied);
    view.sessionActions = state.sessionActions;
    // What this gateway has decided or recorded but not yet written counts already.
    view.sessionCalls += static_cast<int>(pending.calls);
    view.sessionDenied += static_cast<int>(pending.denied);
    view.riskScore = std::clamp(view.riskScore + pending.risk, 0, session::ExecutionStore::MaxRiskScore);
    for (const QString &action : pending.actions) {
        if (!view.sessionActions.contains(action))
            view.sessionActions.append(action);
    }
    if (!state.execution.parent.isEmpty()) {
        auto ancestors = m_executions.ancestors(state.execution.id);
        if (!ancestors)
            return ancestors.error();
        view.ancestors = std::move(ancestors).value();
    }
    return view;
}

Result<QString> BrokerAuthority::executionOf(QByteArrayView bearer) const
{
    if (bearer.isEmpty())
        return missingToken();
    return m_broker.executionIdOf(bearer);
}

Result<identity::Budget> BrokerAuthority::charge(const QString &executionId, const identity::Budget &cost)
{
    return m_ledger.hold(executionId, cost);
}

std::function<Result<bool>()> BrokerAuthority::durableCharge(const QString &executionId, const identity::Budget &cost)
{
    return [this, executionId, cost]() { return m_ledger.commit(executionId, cost); };
}

void BrokerAuthority::settleCharge(const QString &executionId, const identity::Budget &cost, bool committed)
{
    m_ledger.settle(executionId, cost, committed);
}

std::function<Result<bool>()> BrokerAuthority::durableRefund(const QString &executionId, const identity::Budget &cost)
{
    return [this, executionId, cost]() { return m_ledger.refund(executionId, cost); };
}

void BrokerAuthority::settleRefund(const QString &executionId, const identity::Budget &cost, bool committed)
{
    m_ledger.refunded(executionId, cost, committed);
}

bool BrokerAuthority::claimFirstUse(const firewall::ExecutionView &view, const QString &action, const QDateTime &now)
{
    return m_recorder.claimAction(view.execution.id, action, view.sessionActions, view.execution.expiresAt, now);
}

void BrokerAuthority::releaseFirstUse(const QString &executionId, const QString &action)
{
    m_recorder.releaseAction(executionId, action);
}

Status BrokerAuthority::recordCall(const QString &executionId, const QString &action, bool allowed, int riskDelta)
{
    m_recorder.record({executionId, action, true, allowed, riskDelta});
    return Status::success();
}

Status BrokerAuthority::adjustRisk(const QString &executionId, int riskDelta)
{
    m_recorder.record({executionId, QString(), false, true, riskDelta});
    return Status::success();
}

void BrokerAuthority::reserveCall(const firewall::SessionEffect &effect)
{
    m_recorder.reserve(updateOf(effect));
}

Status BrokerAuthority::settleCall(const firewall::SessionEffect &reserved, const std::optional<firewall::SessionEffect> &final)
{
    m_recorder.settle(updateOf(reserved), final ? std::optional(updateOf(*final)) : std::nullopt);
    return Status::success();
}

std::function<void()> BrokerAuthority::writeWithRecord(const firewall::SessionEffect &reserved)
{
    return [this, update = updateOf(reserved)]() { m_recorder.stage(update); };
}

} // namespace mandate::gateway
