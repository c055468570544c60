// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "broker/DelegationBroker.h"
#include "firewall/ExecutionAuthority.h"
#include "session/ExecutionStore.h"
#include "session/SessionRecorder.h"

namespace mandate::gateway {

/// The per-call pipeline's view of the broker (token verification, with its cache) and of the
/// execution store (live budget, risk and session counters, the latter written behind).
class BrokerAuthority final : public firewall::ExecutionAuthority
{
public:
    BrokerAuthority(broker::DelegationBroker &broker, session::ExecutionStore &executions, session::SessionRecorder &recorder)
        : m_broker(broker), m_executions(executions), m_recorder(recorder) {}

    Result<firewall::ExecutionView> authenticate(QByteArrayView bearer) const override;
    Result<identity::Budget> charge(const QString &executionId, const identity::Budget &cost) override;
    Status recordCall(const QString &executionId, const QString &action, bool allowed, int riskDelta) override;
    Status adjustRisk(const QString &executionId, int riskDelta) override;

private:
    broker::DelegationBroker &m_broker;
    session::ExecutionStore &m_executions;
    session::SessionRecorder &m_recorder;
};

} // namespace mandate::gateway
