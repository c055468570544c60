// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Budget.h"
#include "identity/Execution.h"

#include <QJsonObject>
#include <QStringList>

namespace mandate::session {

/// An execution with its live state, as the per-call pipeline and the monitor see it.
struct ExecutionState
{
    identity::Execution execution;  ///< execution.status is the stored status
    identity::Budget used;
    identity::Budget remaining;     ///< granted minus used, never negative
    int riskScore = 0;
    qint64 sessionCalls = 0;
    qint64 sessionDenied = 0;
    QStringList sessionActions;     ///< distinct actions of allowed calls so far, sorted
    /// The stored status, except that an active execution past expiresAt reads Expired.
    identity::Execution::Status status = identity::Execution::Status::Active;
    qint64 endedAt = 0;             ///< seconds since the epoch; 0 while active
    QString endReason;

    bool isActive() const { return status == identity::Execution::Status::Active; }
    /// The execution's JSON plus "status" (effective), "used", "remaining", "risk", "session".
    QJsonObject toJson() const;
};

} // namespace mandate::session
