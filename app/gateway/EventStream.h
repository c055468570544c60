// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/EventBus.h"

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QWebSocketProtocol>

class QWebSocket;

namespace mandate::gateway {

/// /v1/events: the WebSocket stream of live events for the console's monitor. Subscribers
/// authenticate with an admin API key (any role) in the upgrade's Authorization header; one in
/// the URL (`?key=`) is refused, since URLs end up in logs. Each event is one JSON text message.
/// A subscriber that cannot keep up loses events rather than growing the gateway's memory;
/// it is told how many with a {"type":"dropped","count":N} message. A subscription ends when
/// its key is revoked: the api_key "revoked" event is the last message it gets (a revocation
/// made on another gateway sharing the database is found at the next ping). Other api_key
/// events (keys created and revoked) go to admins only, who alone may list the keys.
///
/// Every subscriber is pinged three times per `peerTimeout`, which also keeps a quiet stream
/// from being dropped as an idle connection; one that has answered nothing for `peerTimeout`
/// is gone (a closed laptop, a cut network) and is dropped rather than written to for ever.
///
/// Streams are kept open for hours and hold connection slots that agents' calls share: one key
/// may have MaxStreamsPerKey of them, and all keys together `maxStreams` (a stream past either
/// is closed at once with 1011, so that a client tries again later).
class EventStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventStream)

public:
    static constexpr int MaxStreamsPerKey = 8;  ///< a console opens one per gateway it watches

    EventStream(QAbstractHttpServer &server, api::EventBus &bus, const api::AdminAuth &auth, int peerTimeoutMs, int maxStreams,
                QObject *parent = nullptr);
    ~EventStream() override;

    int subscribers() const { return static_cast<int>(m_subscribers.size()); }

private:
    struct Subscriber
    {
        QWebSocket *socket = nullptr;
        qint64 dropped = 0;
        api::ApiPrincipal caller;
        QElapsedTimer heard;  ///< since the subscriber last sent anything (a pong, at least)
    };
    void accept();
    void broadcast(const QJsonObject &event);
    void closeRevoked(const QJsonObject &event);
    void keepAlive();
    void remove(QWebSocket *socket);
    /// Closes `sockets` (out of the list already) and cuts any that has not closed after the
    /// peer timeout: a peer that reads nothing never completes a close.
    void closeFor(const QList<QWebSocket *> &sockets, QWebSocketProtocol::CloseCode code, const QString &reason);

    QAbstractHttpServer &m_server;
    api::EventBus &m_bus;
    const int m_maxStreams;
    const api::AdminAuth &m_auth;
    QList<Subscriber> m_subscribers;
    int m_peerTimeoutMs;
    QTimer m_keepAlive;
};

} // namespace mandate::gateway
