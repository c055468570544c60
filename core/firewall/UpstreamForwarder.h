// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QUrl>

namespace mandate::firewall {

/// What the upstream answered, or why there is no answer (status 0).
struct UpstreamResponse
{
    int status = 0;
    QByteArray contentType;
    QByteArray body;
    QString error;        ///< set when status is 0: timeout, refused, too large, redirected
    int problemStatus = 502;  ///< the status to answer the agent with when status is 0
    /// False when the request provably never reached the upstream (no connection: refused, an
    /// unknown host; or refused before sending): the call's charge is given back.
    bool sent = true;
};

/// Sends one request to a tool's upstream from a worker thread and waits for it: bounded time,
/// bounded response size, no redirects (a 3xx is an error, so a call can never be bounced off
/// the registered upstream). Each worker thread keeps its own kept-alive connection (plain http)
/// or network access manager (https).
class UpstreamForwarder
{
public:
    struct Limits
    {
        int timeoutMs = 10'000;
        qsizetype maxResponseBytes = 4 << 20;
    };

    static UpstreamResponse send(const QByteArray &method, const QUrl &url, const QByteArray &body,
                                 const QList<QPair<QByteArray, QByteArray>> &headers, const Limits &limits);
};

} // namespace mandate::firewall
