// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "firewall/ExecutionView.h"

#include <QJsonObject>
#include <QStringList>

namespace mandate::firewall {

/// The outcome of the decision steps of one call. `step` names what decided a denial:
/// token, capability, request, policy, risk, rate_limit, budget, audit (fail closed), internal.
struct CallDecision
{
    bool allowed = false;
    QString step;
    int httpStatus = 403;
    QString message;              ///< why, for a person
    QString decisionId;
    QStringList reasons;          ///< determining policies (@id annotation, else policyN)
    QStringList errors;           ///< policies that errored, "id: message"
    bool hasExecution = false;
    ExecutionView view;           ///< the caller; budget already charged on the tool path
    QJsonObject cedarRequest;     ///< what was evaluated, for the audit log
    QByteArray cedarRequestCanonical;  ///< its audit encoding when built already (AuditRecord::cedarRequestCanonical)
    QString traceId;
    QString spanId;
    qint64 latencyUs = 0;

    /// The /v1/authorize response body (also embedded in a tool path denial).
    QJsonObject toJson() const;
};

} // namespace mandate::firewall
