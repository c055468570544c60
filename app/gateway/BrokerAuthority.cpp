// SPDX-License-Identifier: Apache-2.0
#include "BrokerAuthority.h"

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
    Result<session::ExecutionState> state = m_executions.charge(executionId, cost);
    if (!state)
        return state.error();
    return state->remaining;
}

Status BrokerAuthority::recordCall(const QString &executionId, const QString &action, bool allowed, int riskDelta)
{
    return m_executions.recordCall(executionId, action, allowed, riskDelta);
}

Status BrokerAuthority::adjustRisk(const QString &executionId, int riskDelta)
{
    return m_executions.adjustRisk(executionId, riskDelta);
}

} // namespace mandate::gateway
