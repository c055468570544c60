// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RequestGuard.h"

#include <QList>
#include <QPointer>
#include <QSslConfiguration>
#include <QTcpServer>

#include <optional>

namespace mandate::gateway {

/// The gateway's listening socket with the limits a server facing agents needs: at most
/// `maxConnections` open at once (more are closed at once), and connections that stay idle
/// (nothing received or sent) for `idleTimeoutMs` are dropped, so a client that sends half a
/// request and stalls cannot hold a slot forever; what a request may send is bounded before Qt
/// buffers it (RequestGuard). With a TLS configuration every connection is an encrypted
/// QSslSocket.
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)

public:
    struct Limits
    {
        int maxConnections = 512;
        int idleTimeoutMs = 30'000;
        RequestGuard::Limits request;  ///< what one request may send before it is taken
    };

    /// Set (true) by the HTTP front end on a socket it hands over as a WebSocket: the stream
    /// watches its peer with pings, and the idle timeout no longer applies to it.
    static constexpr const char *UpgradedProperty = "mandate.upgraded";

    GuardedTcpServer(Limits limits, std::optional<QSslConfiguration> tls, QObject *parent = nullptr);

    /// Connections still open, counted by socket state: a socket handed over to the WebSocket
    /// server loses its signal connections, so counting on `destroyed` would leak slots.
    int openConnections() const;
    /// Closes every open connection gracefully: what is queued for a client is sent first.
    void disconnectAll();
    /// Call once the HTTP server has bound itself to this one: each new socket then also tells
    /// its RequestGuard, after every read of the HTTP server, what it left unread.
    void watchAfterServer();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    Limits m_limits;
    std::optional<QSslConfiguration> m_tls;
    QList<QPointer<QTcpSocket>> m_sockets;
    QList<QPointer<RequestGuard>> m_unwatched;  ///< of sockets accepted, their HTTP server slot not yet connected
};

} // namespace mandate::gateway
