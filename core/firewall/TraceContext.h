// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace mandate::firewall {

/// W3C Trace Context for one hop through the gateway: the caller's trace id is kept when it
/// sent a valid `traceparent`, and the gateway's own span gets a fresh id.
struct TraceContext
{
    QString traceId;        ///< 32 lower-case hex digits
    QString spanId;         ///< 16 lower-case hex digits: the gateway's span
    QString parentSpanId;   ///< the caller's span, empty when the trace starts here
    bool sampled = true;

    static TraceContext continueOrStart(const QString &traceparent);
    /// `traceparent` for the upstream request (version 00).
    QString header() const;
};

} // namespace mandate::firewall
