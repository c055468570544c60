// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "identity/Amount.h"

#include <QStringList>

#include <optional>

namespace mandate::broker {

/// What a token exchange asks for, from `scope` and the RFC 9396 `authorization_details` entry
/// of type "agent_execution": {"type":"agent_execution","purpose":"…","actions":[…],
/// "budget":{"calls":…,"tokens":…,"amount":"…"},"risk_ceiling":…,"ttl":…}. Parsing is strict:
/// unknown members, wrong types, out-of-range values and other detail types are refused.
/// Anything left out defaults later to the ceiling the broker computes (agent, parent).
struct AgentExecutionRequest
{
    static constexpr const char *kType = "agent_execution";
    static constexpr int kMaxPurposeLength = 512;

    QStringList actions;                  ///< sorted, distinct; empty: none requested
    QString purpose;
    std::optional<qint64> calls;
    std::optional<qint64> tokens;
    std::optional<identity::Amount> amount;
    std::optional<int> riskCeiling;       ///< 0..100
    std::optional<qint64> ttlSecs;        ///< > 0

    /// OAuth error codes: invalid_request, invalid_scope, invalid_authorization_details.
    static Result<AgentExecutionRequest> parse(const QString &scope, const QString &authorizationDetails);
};

} // namespace mandate::broker
