// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "firewall/ExecutionView.h"

namespace mandate::firewall {

/// The pipeline's view of the broker and the execution store: who is calling, and the
/// execution's live counters. Implementations must be thread-safe (calls arrive on a pool).
class ExecutionAuthority
{
public:
    virtual ~ExecutionAuthority() = default;
    /// Verifies an execution token and loads its execution: active, not revoked, not expired.
    /// Errors carry a code the caller reports (expired, revoked, bad_signature, ...).
    virtual Result<ExecutionView> authenticate(QByteArrayView bearer) const = 0;
    /// Charges `cost` atomically; "budget_exhausted" when any dimension would go negative.
    virtual Result<identity::Budget> charge(const QString &executionId, const identity::Budget &cost) = 0;
    /// Counts the call in the execution's session and moves its risk score.
    virtual Status recordCall(const QString &executionId, const QString &action, bool allowed, int riskDelta) = 0;
    /// Moves the risk score alone (a flagged upstream response).
    virtual Status adjustRisk(const QString &executionId, int riskDelta) = 0;
};

/// Live events for the console's monitor (decisions, executions started/ended, ...).
class EventSink
{
public:
    virtual ~EventSink() = default;
    virtual void publish(const QJsonObject &event) = 0;
};

} // namespace mandate::firewall
