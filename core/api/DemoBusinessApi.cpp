// SPDX-License-Identifier: Apache-2.0
#include "api/DemoBusinessApi.h"

#include "crypto/ConstantTime.h"
#include "json/JsonReader.h"

#include <QMutexLocker>

namespace mandate::api {

DemoBusinessApi::DemoBusinessApi(std::shared_ptr<const firewall::UpstreamCredentials> credentials, QString credentialName)
    : m_credentials(std::move(credentials)), m_credentialName(std::move(credentialName))
{
    const char *subjects[] = {"Refund for damaged parcel", "Cannot log in", "Invoice shows wrong VAT",
                              "Order arrived late", "Change delivery address"};
    for (int i = 0; i < 5; ++i) {
        const QString id = QStringLiteral("T-%1").arg(1001 + i);
        m_tickets.insert(id, QJsonObject{{QStringLiteral("id"), id},
                                         {QStringLiteral("subject"), QLatin1String(subjects[i])},
                                         {QStringLiteral("status"), QStringLiteral("open")},
                                         {QStringLiteral("customer"), QStringLiteral("C-%1").arg(501 + i)}});
    }
}

Handler DemoBusinessApi::guarded(Handler handler) const
{
    return [this, handler = std::move(handler)](const HttpRequest &request, const RouteParams &params) {
        // Only the firewall holds the credential: a request without it did not come through
        // the gateway's checks. An empty value in the request must not match either.
        const auto credential = m_credentials->credential(m_credentialName);
        const QByteArray given = credential ? request.header(credential->header.name) : QByteArray();
        if (!credential || credential->header.value.isEmpty() || !crypto::ConstantTime::equal(given, credential->header.value)) {
            HttpResponse refused = HttpResponse::problem(401, QStringLiteral("unauthorized"), QStringLiteral("Call it through the tool firewall"),
                                                         QStringLiteral("the demo business API answers the gateway's tool firewall only: "
                                                                        "call /v1/tools/{tool}/... with an execution token"));
            refused.setHeader("WWW-Authenticate", "Bearer realm=\"mandate-demo-api\"");
            return refused;
        }
        return handler(request, params);
    };
}

void DemoBusinessApi::install(Router &router)
{
    router.add("GET", QStringLiteral("/demo-api/ticket/tickets/{id}"), guarded([this](const HttpRequest &, const RouteParams &p) {
        return ticket(p.value(QStringLiteral("id")));
    }));
    router.add("PUT", QStringLiteral("/demo-api/ticket/tickets/{id}"), guarded([this](const HttpRequest &r, const RouteParams &p) {
        return updateTicket(p.value(QStringLiteral("id")), r.body);
    }));
    router.add("POST", QStringLiteral("/demo-api/refund/refunds"), guarded([this](const HttpRequest &r, const RouteParams &) {
        return createRefund(r.body);
    }));
    router.add("GET", QStringLiteral("/demo-api/account/accounts/{id}"), guarded([this](const HttpRequest &, const RouteParams &p) {
        return account(p.value(QStringLiteral("id")));
    }));
    router.add("DELETE", QStringLiteral("/demo-api/account/accounts/{id}"), guarded([](const HttpRequest &, const RouteParams &p) {
        // Reaching this means the firewall let a deletion through: the demo policies forbid it.
        return HttpResponse::json(QJsonObject{{QStringLiteral("deleted"), p.value(QStringLiteral("id"))}});
    }));
}

HttpResponse DemoBusinessApi::ticket(const QString &id) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_tickets.constFind(id);
    if (it == m_tickets.constEnd())
        return HttpResponse::problem(404, QStringLiteral("not-found"), QStringLiteral("No such ticket"), id);
    return HttpResponse::json(*it);
}

HttpResponse DemoBusinessApi::updateTicket(const QString &id, const QByteArray &body)
{
    Result<QJsonValue> parsed = json::parse(body);
    if (!parsed || !parsed->isObject())
        return HttpResponse::problem(400, QStringLiteral("bad-request"), QStringLiteral("Expected a JSON object"), {});
    QMutexLocker lock(&m_mutex);
    auto it = m_tickets.find(id);
    if (it == m_tickets.end())
        return HttpResponse::problem(404, QStringLiteral("not-found"), QStringLiteral("No such ticket"), id);
    const QJsonObject changes = parsed->toObject();
    for (const char *field : {"status", "note"}) {
        if (changes.contains(QLatin1String(field)))
            it->insert(QLatin1String(field), changes.value(QLatin1String(field)));
    }
    return HttpResponse::json(*it);
}

HttpResponse DemoBusinessApi::createRefund(const QByteArray &body)
{
    Result<QJsonValue> parsed = json::parse(body);
    if (!parsed || !parsed->isObject())
        return HttpResponse::problem(400, QStringLiteral("bad-request"), QStringLiteral("Expected a JSON object"), {});
    QMutexLocker lock(&m_mutex);
    QJsonObject refund = parsed->toObject();
    refund.insert(QStringLiteral("id"), QStringLiteral("R-%1").arg(m_nextRefund++));
    refund.insert(QStringLiteral("status"), QStringLiteral("issued"));
    return HttpResponse::json(refund, 201);
}

HttpResponse DemoBusinessApi::account(const QString &id) const
{
    return HttpResponse::json(QJsonObject{{QStringLiteral("id"), id},
                                          {QStringLiteral("balance"), QStringLiteral("250.00")},
                                          {QStringLiteral("currency"), QStringLiteral("EUR")}});
}

} // namespace mandate::api
