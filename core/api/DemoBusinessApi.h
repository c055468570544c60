// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/Router.h"
#include "firewall/UpstreamCredentials.h"

#include <QHash>
#include <QJsonObject>
#include <QMutex>

#include <memory>

namespace mandate::api {

/// The toy business API behind the demo tools (tickets, refunds, accounts), served by a demo
/// gateway under /demo-api so that a newcomer has a real upstream without setting one up.
/// Not an admin or enforcement endpoint: it is what agents reach *through* the firewall, and
/// it answers only requests that carry the demo tools' upstream credential (`credentialName`
/// in `credentials`, read again when it changes, as the firewall does), which the firewall
/// adds and no agent holds. Anything else is 401: an agent calling it directly would go round
/// every check the demo is there to show.
class DemoBusinessApi final
{
public:
    DemoBusinessApi(std::shared_ptr<const firewall::UpstreamCredentials> credentials, QString credentialName);
    Q_DISABLE_COPY_MOVE(DemoBusinessApi)

    void install(Router &router);

private:
    /// `handler` behind the credential check.
    Handler guarded(Handler handler) const;

    HttpResponse ticket(const QString &id) const;
    HttpResponse updateTicket(const QString &id, const QByteArray &body);
    HttpResponse createRefund(const QByteArray &body);
    HttpResponse account(const QString &id) const;

    const std::shared_ptr<const firewall::UpstreamCredentials> m_credentials;
    const QString m_credentialName;
    mutable QMutex m_mutex;
    QHash<QString, QJsonObject> m_tickets;
    int m_nextRefund = 1;
};

} // namespace mandate::api
