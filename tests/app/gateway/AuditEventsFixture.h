// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared by the suites on the records that are not tool calls: a demo mandated with a test clock
// over real HTTP, token exchanges (root and sub-delegation) and audit queries. A suite derives
// from AuditEventsFixture, starts the gateway in initTestCase() and stops it in cleanupTestCase().
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTest>

namespace mandate::testing {

constexpr auto kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

inline QString executionOf(const QByteArray &token)
{
    const QJsonObject claims = QJsonDocument::fromJson(QByteArray::fromBase64(token.split('.').value(1), QByteArray::Base64UrlEncoding)).object();
    return claims.value(QStringLiteral("authorization_details")).toArray().first().toObject().value(QStringLiteral("execution")).toString();
}

inline QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

class AuditEventsFixture : public QObject
{
protected:
    /// A demo gateway with a test clock and `extraArguments`.
    void startGateway(const QStringList &extraArguments = {});
    void stopGateway();
    /// The chain verifies through the admin API and, with the gateway stopped, `mandatectl audit verify`.
    void chainVerifies();

    QByteArray mint(const QString &client, const QString &subjectToken, const QString &subjectType, const QString &scope,
                    const QString &details);
    QByteArray rootToken(const QString &purpose, int ttl);
    QByteArray childToken(const QByteArray &parent, int ttl);
    QJsonArray records(const QString &query);
    QJsonArray recordsOf(const QString &execution, const QString &event);
    QString secretOf(const QString &client) const;

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QJsonObject m_clients;
    QByteArray m_admin;
    QString m_adminName;
    QByteArray m_root;
    QByteArray m_child;
    HttpResult m_lastExchange;
};

inline void AuditEventsFixture::startGateway(const QStringList &extraArguments)
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH), QStringList{QStringLiteral("--test-clock")} + extraArguments);
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QFile clients(QDir(m_gateway->dataDir()).filePath(QStringLiteral("demo-clients.json")));
    QVERIFY(clients.open(QIODevice::ReadOnly));
    m_clients = QJsonDocument::fromJson(clients.readAll()).object();
    const HttpResult whoami = m_http->get(QStringLiteral("/v1/whoami"), m_admin);
    QCOMPARE(whoami.status, 200);
    m_adminName = str(whoami.json(), "name");
    QVERIFY(!m_adminName.isEmpty());
}

inline void AuditEventsFixture::stopGateway()
{
    if (m_gateway && m_gateway->process().state() != QProcess::NotRunning)
        QCOMPARE(m_gateway->stop(), 0);
}

inline QString AuditEventsFixture::secretOf(const QString &client) const
{
    return m_clients.value(client).toObject().value(QStringLiteral("client_secret")).toString();
}

inline QByteArray AuditEventsFixture::mint(const QString &client, const QString &subjectToken, const QString &subjectType,
                                 const QString &scope, const QString &details)
{
    const QByteArray body = formEncoded({{QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:token-exchange")},
                                  {QStringLiteral("subject_token"), subjectToken},
                                  {QStringLiteral("subject_token_type"), subjectType},
                                  {QStringLiteral("scope"), scope},
                                  {QStringLiteral("authorization_details"), details}});
    const QByteArray basic = "Basic " + QByteArray(QUrl::toPercentEncoding(client) + ':' + QUrl::toPercentEncoding(secretOf(client))).toBase64();
    const HttpResult &result = m_lastExchange = m_http->send("POST", QStringLiteral("/v1/token"), body,
                                           {{"Content-Type", "application/x-www-form-urlencoded"},
                                            {"Authorization", basic},
                                            {"traceparent", QByteArray("00-") + kTraceId + "-00f067aa0ba902b7-01"}});
    if (result.status != 200) {
        qWarning() << "token exchange failed:" << result.status << result.body;
        return {};
    }
    return result.json().value(QStringLiteral("access_token")).toString().toLatin1();
}

inline QByteArray AuditEventsFixture::rootToken(const QString &purpose, int ttl)
{
    // What `mandatectl dev id-token --user alice` prints (the gateway's clock is not advanced yet).
    SystemClock clock;
    broker::DevIdentityProvider idp(m_gateway->dataDir(), clock);
    if (!idp.open(broker::DevIdentityProvider::Mode::OpenExisting))
        return {};
    const QByteArray idToken = idp.issueIdToken(QStringLiteral("alice")).value();
    return mint(QStringLiteral("support-agent"), QString::fromLatin1(idToken), QStringLiteral("urn:ietf:params:oauth:token-type:id_token"),
                QStringLiteral("refund:create ticket:read"),
                QStringLiteral(R"([{"type":"agent_execution","purpose":"%1","ttl":%2}])").arg(purpose).arg(ttl));
}

inline QByteArray AuditEventsFixture::childToken(const QByteArray &parent, int ttl)
{
    return mint(QStringLiteral("refund-subagent"), QString::fromLatin1(parent), QStringLiteral("urn:ietf:params:oauth:token-type:access_token"),
                QStringLiteral("refund:create"),
                QStringLiteral(R"([{"type":"agent_execution","budget":{"calls":3,"amount":"50.00"},"ttl":%1}])").arg(ttl));
}

inline QJsonArray AuditEventsFixture::records(const QString &query)
{
    const HttpResult result = m_http->get(QStringLiteral("/v1/audit?limit=1000&") + query, m_gateway->key(QStringLiteral("auditor")));
    if (result.status != 200)
        qWarning() << "audit query failed:" << result.status << result.body;
    return result.json().value(QStringLiteral("items")).toArray();
}

inline QJsonArray AuditEventsFixture::recordsOf(const QString &execution, const QString &event)
{
    return records(QStringLiteral("descendants=false&execution=%1&event=%2").arg(execution, event));
}

inline void AuditEventsFixture::chainVerifies()
{
    const HttpResult verify = m_http->send("POST", QStringLiteral("/v1/audit/verify"), {}, {{"Authorization", "Bearer " + m_admin}});
    QVERIFY2(verify.status == 200, verify.body.constData());
    QCOMPARE(m_gateway->stop(), 0);
    QProcess ctl;
    ctl.setProcessChannelMode(QProcess::MergedChannels);
    ctl.start(QStringLiteral(MANDATECTL_PATH), {QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"), m_gateway->dataDir()});
    QVERIFY(ctl.waitForFinished(60000));
    QVERIFY2(ctl.exitStatus() == QProcess::NormalExit && ctl.exitCode() == 0, ctl.readAll().constData());
}

} // namespace mandate::testing
