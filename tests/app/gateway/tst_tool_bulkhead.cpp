// SPDX-License-Identifier: Apache-2.0
// One stalled upstream must not stop the calls to the others: a gateway lets at most
// --upstream-calls-in-flight calls wait for one upstream; one more is decided as usual, then
// answered 503 instead of being sent, recorded, and its charge given back, while the tools of
// other upstreams are served on the workers left. And a call past an execution's rate limit is
// told when to come back (Retry-After), rather than left to retry blindly.
#include "DemoTokenExchange.h"
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace mandate;
using namespace mandate::testing;

namespace {

/// An upstream that answers every request with {"ok":true}: at once, or, when it stalls, only
/// once released.
class Upstream : public QObject
{
public:
    explicit Upstream(bool stalls) : m_released(!stalls)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QString base() const { return QStringLiteral("http://127.0.0.1:%1/api").arg(m_server.serverPort()); }
    int held() const { return int(m_held.size()); }
    void release()
    {
        m_released = true;
        for (QTcpSocket *socket : std::as_const(m_held))
            answer(socket);
        m_held.clear();
    }

private:
    void read(QTcpSocket *socket)
    {
        const QByteArray request = socket->property("request").toByteArray() + socket->readAll();
        socket->setProperty("request", request);
        if (completeHttpMessageSize(request) < 0)
            return;
        if (!m_released)
            m_held.append(socket);
        else
            answer(socket);
    }
    static void answer(QTcpSocket *socket)
    {
        const QByteArray body = R"({"ok":true})";
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                      + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QList<QTcpSocket *> m_held;
    bool m_released;
};

} // namespace

class tst_ToolBulkhead final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void stalledUpstreamDoesNotStopTheOthers();
    void boundMustLeaveWorkersToOthers();
    void rateLimitedCallsSayWhenToRetry();

private:
    qint64 usedCalls();
    QByteArray rawToolCall(QTcpSocket &socket, const QByteArray &target);

    Upstream m_tickets{true};  ///< stalls
    Upstream m_payments{false};
    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QByteArray m_admin;
    QByteArray m_token;
    QString m_execution;
};

void tst_ToolBulkhead::initTestCase()
{
    QVERIFY(m_tickets.listen() && m_payments.listen());
    // Three workers: the stalled upstream may hold two, so one is always left to the others.
    m_gateway = std::make_unique<GatewayProcess>(
        QStringLiteral(MANDATED_PATH), QStringList{QStringLiteral("--upstream-calls-in-flight"), QStringLiteral("2"), QStringLiteral("--tool-workers"),
                                                   QStringLiteral("3"), QStringLiteral("--upstream-timeout-ms"), QStringLiteral("30000")});
    QVERIFY2(m_gateway->start(30000), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QCOMPARE(m_http->pointToolAt(m_admin, QStringLiteral("ticket"), m_tickets.base()), 200);
    QCOMPARE(m_http->pointToolAt(m_admin, QStringLiteral("refund"), m_payments.base()), 200);
    DemoExchange exchange;
    exchange.scope = QStringLiteral("ticket:read refund:create");
    m_token = exchangeDemoToken(*m_gateway, *m_http, exchange);
    QVERIFY(!m_token.isEmpty());
    const QJsonObject claims = QJsonDocument::fromJson(QByteArray::fromBase64(m_token.split('.').value(1), QByteArray::Base64UrlEncoding)).object();
    m_execution = claims.value(QStringLiteral("authorization_details")).toArray().first().toObject().value(QStringLiteral("execution")).toString();
    QVERIFY(!m_execution.isEmpty());
}

qint64 tst_ToolBulkhead::usedCalls()
{
    return m_http->get(QStringLiteral("/v1/executions/") + m_execution, m_admin).json().value(QStringLiteral("used")).toObject()
        .value(QStringLiteral("calls")).toInteger(-1);
}

QByteArray tst_ToolBulkhead::rawToolCall(QTcpSocket &socket, const QByteArray &target)
{
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_gateway->url().port()));
    if (!socket.waitForConnected(5000))
        return "not connected";
    socket.write("GET " + target + " HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nAuthorization: Bearer " + m_token + "\r\n\r\n");
    socket.flush();
    return {};
}

void tst_ToolBulkhead::stalledUpstreamDoesNotStopTheOthers()
{
    // Two calls to the ticket tool reach its upstream, which does not answer: its bound.
    QTcpSocket first;
    QTcpSocket second;
    QCOMPARE(rawToolCall(first, "/v1/tools/ticket/tickets/T-1"), QByteArray());
    QCOMPARE(rawToolCall(second, "/v1/tools/ticket/tickets/T-2"), QByteArray());
    QVERIFY(QTest::qWaitFor([this] { return m_tickets.held() == 2; }, 10000));
    QCOMPARE(usedCalls(), 2);

    // A third is decided, then answered at once instead of waiting: recorded, charge given back.
    const HttpResult busy = m_http->get(QStringLiteral("/v1/tools/ticket/tickets/T-3"), m_token);
    QCOMPARE(busy.status, 503);
    QCOMPARE(busy.header("Content-Type"), QByteArray("application/problem+json"));
    QCOMPARE(busy.header("Retry-After"), QByteArray("1"));
    QVERIFY2(busy.json().value(QStringLiteral("detail")).toString().contains(QLatin1String("tool ticket")), busy.body.constData());
    const QString decisionId = busy.json().value(QStringLiteral("decision_id")).toString();
    QVERIFY(!decisionId.isEmpty());
    QCOMPARE(usedCalls(), 2);
    QCOMPARE(m_tickets.held(), 2);
    QJsonObject forward;
    const HttpResult records = m_http->get(QStringLiteral("/v1/audit?event=forward&execution=") + m_execution, m_gateway->key(QStringLiteral("auditor")));
    for (const QJsonValue &record : records.json().value(QStringLiteral("items")).toArray()) {
        if (record.toObject().value(QStringLiteral("mandate.decision.id")).toString() == decisionId)
            forward = record.toObject();
    }
    const QJsonObject details = forward.value(QStringLiteral("mandate.details")).toObject();
    QVERIFY2(details.value(QStringLiteral("mandate.upstream.error")).toString().contains(QLatin1String("calls in flight")), records.body.left(600).constData());
    QCOMPARE(details.value(QStringLiteral("mandate.budget.refunded")).toObject().value(QStringLiteral("calls")).toInteger(), 1);

    // Another upstream's tool is served meanwhile, on the worker the stalled one cannot take.
    for (int i = 0; i < 3; ++i) {
        const HttpResult refund = m_http->postJson(QStringLiteral("/v1/tools/refund/refunds"), R"({"amount":"10.00"})", m_token);
        QCOMPARE(refund.status, 200);
        QCOMPARE(refund.json().value(QStringLiteral("ok")).toBool(), true);
    }
    QCOMPARE(usedCalls(), 5);
    QVERIFY(m_http->get(QStringLiteral("/metrics")).body.contains("\nmandate_upstream_calls_shed_total 1\n"));

    // Once the upstream answers, the stalled calls complete and it takes calls again.
    m_tickets.release();
    for (QTcpSocket *socket : {&first, &second}) {
        QVERIFY(QTest::qWaitFor([socket] { return socket->bytesAvailable() > 0 && socket->peek(12).startsWith("HTTP/1.1 200"); }, 10000));
    }
    const HttpResult again = m_http->get(QStringLiteral("/v1/tools/ticket/tickets/T-4"), m_token);
    QCOMPARE(again.status, 200);
    QCOMPARE(usedCalls(), 6);
}

void tst_ToolBulkhead::boundMustLeaveWorkersToOthers()
{
    GatewayProcess gateway(QStringLiteral(MANDATED_PATH), {QStringLiteral("--tool-workers"), QStringLiteral("8"),
                                                          QStringLiteral("--upstream-calls-in-flight"), QStringLiteral("8")});
    QVERIFY(!gateway.start(15000));
    QVERIFY2(gateway.error().contains(QLatin1String("must be less than tool-workers")), qPrintable(gateway.error()));

    GatewayProcess tooMany(QStringLiteral(MANDATED_PATH), {QStringLiteral("--tool-workers"), QStringLiteral("2000")});
    QVERIFY(!tooMany.start(15000));
    QVERIFY2(tooMany.error().contains(QLatin1String("tool-workers must be at most 1024")), qPrintable(tooMany.error()));

    // The same from the config file's [limits].
    QTemporaryDir dir;
    QFile config(dir.filePath(QStringLiteral("mandated.conf")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("[limits]\ntool-workers = 4\nupstream-calls-in-flight = 6\n");
    config.close();
    GatewayProcess configured(QStringLiteral(MANDATED_PATH), {QStringLiteral("--config"), config.fileName()});
    QVERIFY(!configured.start(15000));
    QVERIFY2(configured.error().contains(QLatin1String("upstream-calls-in-flight (6) must be less than tool-workers (4)")),
             qPrintable(configured.error()));
}

void tst_ToolBulkhead::rateLimitedCallsSayWhenToRetry()
{
    // Two calls a minute for each execution: the third, on either path, is denied with the
    // time until the bucket holds a call again (30 s), as Retry-After on the tool path and as
    // "retry_after" in /v1/authorize's answer.
    GatewayProcess gateway(QStringLiteral(MANDATED_PATH), {QStringLiteral("--execution-calls-per-minute"), QStringLiteral("2")});
    QVERIFY2(gateway.start(30000), qPrintable(gateway.error()));
    HttpProbe http(gateway.url());
    QCOMPARE(http.pointToolAt(gateway.key(QStringLiteral("admin")), QStringLiteral("ticket"), m_payments.base()), 200);
    const QByteArray token = exchangeDemoToken(gateway, http);
    QVERIFY(!token.isEmpty());
    for (int i = 0; i < 2; ++i)
        QCOMPARE(http.get(QStringLiteral("/v1/tools/ticket/tickets/T-%1").arg(i), token).status, 200);
    const HttpResult limited = http.get(QStringLiteral("/v1/tools/ticket/tickets/T-3"), token);
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("Content-Type"), QByteArray("application/problem+json"));
    const int retryAfter = limited.header("Retry-After").toInt();
    QVERIFY2(retryAfter >= 20 && retryAfter <= 30, limited.header("Retry-After").constData());  // less as the clock runs on
    QCOMPARE(limited.json().value(QStringLiteral("step")).toString(), QStringLiteral("rate_limit"));
    QCOMPARE(limited.json().value(QStringLiteral("retry_after")).toInt(), retryAfter);

    const HttpResult decided = http.postJson(QStringLiteral("/v1/authorize"), R"({"action":"ticket:read"})", token);
    QCOMPARE(decided.status, 200);  // a decision is an answer
    QCOMPARE(decided.json().value(QStringLiteral("decision")).toString(), QStringLiteral("deny"));
    QCOMPARE(decided.json().value(QStringLiteral("step")).toString(), QStringLiteral("rate_limit"));
    const int authorizeRetry = decided.json().value(QStringLiteral("retry_after")).toInt();
    QVERIFY2(authorizeRetry >= 20 && authorizeRetry <= 30, decided.body.constData());
}

QTEST_MAIN(tst_ToolBulkhead)
#include "tst_tool_bulkhead.moc"
