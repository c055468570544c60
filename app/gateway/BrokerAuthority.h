// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "broker/DelegationBroker.h"
#include "firewall/ExecutionAuthority.h"
#include "session/ChargeLedger.h"
#include "session/ExecutionStore.h"
#include "session/SessionRecorder.h"

namespace mandate::gateway {

/// The per-call pipeline's view of the broker (token verification, with its cache) and of the
/// execution store (live budget, risk and session counters). Charges are held in the gateway's
/// ledger and made durable with the call's audit record, and so is the call's effect on its
/// session counters (SessionRecorder::stage(), from the record's batch).
class BrokerAuthority final : public firewall::ExecutionAuthority
{
public:
    BrokerAuthority(broker::DelegationBroker &broker, session::ExecutionStore &executions, session::SessionRecorder &recorder,
                    session::ChargeLedger &ledger)
        : m_broker(broker), m_executions(executions), m_recorder(recorder), m_ledger(ledger) {}

    Result<firewall::ExecutionView> authenticate(QByteArrayView bearer) const override;
    Result<QString> executionOf(QByteArrayView bearer) const override;
    Result<identity::Budget> charge(const QString &executionId, const identity::Budget &cost) override;
    std::function<Result<bool>()> durableCharge(const QString &executionId, const identity::Budget &cost) override;
    void settleCharge(const QString &executionId, const identity::Budget &cost, bool committed) override;
    std::function<Result<bool>()> durableRefund(const QString &executionId, const identity::Budget &cost) override;
    void settleRefund(const QString &executionId, const identity::Budget &cost, bool committed) override;
    bool claimFirstUse(const firewall::ExecutionView &view, const QString &action, const QDateTime &now) override;
    void releaseFirstUse(const QString &executionId, const QString &action) override;
    Status recordCall(const QString &executionId, const QString &action, bool allowed, int riskDelta) override;
    Status adjustRisk(const QString &executionId, int riskDelta) override;
    void reserveCall(const firewall::SessionEffect &effect) override;
    Status settleCall(const firewall::SessionEffect &reserved, const std::optional<firewall::SessionEffect> &final) override;
    std::function<void()> writeWithRecord(const firewall::SessionEffect &reserved) override;

private:
    broker::DelegationBroker &m_broker;
    session::ExecutionStore &m_executions;
    session::SessionRecorder &m_recorder;
    session::ChargeLedger &m_ledger;
};

} // namespace mandate::gateway
