// SPDX-License-Identifier: Apache-2.0
#include "BrokerAuthority.h"

#include <algorithm>

namespace mandate::gateway {

Result<firewall::ExecutionView> BrokerAuthority::authenticate(QByteArrayView bearer) const
{
    if (bearer.isEmpty())
        return Error{QStringLiteral("missing_token"), QStringLiteral("no execution token (Authorization: Bearer …)")};
    Result<broker::VerifiedExecution> verified = m_broker.verifyExecutionToken(bearer);
    if (!verified)
        return verified.error();
    const session::ExecutionState &state = verified->state;
    firewall::ExecutionView view;
    view.execution = state.execution;
    view.remaining = state.remaining;
    view.riskScore = state.riskScore;
    view.sessionCalls = static_cast<int>(state.sessionCalls);
    view.sessionDenied = static_cast<int>(state.sessionDenied);
    view.sessionActions = state.sessionActions;
    // What this gateway has recorded but not yet written counts already.
    const session::SessionRecorder::Pending pending = m_recorder.pending(state.execution.id);
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

} // namespace mandate::gateway
