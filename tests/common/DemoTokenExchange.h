// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace mandate::testing {

class GatewayProcess;
class HttpProbe;

/// What to ask a demo gateway for: the development IdP's ID token of `user`, exchanged
/// (RFC 8693) by the demo OAuth client `client` for `scope`.
struct DemoExchange
{
    QString user = QStringLiteral("alice");
    QString client = QStringLiteral("support-agent");
    QString scope = QStringLiteral("ticket:read");
    QJsonObject authorizationDetails;  ///< one agent_execution object; none when empty
    qint64 clockAdvancedSecs = 0;       ///< how far the test moved the gateway's clock (/v1/dev/clock)
};

/// The execution token the gateway mints, or empty when any step fails.
QByteArray exchangeDemoToken(const GatewayProcess &gateway, HttpProbe &http, const DemoExchange &request = {});

} // namespace mandate::testing
