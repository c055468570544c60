// SPDX-License-Identifier: Apache-2.0
#include "GatewaySession.h"

namespace mandate::ui {

using namespace mandate::client;

GatewaySession::GatewaySession(QObject *parent)
    : QObject(parent), m_client(new GatewayClient(this))
{
    m_client->setTimeout(10'000);
}

void GatewaySession::setState(State state)
{
    m_state = state;
    Q_EMIT stateChanged(state);
}

void GatewaySession::fail(const ClientError &error)
{
    m_error = error;
    setState(State::Failed);
}

void GatewaySession::connectTo(const GatewayProfile &profile, const QByteArray &apiKey)
{
    m_profile = profile;
    m_apiKey = apiKey;
    retry();
}

void GatewaySession::retry()
{
    const int attempt = ++m_attempt;
    m_client->cancelAll();
    m_identity = {};
    m_client->setBaseUrl(m_profile.url);
    m_client->setApiKey(m_apiKey);
    setState(State::Connecting);
    if (const Status ca = m_client->setCaCertificateFile(m_profile.caCertificateFile); !ca) {
        ClientError error;
        error.kind = ClientError::Kind::Tls;
        error.detail = ca.error().message;
        fail(error);
        return;
    }
    if (!m_profile.url.isValid() || (m_profile.url.scheme() != QLatin1String("http") && m_profile.url.scheme() != QLatin1String("https"))) {
        ClientError error;
        error.kind = ClientError::Kind::Network;
        error.detail = tr("\"%1\" is not an http:// or https:// URL.").arg(m_profile.url.toString());
        fail(error);
        return;
    }
    // Health first (is anyone there, is TLS right), then whoami (is the key good, which role).
    m_client->health(this, [this, attempt](ClientResult<Health> health) {
        if (attempt != m_attempt)
            return;
        if (!health && health.error().kind != ClientError::Kind::Server) {
            fail(health.error());
            return;
        }
        if (health)
            m_health = health.value();
        m_client->whoami(this, [this, attempt](ClientResult<WhoAmI> who) {
            if (attempt != m_attempt)
                return;
            if (!who) {
                fail(who.error());
                return;
            }
            m_identity = who.value();
            setState(State::Connected);
        });
    });
}

void GatewaySession::disconnectFromGateway()
{
    ++m_attempt;
    m_client->cancelAll();
    m_identity = {};
    setState(State::Disconnected);
}

QString GatewaySession::statusText() const
{
    const QString where = m_profile.name.isEmpty() ? m_profile.url.toString() : m_profile.name;
    switch (m_state) {
    case State::Disconnected: return tr("Not connected");
    case State::Connecting: return tr("Connecting to %1…").arg(where);
    case State::Connected: return tr("Connected to %1").arg(where);
    case State::Failed: return tr("Connection to %1 failed").arg(where);
    }
    return {};
}

} // namespace mandate::ui
