// SPDX-License-Identifier: Apache-2.0
// Crash safety of the real gateway (issue #6): mandated forwards concurrent tool calls to an
// upstream run here, which SIGKILLs it in the middle of the load. After a restart on the same
// data directory, every call the upstream received has its allow decision in the audit log
// (written before the forward), every call a client got an answer for has its forward record,
// the chain continues, and `mandatectl audit verify` passes; and each execution's session
// counters (calls, denials, risk), which policies read, are those of the decisions the log holds.
#include "DemoTokenExchange.h"
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

#include <QFile>
#include <QHash>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QSet>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>

using namespace mandate;
using namespace mandate::testing;

namespace {

constexpr int Concurrency = 16;
constexpr int TokensNeeded = 4;       // 100 calls each at most (the support agent's budget)
constexpr int KillAfterForwards = 60;  // calls the upstream has received when it pulls the plug

/// What reached the upstream for one forwarded call.
struct Received
{
    QString traceId;
    QString execution;
};

/// One audit record, as much of it as this test checks.
struct Audited
{
    QString event;
    QString decision;
    QString traceId;
};

QString randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(raw.data()), bytes / 4);
    return QString::fromLatin1(raw.toHex());
}

} // namespace

class tst_CrashSafety final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void killedUnderLoadLosesNoForwardedCall();
    void killedWhileDecidingKeepsEachCallsSessionEffect();

private:
    QByteArray exchangeToken();
    void pointTicketToolAt(const QString &base);
    void sendNext();
    QHash<QString, QList<Audited>> auditByDecision();
    QList<QStringList> readGatewayDatabase(const QString &sql);
    void compareSessionsWithDecisions();

    QHttpServer m_upstream;
    QString m_upstreamBase;
    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QNetworkAccessManager m_network;
    QByteArray m_admin;
    QList<QByteArray> m_tokens;
    int m_sent = 0;
    int m_inFlight = 0;
    bool m_killed = false;
    QHash<QString, Received> m_received;     ///< by the decision id the gateway forwarded
    QHash<QString, QString> m_answered;      ///< decision id of each 2xx answer → its trace id
    int m_failedInFlight = 0;                ///< calls cut off by the kill
};

void tst_CrashSafety::initTestCase()
{
    m_upstream.route(QStringLiteral("/tickets/<arg>"), [this](const QString &id, const QHttpServerRequest &request) {
        const QByteArray traceparent = request.value("traceparent");
        m_received.insert(QString::fromLatin1(request.value("X-Mandate-Decision-Id")),
                          Received{QString::fromLatin1(traceparent.split('-').value(1)), QString::fromLatin1(request.value("X-Mandate-Execution"))});
        if (!m_killed && m_received.size() >= KillAfterForwards) {
            // SIGKILL while this very call is being forwarded and others are being decided.
            m_killed = true;
            m_gateway->process().kill();
        }
        return QHttpServerResponse(QJsonObject{{QStringLiteral("id"), id}});
    });
    const quint16 port = m_upstream.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);
    m_upstreamBase = QStringLiteral("http://127.0.0.1:%1").arg(port);

    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH),
                                                 QStringList{QStringLiteral("--execution-calls-per-minute"), QStringLiteral("100000")});
    QVERIFY2(m_gateway->start(30000), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    pointTicketToolAt(m_upstreamBase);
    for (int i = 0; i < TokensNeeded; ++i) {
        m_tokens.append(exchangeToken());
        QVERIFY(!m_tokens.last().isEmpty());
    }
}

void tst_CrashSafety::pointTicketToolAt(const QString &base)
{
    QCOMPARE(m_http->pointToolAt(m_admin, QStringLiteral("ticket"), base, {{QStringLiteral("rateLimitPerMinute"), 100000}}), 200);
}

QByteArray tst_CrashSafety::exchangeToken()
{
    DemoExchange request;
    request.authorizationDetails = {{QStringLiteral("type"), QStringLiteral("agent_execution")},
                                    {QStringLiteral("purpose"), QStringLiteral("crash safety")},
                                    {QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 100}, {QStringLiteral("tokens"), 1000},
                                                                           {QStringLiteral("amount"), QStringLiteral("0.00")}}}};
    return exchangeDemoToken(*m_gateway, *m_http, request);
}

void tst_CrashSafety::sendNext()
{
    if (m_killed || m_sent >= TokensNeeded * 100)
        return;
    const int n = m_sent++;
    QUrl url = m_gateway->url();
    url.setPath(QStringLiteral("/v1/tools/ticket/tickets/T-%1").arg(n));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_tokens.at(n % TokensNeeded));
    const QString traceId = randomHex(16);
    request.setRawHeader("traceparent", QStringLiteral("00-%1-%2-01").arg(traceId, randomHex(8)).toLatin1());
    request.setTransferTimeout(60000);
    QNetworkReply *reply = m_network.get(request);
    ++m_inFlight;
    connect(reply, &QNetworkReply::finished, this, [this, reply, traceId]() {
        --m_inFlight;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status >= 200 && status < 300)
            m_answered.insert(QString::fromLatin1(reply->rawHeader("X-Mandate-Decision-Id")), traceId);
        else if (status == 0)
            ++m_failedInFlight;
        else
            qWarning() << "call answered" << status << reply->readAll();
        reply->deleteLater();
        sendNext();
    });
}

QHash<QString, QList<Audited>> tst_CrashSafety::auditByDecision()
{
    QHash<QString, QList<Audited>> records;
    const auto rows = readGatewayDatabase(
        QStringLiteral("SELECT json_extract(body, '$.\"mandate.decision.id\"'), event, decision, trace_id FROM audit_records"));
    for (const QStringList &row : rows)
        records[row.at(0)].append(Audited{row.at(1), row.at(2), row.at(3)});
    return records;
}

/// The rows of `sql` in the stopped gateway's database, each column as text.
QList<QStringList> tst_CrashSafety::readGatewayDatabase(const QString &sql)
{
    QList<QStringList> rows;
    const QString name = QStringLiteral("crash-safety-check");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(QDir(m_gateway->dataDir()).filePath(QStringLiteral("mandate.db")));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery query(db);
            if (!query.exec(sql))
                qWarning() << "cannot read the gateway's database:" << query.lastError().text();
            while (query.next()) {
                QStringList row;
                for (int c = 0; c < query.record().count(); ++c)
                    row.append(query.value(c).toString());
                rows.append(row);
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

void tst_CrashSafety::killedUnderLoadLosesNoForwardedCall()
{
    for (int i = 0; i < Concurrency; ++i)
        sendNext();
    QTRY_VERIFY_WITH_TIMEOUT(m_killed, 120000);
    // (waitForFinished() is false for a process that has already been reaped.)
    QVERIFY(m_gateway->process().state() == QProcess::NotRunning || m_gateway->process().waitForFinished(30000));
    QCOMPARE(m_gateway->process().exitStatus(), QProcess::CrashExit);
    QTRY_VERIFY_WITH_TIMEOUT(m_inFlight == 0, 60000);
    qInfo("upstream received %lld calls, clients got %lld answers, %d calls were cut off by the kill",
          qint64(m_received.size()), qint64(m_answered.size()), m_failedInFlight);
    QVERIFY(m_received.size() >= KillAfterForwards);

    // Restart on the same data directory: the chain continues after the torn end.
    QVERIFY2(m_gateway->start(30000), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    const QByteArray fresh = exchangeToken();
    QVERIFY(!fresh.isEmpty());
    const HttpResult after = m_http->send("GET", QStringLiteral("/v1/tools/ticket/tickets/T-after"), {}, {{"Authorization", "Bearer " + fresh}});
    QCOMPARE(after.status, 200);
    QCOMPARE(m_gateway->stop(), 0);

    const QHash<QString, QList<Audited>> audit = auditByDecision();
    QVERIFY(!audit.isEmpty());
    for (auto it = m_received.cbegin(); it != m_received.cend(); ++it) {
        const QList<Audited> records = audit.value(it.key());
        const auto allow = std::find_if(records.cbegin(), records.cend(), [](const Audited &r) {
            return r.event == QLatin1String("decision") && r.decision == QLatin1String("allow");
        });
        QVERIFY2(allow != records.cend(), qPrintable(QStringLiteral("the upstream received %1 but no allow decision is recorded").arg(it.key())));
        QCOMPARE(allow->traceId, it->traceId);
    }
    for (auto it = m_answered.cbegin(); it != m_answered.cend(); ++it) {
        QVERIFY2(m_received.contains(it.key()), qPrintable(it.key()));
        const QList<Audited> records = audit.value(it.key());
        const bool forwarded = std::any_of(records.cbegin(), records.cend(), [](const Audited &r) {
            return r.event == QLatin1String("forward") || r.event == QLatin1String("flagged_response");
        });
        QVERIFY2(forwarded, qPrintable(QStringLiteral("call %1 was answered but its forward is not recorded").arg(it.key())));
        QCOMPARE(m_received.value(it.key()).traceId, it.value());
    }
    // Nothing is recorded as forwarded that the upstream never saw.
    for (auto it = audit.cbegin(); it != audit.cend(); ++it) {
        for (const Audited &record : it.value()) {
            if (record.event == QLatin1String("forward"))
                QVERIFY2(m_received.contains(it.key()), qPrintable(it.key()));
        }
    }

    compareSessionsWithDecisions();

    QProcess verify;
    verify.setProcessChannelMode(QProcess::MergedChannels);
    verify.start(QStringLiteral(MANDATECTL_PATH), {QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"), m_gateway->dataDir()});
    QVERIFY(verify.waitForFinished(60000));
    QVERIFY2(verify.exitStatus() == QProcess::NormalExit && verify.exitCode() == 0, verify.readAll().constData());
}

/// The session effect of every decision the log holds, and only those, is in the store: an
/// execution's counters were not a batch behind its records when the gateway died.
void tst_CrashSafety::compareSessionsWithDecisions()
{
    QHash<QString, QString> recorded;  // calls/denied/risk of each execution, as its decision records add up
    const QString totals = QStringLiteral("%1/%2/%3");
    for (const QStringList &row : readGatewayDatabase(QStringLiteral(
             "SELECT execution, count(*), sum(decision = 'deny'), "
             "sum(json_extract(body, '$.\"mandate.risk.after\"') - json_extract(body, '$.\"mandate.risk.before\"')) "
             "FROM audit_records WHERE event = 'decision' AND execution IS NOT NULL "
             // as DecisionPipeline counts: not the gateway's own failures at these steps
             "AND NOT (decision = 'deny' AND json_extract(body, '$.\"mandate.details\".\"mandate.decision.status\"') >= 500 "
             "AND json_extract(body, '$.\"mandate.details\".\"mandate.decision.step\"') IN ('request', 'budget')) "
             "GROUP BY execution")))
        recorded.insert(row.at(0), totals.arg(row.at(1), row.at(2), row.at(3)));
    QVERIFY(!recorded.isEmpty());
    const auto stored = readGatewayDatabase(QStringLiteral("SELECT id, session_calls, session_denied, risk_score FROM executions"));
    QSet<QString> seen;
    for (const QStringList &row : stored) {
        seen.insert(row.at(0));
        QCOMPARE(totals.arg(row.at(1), row.at(2), row.at(3)), recorded.value(row.at(0), totals.arg(0).arg(0).arg(0)));
    }
    for (auto it = recorded.cbegin(); it != recorded.cend(); ++it)
        QVERIFY2(seen.contains(it.key()), qPrintable(it.key()));
}

void tst_CrashSafety::killedWhileDecidingKeepsEachCallsSessionEffect()
{
    // Decisions alone (/v1/authorize), allowed and denied, pipelined on a few connections so
    // that the gateway always has some in hand, and a SIGKILL in the middle: every decision
    // whose record committed must have its effect on the session (calls, denials, risk)
    // committed with it, not one batch later.
    if (m_gateway->process().state() != QProcess::Running)  // the test before stopped it
        QVERIFY2(m_gateway->start(30000), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    QList<QByteArray> tokens;
    for (int i = 0; i < TokensNeeded; ++i) {
        tokens.append(exchangeToken());
        QVERIFY(!tokens.last().isEmpty());
    }
    // Under the 64 unanswered requests after which the gateway cuts a pipelining client off.
    constexpr int Connections = 16;
    constexpr int PipelinedPerConnection = 40;
    constexpr int KillAfterAnswers = 300;
    int answers = 0;
    bool killed = false;
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int c = 0; c < Connections; ++c) {
        QByteArray requests;
        for (int i = 0; i < PipelinedPerConnection; ++i) {
            // One call in five asks for an action its token lacks: a denial, with its risk step.
            const QByteArray body = R"({"action":")" + QByteArray(i % 5 == 4 ? "account:delete" : "ticket:read")
                                    + R"(","resource":{"type":"Tool","id":"ticket"}})";
            requests += "POST /v1/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + tokens.at((c + i) % TokensNeeded)
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        }
        auto socket = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = socket.get();
        connect(raw, &QTcpSocket::connected, this, [raw, requests]() { raw->write(requests); });
        connect(raw, &QTcpSocket::readyRead, this, [&, raw]() {
            answers += int(raw->readAll().count("HTTP/1.1 "));
            if (answers >= KillAfterAnswers && !killed) {
                killed = true;
                m_gateway->process().kill();
            }
        });
        connect(raw, &QTcpSocket::disconnected, this, [&killed, c]() {
            if (!killed)
                qWarning("connection %d was closed before the kill", c);
        });
        raw->connectToHost(m_gateway->url().host(), quint16(m_gateway->url().port()));
        sockets.push_back(std::move(socket));
    }
    QTRY_VERIFY2_WITH_TIMEOUT(killed, qPrintable(QStringLiteral("%1 answers").arg(answers)), 120000);
    QVERIFY(m_gateway->process().state() == QProcess::NotRunning || m_gateway->process().waitForFinished(30000));
    QCOMPARE(m_gateway->process().exitStatus(), QProcess::CrashExit);
    qInfo("%d decisions answered before the kill", answers);
    sockets.clear();
    compareSessionsWithDecisions();
}

QTEST_GUILESS_MAIN(tst_CrashSafety)
#include "tst_crash_safety.moc"
