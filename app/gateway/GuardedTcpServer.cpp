// SPDX-License-Identifier: Apache-2.0
#include "GuardedTcpServer.h"

#include "common/Logging.h"

#include <QSslSocket>
#include <QTimer>

#include <algorithm>
#include <memory>

namespace mandate::gateway {

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
    const auto hooked = std::make_shared<QMetaObject::Connection>(connect(socket, &QTcpSocket::readyRead, idle, activity));
    connect(socket, &QTcpSocket::bytesWritten, idle, activity);
    connect(idle, &QTimer::timeout, socket, [socket, idle, hooked]() {
        // Upgraded to a WebSocket: Qt HttpServer unhooks every signal of the socket, this
        // timer's activity included, and the event stream watches its peer with pings.
        if (!*hooked) {
            idle->deleteLater();
            return;
        }
        qCDebug(lcGateway) << "dropping an idle connection";
        socket->abort();
    });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    idle->start();
    RequestGuard::attach(socket, m_limits.request);  // before Qt HttpServer's own readyRead slot

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

void GuardedTcpServer::disconnectAll()
{
    for (const QPointer<QTcpSocket> &socket : std::as_const(m_sockets)) {
        if (socket)
            socket->disconnectFromHost();
    }
}

} // namespace mandate::gateway
