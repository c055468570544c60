// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/StreamEvents.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>

class QTimer;
class QWebSocket;

namespace mandate::client {

/// The gateway's live event feed (GET /v1/events over a WebSocket): parses every message strictly,
/// emits typed signals, and reconnects by itself with exponential backoff when the link drops.
/// When the gateway refuses the key (unknown, revoked, not allowed: close code 1008), retrying
/// cannot help: the stream stays Refused and says why, until it is opened again.
class EventStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventStream)

public:
    enum class State { Closed, Connecting, Open, Reconnecting, Refused };
    Q_ENUM(State)

    explicit EventStream(QObject *parent = nullptr);
    ~EventStream() override;

    /// `baseUrl` is the gateway's http(s) URL; the stream uses ws(s) on the same host, trusting
    /// `extraCaCertificates` beside the system's (as GatewayClient does for the REST calls).
    void open(const QUrl &baseUrl, const QByteArray &apiKey, const QList<QSslCertificate> &extraCaCertificates = {});
    void close();
    State state() const { return m_state; }
    QString role() const { return m_role; }
    /// Milliseconds until the next reconnection attempt (while Reconnecting).
    int nextRetryMs() const { return m_backoffMs; }
    /// The gateway's reason (while Refused).
    QString refusal() const { return m_refusal; }

Q_SIGNALS:
    void stateChanged(mandate::client::EventStream::State state);
    void hello(const QString &role);
    void decision(const mandate::client::DecisionEvent &event);
    void executionChanged(const mandate::client::ExecutionEvent &event);
    void registryChanged();
    void policyChanged();
    /// The gateway skipped `count` events because this client lagged.
    void dropped(qint64 count);
    /// A message that is not valid JSON or lacks a type (the stream keeps going).
    void protocolError(const QString &message);

private:
    void connectSocket();
    void onText(const QString &message);
    void onDisconnected();
    void setState(State state);

    QWebSocket *m_socket;
    QTimer *m_retry;
    QUrl m_url;
    QByteArray m_apiKey;
    QList<QSslCertificate> m_extraCaCertificates;
    QString m_role;
    QString m_refusal;
    State m_state = State::Closed;
    int m_backoffMs = 500;
};

} // namespace mandate::client
