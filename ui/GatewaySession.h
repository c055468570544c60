// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "GatewayProfile.h"
#include "client/GatewayClient.h"

#include <QObject>

namespace mandate::ui {

/// The console's connection to one gateway: configures the client, checks health and the key's
/// role, and remembers enough to retry. Everything is asynchronous; the window never blocks.
class GatewaySession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewaySession)

public:
    enum class State { Disconnected, Connecting, Connected, Failed };
    Q_ENUM(State)

    explicit GatewaySession(QObject *parent = nullptr);

    client::GatewayClient *client() const { return m_client; }
    State state() const { return m_state; }
    GatewayProfile profile() const { return m_profile; }
    const client::WhoAmI &identity() const { return m_identity; }
    bool canWrite() const { return m_state == State::Connected && m_identity.canWrite(); }
    /// The last failure (valid in state Failed).
    const client::ClientError &lastError() const { return m_error; }
    QString gatewayVersion() const { return m_health.version; }
    /// The key in use, for the event stream (which authenticates on its own socket).
    QByteArray apiKey() const { return m_apiKey; }

    void connectTo(const GatewayProfile &profile, const QByteArray &apiKey);
    void retry();
    void disconnectFromGateway();

    /// A human-readable line for the status bar.
    QString statusText() const;

Q_SIGNALS:
    void stateChanged(mandate::ui::GatewaySession::State state);

private:
    void setState(State state);
    void fail(const client::ClientError &error);

    client::GatewayClient *m_client;
    GatewayProfile m_profile;
    QByteArray m_apiKey;
    State m_state = State::Disconnected;
    client::WhoAmI m_identity;
    client::Health m_health;
    client::ClientError m_error;
    int m_attempt = 0;  // ignores answers to superseded connection attempts
};

} // namespace mandate::ui
