// SPDX-License-Identifier: Apache-2.0
#include "EventStream.h"

#include "common/Logging.h"

#include <QJsonDocument>
#include <QUrlQuery>
#include <QWebSocket>

#include <algorithm>
#include <utility>

namespace mandate::gateway {

namespace {
constexpr qint64 MaxBufferedBytes = 4 << 20;
constexpr quint64 MaxIncomingBytes = 4 << 10;
}

EventStream::EventStream(QAbstractHttpServer &server, api::EventBus &bus, const api::AdminAuth &auth, int peerTimeoutMs, int maxStreams,
                         QObject *parent)
    : QObject(parent), m_server(server), m_bus(bus), m_maxStreams(std::max(1, maxStreams)), m_auth(auth),
      m_peerTimeoutMs(std::max(peerTimeoutMs, 300))
{
    connect(&server, &QAbstractHttpServer::newWebSocketConnection, this, &EventStream::accept);
    connect(&bus, &api::EventBus::published, this, &EventStream::broadcast, Qt::QueuedConnection);
    connect(&m_keepAlive, &QTimer::timeout, this, &EventStream::keepAlive);
    m_keepAlive.start(m_peerTimeoutMs / 3);
}

EventStream::~EventStream()
{
    // Out of the list and unhooked first: a socket being deleted may still report that it
    // disconnected, and the handler edits the list.
    const QList<Subscriber> subscribers = std::exchange(m_subscribers, {});
    for (const Subscriber &subscriber : subscribers) {
        disconnect(subscriber.socket, nullptr, this, nullptr);
        delete subscriber.socket;
    }
}

void EventStream::accept()
{
    while (m_server.hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = m_server.nextPendingWebSocketConnection();
        if (!socket)
            continue;
        const QNetworkRequest upgrade = socket->request();
        api::HttpRequest request;
        request.method = "GET";
        request.path = upgrade.url().path();
        request.headers.append({"authorization", upgrade.rawHeader("Authorization")});
        if (request.path != QLatin1String("/v1/events")) {
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("no WebSocket endpoint at ") + request.path);
            continue;
        }
        // A URL ends up in proxies' and servers' logs: a key there is a key leaked. Said
        // plainly, so that a client sending one learns to stop, whatever else it sent.
        if (QUrlQuery(upgrade.url()).hasQueryItem(QStringLiteral("key"))) {
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                          QStringLiteral("API keys go in the Authorization header, never in the URL"));
            continue;
        }
        Result<api::ApiPrincipal> caller = m_auth.check(request, api::Permission::ReadExecutions);
        if (!caller) {
            // 1008 says the key will not do, and a client stops retrying; a store that cannot
            // answer now is the gateway's trouble (1011), and says nothing of the store.
            const QString code = caller.error().code;
            if (code == QLatin1String("unauthorized") || code == QLatin1String("forbidden"))
                socket->close(QWebSocketProtocol::CloseCodePolicyViolated, caller.error().message);
            else
                socket->close(QWebSocketProtocol::CloseCodeBadOperation,  // 1011
                              QStringLiteral("the gateway cannot check API keys right now; try again"));
            continue;
        }
        const auto sameKey = [&](const Subscriber &s) { return s.caller.keyId == caller->keyId; };
        // Both bounds close with 1011, as for a key that cannot be checked now: the client tries
        // again later (a key's streams end as consoles close or are found gone). 1008 would make
        // the console give up for good; 1013, "try again later", is not one Qt 6.4's clients
        // accept (they fail the close as a protocol error).
        if (std::count_if(m_subscribers.cbegin(), m_subscribers.cend(), sameKey) >= MaxStreamsPerKey) {
            socket->close(QWebSocketProtocol::CloseCodeBadOperation,
                          QStringLiteral("this API key already has %1 event streams open; try again later").arg(MaxStreamsPerKey));
            continue;
        }
        if (m_subscribers.size() >= m_maxStreams) {
            qCWarning(lcGateway) << "refusing an event stream of" << caller->name << ": all" << m_maxStreams << "are in use";
            socket->close(QWebSocketProtocol::CloseCodeBadOperation, QStringLiteral("the gateway serves no more event streams now; try again"));
            continue;
        }
        QWebSocket *raw = socket.release();
        raw->setParent(this);
        // Subscribers only listen: whatever they send is small, and is never buffered large.
        raw->setMaxAllowedIncomingFrameSize(MaxIncomingBytes);
        raw->setMaxAllowedIncomingMessageSize(MaxIncomingBytes);
        connect(raw, &QWebSocket::disconnected, this, [this, raw]() {
            remove(raw);
            raw->deleteLater();
        });
        // Anything the subscriber sends shows it is there; the console sends nothing but pongs.
        const auto heard = [this, raw]() {
            for (Subscriber &subscriber : m_subscribers) {
                if (subscriber.socket == raw)
                    subscriber.heard.start();
            }
        };
        connect(raw, &QWebSocket::pong, this, heard);
        connect(raw, &QWebSocket::textMessageReceived, this, heard);
        connect(raw, &QWebSocket::binaryMessageReceived, this, heard);
        m_subscribers.append(Subscriber{raw, 0, caller.value(), {}});
        m_subscribers.last().heard.start();
        m_bus.setListeners(subscribers());
        qCInfo(lcGateway) << "event subscriber connected:" << caller->name;
        raw->sendTextMessage(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("hello")},
                                                                           {QStringLiteral("role"), api::roleName(caller->role)}})
                                                   .toJson(QJsonDocument::Compact)));
    }
}

void EventStream::broadcast(const QJsonObject &event)
{
    if (m_subscribers.isEmpty())
        return;
    const QString text = QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact));
    // Admin API keys are listed to admins only; a key also hears of its own revocation.
    const bool aboutKey = event.value(QStringLiteral("type")).toString() == QLatin1String("api_key");
    const QString keyId = aboutKey ? event.value(QStringLiteral("key")).toObject().value(QStringLiteral("id")).toString() : QString();
    for (Subscriber &subscriber : m_subscribers) {
        if (aboutKey && subscriber.caller.role != api::Role::Admin && subscriber.caller.keyId != keyId)
            continue;
        if (subscriber.socket->bytesToWrite() > MaxBufferedBytes) {
            ++subscriber.dropped;
            continue;
        }
        if (subscriber.dropped > 0) {
            subscriber.socket->sendTextMessage(QStringLiteral("{\"type\":\"dropped\",\"count\":%1}").arg(subscriber.dropped));
            subscriber.dropped = 0;
        }
        subscriber.socket->sendTextMessage(text);
    }
    closeRevoked(event);
}

void EventStream::closeRevoked(const QJsonObject &event)
{
    if (event.value(QStringLiteral("type")).toString() != QLatin1String("api_key")
        || event.value(QStringLiteral("operation")).toString() != QLatin1String("revoked"))
        return;
    const QString keyId = event.value(QStringLiteral("key")).toObject().value(QStringLiteral("id")).toString();
    // Out of the list first, so that nothing more is sent to them (and before close(), whose
    // disconnected handler edits the list too).
    QList<QWebSocket *> closing;
    m_subscribers.removeIf([&](const Subscriber &subscriber) {
        if (subscriber.caller.keyId != keyId)
            return false;
        closing.append(subscriber.socket);
        return true;
    });
    if (closing.isEmpty())
        return;
    m_bus.setListeners(subscribers());
    qCInfo(lcGateway) << "closing" << closing.size() << "event stream(s) of revoked API key" << keyId;
    closeFor(closing, QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("API key revoked"));
}

void EventStream::keepAlive()
{
    QList<QWebSocket *> silent;
    QList<QWebSocket *> revoked;
    QList<QWebSocket *> unchecked;
    for (const Subscriber &subscriber : std::as_const(m_subscribers)) {
        // A key revoked through another gateway sharing the database sends no event here. A key
        // that cannot be checked is not trusted either (fail closed): the client reconnects.
        const Result<bool> valid = m_auth.stillValid(subscriber.caller);
        if (!valid)
            unchecked.append(subscriber.socket);
        else if (!valid.value())
            revoked.append(subscriber.socket);
        else if (subscriber.heard.hasExpired(m_peerTimeoutMs))
            silent.append(subscriber.socket);
        else
            subscriber.socket->ping();
    }
    const auto unsubscribeAndClose = [this](const QList<QWebSocket *> &sockets, QWebSocketProtocol::CloseCode code, const QString &reason) {
        for (QWebSocket *socket : sockets)
            remove(socket);
        closeFor(sockets, code, reason);
    };
    if (!revoked.isEmpty()) {
        qCInfo(lcGateway) << "closing" << revoked.size() << "event stream(s) whose API key is gone";
        unsubscribeAndClose(revoked, QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("API key revoked"));
    }
    if (!unchecked.isEmpty()) {
        qCWarning(lcGateway) << "closing" << unchecked.size() << "event stream(s): their API keys cannot be checked";
        unsubscribeAndClose(unchecked, QWebSocketProtocol::CloseCodeBadOperation, QStringLiteral("cannot check the API key"));
    }
    for (QWebSocket *socket : std::as_const(silent)) {
        qCInfo(lcGateway) << "dropping an event subscriber that answered no ping for" << m_peerTimeoutMs << "ms";
        remove(socket);
        socket->abort();  // it cannot answer a close either
        socket->deleteLater();
    }
}

void EventStream::closeFor(const QList<QWebSocket *> &sockets, QWebSocketProtocol::CloseCode code, const QString &reason)
{
    for (QWebSocket *socket : sockets) {
        socket->close(code, reason);
        QTimer::singleShot(m_peerTimeoutMs, socket, [socket]() {
            if (socket->state() != QAbstractSocket::UnconnectedState)
                socket->abort();
        });
    }
}

void EventStream::remove(QWebSocket *socket)
{
    if (m_subscribers.removeIf([socket](const Subscriber &s) { return s.socket == socket; }) > 0)
        m_bus.setListeners(subscribers());
}

} // namespace mandate::gateway
