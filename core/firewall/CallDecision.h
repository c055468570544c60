// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "firewall/ExecutionView.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

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
    std::optional<identity::Budget> charged;  ///< an allowed call's committed charge (tool path)
    /// What was evaluated, for the audit log: its audit encoding (AuditRecord::cedarRequestCanonical)
    /// and, only where the pipeline took the JSON path (CedarRequestWriter), the JSON form.
    QJsonObject cedarRequest;
    QByteArray cedarRequestCanonical;
    QString traceId;
    QString spanId;
    bool traceSampled = true;     ///< the caller's traceparent sampled flag, passed on upstream
    bool traceContinued = false;  ///< the caller sent a valid traceparent: its tracestate goes on too
    qint64 latencyUs = 0;
    int retryAfterSecs = 0;       ///< a rate-limit denial: when the call may be made again (Retry-After)

    /// The /v1/authorize response body (also embedded in a tool path denial).
    QJsonObject toJson() const;
    /// toJson() as QJsonDocument writes it compactly, without building it when every text in it
    /// is plain ASCII (the usual case): the JSON object and its writer cost an authorize
    /// response more than the rest of its answer.
    QByteArray toCompactJson() const;
};

} // namespace mandate::firewall
