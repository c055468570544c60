// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "firewall/HostResolver.h"
#include "firewall/UpstreamForwarder.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QString>

namespace mandate::firewall {

/// One worker thread's keep-alive HTTP/1.1 connection to a plain-http upstream, used blocking.
/// QNetworkAccessManager runs its HTTP in a thread of its own, so each forwarded call crossed
/// threads four times and waited in an event loop; this answers on the calling thread and keeps
/// the connection for the next call to the same host. It is a plain POSIX socket, polled with
/// the call's deadline: QTcpSocket's blocking waits cost a tenth of a forwarded call.
class UpstreamConnection final
{
public:
    explicit UpstreamConnection(HostResolver &resolver = HostResolver::shared()) : m_resolver(resolver) {}
    ~UpstreamConnection() { close(); }
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
    bool connectAddress(const QHostAddress &address, quint16 port, const QDeadlineTimer &deadline);
    void close();
    /// Waits until the socket is ready for `events` (poll(2)); false on timeout (m_timedOut) or error.
    bool wait(short events, const QDeadlineTimer &deadline);
    bool sendAll(const QByteArray &bytes, const QDeadlineTimer &deadline);
    /// A kept connection with nothing to read: neither unsolicited bytes nor the upstream's close.
    bool idle() const;
    /// Reads more into m_buffer; false on the upstream's close, a timeout (m_timedOut) or an error (m_readError).
    bool fill(const QDeadlineTimer &deadline);
    bool readLine(QByteArray &line, const QDeadlineTimer &deadline);
    bool readBody(qint64 length, qsizetype limit, QByteArray &body, const QDeadlineTimer &deadline);
    bool readChunked(qsizetype limit, QByteArray &body, const QDeadlineTimer &deadline, bool &tooLarge);

    HostResolver &m_resolver;
    int m_fd = -1;
    QString m_error;  ///< why connecting failed
    QString m_host;
    quint16 m_port = 0;
    QByteArray m_buffer;  ///< read from the socket, not yet consumed
    bool m_timedOut = false;
    int m_readError = 0;  ///< errno of a failed read since the attempt began, 0 if none: a reset is not an orderly end
    bool m_retryable = false;  ///< the host name could not be looked up now, worth trying again (503): too many lookups pending, or a temporary resolver failure
};

} // namespace mandate::firewall
