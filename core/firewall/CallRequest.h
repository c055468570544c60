// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace mandate::firewall {

/// One tool call as an agent presents it, to /v1/authorize or through /v1/tools/{tool}/….
struct CallRequest
{
    QByteArray bearer;                  ///< the execution token
    QString tool;
    QString action;                     ///< "refund:create"; resolved from method + path on the tool path
    QJsonObject args;                   ///< the call's arguments (the JSON body's fields)
    QString statedReason;               ///< X-Mandate-Reason
    QString traceparent;                ///< W3C traceparent, when the agent sent one
    QByteArray tracestate;              ///< W3C tracestate when well formed, forwarded with a continued trace
    std::optional<QString> confidence;  ///< X-Mandate-Confidence, a decimal in [0, 1]
    qint64 modelTokens = 0;             ///< X-Mandate-Model-Tokens: tokens spent since the last call
    bool charge = false;                ///< true on the tool path: the call spends budget
    /// What is wrong with the request itself (arguments that contradict its path, a repeated
    /// query parameter): the call is denied at the request step, once its token is checked.
    QString refusal;
    /// Why the gateway cannot serve this call even if it is allowed (a tool whose responses it
    /// cannot inspect): the call is refused with 503 once the policy allows it, before it is
    /// rate limited or charged.
    QString unservable;
    /// The version of the tool record the call was routed by (the tool path: its action, and
    /// later its upstream and inspection mode): the call is refused (503) if the pipeline reads
    /// another, so that no call is decided on one version of a tool and forwarded by another.
    std::optional<qint64> toolVersion;
};

} // namespace mandate::firewall
