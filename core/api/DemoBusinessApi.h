// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/Router.h"
#include "firewall/UpstreamCredentials.h"

#include <QHash>
#include <QJsonObject>
#include <QMutex>

namespace mandate::api {

/// The toy business API behind the demo tools (tickets, refunds, accounts), served by a demo
/// gateway under /demo-api so that a newcomer has a real upstream without setting one up.
/// Not an admin or enforcement endpoint: it is what agents reach *through* the firewall, and
/// it answers only requests that carry `credential`, the demo tools' upstream credential,
/// which the firewall adds and no agent holds. Anything else is 401: an agent calling it
/// directly would go round every check the demo is there to show.
class DemoBusinessApi final
{
public:
    explicit DemoBusinessApi(firewall::UpstreamHeader credential);
    Q_DISABLE_COPY_MOVE(DemoBusinessApi)

    void install(Router &router);

private:
    /// `handler` behind the credential check.
    Handler guarded(Handler handler) const;

    HttpResponse ticket(const QString &id) const;
    HttpResponse updateTicket(const QString &id, const QByteArray &body);
    HttpResponse createRefund(const QByteArray &body);
    HttpResponse account(const QString &id) const;

    const firewall::UpstreamHeader m_credential;
    mutable QMutex m_mutex;
    QHash<QString, QJsonObject> m_tickets;
    int m_nextRefund = 1;
};

} // namespace mandate::api
