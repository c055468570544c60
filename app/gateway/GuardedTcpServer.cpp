// SPDX-License-Identifier: Apache-2.0
#include "GuardedTcpServer.h"

#include "common/Logging.h"

#include <QSslSocket>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace mandate::gateway {

namespace {
/// Room beyond one request's limits, for the start of the next one.
constexpr qint64 ReadSlackBytes = 64 << 10;
}

GuardedTcpServer::GuardedTcpServer(Limits limits, std::optional<QSslConfiguration> tls, QObject *parent)
    : QTcpServer(parent), m_limits(limits), m_tls(std::move(tls))
{
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    QTcpSocket *socket = m_tls ? new QSslSocket(this) : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    m_sockets.removeIf([](const QPointer<QTcpSocket> &open) { return !open || open->state() == QAbstractSocket::UnconnectedState; });
    if (m_sockets.size() >= m_limits.maxConnections) {
        qCWarning(lcGateway) << "connection limit" << m_limits.maxConnections << "reached; refusing a connection";
        socket->abort();
        socket->deleteLater();
        return;
    }
    m_sockets.append(socket);

    auto *idle = new QTimer(socket);
    idle->setSingleShot(true);
    idle->setInterval(m_limits.idleTimeoutMs);
    const auto activity = [idle]() { idle->start(); };
    connect(socket, &QTcpSocket::readyRead, idle, activity);
    connect(socket, &QTcpSocket::bytesWritten, idle, activity);
    connect(idle, &QTimer::timeout, socket, [socket, idle]() {
        // Qt HttpServer unhooks every signal of a socket it upgrades, this timer's activity
        // included; the event stream watches such a peer with pings. Any other socket that
        // went quiet, or that Qt stopped reading after a parse error, is cut.
        if (socket->property(UpgradedProperty).toBool()) {
            idle->deleteLater();
            return;
        }
        qCDebug(lcGateway) << "dropping an idle connection";
        socket->abort();
    });
    // What Qt may buffer of a request is bounded even where the guard is no longer listening
    // (after an upgrade or a parse error): beyond it the socket stops reading from the network.
    socket->setReadBufferSize(m_limits.request.size.maxHeaderBytes + m_limits.request.size.maxBodyBytes + ReadSlackBytes);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    idle->start();
    m_unwatched.append(RequestGuard::attach(socket, m_limits.request));  // before Qt HttpServer's own readyRead slot

    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        ssl->setSslConfiguration(*m_tls);
        connect(ssl, &QSslSocket::sslErrors, ssl, [ssl](const QList<QSslError> &errors) {
            qCWarning(lcGateway) << "TLS handshake failed:" << errors.size() << "error(s)";
            ssl->abort();
        });
        ssl->startServerEncryption();
    }
    addPendingConnection(socket);
}

int GuardedTcpServer::openConnections() const
{
    return static_cast<int>(std::count_if(m_sockets.cbegin(), m_sockets.cend(), [](const QPointer<QTcpSocket> &socket) {
        return socket && socket->state() != QAbstractSocket::UnconnectedState;
    }));
}

void GuardedTcpServer::watchAfterServer()
{
    // Connected after the HTTP server's own newConnection handler, which connects each new
    // socket's readyRead to its parser: this slot comes after the parser's on every read.
    connect(this, &QTcpServer::newConnection, this, [this]() {
        for (const QPointer<RequestGuard> &guard : std::exchange(m_unwatched, {})) {
            if (guard)
                connect(guard->socket(), &QTcpSocket::readyRead, guard, &RequestGuard::serverHasRead);
        }
    });
}

void GuardedTcpServer::disconnectAll()
{
    for (const QPointer<QTcpSocket> &socket : std::as_const(m_sockets)) {
        if (socket)
            socket->disconnectFromHost();
    }
}

} // namespace mandate::gateway
