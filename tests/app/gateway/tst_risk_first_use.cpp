// SPDX-License-Identifier: Apache-2.0
// An action's risk weight counts once per execution, when the execution first exercises it —
// also when many first calls of that action arrive at once: each saw the action as new, and each
// added the weight, until the score passed the ceiling and the execution was denied for nothing.
#include "DemoTokenExchange.h"
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QUrlQuery>

#include <algorithm>
#include <memory>
#include <vector>

using namespace mandate;
using namespace mandate::testing;

namespace {

constexpr int ConcurrentCalls = 64;
constexpr int CallsPerManager = 4;  // below QNetworkAccessManager's six connections per host
constexpr int TicketRiskWeight = 1;  // the demo registry's

} // namespace

class tst_RiskFirstUse final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void concurrentDenialsEachSeeTheOthers();
    void concurrentFirstCallsAddTheWeightOnce();

private:
    QByteArray exchangeToken();
    /// Sends `body` to /v1/authorize `count` times at once; the answers, in no order.
    QList<QJsonObject> authorizeAtOnce(const QByteArray &token, const QByteArray &body, int count);
    /// mandate.risk.before of the execution's decision records.
    QList<int> riskBefore(const QString &executionId);

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
};

void tst_RiskFirstUse::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH));
    QVERIFY2(m_gateway->start(30000), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
}

QByteArray tst_RiskFirstUse::exchangeToken()
{
    return exchangeDemoToken(*m_gateway, *m_http);
}

QList<QJsonObject> tst_RiskFirstUse::authorizeAtOnce(const QByteArray &token, const QByteArray &body, int count)
{
    QUrl url = m_gateway->url();
    url.setPath(QStringLiteral("/v1/authorize"));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    // All in flight at once: several managers, each under its per-host connection limit.
    std::vector<std::unique_ptr<QNetworkAccessManager>> managers;
    QList<QNetworkReply *> replies;
    for (int i = 0; i < count; ++i) {
        if (i % CallsPerManager == 0)
            managers.push_back(std::make_unique<QNetworkAccessManager>());
        replies.append(managers.back()->post(request, body));
    }
    QList<QJsonObject> answers;
    for (QNetworkReply *reply : std::as_const(replies)) {
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 30000))
            return {};
        answers.append(QJsonDocument::fromJson(reply->readAll()).object());
    }
    return answers;
}

QList<int> tst_RiskFirstUse::riskBefore(const QString &executionId)
{
    QList<int> scores;
    const HttpResult records = m_http->get(QStringLiteral("/v1/audit?event=decision&limit=1000&execution=") + executionId,
                                           m_gateway->key(QStringLiteral("auditor")));
    for (const QJsonValue &record : records.json().value(QStringLiteral("items")).toArray())
        scores.append(record.toObject().value(QStringLiteral("mandate.risk.before")).toInt(-1));
    return scores;
}

void tst_RiskFirstUse::concurrentDenialsEachSeeTheOthers()
{
    // Denied calls arriving together: each is decided on a score that holds the risk steps of
    // the ones decided before it, as if they had come one by one. (Each saw the score without
    // the others' steps while their records were being committed, so a burst could go on far
    // past the execution's risk ceiling.)
    constexpr int Denials = 16;
    constexpr int Step = 2 * TicketRiskWeight;  // a denial's step: twice the tool's weight
    const QByteArray token = exchangeToken();  // ticket:read only
    QVERIFY(!token.isEmpty());
    const QList<QJsonObject> answers =
        authorizeAtOnce(token, R"({"action":"ticket:update","resource":{"type":"Tool","id":"ticket"},"args":{}})", Denials);
    QCOMPARE(answers.size(), Denials);
    QString executionId;
    for (const QJsonObject &answer : answers) {
        QVERIFY2(answer.value(QStringLiteral("decision")).toString() == QLatin1String("deny"), QJsonDocument(answer).toJson().constData());
        executionId = answer.value(QStringLiteral("execution")).toString();
    }
    QList<int> scores = riskBefore(executionId);
    QCOMPARE(scores.size(), Denials);
    std::sort(scores.begin(), scores.end());
    // In serial order: 0, 2, 4, ... Two decisions on the same score mean one missed the other's
    // step. (A gap, a step counted twice while its batch commits, errs on the safe side.)
    QStringList shown;
    for (int score : std::as_const(scores))
        shown << QString::number(score);
    QVERIFY2(scores.first() == 0, qPrintable(shown.join(u' ')));
    for (qsizetype i = 1; i < scores.size(); ++i)
        QVERIFY2(scores[i] - scores[i - 1] >= Step, qPrintable(shown.join(u' ')));

    // And the race was run: some of the denials were decided while another's record was still
    // being committed. Each commit seals its last record only, so a decision record without a
    // seal shared its commit with a later one. (Decided one at a time, every record is sealed,
    // and the scores above would hold without the fix.)
    int unsealed = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("batch-check"));
        db.setDatabaseName(QDir(m_gateway->dataDir()).filePath(QStringLiteral("mandate.db")));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.prepare(QStringLiteral("SELECT count(*) FROM audit_records WHERE event = 'decision' AND execution = ? AND seal IS NULL")));
        query.addBindValue(executionId);
        QVERIFY(query.exec() && query.next());
        unsealed = query.value(0).toInt();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("batch-check"));
    QVERIFY2(unsealed > 0, "the denials were decided one at a time: this run did not test the race");
}

void tst_RiskFirstUse::concurrentFirstCallsAddTheWeightOnce()
{
    const QByteArray token = exchangeToken();
    QVERIFY(!token.isEmpty());
    const QByteArray call = R"({"action":"ticket:read","resource":{"type":"Tool","id":"ticket"},"args":{}})";
    const QList<QJsonObject> answers = authorizeAtOnce(token, call, ConcurrentCalls);
    QCOMPARE(answers.size(), ConcurrentCalls);
    QString executionId;
    for (const QJsonObject &answer : answers) {
        QVERIFY2(answer.value(QStringLiteral("decision")).toString() == QLatin1String("allow"),
                 QJsonDocument(answer).toJson().constData());
        executionId = answer.value(QStringLiteral("execution")).toString();
    }

    // One more call of the same action: the score it reports is the execution's.
    const HttpResult after = m_http->postJson(QStringLiteral("/v1/authorize"), call, token);
    QCOMPARE(after.status, 200);
    QCOMPARE(after.json().value(QStringLiteral("risk")).toObject().value(QStringLiteral("score")).toInt(), TicketRiskWeight);

    // And the record says which call raised it: exactly one, by exactly the weight.
    QCOMPARE(m_gateway->stop(), 0);  // everything written
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("risk-check"));
        db.setDatabaseName(QDir(m_gateway->dataDir()).filePath(QStringLiteral("mandate.db")));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.prepare(QStringLiteral("SELECT json_extract(body, '$.\"mandate.risk.before\"'), "
                                             "json_extract(body, '$.\"mandate.risk.after\"') FROM audit_records "
                                             "WHERE event = 'decision' AND json_extract(body, '$.\"mandate.execution.id\"') = ?")));
        query.addBindValue(executionId);
        QVERIFY(query.exec());
        int records = 0;
        int raised = 0;
        while (query.next()) {
            ++records;
            const int step = query.value(1).toInt() - query.value(0).toInt();
            QVERIFY2(step == 0 || step == TicketRiskWeight, qPrintable(QString::number(step)));
            raised += step;
        }
        QCOMPARE(records, ConcurrentCalls + 1);
        QCOMPARE(raised, TicketRiskWeight);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("risk-check"));
}

QTEST_GUILESS_MAIN(tst_RiskFirstUse)
#include "tst_risk_first_use.moc"
