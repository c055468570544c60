// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "firewall/UpstreamForwarder.h"

#include <QDeadlineTimer>
#include <QTcpSocket>

namespace mandate::firewall {

/// One worker thread's keep-alive HTTP/1.1 connection to a plain-http upstream, used blocking.
/// QNetworkAccessManager runs its HTTP in a thread of its own, so each forwarded call crossed
/// threads four times and waited in an event loop; this answers on the calling thread and keeps
/// the connection for the next call to the same host.
class UpstreamConnection final
{
public:
    UpstreamConnection() = default;
    UpstreamConnection(const UpstreamConnection &) = delete;
    UpstreamConnection &operator=(const UpstreamConnection &) = delete;

    /// `url` must be http. Same contract as UpstreamForwarder::send.
    UpstreamResponse exchange(const QByteArray &method, const QUrl &url, const QByteArray &body,
                              const QList<QPair<QByteArray, QByteArray>> &headers, const UpstreamForwarder::Limits &limits);

private:
    enum class Outcome { Done, Stale, Failed };
    Outcome attempt(const QByteArray &request, bool headRequest, const UpstreamForwarder::Limits &limits,
                    const QDeadlineTimer &deadline, UpstreamResponse &response);
    bool connectTo(const QString &host, quint16 port, const QDeadlineTimer &deadline);
    bool fill(const QDeadlineTimer &deadline);  ///< reads more into m_buffer; false on close or timeout
    bool readLine(QByteArray &line, const QDeadlineTimer &deadline);
    bool readBody(qint64 length, qsizetype limit, QByteArray &body, const QDeadlineTimer &deadline);
    bool readChunked(qsizetype limit, QByteArray &body, const QDeadlineTimer &deadline, bool &tooLarge);

    QTcpSocket m_socket;
    QString m_host;
    quint16 m_port = 0;
    QByteArray m_buffer;  ///< read from the socket, not yet consumed
    bool m_timedOut = false;
};

} // namespace mandate::firewall
