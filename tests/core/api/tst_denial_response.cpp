// SPDX-License-Identifier: Apache-2.0
// What an agent is answered when its call is refused (EnforcementEndpoints::denial): the
// refusing step's title, except that a store failure at the token or budget step (a 5xx) says
// the gateway is unavailable, since neither was the token rejected nor the budget exhausted;
// the decision as problem extensions; WWW-Authenticate for a 401, Retry-After for a rate limit.
#include "api/EnforcementEndpoints.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace mandate;

namespace {

firewall::CallDecision refused(const char *step, int status)
{
    firewall::CallDecision decision;
    decision.step = QLatin1String(step);
    decision.httpStatus = status;
    decision.message = QStringLiteral("why, for a person");
    decision.decisionId = QStringLiteral("dec_1");
    return decision;
}

} // namespace

class TestDenialResponse : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void titleSaysWhoFailed_data()
    {
        QTest::addColumn<QByteArray>("step");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("title");
        QTest::addRow("token rejected") << QByteArray("token") << 401 << QStringLiteral("Execution token rejected");
        QTest::addRow("token step, store failed") << QByteArray("token") << 503 << QStringLiteral("Gateway temporarily unavailable");
        QTest::addRow("budget exhausted") << QByteArray("budget") << 403 << QStringLiteral("Budget exhausted");
        QTest::addRow("budget step, store failed") << QByteArray("budget") << 503 << QStringLiteral("Gateway temporarily unavailable");
        QTest::addRow("request step 5xx keeps its title") << QByteArray("request") << 503 << QStringLiteral("Call refused");
        QTest::addRow("policy") << QByteArray("policy") << 403 << QStringLiteral("Denied by policy");
        QTest::addRow("audit") << QByteArray("audit") << 503 << QStringLiteral("Audit log unavailable");
        QTest::addRow("a step without a title") << QByteArray("upstream") << 502 << QStringLiteral("Denied");
    }
    void titleSaysWhoFailed()
    {
        QFETCH(QByteArray, step);
        QFETCH(int, status);
        QFETCH(QString, title);
        const api::HttpResponse response = api::EnforcementEndpoints::denial(refused(step.constData(), status));
        QCOMPARE(response.status, status);
        QCOMPARE(response.header("Content-Type"), QByteArray("application/problem+json"));
        const QJsonObject body = QJsonDocument::fromJson(response.body).object();
        QCOMPARE(body.value(QStringLiteral("title")).toString(), title);
        QCOMPARE(body.value(QStringLiteral("status")).toInt(), status);
        QCOMPARE(body.value(QStringLiteral("detail")).toString(), QStringLiteral("why, for a person"));
        QCOMPARE(body.value(QStringLiteral("decision_id")).toString(), QStringLiteral("dec_1"));
        QCOMPARE(response.header("WWW-Authenticate").isEmpty(), status != 401);
        QVERIFY(response.header("Retry-After").isEmpty());
    }

    void rateLimitSaysWhenToRetry()
    {
        firewall::CallDecision decision = refused("rate_limit", 429);
        decision.retryAfterSecs = 3;
        const api::HttpResponse response = api::EnforcementEndpoints::denial(decision);
        QCOMPARE(response.status, 429);
        QCOMPARE(response.header("Retry-After"), QByteArray("3"));
    }
};

QTEST_GUILESS_MAIN(TestDenialResponse)
#include "tst_denial_response.moc"
